//! W1 and W5: bulk echo over one connection with 64 KiB writes. The generator writes on one
//! thread and reads on another, so neither direction waits for the other and a server that
//! applies backpressure cannot deadlock it. Throughput counts the bytes echoed back (one
//! direction) from the first write to the last byte read.

use super::{Pattern, Target};
use rustls::ClientConnection;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Size of each write.
pub const CHUNK: usize = 64 * 1024;
const SEED: u64 = 0x5eed_b01c;
/// A stalled server fails the run instead of hanging it.
const STALL: Duration = Duration::from_secs(30);

/// Produces the bytes to send: with `verify` a stream that differs chunk by chunk (and its
/// hash), else one buffer sent again and again so the generator spends nothing on data.
struct Source {
    buf: Vec<u8>,
    pattern: Option<(Pattern, Sha256)>,
}

impl Source {
    fn new(verify: bool) -> Source {
        let mut buf = vec![0u8; CHUNK];
        Pattern::new(SEED).fill(&mut buf);
        let pattern = verify.then(|| (Pattern::new(SEED), Sha256::new()));
        Source { buf, pattern }
    }

    fn next(&mut self, n: usize) -> &[u8] {
        if let Some((p, h)) = &mut self.pattern {
            p.fill(&mut self.buf[..n]);
            h.update(&self.buf[..n]);
        }
        &self.buf[..n]
    }

    fn digest(self) -> Option<Vec<u8>> {
        self.pattern.map(|(_, h)| h.finalize().to_vec())
    }
}

fn check(total: u64, got: u64, sent: Option<Vec<u8>>, recv: Option<Sha256>) -> Result<(), String> {
    if got != total {
        return Err(format!("echoed {got} bytes, sent {total}"));
    }
    if let (Some(s), Some(r)) = (sent, recv) {
        if s != r.finalize().to_vec() {
            return Err("echoed data differs from what was sent (SHA-256 mismatch)".into());
        }
    }
    Ok(())
}

/// Sends one unchanging buffer again and again without copying it: `vmsplice` lends its pages
/// to a pipe and `splice` hands them to the socket, so the kernel references the pages instead
/// of copying them (the server still copies when it reads). Only for data that is not checked,
/// since the buffer must not change while the kernel holds its pages.
struct ZeroCopy {
    rd: std::os::fd::OwnedFd,
    wr: std::os::fd::OwnedFd,
}

impl ZeroCopy {
    fn new() -> io::Result<ZeroCopy> {
        use std::os::fd::FromRawFd;
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills the two descriptors, which we then own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: just created, owned by nobody else.
        let (rd, wr) = unsafe {
            (
                std::os::fd::OwnedFd::from_raw_fd(fds[0]),
                std::os::fd::OwnedFd::from_raw_fd(fds[1]),
            )
        };
        Ok(ZeroCopy { rd, wr })
    }

    /// Sends `total` bytes of `buf` repeated, at most `buf.len()` per splice.
    fn send(&mut self, sock: &std::net::TcpStream, buf: &[u8], total: u64) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let check = |n: isize| {
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        };
        let mut left = total;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            let mut off = 0;
            while off < n {
                let iov = libc::iovec {
                    iov_base: buf[off..].as_ptr() as *mut libc::c_void,
                    iov_len: n - off,
                };
                // SAFETY: the iovec points into `buf`, which outlives the whole transfer and
                // is never written while the kernel holds its pages.
                let mut inpipe = check(unsafe { libc::vmsplice(self.wr.as_raw_fd(), &iov, 1, 0) })?;
                off += inpipe;
                while inpipe > 0 {
                    // SAFETY: plain descriptors; null offsets mean "current position".
                    let k = check(unsafe {
                        libc::splice(
                            self.rd.as_raw_fd(),
                            std::ptr::null_mut(),
                            sock.as_raw_fd(),
                            std::ptr::null_mut(),
                            inpipe,
                            0,
                        )
                    })?;
                    if k == 0 {
                        return Err(io::ErrorKind::WriteZero.into());
                    }
                    inpipe -= k;
                }
            }
            left -= n as u64;
        }
        Ok(())
    }
}

