//! What a [`crate::Connection`] needs of its socket ([`Transport`]), and socket I/O that can
//! never raise SIGPIPE.
//!
//! `write(2)`/`writev(2)` on a socket whose peer has gone (or whose sending side is shut) raise
//! SIGPIPE, which kills any host process that has not ignored it (a C or C++ program embedding
//! this runtime, or a Rust program that restored the default). Rust's `std` ignores SIGPIPE in
//! its own `main`, and its single-buffer `write` passes `MSG_NOSIGNAL`, but its `write_vectored`
//! is a plain `writev` — the path our out-queue and rustls use. The TCP transport therefore
//! sends with `sendmsg(…, MSG_NOSIGNAL)` only.

use mio::net::TcpStream;
use socket2::SockRef;
use std::io::{self, IoSlice, Read, Write};
use std::net::Shutdown;

/// The byte stream under a [`crate::Connection`]: a non-blocking TCP socket in real use, a
/// memory pipe with injected `WouldBlock` and short transfers in the engine's tests. Every
/// method follows the non-blocking socket call it stands for (`WouldBlock` when nothing can be
/// done now, `Ok(0)` from `recv` at end of stream).
pub trait Transport {
    /// Receives into `buf` (`recv(2)`).
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Sends from `buf` (`send(2)`); must never raise a signal.
    fn send(&mut self, buf: &[u8]) -> io::Result<usize>;
    /// Sends from several buffers at once (`sendmsg(2)`); must never raise a signal.
    fn send_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
    /// Shuts one or both directions (`shutdown(2)`).
    fn shutdown(&mut self, how: Shutdown) -> io::Result<()>;
}

impl Transport for TcpStream {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Read::read(self, buf)
    }

    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        SockRef::from(&*self).send_with_flags(buf, libc::MSG_NOSIGNAL)
    }

    fn send_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        SockRef::from(&*self).send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL)
    }

    fn shutdown(&mut self, how: Shutdown) -> io::Result<()> {
        TcpStream::shutdown(self, how)
    }
}

/// `Read` + `Write` over a [`Transport`], for the out-queue's `writev` and for rustls.
pub(crate) struct Io<'a, T: Transport>(pub &'a mut T);

impl<T: Transport> Write for Io<'_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.send_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<T: Transport> Read for Io<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf)
    }
}
