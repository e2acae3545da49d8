//! UDP sockets: opening (dual-stack where no family is named, broadcast, multicast TTL and
//! interface), sending one datagram with each failure given its ERR, receiving without ever
//! truncating (a datagram that does not fit stays queued), and multicast membership.

use mio::net::UdpSocket;
use parasol_core::ERR;
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The largest UDP payload over IPv4 (65,535 − 8 − 20), Parasol's default MaxPacketSize.
pub const DEFAULT_MAX_PACKET: usize = 65_507;
/// The largest payload a UDP datagram can carry at all (its 16-bit length, less its header).
pub const MAX_DATAGRAM: usize = 65_527;

/// Where multicast membership and multicast sends go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MulticastInterface {
    /// The system's choice (the route to the group).
    #[default]
    Default,
    /// The IPv4 interface with this address (e.g. `127.0.0.1` keeps multicast on loopback).
    Address(Ipv4Addr),
    /// The interface with this index (IPv6 groups, or IPv4 by index).
    Index(u32),
}

impl MulticastInterface {
    /// Parses an IPv4 address, an interface index, or an interface name (`lo`).
    ///
    /// # Errors
    /// Args for a name that is no interface of this host.
    pub fn parse(text: &str) -> Result<MulticastInterface, ERR> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(MulticastInterface::Default);
        }
        if let Ok(a) = t.parse::<Ipv4Addr>() {
            return Ok(MulticastInterface::Address(a));
        }
        if let Ok(n) = t.parse::<u32>() {
            return Ok(MulticastInterface::Index(n));
        }
        let name = std::ffi::CString::new(t).map_err(|_| ERR::Args)?;
        // SAFETY: `name` is a valid NUL-terminated string for the call's duration.
        match unsafe { libc::if_nametoindex(name.as_ptr()) } {
            0 => Err(ERR::Args),
            n => Ok(MulticastInterface::Index(n)),
        }
    }
}

/// How a UDP socket is opened.
#[derive(Clone, Copy, Debug, Default)]
pub struct UdpOptions {
    /// SO_BROADCAST (NSF::BROADCAST): without it a broadcast destination is refused.
    pub broadcast: bool,
    /// IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS; `None` keeps the system's (1).
    pub multicast_ttl: Option<u32>,
    /// The interface multicast sends leave by.
    pub multicast_interface: MulticastInterface,
}

/// Opens a non-blocking UDP socket bound to `bind` (port 0: ephemeral). `None`, or the IPv6
/// wildcard `::`, is dual-stack (IPV6_V6ONLY off, whatever the host's default), falling back
/// to IPv4 where IPv6 is unavailable. A multicast group address is bound with SO_REUSEADDR,
/// so several members on one host share it (a unicast address is never shared).
///
/// # Errors
/// The OS error of creating, configuring or binding the socket.
pub fn open(bind: Option<SocketAddr>, port: u16, opts: &UdpOptions) -> io::Result<UdpSocket> {
    let wildcard6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
    let addr = bind.unwrap_or(wildcard6);
    let dual = addr.ip() == IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    let sock = match open_socket(addr, dual, opts) {
        Err(e) if bind.is_none() && e.raw_os_error() == Some(libc::EAFNOSUPPORT) => open_socket(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            false,
            opts,
        )?,
        r => r?,
    };
    Ok(UdpSocket::from_std(sock.into()))
}

fn open_socket(addr: SocketAddr, dual: bool, opts: &UdpOptions) -> io::Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if dual {
        sock.set_only_v6(false)?;
    }
    sock.set_nonblocking(true)?;
    sock.set_cloexec(true)?;
    if opts.broadcast {
        sock.set_broadcast(true)?;
    }
    if addr.ip().is_multicast() {
        // Every member of a group on this host binds the group's address and port.
        sock.set_reuse_address(true)?;
    }
    configure_multicast(&sock, addr.is_ipv6(), opts)?;
    sock.bind(&addr.into())?;
    Ok(sock)
}

