//! The per-thread read buffer: incoming bytes are read into it first, so the loop knows data is
//! there before it calls Incoming, and no connection owns a read buffer while idle. A connection
//! keeps its own (exact-size) copy only of bytes a callback left unread.
//!
//! How much of it one read asks for is the connection's business ([`ReadSize`]): a stream that
//! keeps filling its reads gets larger ones, up to the whole buffer.

use std::cell::Cell;

/// The largest read from the kernel, and the size of the shared buffer. 256 KiB: four times
/// fewer `recv` calls than 64 KiB on a bulk stream; beyond it the kernel's copies dominate.
pub const SCRATCH_SIZE: usize = 256 * 1024;

/// The first read of every connection, and the smallest one.
pub const MIN_READ: usize = 64 * 1024;

thread_local! {
    /// Two slots, an empty `Vec` meaning a free one: a buffer moves in and out of a slot with
    /// no borrow flag and no length bookkeeping (this runs twice per message).
    static POOL: [Cell<Vec<u8>>; 2] = const { [Cell::new(Vec::new()), Cell::new(Vec::new())] };
}

/// Takes a buffer of `SCRATCH_SIZE` initialised bytes (reused; allocated only when the pool is
/// empty, e.g. in a nested loop).
#[inline]
pub fn take() -> Vec<u8> {
    POOL.with(|pool| {
        for slot in pool {
            let buf = slot.take();
            if !buf.is_empty() {
                return buf;
            }
        }
        vec![0u8; SCRATCH_SIZE]
    })
}

/// Returns a buffer to the pool (at most two are kept; others are freed).
#[inline]
pub fn give_back(buf: Vec<u8>) {
    if buf.len() == SCRATCH_SIZE {
        POOL.with(|pool| {
            if let Some(slot) = pool.iter().find(|slot| {
                let held = slot.take();
                let free = held.is_empty();
                slot.set(held);
                free
            }) {
                slot.set(buf);
            }
        });
    }
}

/// How much one read of a connection asks the kernel for: [`MIN_READ`] at first, doubled each
/// time a read comes back full (the kernel had more), up to [`SCRATCH_SIZE`]; halved when a read
/// brings less than a quarter of what was asked, and back to the minimum when the application
/// leaves bytes unread (they are copied into the connection's own memory, so a slow reader must
/// not be handed large reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadSize(usize);

impl Default for ReadSize {
    fn default() -> ReadSize {
        ReadSize(MIN_READ)
    }
}

impl ReadSize {
    /// The size of the next read.
    #[inline]
    pub fn get(self) -> usize {
        self.0
    }

    /// Learns from a read of `got` bytes that asked for [`ReadSize::get`].
    #[inline]
    pub fn after_read(&mut self, got: usize) {
        if got >= self.0 {
            self.0 = (self.0 * 2).min(SCRATCH_SIZE);
        } else if got < self.0 / 4 {
            self.0 = (self.0 / 2).max(MIN_READ);
        }
    }

    /// The application left bytes unread.
    #[inline]
    pub fn unread_left(&mut self) {
        self.0 = MIN_READ;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_keeps_two_buffers_and_hands_them_out_again() {
        let (mut a, mut b, c) = (take(), take(), take());
        assert!([&a, &b, &c].iter().all(|v| v.len() == SCRATCH_SIZE));
        // Marked, to tell a pooled buffer from a new (zeroed) one.
        a[0] = 0xA1;
        b[0] = 0xB2;
        give_back(a);
        give_back(b);
        give_back(c); // a third is freed, not kept
        give_back(vec![1, 2, 3]); // not a scratch buffer: never pooled
        let (x, y) = (take(), take());
        let mut marks = [x[0], y[0]];
        marks.sort_unstable();
        assert_eq!(marks, [0xA1, 0xB2], "both buffers came back from the pool");
        // The pool is empty now: a new buffer is made.
        let z = take();
        assert_eq!((z.len(), z[0]), (SCRATCH_SIZE, 0));
    }

    #[test]
    fn full_reads_grow_to_the_buffer_and_no_further() {
        let mut r = ReadSize::default();
        assert_eq!(r.get(), MIN_READ);
        r.after_read(MIN_READ);
        assert_eq!(r.get(), 2 * MIN_READ);
        for _ in 0..10 {
            r.after_read(r.get());
        }
        assert_eq!(r.get(), SCRATCH_SIZE);
    }

    #[test]
    fn short_reads_shrink_and_unread_bytes_reset() {
        let mut r = ReadSize(SCRATCH_SIZE);
        // A read of a quarter or more keeps the size.
        r.after_read(SCRATCH_SIZE / 4);
        assert_eq!(r.get(), SCRATCH_SIZE);
        r.after_read(SCRATCH_SIZE / 4 - 1);
        assert_eq!(r.get(), SCRATCH_SIZE / 2);
        for _ in 0..10 {
            r.after_read(1);
        }
        assert_eq!(r.get(), MIN_READ);
        let mut r = ReadSize(SCRATCH_SIZE);
        r.unread_left();
        assert_eq!(r.get(), MIN_READ);
    }
}
