//! A connected TCP stream with its outgoing queue and staged input: the per-connection engine
//! state behind NetSocket and ClientSocket, free of the object model.
//!
//! Reading happens in two steps so that the Incoming callback is only called when bytes exist:
//! [`Connection::fill`] stages bytes from the kernel (or TLS) and reports what it found; the
//! callback then takes them with [`Connection::read`], which continues with direct reads once
//! the staged bytes are used up; [`Connection::settle`] keeps whatever was left for next time.

use crate::queue::OutQueue;
use crate::scratch;
use crate::socket::err_from_io;
use crate::sockio::{Io, Transport};
use crate::tls::TlsSession;
use mio::net::TcpStream;
use parasol_core::ERR;
use std::io;
use std::net::Shutdown;

/// What [`Connection::fill`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Bytes are staged. `drained` is true when the kernel had no more at that moment (a short
    /// read), so no further read is needed until the next readiness event; never once the peer's
    /// close was reported ([`Connection::saw_hangup`]), since no further event will come.
    Data {
        /// The kernel's receive queue was emptied.
        drained: bool,
    },
    /// Nothing to read now.
    Empty,
    /// The peer closed its side after everything was read (with TLS: after close_notify).
    Eof,
    /// The stream failed; the ERR says how (`Disconnected` for a reset or TLS truncation,
    /// `Security` for a TLS failure).
    Failed(ERR),
}

/// Staged input: bytes read from the kernel and not yet taken by the application.
#[derive(Debug, Default)]
enum Staged {
    #[default]
    None,
    /// A pooled scratch buffer with unread bytes `start..end`.
    Scratch {
        buf: Vec<u8>,
        start: usize,
        end: usize,
    },
    /// An exact-size copy of leftovers the application did not read.
    Owned { buf: Vec<u8>, start: usize },
}

impl Staged {
    #[inline]
    fn len(&self) -> usize {
        match self {
            Staged::None => 0,
            Staged::Scratch { start, end, .. } => end - start,
            Staged::Owned { buf, start } => buf.len() - start,
        }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            Staged::None => &[],
            Staged::Scratch { buf, start, end } => &buf[*start..*end],
            Staged::Owned { buf, start } => &buf[*start..],
        }
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        match self {
            Staged::None => {}
            Staged::Scratch { start, .. } | Staged::Owned { start, .. } => *start += n,
        }
        if self.len() == 0 {
            self.release();
        }
    }

    fn release(&mut self) {
        if let Staged::Scratch { buf, .. } = std::mem::take(self) {
            scratch::give_back(buf);
        }
    }
}

/// A TCP connection's engine state, over a [`Transport`] (a non-blocking TCP socket unless a
/// test drives it through memory).
#[derive(Debug)]
pub struct Connection<T: Transport = TcpStream> {
    sock: T,
    tls: Option<Box<TlsSession>>,
    out: OutQueue,
    staged: Staged,
    eof: bool,
    failed: Option<ERR>,
    /// Why it failed (the OS error), for ErrorDetail.
    failed_detail: Option<String>,
    taken: u64,
    write_shut: bool,
    /// The last read from the kernel came back short: nothing more was there. Until the end of
    /// this readiness event reads return 0 without a system call (edge-triggered readiness
    /// reports new data). Cleared by [`Connection::end_of_event`].
    drained: bool,
    /// While set, TLS records are not written at each Write but once per event, by
    /// [`Connection::end_of_event`] (several records in one `writev`).
    batching: bool,
    /// How much the next read into the shared buffer asks for.
    read_size: scratch::ReadSize,
    /// The loop reported the peer's close (or an error) on this socket. That edge comes once:
    /// from then on a short read no longer means that nothing more will come before the next
    /// readiness event (the end of the stream may be waiting behind the bytes just read).
    hangup: bool,
}

impl<T: Transport> Connection<T> {
    /// Wraps a connected (or connecting) stream.
    pub fn new(sock: T) -> Connection<T> {
        Connection {
            sock,
            tls: None,
            out: OutQueue::default(),
            staged: Staged::None,
            eof: false,
            failed: None,
            failed_detail: None,
            taken: 0,
            write_shut: false,
            drained: false,
            batching: false,
            read_size: scratch::ReadSize::default(),
            hangup: false,
        }
    }