fn configure_multicast(sock: &Socket, v6: bool, opts: &UdpOptions) -> io::Result<()> {
    if let Some(ttl) = opts.multicast_ttl {
        if v6 {
            sock.set_multicast_hops_v6(ttl)?;
        } else {
            sock.set_multicast_ttl_v4(ttl)?;
        }
    }
    match opts.multicast_interface {
        MulticastInterface::Address(a) if !v6 => sock.set_multicast_if_v4(&a)?,
        MulticastInterface::Index(n) if v6 => sock.set_multicast_if_v6(n)?,
        // None given; or an IPv4 interface named by index, or an IPv6 socket given an IPv4
        // address: membership uses it, sends keep the system's choice.
        _ => {}
    }
    Ok(())
}

/// An IPv4-mapped address (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers) as the
/// IPv4 address it is.
pub fn unmapped(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => addr,
        },
        v4 => v4,
    }
}

/// An IPv4 destination as an IPv6 socket must be given it.
fn for_socket(sock: &UdpSocket, dest: SocketAddr) -> SocketAddr {
    match (sock.local_addr(), dest) {
        (Ok(SocketAddr::V6(_)), SocketAddr::V4(v4)) => {
            SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port())
        }
        _ => dest,
    }
}

/// A failed send or receive: the code and the OS error's text.
pub type Failure = (ERR, String);

/// Sends `data` as one datagram to `dest`: all of it or nothing.
///
/// # Errors
/// BufferOverflow when the socket's send buffer is full (nothing sent: try again later);
/// DataSize when the datagram is too large for the path; NetworkUnreachable, HostUnreachable;
/// NoPermission for a broadcast destination without NSF::BROADCAST; Args for a destination
/// the socket cannot reach (an IPv6 one from an IPv4 socket); SystemCall otherwise.
pub fn send_to(sock: &UdpSocket, data: &[u8], dest: SocketAddr) -> Result<usize, Failure> {
    let target = for_socket(sock, dest);
    sock.send_to(data, target).map_err(|e| {
        (
            send_error(e.raw_os_error()),
            format!("sending {} bytes to {dest}: {e}", data.len()),
        )
    })
}

/// The ERR of a failed `sendto`.
fn send_error(errno: Option<i32>) -> ERR {
    match errno {
        Some(libc::EAGAIN) | Some(libc::ENOBUFS) => ERR::BufferOverflow,
        Some(libc::EMSGSIZE) => ERR::DataSize,
        Some(libc::ENETUNREACH) => ERR::NetworkUnreachable,
        Some(libc::EHOSTUNREACH) | Some(libc::EHOSTDOWN) => ERR::HostUnreachable,
        Some(libc::EACCES) | Some(libc::EPERM) => ERR::NoPermission,
        Some(libc::EINVAL) | Some(libc::EAFNOSUPPORT) | Some(libc::EDESTADDRREQ) => ERR::Args,
        _ => ERR::SystemCall,
    }
}

/// The size and sender of the next datagram, without taking it; `None` when none waits.
/// ICMP errors reported on the socket (a port unreachable after a send) are passed over.
///
/// # Errors
/// SystemCall for an OS error other than "nothing waiting".
pub fn peek(sock: &UdpSocket) -> Result<Option<(usize, SocketAddr)>, Failure> {
    let s = SockRef::from(sock);
    loop {
        let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
        // MSG_TRUNC makes Linux return the datagram's real length, not the one byte copied.
        let flags = libc::MSG_PEEK | libc::MSG_TRUNC | libc::MSG_DONTWAIT;
        let e = match s.recv_from_with_flags(&mut byte, flags) {
            Ok((n, from)) => {
                let from = from
                    .as_socket()
                    .map(unmapped)
                    .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
                return Ok(Some((n, from)));
            }
            Err(e) => e,
        };
        match e.raw_os_error() {
            Some(libc::EAGAIN) => return Ok(None),
            Some(libc::EINTR) => continue,
            // A queued ICMP error (e.g. port unreachable for an earlier send) is consumed by
            // reading it; the datagrams behind it are still there.
            Some(libc::ECONNREFUSED) | Some(libc::EHOSTUNREACH) | Some(libc::ENETUNREACH) => {
                log::debug!("UDP socket: {e} (reported for an earlier datagram)");
                continue;
            }
            _ => return Err((ERR::SystemCall, format!("receiving a datagram: {e}"))),
        }
    }
}

