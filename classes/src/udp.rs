//! UDP NetSockets (`NSF::UDP`): a socket that is CONNECTED from Init, datagrams offered to
//! Incoming, SendTo and RecvFrom, Read and Write against a default destination, and multicast
//! membership. Parasol's error rules are kept where sound; its silent losses are errors here
//! (see docs/NETSOCKET.md "UDP").

use crate::constants::{NSF, NTC};
use crate::data::NetSocketData;
use parasol_core::err::fail_with;
use parasol_core::msgloop::{io_deregister, io_recall, io_register, Interest, IoToken, Ready};
use parasol_core::{ObjectId, ObjectPtr, ObjectScope, Res, Value, ERR};
use parasol_net::udp::{self, MulticastInterface, UdpOptions};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;

/// Datagrams offered to Incoming per readiness event before other sockets get a turn.
const BUDGET: usize = 64;

/// The UDP state of a NetSocket.
#[derive(Debug)]
pub(crate) struct UdpSide {
    pub socket: mio::net::UdpSocket,
    pub token: Option<IoToken>,
    /// Where Write sends (a client's Address and Port).
    pub dest: Option<SocketAddr>,
    /// Datagrams taken by RecvFrom or Read (Incoming's progress is measured by it).
    pub taken: u64,
    /// Incoming returned without taking a datagram (said once per socket).
    pub warned_unread: bool,
    pub interface: MulticastInterface,
}

fn ctx(ptr: &ObjectPtr) -> parasol_core::log::Ctx<'_> {
    parasol_core::log::ctx(ptr)
}

/// A host for a UDP socket: an IP literal, `localhost`, or a name the installed resolver
/// answers (on this thread: Init is synchronous for UDP).
fn resolve_host(ptr: &ObjectPtr, host: &str) -> Res<IpAddr> {
    if let Ok(a) = parasol_net::IPAddress::parse(host) {
        return Ok(a.ip());
    }
    parasol_net::resolve::resolve_name_blocking(host, parasol_net::resolve::Caching::Use)
        .map(|r| r.addresses[0])
        .map_err(|e| {
            let why = parasol_core::err::take_failure_detail().unwrap_or_default();
            fail_with(e, format!("{} Address \"{host}\": {why}", ctx(ptr)))
        })
}

/// Init of a UDP NetSocket: bind, register for datagrams, State CONNECTED.
pub(crate) fn init(ptr: &ObjectPtr) -> ERR {
    let (flags, address, port, ttl, interface) = {
        let Ok(d) = ptr.try_data::<NetSocketData>() else {
            return ERR::InUse;
        };
        (
            d.flags,
            d.address.clone(),
            d.port,
            d.multicast_ttl,
            d.multicast_interface.clone(),
        )
    };
    if flags.contains(NSF::SSL) {
        return fail_with(
            ERR::NoSupport,
            format!("{} UDP with SSL: there is no DTLS here", ctx(ptr)),
        );
    }
    let interface = match MulticastInterface::parse(interface.as_deref().unwrap_or("")) {
        Ok(i) => i,
        Err(e) => {
            return fail_with(
                e,
                format!(
                    "{} MulticastInterface \"{}\" is no interface of this host",
                    ctx(ptr),
                    interface.unwrap_or_default()
                ),
            )
        }
    };
    let host = address.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let (bind, dest) = if flags.contains(NSF::SERVER) {
        let bind = match host {
            None | Some("*") => None,
            Some(h) => match resolve_host(ptr, h) {
                Ok(ip) => Some(SocketAddr::new(ip, port as u16)),
                Err(e) => return e,
            },
        };
        (bind, None)
    } else {
        match (host, port) {
            (Some(h), p) if p > 0 => match resolve_host(ptr, h) {
                Ok(ip) => {
                    let dest = SocketAddr::new(ip, p as u16);
                    // An IPv4 destination from an IPv4 socket: multicast options then apply.
                    let wildcard = match ip {
                        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    };
                    (Some(SocketAddr::new(wildcard, 0)), Some(dest))
                }
                Err(e) => return e,
            },
            _ => (None, None),
        }
    };
    let opts = UdpOptions {
        broadcast: flags.contains(NSF::BROADCAST),
        multicast_ttl: (ttl > 0).then_some(ttl as u32),
        multicast_interface: interface,
    };
    // A server without an Address binds every interface (dual-stack) on Port; a client an
    // ephemeral port.
    let wildcard_port = if flags.contains(NSF::SERVER) {
        port as u16
    } else {
        0
    };
    let socket = match udp::open(bind, wildcard_port, &opts) {
        Ok(s) => s,
        Err(e) => {
            let err = match parasol_net::socket::err_from_io(&e) {
                e @ (ERR::InUse | ERR::PermissionDenied) => e,
                _ => ERR::SystemCall,
            };
            return fail_with(
                err,
                format!(
                    "{} cannot open a UDP socket on {}: {e}",
                    ctx(ptr),
                    bind.map_or(format!("*:{port}"), |b| b.to_string())
                ),
            );
        }
    };
    let id = ptr.id();
    let token = match io_register(
        &socket,
        Interest::READABLE,
        Rc::new(move |_r: Ready| on_ready(id)),
    ) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let bound = socket.local_addr().map(|a| a.port()).unwrap_or(0);
    let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
        return ERR::InUse;
    };
    if flags.contains(NSF::SERVER) {
        d.port = bound as i32;
    }
    d.udp = Some(UdpSide {
        socket,
        token: Some(token),
        dest,
        taken: 0,
        warned_unread: false,
        interface,
    });
    // Connectionless: ready to send and receive from Init (no Feedback, as in Parasol).
    d.stream.state = NTC::CONNECTED;
    log::debug!("{} UDP socket on port {bound}", ctx(ptr));
    ERR::Okay
}