    /// The socket, for registration with the loop.
    pub fn socket(&mut self) -> &mut T {
        &mut self.sock
    }

    /// Takes out everything written and not yet sent, for a connection abandoned before it
    /// was established (its address refused): the next address's connection sends it, so
    /// bytes Write accepted while connecting are not lost with the refused socket.
    pub fn take_unsent(&mut self) -> OutQueue {
        std::mem::take(&mut self.out)
    }

    /// The socket, read-only.
    pub fn socket_ref(&self) -> &T {
        &self.sock
    }

    /// The TLS session, if the connection is encrypted.
    pub fn tls(&self) -> Option<&TlsSession> {
        self.tls.as_deref()
    }

    /// Starts TLS on this connection: at connect or accept (`starttls` false: anything queued is
    /// application data and goes out encrypted after the handshake), or on a connection that
    /// already carried plaintext (`starttls` true: bytes queued before this call were written in
    /// the plaintext phase and still go out unencrypted, ahead of the handshake). Bytes received
    /// and not read are fed to TLS as the start of the peer's handshake; a TLS failure in them →
    /// `Security`.
    pub fn start_tls(&mut self, mut session: TlsSession, starttls: bool) -> Result<(), ERR> {
        if starttls {
            session.queue_raw_prefix(&mut self.out);
        }
        let staged = self.staged.bytes().to_vec();
        self.staged.release();
        if !staged.is_empty() {
            session.feed(&staged).map_err(|e| self.fail(e))?;
        }
        self.tls = Some(Box::new(session));
        Ok(())
    }

