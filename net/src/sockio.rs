//! Socket I/O that can never raise SIGPIPE.
//!
//! `write(2)`/`writev(2)` on a socket whose peer has gone (or whose sending side is shut) raise
//! SIGPIPE, which kills any host process that has not ignored it (a C or C++ program embedding
//! this runtime, or a Rust program that restored the default). Rust's `std` ignores SIGPIPE in
//! its own `main`, and its single-buffer `write` passes `MSG_NOSIGNAL`, but its `write_vectored`
//! is a plain `writev` — the path our out-queue and rustls use. Every write of the engine goes
//! through [`SockIo`], which sends with `sendmsg(…, MSG_NOSIGNAL)` instead.

use mio::net::TcpStream;
use socket2::SockRef;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};

/// Reads and writes a connected socket; writes never raise SIGPIPE (EPIPE is returned instead).
pub(crate) struct SockIo<'a>(pub &'a TcpStream);

impl Write for SockIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        SockRef::from(self.0).send_with_flags(buf, libc::MSG_NOSIGNAL)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        SockRef::from(self.0).send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for SockIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&mut &*self.0).read(buf)
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        (&mut &*self.0).read_vectored(bufs)
    }
}