fn with_udp<R>(id: ObjectId, f: impl FnOnce(&mut UdpSide) -> R) -> Option<R> {
    let ptr = id.ptr().ok()?;
    let mut d = ptr.try_data_mut::<NetSocketData>().ok()?;
    d.udp.as_mut().map(f)
}

/// Offers waiting datagrams to Incoming, one call per datagram, until none waits, Incoming
/// leaves one untaken (it waits in the kernel for the next event or a RecvFrom), or the budget
/// is spent (then the loop comes back next cycle).
fn on_ready(id: ObjectId) {
    let Ok(ptr) = id.ptr() else { return };
    let _scope = ObjectScope::enter(&ptr);
    for _ in 0..BUDGET {
        let Some((pending, before, incoming)) = ({
            let Ok(d) = ptr.try_data::<NetSocketData>() else {
                return;
            };
            d.udp
                .as_ref()
                .map(|u| (udp::peek(&u.socket), u.taken, d.incoming.clone()))
        }) else {
            return;
        };
        match pending {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err((e, detail)) => {
                log::warn!("{} {detail}", ctx(&ptr));
                return close(id, Some((e, detail)));
            }
        }
        if !incoming.defined() {
            // Datagrams wait in the kernel for RecvFrom, or for Incoming to be set.
            return;
        }
        let r = incoming.call(&[Value::Object(id)]);
        if !r.is_ok() && r != ERR::Retry {
            log::warn!(
                "{} Incoming returned {r:?}: the UDP socket closes",
                ctx(&ptr)
            );
            return close(id, Some((r, format!("Incoming returned {r:?}"))));
        }
        let progressed = with_udp(id, |u| {
            let took = u.taken != before;
            if !took && !u.warned_unread && r.is_ok() {
                u.warned_unread = true;
                log::warn!(
                    "{} Incoming returned without taking the datagram waiting; it stays queued until RecvFrom or Read takes it",
                    parasol_core::log::IdCtx(id)
                );
            }
            took
        });
        if progressed != Some(true) {
            return;
        }
    }
    if let Some(Some(t)) = with_udp(id, |u| u.token) {
        io_recall(t);
    }
}

/// Closes the socket (Disable, Free, a failure): State DISCONNECTED, and Feedback unless the
/// object is being freed.
pub(crate) fn close(id: ObjectId, failure: Option<(ERR, String)>) {
    close_with(id, failure, true);
}

/// [`close`] for Free: no Feedback.
pub(crate) fn close_freed(id: ObjectId) {
    close_with(id, None, false);
}

fn close_with(id: ObjectId, failure: Option<(ERR, String)>, notify: bool) {
    let Ok(ptr) = id.ptr() else { return };
    let (feedback, was_open) = {
        let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
            return;
        };
        let Some(u) = d.udp.take() else { return };
        if let Some(t) = u.token {
            io_deregister(t, &u.socket);
        }
        if let Some((e, detail)) = failure {
            d.stream.error = e;
            d.stream.error_detail = Some(detail);
        }
        let was_open = d.stream.state != NTC::DISCONNECTED;
        d.stream.state = NTC::DISCONNECTED;
        (d.feedback.clone(), was_open)
    };
    if was_open && notify {
        let _ = feedback.call(&[Value::Object(id), Value::from(NTC::DISCONNECTED)]);
    }
}