/// Takes the next datagram into `buf`, only if it fits: a datagram larger than `buf` stays
/// queued and the answer is BufferOverflow (never a silent truncation). `Ok(None)`: nothing
/// waits.
///
/// # Errors
/// BufferOverflow (the datagram's size is in the text); SystemCall for an OS error.
pub fn recv_from(sock: &UdpSocket, buf: &mut [u8]) -> Result<Option<(usize, SocketAddr)>, Failure> {
    let Some((size, from)) = peek(sock)? else {
        return Ok(None);
    };
    if size > buf.len() {
        return Err((
            ERR::BufferOverflow,
            format!(
                "a datagram of {size} bytes from {from} does not fit a buffer of {}; it stays queued",
                buf.len()
            ),
        ));
    }
    match sock.recv_from(buf) {
        Ok((n, from)) => Ok(Some((n, unmapped(from)))),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err((ERR::SystemCall, format!("receiving a datagram: {e}"))),
    }
}

/// Joins (`join` true) or leaves multicast `group` on `interface`.
///
/// # Errors
/// Args for a group that is not a multicast address, or a group of the other family than an
/// IPv4 socket; the OS error (as its ERR) otherwise.
pub fn membership(
    sock: &UdpSocket,
    group: IpAddr,
    interface: MulticastInterface,
    join: bool,
) -> Result<(), Failure> {
    if !group.is_multicast() {
        return Err((ERR::Args, format!("{group} is not a multicast address")));
    }
    let s = SockRef::from(sock);
    let r = match group {
        IpAddr::V4(g) => {
            let iface = match interface {
                MulticastInterface::Default => {
                    InterfaceIndexOrAddress::Address(Ipv4Addr::UNSPECIFIED)
                }
                MulticastInterface::Address(a) => InterfaceIndexOrAddress::Address(a),
                MulticastInterface::Index(n) => InterfaceIndexOrAddress::Index(n),
            };
            if join {
                s.join_multicast_v4_n(&g, &iface)
            } else {
                s.leave_multicast_v4_n(&g, &iface)
            }
        }
        IpAddr::V6(g) => {
            let index = match interface {
                MulticastInterface::Index(n) => n,
                _ => 0,
            };
            if join {
                s.join_multicast_v6(&g, index)
            } else {
                s.leave_multicast_v6(&g, index)
            }
        }
    };
    r.map_err(|e| {
        let code = match e.raw_os_error() {
            Some(libc::EADDRINUSE) => ERR::InUse,
            Some(libc::EADDRNOTAVAIL) if !join => ERR::Args,
            Some(libc::ENODEV) | Some(libc::ENETUNREACH) | Some(libc::EADDRNOTAVAIL) => {
                ERR::NetworkUnreachable
            }
            Some(libc::EINVAL) | Some(libc::ENOPROTOOPT) => ERR::Args,
            _ => ERR::Failed,
        };
        let verb = if join { "joining" } else { "leaving" };
        (code, format!("{verb} multicast group {group}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_failures_have_their_codes() {
        // A full send buffer cannot be staged on loopback (delivery is immediate); the mapping
        // is checked here.
        assert_eq!(send_error(Some(libc::EAGAIN)), ERR::BufferOverflow);
        assert_eq!(send_error(Some(libc::ENOBUFS)), ERR::BufferOverflow);
        assert_eq!(send_error(Some(libc::EMSGSIZE)), ERR::DataSize);
        assert_eq!(send_error(Some(libc::ENETUNREACH)), ERR::NetworkUnreachable);
        assert_eq!(send_error(Some(libc::EHOSTUNREACH)), ERR::HostUnreachable);
        assert_eq!(send_error(Some(libc::EACCES)), ERR::NoPermission);
        assert_eq!(send_error(Some(libc::EINVAL)), ERR::Args);
        assert_eq!(send_error(Some(libc::EIO)), ERR::SystemCall);
    }

    #[test]
    fn interfaces_parse_by_address_index_and_name() {
        assert_eq!(
            MulticastInterface::parse("127.0.0.1"),
            Ok(MulticastInterface::Address(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            MulticastInterface::parse("3"),
            Ok(MulticastInterface::Index(3))
        );
        assert!(
            matches!(MulticastInterface::parse("lo"), Ok(MulticastInterface::Index(n)) if n > 0)
        );
        assert_eq!(MulticastInterface::parse("no-such-if0"), Err(ERR::Args));
        assert_eq!(MulticastInterface::parse("a\0b"), Err(ERR::Args));
        assert_eq!(
            MulticastInterface::parse(""),
            Ok(MulticastInterface::Default)
        );
    }
}