    /// True while a TLS handshake is in progress.
    pub fn handshaking(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| t.is_handshaking())
    }

    /// Bytes accepted by [`Connection::write`] so far (to tell whether a callback wrote).
    pub fn taken_total(&self) -> u64 {
        self.taken
    }

    /// Bytes accepted and not yet handed to the kernel (for TLS: plaintext queued plus TLS
    /// records not yet written).
    pub fn out_len(&self) -> usize {
        self.out.len() + self.tls.as_ref().map_or(0, |t| t.pending_output())
    }

    /// True once the peer's EOF was seen.
    pub fn eof_seen(&self) -> bool {
        self.eof
    }

    /// The failure recorded by a read or write, if any.
    pub fn failure(&self) -> Option<ERR> {
        self.failed
    }

    fn fail(&mut self, e: ERR) -> ERR {
        if self.failed.is_none() {
            self.failed = Some(e);
        }
        e
    }

    /// [`Self::fail`] for an OS error, keeping its text for [`Connection::failure_detail`].
    fn fail_io(&mut self, what: &str, e: &io::Error) -> ERR {
        if self.failed.is_none() {
            self.failed_detail = Some(format!("{what}: {e}"));
        }
        self.fail(err_from_io(e))
    }

    /// Why the stream failed — the OS error, or the TLS session's reason — if it did.
    pub fn failure_detail(&self) -> Option<&str> {
        self.failed_detail
            .as_deref()
            .or_else(|| self.tls.as_deref().and_then(|t| t.failure_detail()))
    }

    /// Staged bytes not yet read by the application.
    #[inline]
    pub fn staged_len(&self) -> usize {
        self.staged.len() + self.tls.as_ref().map_or(0, |t| t.plaintext_available())
    }

    /// Stages input so the application can be told that bytes exist. See [`Fill`].
    pub fn fill(&mut self) -> Fill {
        if self.staged_len() > 0 {
            return Fill::Data { drained: false };
        }
        if let Some(e) = self.failed {
            return Fill::Failed(e);
        }
        if self.eof {
            return Fill::Eof;
        }
        if let Some(tls) = self.tls.as_deref_mut() {
            return match tls.fill(&mut Io(&mut self.sock)) {
                Fill::Failed(e) => Fill::Failed(self.fail(e)),
                Fill::Eof => {
                    self.eof = true;
                    Fill::Eof
                }
                other => other,
            };
        }
        let mut buf = scratch::take();
        let want = self.read_size.get();
        loop {
            match self.sock.recv(&mut buf[..want]) {
                Ok(0) => {
                    scratch::give_back(buf);
                    self.eof = true;
                    return Fill::Eof;
                }
                Ok(n) => {
                    self.read_size.after_read(n);
                    let drained = n < want && !self.hangup;
                    self.drained = drained;
                    self.staged = Staged::Scratch {
                        buf,
                        start: 0,
                        end: n,
                    };
                    return Fill::Data { drained };
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    scratch::give_back(buf);
                    self.drained = true;
                    return Fill::Empty;
                }
                Err(e) => {
                    scratch::give_back(buf);
                    return Fill::Failed(self.fail_io("recv", &e));
                }
            }
        }
    }

    /// Reads into `buf`: staged bytes first, then straight from the kernel (or TLS). `Ok(0)`
    /// means nothing available now; `Err(Disconnected)` once the peer closed and everything was
    /// read; other errors as the stream failed.
    #[inline]
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, ERR> {
        if buf.is_empty() {
            return Ok(0);
        }
        // The common case, inlined: Incoming reads what the event staged.
        let staged = self.staged.bytes();
        if !staged.is_empty() {
            let n = staged.len().min(buf.len());
            buf[..n].copy_from_slice(&staged[..n]);
            self.staged.consume(n);
            return Ok(n);
        }
        self.read_unstaged(buf)
    }

    /// [`Connection::read`] with nothing staged: from TLS or the kernel.
    #[inline(never)]
    fn read_unstaged(&mut self, buf: &mut [u8]) -> Result<usize, ERR> {
        if let Some(tls) = self.tls.as_deref_mut() {
            let n = tls.read_plaintext(buf);
            if n > 0 {
                return Ok(n);
            }
            if let Some(e) = self.failed {
                return Err(e);
            }
            if self.eof {
                return Err(ERR::Disconnected);
            }
            // More records may be waiting in the kernel.
            return match self.fill() {
                Fill::Data { .. } => {
                    Ok(self.tls.as_deref_mut().map_or(0, |t| t.read_plaintext(buf)))
                }
                Fill::Empty => Ok(0),
                Fill::Eof => Err(ERR::Disconnected),
                Fill::Failed(e) => Err(e),
            };
        }
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.eof {
            return Err(ERR::Disconnected);
        }
        if self.drained && self.batching {
            return Ok(0);
        }
        loop {
            match self.sock.recv(buf) {
                Ok(0) => {
                    self.eof = true;
                    return Err(ERR::Disconnected);
                }
                Ok(n) => {
                    self.drained = n < buf.len();
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.drained = true;
                    return Ok(0);
                }
                Err(e) => return Err(self.fail_io("recv", &e)),
            }
        }
    }

    /// After a callback: bytes it left in the shared buffer are copied into an exact-size buffer
    /// of this connection, so the shared one can serve others.
    pub fn settle(&mut self) {
        if let Staged::Scratch { buf, start, end } = &self.staged {
            self.read_size.unread_left();
            let left = buf[*start..*end].to_vec();
            self.staged.release();
            self.staged = Staged::Owned {
                buf: left,
                start: 0,
            };
        }
    }

    /// Drops staged input (the application chose not to read it). Returns how many bytes.
    pub fn discard_staged(&mut self) -> usize {
        let mut n = self.staged.len();
        self.staged.release();
        if let Some(tls) = self.tls.as_deref_mut() {
            n += tls.discard_plaintext();
        }
        n
    }

    /// Accepts bytes for sending, never holding more than `limit` queued. While `can_send` is
    /// false (not yet connected) everything that fits is queued. Returns the ERR (`Okay`, or
    /// `BufferOverflow` when not all fit, or the stream's failure) and the bytes taken, which are
    /// always a prefix of `data`.
    pub fn write(&mut self, data: &[u8], limit: usize, can_send: bool) -> (ERR, usize) {
        if let Some(e) = self.failed {
            return (e, 0);
        }
        if self.write_shut {
            return (ERR::Disconnected, 0);
        }
        let mut taken = 0;
        let mut tls_send = false;
        if let Some(tls) = self
            .tls
            .as_deref_mut()
            .filter(|t| can_send && !t.is_handshaking())
        {
            // Hand plaintext to TLS while its record buffer has room; the rest is queued below
            // and moves into rustls as its records reach the kernel. What rustls holds counts
            // against the limit like the queue.
            tls_send = true;
            if self.out.is_empty() {
                let room = limit.saturating_sub(tls.pending_output());
                taken = tls.write_plaintext(&data[..data.len().min(room)]);
            }
        } else if can_send && self.tls.is_none() && self.out.is_empty() {
            loop {
                match self.sock.send(data) {
                    Ok(n) => {
                        taken = n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        return (self.fail_io("send", &e), 0);
                    }
                }
            }
        }
        let rest = &data[taken..];
        let room = limit.saturating_sub(self.out_len());
        let queued = rest.len().min(room);
        self.out.push(&rest[..queued]);
        taken += queued;
        self.taken += taken as u64;
        // Outside a readiness event nobody else will write: send records (and move the queue
        // into rustls) until the kernel refuses, so a writable edge follows whatever is left.
        // Within an event, records go out together at its end.
        if tls_send && !self.batching {
            let _ = self.flush();
        }
        if taken < data.len() {
            (ERR::BufferOverflow, taken)
        } else {
            (ERR::Okay, taken)
        }
    }

    /// Sends queued bytes until the kernel refuses more. Returns true when nothing is left.
    #[inline]
    pub fn flush(&mut self) -> Result<bool, ERR> {
        // The common case, kept small enough to inline: every event ends with a flush, and
        // most find nothing queued.
        if self.out.is_empty() && self.tls.is_none() && self.failed.is_none() {
            return Ok(true);
        }
        self.flush_queue()
    }

    /// [`Connection::flush`] when there is something to do (or to report).
    #[inline(never)]
    fn flush_queue(&mut self) -> Result<bool, ERR> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Some(tls) = self.tls.as_deref_mut() {
            let r = tls.flush(&mut Io(&mut self.sock), &mut self.out);
            return r.map_err(|e| self.fail(e));
        }
        if self.out.is_empty() {
            return Ok(true);
        }
        match self.out.write_to(&mut Io(&mut self.sock)) {
            Ok(_) => Ok(self.out.is_empty()),
            Err(e) => Err(self.fail_io("send", &e)),
        }
    }

    /// The loop reported the peer's close or an error on this socket (see [`Fill::Data`]'s
    /// `drained`, which is never true from then on).
    pub fn saw_hangup(&mut self) {
        self.hangup = true;
    }

    /// Starts handling a readiness event: TLS records written meanwhile are batched until
    /// [`Connection::end_of_event`].
    pub fn start_of_event(&mut self) {
        self.batching = true;
    }

    /// Ends a readiness event: batched TLS records are written, and what this event learnt about
    /// the kernel's queue being empty is forgotten (a later Read asks the kernel again).
    pub fn end_of_event(&mut self) -> Result<bool, ERR> {
        self.batching = false;
        self.drained = false;
        self.flush()
    }

    /// Ends our sending side gracefully once every accepted byte is out: the queue is flushed
    /// (through TLS, whose records are written), only then TLS close_notify, then FIN. Returns
    /// false while the kernel still refuses data; call again when the socket is writable. A
    /// failed stream counts as closed.
    pub fn close_write(&mut self) -> bool {
        if self.write_shut {
            return true;
        }
        // close_notify must follow the last record: rustls holds only part of a large queue, the
        // rest is still in `out` until earlier records reach the kernel.
        let mut flushed = self.flush();
        if let (Ok(true), Some(tls)) = (&flushed, self.tls.as_deref_mut()) {
            tls.send_close_notify(); // once: rustls ignores a second call
            flushed = self.flush();
        }
        match flushed {
            Ok(false) => false,
            Ok(true) => {
                self.write_shut = true;
                let _ = self.sock.shutdown(Shutdown::Write);
                true
            }
            Err(_) => {
                self.write_shut = true;
                true
            }
        }
    }

    /// Shuts both directions at once (Disable): nothing more is sent or received.
    pub fn shutdown_both(&mut self) {
        self.out.clear();
        self.write_shut = true;
        let _ = self.sock.shutdown(Shutdown::Both);
    }

    /// Drains and discards input until the kernel has no more (used while lingering). Returns
    /// true once the peer's EOF (or an error) was seen.
    pub fn drain_input(&mut self) -> bool {
        self.discard_staged();
        let mut buf = scratch::take();
        let done = loop {
            match self.sock.recv(&mut buf) {
                Ok(0) => break true,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
                Err(_) => break true,
            }
        };
        scratch::give_back(buf);
        if done {
            self.eof = true;
        }
        done
    }
}