/// Receives and drops up to `buf.len()` bytes without copying them out of the kernel
/// (`MSG_TRUNC` on a TCP socket): when nothing is checked the generator need not pay for a
/// copy, which leaves more of the two cores to the server.
fn discard(s: &std::net::TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    // SAFETY: `buf` is valid for `buf.len()` bytes; with MSG_TRUNC the kernel writes nothing.
    let n = unsafe {
        libc::recv(
            s.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_TRUNC,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn mb_per_s(total: u64, t: Duration) -> f64 {
    total as f64 / t.as_secs_f64() / 1e6
}

/// W1: plaintext bulk echo of `total` bytes; returns MB/s. With `verify` both streams are
/// hashed and compared.
pub fn plain(t: &Target, total: u64, verify: bool) -> Result<f64, String> {
    let e = |e: io::Error| e.to_string();
    let mut stream = t.connect().map_err(e)?;
    stream.set_read_timeout(Some(STALL)).map_err(e)?;
    let mut w = stream.try_clone().map_err(e)?;
    let start = Instant::now();
    let writer = std::thread::spawn(move || -> io::Result<Option<Vec<u8>>> {
        let mut src = Source::new(verify);
        if !verify {
            if let Ok(mut z) = ZeroCopy::new() {
                z.send(&w, src.next(CHUNK), total)?;
                return Ok(None);
            }
        }
        let mut left = total;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            w.write_all(src.next(n))?;
            left -= n as u64;
        }
        Ok(src.digest())
    });
    let mut buf = vec![0u8; CHUNK];
    let mut hash = verify.then(Sha256::new);
    let mut got = 0u64;
    let read = loop {
        let r = if verify {
            stream.read(&mut buf)
        } else {
            discard(&stream, &mut buf)
        };
        match r {
            Ok(0) => break Err(format!("server closed after {got} bytes")),
            Ok(n) => {
                if let Some(h) = &mut hash {
                    h.update(&buf[..n]);
                }
                got += n as u64;
                if got >= total {
                    break Ok(());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(format!("read after {got} bytes: {e}")),
        }
    };
    let elapsed = start.elapsed();
    if read.is_err() {
        let _ = stream.shutdown(Shutdown::Both); // unblocks the writer
    }
    let sent = writer.join().map_err(|_| "writer panicked")?;
    read?;
    check(total, got, sent.map_err(e)?, hash)?;
    Ok(mb_per_s(total, elapsed))
}

/// W5: TLS bulk echo of `total` bytes over one rustls client connection; returns MB/s.
/// The connection sits behind a mutex: encryption (writer thread) and decryption (reader
/// thread) take turns, while the socket I/O of the two threads overlaps.
pub fn tls(
    t: &Target,
    total: u64,
    verify: bool,
    config: Arc<rustls::ClientConfig>,
) -> Result<f64, String> {
    let e = |e: io::Error| e.to_string();
    let mut sock = t.connect().map_err(e)?;
    sock.set_read_timeout(Some(STALL)).map_err(e)?;
    let mut conn = ClientConnection::new(config, crate::tls::server_name())
        .map_err(|e| format!("TLS client: {e}"))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| format!("handshake: {e}"))?;
    }
    let conn = Arc::new(Mutex::new(conn));
    let mut w = sock.try_clone().map_err(e)?;
    let wconn = conn.clone();
    let start = Instant::now();
    let writer = std::thread::spawn(move || -> io::Result<Option<Vec<u8>>> {
        let mut src = Source::new(verify);
        let mut out = Vec::with_capacity(CHUNK + CHUNK / 8);
        let mut left = total;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            let data = src.next(n);
            {
                let mut c = wconn.lock().expect("lock");
                let mut off = 0;
                while off < n {
                    off += c.writer().write(&data[off..])?;
                    while c.wants_write() {
                        c.write_tls(&mut out)?;
                    }
                }
            }
            w.write_all(&out)?;
            out.clear();
            left -= n as u64;
        }
        Ok(src.digest())
    });
    let mut buf = vec![0u8; CHUNK];
    let mut plain = vec![0u8; CHUNK];
    let mut hash = verify.then(Sha256::new);
    let mut got = 0u64;
    let mut read = || -> Result<(), String> {
        while got < total {
            let n = match sock.read(&mut buf) {
                Ok(0) => return Err(format!("server closed after {got} bytes")),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read after {got} bytes: {e}")),
            };
            let mut c = conn.lock().expect("lock");
            let mut rd = &buf[..n];
            while !rd.is_empty() {
                c.read_tls(&mut rd).map_err(|e| e.to_string())?;
                c.process_new_packets().map_err(|e| format!("TLS: {e}"))?;
                loop {
                    match c.reader().read(&mut plain) {
                        Ok(0) => return Err(format!("close_notify after {got} bytes")),
                        Ok(k) => {
                            if let Some(h) = &mut hash {
                                h.update(&plain[..k]);
                            }
                            got += k as u64;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e.to_string()),
                    }
                }
            }
        }
        Ok(())
    };
    let read = read();
    let elapsed = start.elapsed();
    if read.is_err() {
        let _ = sock.shutdown(Shutdown::Both);
    }
    let sent = writer.join().map_err(|_| "writer panicked")?;
    read?;
    check(total, got, sent.map_err(e)?, hash)?;
    Ok(mb_per_s(total, elapsed))
}
