//! The one load generator every server is driven by. It runs in the parent process on at most
//! two threads (the machine has two cores) and uses only std and mio sockets, so the same code
//! measures every server.

pub mod bulk;
pub mod churn;
pub mod handshake;
pub mod idle;
pub mod pingpong;

use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the generator connects.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The server's address.
    pub addr: SocketAddr,
}

/// Source addresses rotated over by the churn workloads (127.0.0.2 ..= 127.0.0.65).
const SOURCE_ADDRS: usize = 64;
static NEXT_SOURCE: AtomicUsize = AtomicUsize::new(0);

impl Target {
    /// True when the server is on 127.0.0.0/8, where any 127.x source address works.
    fn loopback_v4(&self) -> bool {
        matches!(self.addr.ip(), IpAddr::V4(ip) if ip.is_loopback())
    }

    /// A TCP socket to the server, TCP_NODELAY on. With `rotate`, the source address cycles
    /// through 127.0.0.2–65: a client that closes first keeps its port in TIME_WAIT for 60 s,
    /// and tcp_tw_reuse only frees it after 1 s, so at tens of thousands of connections per
    /// second one source address would run out of its ~28K ephemeral ports.
    /// With `nonblocking` the connect is only started.
    fn socket(&self, rotate: bool, nonblocking: bool) -> io::Result<TcpStream> {
        let sock = Socket::new(
            Domain::for_address(self.addr),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        sock.set_tcp_nodelay(true)?;
        if rotate && self.loopback_v4() {
            let i = NEXT_SOURCE.fetch_add(1, Ordering::Relaxed) % SOURCE_ADDRS;
            let src = Ipv4Addr::new(127, 0, 0, 2 + i as u8);
            // Pick the port at connect time (per destination), not at bind time.
            let one: libc::c_int = 1;
            // SAFETY: a plain int option on a socket we own.
            unsafe {
                libc::setsockopt(
                    sock.as_raw_fd(),
                    libc::IPPROTO_IP,
                    libc::IP_BIND_ADDRESS_NO_PORT,
                    &one as *const _ as *const libc::c_void,
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
            sock.bind(&SocketAddr::new(IpAddr::V4(src), 0).into())?;
        }
        if nonblocking {
            sock.set_nonblocking(true)?;
            match sock.connect(&self.addr.into()) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
                Err(e) => return Err(e),
            }
        } else {
            sock.connect(&self.addr.into())?;
        }
        Ok(sock.into())
    }

    /// A blocking connection from 127.0.0.1 (or the default route for a remote target).
    pub fn connect(&self) -> io::Result<TcpStream> {
        self.socket(false, false)
    }

    /// A non-blocking connection being set up, from a rotated source address.
    pub fn connect_rotated_nonblocking(&self) -> io::Result<mio::net::TcpStream> {
        Ok(mio::net::TcpStream::from_std(self.socket(true, true)?))
    }
}

/// A fast deterministic byte stream (xorshift64*) so that echoed data can be checked: a
/// misplaced or repeated chunk changes the hash.
pub struct Pattern(u64);

impl Pattern {
    /// A stream seeded with `seed` (any value).
    pub fn new(seed: u64) -> Pattern {
        Pattern(seed | 1)
    }

    /// Fills `buf` with the next bytes of the stream.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// True for errors that mean "try again later" on a non-blocking socket.
pub(crate) fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::Interrupted
}

/// Whether a non-blocking connect finished: `Ok(true)` connected, `Ok(false)` not yet.
pub(crate) fn connect_done(s: &mio::net::TcpStream) -> io::Result<bool> {
    if let Some(e) = s.take_error()? {
        return Err(e);
    }
    match s.peer_addr() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => Ok(false),
        Err(e) => Err(e),
    }
}