impl<T: Transport> Drop for Connection<T> {
    fn drop(&mut self) {
        self.staged.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::{MIN_READ, SCRATCH_SIZE};
    use std::io::IoSlice;

    /// A peer that has `left` bytes ready and records how much each `recv` asked for.
    struct Ready {
        left: usize,
        asks: Vec<usize>,
    }

    impl Transport for Ready {
        fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.asks.push(buf.len());
            if self.left == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn send_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            Ok(bufs.iter().map(|b| b.len()).sum())
        }
        fn shutdown(&mut self, _: Shutdown) -> io::Result<()> {
            Ok(())
        }
    }

    fn consume_all(c: &mut Connection<Ready>) -> usize {
        let n = c.staged.len();
        c.staged.consume(n);
        n
    }

    #[test]
    fn a_stream_that_fills_its_reads_gets_larger_ones() {
        let mut c = Connection::new(Ready {
            left: 4 << 20,
            asks: vec![],
        });
        let mut got = 0;
        for _ in 0..6 {
            assert_eq!(c.fill(), Fill::Data { drained: false });
            got += consume_all(&mut c);
            c.settle();
        }
        let asks = &c.socket_ref().asks;
        assert_eq!(
            asks[..4],
            [MIN_READ, 2 * MIN_READ, SCRATCH_SIZE, SCRATCH_SIZE]
        );
        assert_eq!(
            got,
            asks.iter().sum::<usize>(),
            "every byte read was staged"
        );
    }

