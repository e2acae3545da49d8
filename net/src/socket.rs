//! TCP sockets: non-blocking connect, listeners (dual-stack, SO_REUSEADDR, backlog), and the
//! mapping of OS errors to Parasol's ERR codes.

use mio::net::{TcpListener, TcpStream};
use parasol_core::ERR;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// Maps an OS error to the ERR the network contract uses: the kernel's `From<&io::Error>`
/// (refused, reset, unreachable, timed out, EMFILE as ArrayFull …), plus EHOSTDOWN, which has
/// no `io::ErrorKind` of its own.
pub fn err_from_io(e: &io::Error) -> ERR {
    match e.raw_os_error() {
        Some(libc::EHOSTDOWN) => ERR::HostUnreachable,
        _ => ERR::from(e),
    }
}

/// Starts a non-blocking connect with TCP_NODELAY set. Completion is signalled by writability.
pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// Result of checking a pending connect after a readiness event.
#[derive(Debug, PartialEq, Eq)]
pub enum ConnectProgress {
    /// Established.
    Connected,
    /// Still in progress.
    Pending,
    /// Failed: the code and the OS error's text.
    Failed(ERR, String),
}

/// Checks a non-blocking connect: `SO_ERROR` first (consumed once), then whether a peer exists.
pub fn connect_progress(s: &TcpStream) -> ConnectProgress {
    match s.take_error() {
        Ok(Some(e)) | Err(e) => return ConnectProgress::Failed(err_from_io(&e), e.to_string()),
        Ok(None) => {}
    }
    match s.peer_addr() {
        Ok(_) => ConnectProgress::Connected,
        Err(e) if e.kind() == io::ErrorKind::NotConnected => ConnectProgress::Pending,
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => ConnectProgress::Pending,
        Err(e) => ConnectProgress::Failed(err_from_io(&e), e.to_string()),
    }
}

/// Opens a listening socket. `ip` `None` binds all interfaces, IPv4 and IPv6 (dual stack, falling
/// back to IPv4 only where IPv6 is unavailable); `::` is dual-stack too (IPV6_V6ONLY off). Port 0 picks an ephemeral port.
/// `reuse_port` sets SO_REUSEPORT, so several listeners (one per loop) share the port and the
/// kernel spreads new connections among them.
pub fn listen(
    ip: Option<IpAddr>,
    port: u16,
    backlog: i32,
    reuse_port: bool,
) -> io::Result<TcpListener> {
    let (addr, dual) = match ip {
        // `::` is dual-stack whatever the host's default (net.ipv6.bindv6only): set explicitly.
        Some(ip) => (
            SocketAddr::new(ip, port),
            ip == IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ),
        None => (
            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
            true,
        ),
    };
    let sock = match open_listener(addr, dual, backlog, reuse_port) {
        Ok(s) => s,
        Err(e) if dual && e.raw_os_error() == Some(libc::EAFNOSUPPORT) => open_listener(
            SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), port),
            false,
            backlog,
            reuse_port,
        )?,
        Err(e) => return Err(e),
    };
    Ok(TcpListener::from_std(sock.into()))
}

fn open_listener(
    addr: SocketAddr,
    dual: bool,
    backlog: i32,
    reuse_port: bool,
) -> io::Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if dual {
        sock.set_only_v6(false)?;
    }
    sock.set_reuse_address(true)?;
    if reuse_port {
        sock.set_reuse_port(true)?;
    }
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(backlog.max(1))?;
    Ok(sock)
}

/// Prepares an accepted socket: TCP_NODELAY on (mio's accept already made it non-blocking).
pub fn prepare_accepted(s: &TcpStream) {
    let _ = s.set_nodelay(true);
}

/// Peeks one byte: `Ok(true)` data waiting, `Ok(false)` orderly EOF, `WouldBlock` nothing yet.
pub fn peek_has_data(s: &TcpStream) -> io::Result<bool> {
    let mut b = [0u8; 1];
    s.peek(&mut b).map(|n| n > 0)
}

/// Takes a copy of a descriptor someone else owns (the `Handle` field), so they keep — and
/// close — their own: nothing given by number can be closed twice, or closed for someone else.
/// Only a TCP stream socket is accepted (a UDP socket would otherwise be driven as TCP);
/// anything else, or a number that is not an open descriptor → `InvalidHandle`, logged.
pub fn duplicate_tcp_handle(fd: i32) -> Result<std::os::fd::OwnedFd, ERR> {
    use socket2::SockRef;
    use std::os::fd::FromRawFd;
    if fd < 0 {
        return Err(ERR::InvalidHandle);
    }
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) only reads the descriptor number; a bad one is EBADF.
    let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if copy < 0 {
        let e = io::Error::last_os_error();
        return Err(parasol_core::err::fail_with(
            ERR::InvalidHandle,
            format!("Handle {fd} cannot be adopted: {e}"),
        ));
    }
    // SAFETY: `copy` is a descriptor this process just created and nothing else owns.
    let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(copy) };
    let kind = {
        let sock = SockRef::from(&owned);
        (sock.r#type(), sock.protocol())
    };
    match kind {
        (Ok(Type::STREAM), Ok(Some(Protocol::TCP))) => Ok(owned),
        (t, p) => Err(parasol_core::err::fail_with(
            ERR::InvalidHandle,
            format!("Handle {fd} is not a TCP socket (type {t:?}, protocol {p:?})"),
        )),
    }
}