fn open_socket<R>(ptr: &ObjectPtr, f: impl FnOnce(&mut UdpSide, usize) -> R) -> Res<R> {
    let mut d = ptr.try_data_mut::<NetSocketData>()?;
    let max = d.max_packet_size as usize;
    match d.udp.as_mut() {
        Some(u) => Ok(f(u, max)),
        None => Err(fail_with(
            ERR::Disconnected,
            format!("{} the UDP socket is closed", ctx(ptr)),
        )),
    }
}

/// SendTo: one datagram to `dest`, all or nothing.
pub(crate) fn send_to(ptr: &ObjectPtr, data: &[u8], dest: SocketAddr) -> Res<usize> {
    if data.is_empty() {
        return Err(ERR::NullArgs);
    }
    if dest.port() == 0 {
        return Err(fail_with(
            ERR::OutOfRange,
            format!("{} SendTo: port 0 is no destination", ctx(ptr)),
        ));
    }
    let r = open_socket(ptr, |u, max| {
        if data.len() > max {
            return Err((
                ERR::DataSize,
                format!("{} bytes exceed MaxPacketSize {max}", data.len()),
            ));
        }
        udp::send_to(&u.socket, data, dest)
    })?;
    r.map_err(|(e, detail)| fail_with(e, format!("{} SendTo: {detail}", ctx(ptr))))
}

/// RecvFrom: the next datagram, if one waits and fits (`Ok(None)`: none waits).
pub(crate) fn recv_from(ptr: &ObjectPtr, buf: &mut [u8]) -> Res<Option<(usize, SocketAddr)>> {
    if buf.is_empty() {
        return Err(ERR::NullArgs);
    }
    let r = open_socket(ptr, |u, _| {
        let r = udp::recv_from(&u.socket, buf);
        if let Ok(Some(_)) = r {
            u.taken += 1;
        }
        r
    })?;
    r.map_err(|(e, detail)| fail_with(e, format!("{} {detail}", ctx(ptr))))
}

/// The Read action on a UDP socket: the next datagram's payload (its sender is dropped; use
/// RecvFrom to know it).
pub(crate) fn read(ptr: &ObjectPtr, buf: &mut [u8]) -> Res<usize> {
    recv_from(ptr, buf).map(|r| r.map_or(0, |(n, _)| n))
}

/// The Write action on a UDP socket: one datagram to the default destination.
pub(crate) fn write(ptr: &ObjectPtr, data: &[u8]) -> (ERR, usize) {
    let dest = match ptr.try_data::<NetSocketData>() {
        Ok(d) => d.udp.as_ref().and_then(|u| u.dest),
        Err(e) => return (e, 0),
    };
    let Some(dest) = dest else {
        return (
            fail_with(
                ERR::FieldNotSet,
                format!(
                    "{} Write on a UDP socket needs a destination: set Address and Port, or use SendTo",
                    ctx(ptr)
                ),
            ),
            0,
        );
    };
    match send_to(ptr, data, dest) {
        Ok(n) => (ERR::Okay, n),
        Err(e) => (e, 0),
    }
}

/// JoinMulticastGroup / LeaveMulticastGroup.
pub(crate) fn membership(ptr: &ObjectPtr, group: &str, join: bool) -> ERR {
    let Ok(group_ip) = group.trim().parse::<IpAddr>() else {
        return fail_with(
            ERR::Args,
            format!("{} \"{group}\" is not a multicast group address", ctx(ptr)),
        );
    };
    match open_socket(ptr, |u, _| {
        udp::membership(&u.socket, group_ip, u.interface, join)
    }) {
        Ok(Ok(())) => ERR::Okay,
        Ok(Err((e, detail))) => fail_with(e, format!("{} {detail}", ctx(ptr))),
        Err(e) => e,
    }
}

/// The bound local address.
pub(crate) fn local_address(ptr: &ObjectPtr) -> Option<SocketAddr> {
    let d = ptr.try_data::<NetSocketData>().ok()?;
    d.udp.as_ref()?.socket.local_addr().ok().map(udp::unmapped)
}

/// Incoming was set on a live UDP socket: offer what waits.
pub(crate) fn incoming_set(id: ObjectId) {
    if let Some(Some(t)) = with_udp(id, |u| u.token) {
        io_recall(t);
    }
}