    #[test]
    fn a_reader_that_leaves_bytes_is_handed_small_reads_again() {
        let mut c = Connection::new(Ready {
            left: 4 << 20,
            asks: vec![],
        });
        for _ in 0..3 {
            c.fill();
            consume_all(&mut c);
        }
        assert_eq!(c.read_size.get(), SCRATCH_SIZE);
        c.fill();
        c.staged.consume(10);
        c.settle();
        assert_eq!(
            c.staged_len(),
            SCRATCH_SIZE - 10,
            "the rest stays, in order"
        );
        assert_eq!(c.read_size.get(), MIN_READ);
    }

    #[test]
    fn after_a_hangup_a_short_read_no_longer_means_drained() {
        let mut c = Connection::new(Ready {
            left: 100,
            asks: vec![],
        });
        assert_eq!(c.fill(), Fill::Data { drained: true });
        consume_all(&mut c);
        c.saw_hangup();
        c.socket().left = 100;
        // The peer's end may be queued behind these bytes, and no further edge will say so.
        assert_eq!(c.fill(), Fill::Data { drained: false });
    }

    #[test]
    fn a_short_direct_read_ends_the_events_reads_and_a_full_one_reads_on() {
        // Nothing staged: Read goes to the kernel itself.
        let mut c = Connection::new(Ready {
            left: 20,
            asks: vec![],
        });
        c.start_of_event();
        let mut buf = [0u8; 10];
        assert_eq!(c.read(&mut buf), Ok(10), "a full read");
        assert_eq!(
            c.read(&mut buf),
            Ok(10),
            "…so the kernel may have more: ask again"
        );
        c.socket().left = 4;
        assert_eq!(
            c.read(&mut buf),
            Ok(4),
            "a short read: the kernel's queue is empty"
        );
        c.socket().left = 5; // arrives later: its edge will come
        let asks = c.socket_ref().asks.len();
        assert_eq!(c.read(&mut buf), Ok(0), "not asked again within this event");
        assert_eq!(c.socket_ref().asks.len(), asks, "no system call");
        assert_eq!(c.end_of_event(), Ok(true));
        assert_eq!(c.read(&mut buf), Ok(5), "the next event reads again");
    }

    #[test]
    fn small_messages_shrink_the_read_back() {
        let mut c = Connection::new(Ready {
            left: 3 * MIN_READ,
            asks: vec![],
        });
        c.fill();
        consume_all(&mut c);
        c.fill();
        consume_all(&mut c);
        assert_eq!(c.read_size.get(), SCRATCH_SIZE);
        c.socket().left = 100;
        c.fill();
        assert_eq!(consume_all(&mut c), 100);
        assert_eq!(c.read_size.get(), SCRATCH_SIZE / 2);
    }
}
