//! The outgoing queue: bytes accepted by Write that the kernel has not taken yet.
//!
//! It only grows when the kernel refuses data, holds no memory while empty (an idle connection
//! pays for an empty `VecDeque`), and is flushed with `writev` so several queued chunks leave in
//! one system call.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

/// Most slices handed to one `writev`.
const MAX_IOV: usize = 64;
/// Small writes are coalesced into chunks of at least this capacity.
const MIN_CHUNK: usize = 16 * 1024;

/// A FIFO of byte chunks.
#[derive(Default, Debug)]
pub struct OutQueue {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already sent.
    head: usize,
    len: usize,
}

impl OutQueue {
    /// Queued bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is queued.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a copy of `data`.
    pub fn push(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        match self.chunks.back_mut() {
            Some(last) if last.capacity() - last.len() >= data.len() => {
                last.extend_from_slice(data)
            }
            _ => {
                let mut chunk = Vec::with_capacity(data.len().max(MIN_CHUNK));
                chunk.extend_from_slice(data);
                self.chunks.push_back(chunk);
            }
        }
        self.len += data.len();
    }

    /// Writes as much as the writer takes, with vectored writes, until it would block or the queue
    /// is empty. Returns the bytes written; errors other than `WouldBlock`/`Interrupted` are
    /// returned (bytes written before them stay consumed).
    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<usize> {
        let mut total = 0;
        while !self.is_empty() {
            let n = {
                let mut slices = [IoSlice::new(&[]); MAX_IOV];
                let mut count = 0;
                for (i, c) in self.chunks.iter().enumerate().take(MAX_IOV) {
                    slices[i] = IoSlice::new(if i == 0 { &c[self.head..] } else { c });
                    count += 1;
                }
                match w.write_vectored(&slices[..count]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(total),
                    Err(e) => return Err(e),
                }
            };
            self.consume(n);
            total += n;
        }
        Ok(total)
    }

    /// The first contiguous run of queued bytes.
    pub fn front(&self) -> &[u8] {
        self.chunks.front().map_or(&[], |c| &c[self.head..])
    }

    /// Drops `n` bytes from the front.
    pub fn consume(&mut self, mut n: usize) {
        debug_assert!(n <= self.len);
        self.len -= n;
        while n > 0 {
            let front_left = self.chunks[0].len() - self.head;
            if n >= front_left {
                n -= front_left;
                self.chunks.pop_front();
                self.head = 0;
            } else {
                self.head += n;
                n = 0;
            }
        }
        if self.len == 0 {
            // Release the memory: an idle connection keeps no buffers.
            self.chunks = VecDeque::new();
            self.head = 0;
        }
    }

    /// Discards everything.
    pub fn clear(&mut self) {
        self.chunks = VecDeque::new();
        self.head = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most `cap` bytes per call and then blocks after `budget`.
    struct Limited {
        out: Vec<u8>,
        cap: usize,
        budget: usize,
    }

    impl Write for Limited {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.budget == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.cap).min(self.budget);
            self.out.extend_from_slice(&buf[..n]);
            self.budget -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn order_is_kept_across_partial_writes() {
        let mut q = OutQueue::default();
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for part in data.chunks(777) {
            q.push(part);
        }
        assert_eq!(q.len(), data.len());
        let mut w = Limited {
            out: Vec::new(),
            cap: 5000,
            budget: 30_000,
        };
        assert_eq!(q.write_to(&mut w).unwrap(), 30_000);
        assert_eq!(q.len(), data.len() - 30_000);
        w.budget = usize::MAX;
        q.write_to(&mut w).unwrap();
        assert!(q.is_empty());
        assert_eq!(w.out, data);
    }

    #[test]
    fn empty_queue_holds_no_memory() {
        let mut q = OutQueue::default();
        q.push(b"abc");
        q.consume(3);
        assert_eq!(q.chunks.capacity(), 0);
        assert_eq!(q.front(), b"");
    }
}
