//! Server NetSockets: bind and listen, accept into ClientSockets grouped by NetClient, the
//! ClientLimit / SocketLimit / MULTI_CONNECT rules, and releasing clients.

use crate::constants::{NSF, NTC};
use crate::data::{ClientSocketData, NetClientData, NetSocketData};
use crate::stream::{self, disconnect, set_state, Ep, How};
use parasol_core::msgloop::{io_deregister, io_recall, io_register, set_timeout, Interest, Ready};
use parasol_core::{
    find_class_by_id, free_resource, init_object, new_object_of, ObjectId, ObjectPtr, ObjectScope,
    Res, CLASSID, ERR,
};
use parasol_net::socket::{self, err_from_io};
use parasol_net::{canonical_ip, Connection, IPAddress};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

/// Connections accepted per readiness event before yielding to the rest of the loop.
const ACCEPT_BUDGET: usize = 256;
/// Pause before accepting again after EMFILE/ENFILE/ENOMEM, so the loop never spins.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Server Init: TLS identity, bind, listen, register. State reads MULTISTATE.
pub(crate) fn init(ptr: &ObjectPtr) -> ERR {
    let (address, port, backlog, reuse_port, tls) = {
        let Ok(d) = ptr.try_data::<NetSocketData>() else {
            return ERR::InUse;
        };
        (
            d.address.clone(),
            d.port,
            d.backlog,
            d.reuse_port,
            crate::tls_setup::server_wants_tls(&d).then(|| crate::tls_setup::server_tls(&d)),
        )
    };
    let ip = match address.as_deref().map(str::trim) {
        None | Some("") | Some("*") => None,
        Some(a) => match IPAddress::parse(a) {
            Ok(ip) => Some(ip.ip()),
            Err(_) => {
                return parasol_core::err::fail_with(
                    ERR::InvalidValue,
                    format!(
                        "{} Address \"{a}\" must be an IP literal or localhost for a server",
                        parasol_core::log::ctx(ptr)
                    ),
                );
            }
        },
    };
    let tls = match tls {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => return e,
        None => None,
    };
    let listener = match socket::listen(ip, port as u16, backlog, reuse_port) {
        Ok(l) => l,
        Err(e) => {
            let err = match err_from_io(&e) {
                e @ (ERR::InUse | ERR::PermissionDenied) => e,
                _ => ERR::SystemCall,
            };
            return parasol_core::err::fail_with(
                err,
                format!(
                    "{} cannot listen on {}:{port}: {e}",
                    parasol_core::log::ctx(ptr),
                    ip.map_or("*".to_string(), |i| i.to_string())
                ),
            );
        }
    };
    let bound = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(port as u16);
    let id = ptr.id();
    let token = match io_register(
        &listener,
        Interest::READABLE,
        Rc::new(move |_r: Ready| accept_ready(id)),
    ) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
        return ERR::InUse;
    };
    d.port = bound as i32;
    d.server.listener = Some(listener);
    d.server.token = Some(token);
    d.server.tls = tls;
    d.stream.state = NTC::MULTISTATE;
    log::info!("{} listening on port {bound}", parasol_core::log::ctx(ptr));
    ERR::Okay
}

fn accept_ready(server: ObjectId) {
    let Ok(ptr) = server.ptr() else { return };
    let _scope = ObjectScope::enter(&ptr);
    for _ in 0..ACCEPT_BUDGET {
        let accepted = {
            let Ok(d) = ptr.try_data::<NetSocketData>() else {
                return;
            };
            if d.server.accept_retry.is_some() {
                return;
            }
            match d.server.listener.as_ref() {
                Some(l) => l.accept(),
                None => return,
            }
        };
        match accepted {
            Ok((sock, peer)) => {
                end_failure_episode(&ptr);
                accept_one(&ptr, sock, peer)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                ) =>
            {
                continue
            }
            Err(e) => {
                // EMFILE and friends leave the connection queued and the listener readable: back
                // off instead of spinning, then try again. One line per episode, not per retry.
                let first = ptr
                    .try_data_mut::<NetSocketData>()
                    .map(|mut d| {
                        d.server.accept_failures += 1;
                        d.server.accept_failures == 1
                    })
                    .unwrap_or(true);
                if first {
                    log::error!(
                        "{} accept failed: {e}; retrying every {ACCEPT_BACKOFF:?} until it works",
                        parasol_core::log::ctx(&ptr)
                    );
                } else {
                    log::debug!("{} accept failed again: {e}", parasol_core::log::ctx(&ptr));
                }
                let t = set_timeout(
                    ACCEPT_BACKOFF,
                    Rc::new(move || {
                        let token = server.ptr().ok().and_then(|p| {
                            p.try_data_mut::<NetSocketData>().ok().and_then(|mut d| {
                                d.server.accept_retry = None;
                                d.server.token
                            })
                        });
                        if let Some(t) = token {
                            io_recall(t);
                        }
                    }),
                );
                if let (Ok(t), Ok(mut d)) = (t, ptr.try_data_mut::<NetSocketData>()) {
                    d.server.accept_retry = Some(t);
                }
                return;
            }
        }
    }
    if let Some(t) = ptr
        .try_data::<NetSocketData>()
        .ok()
        .and_then(|d| d.server.token)
    {
        io_recall(t);
    }
}

/// An accept worked: a failure episode (EMFILE …), if there was one, is over; say so once.
fn end_failure_episode(server: &ObjectPtr) {
    let failures = server
        .try_data_mut::<NetSocketData>()
        .map(|mut d| std::mem::take(&mut d.server.accept_failures))
        .unwrap_or(0);
    if failures > 0 {
        log::warn!(
            "{} accepting again after {failures} failed attempt(s)",
            parasol_core::log::ctx(server)
        );
    }
}

fn accept_one(server: &ObjectPtr, sock: mio::net::TcpStream, peer: SocketAddr) {
    socket::prepare_accepted(&sock);
    let ip = canonical_ip(peer.ip());
    let (existing, flags, client_limit, socket_limit, total, msg_limit, tls, handshake_timeout) = {
        let Ok(d) = server.try_data::<NetSocketData>() else {
            return;
        };
        (
            d.server.by_ip.get(&ip).copied(),
            d.flags,
            d.client_limit,
            d.socket_limit,
            d.server.total_clients,
            d.stream.msg_limit,
            d.server.tls.clone().filter(|_| d.flags.contains(NSF::SSL)),
            d.handshake_timeout,
        )
    };
    let ctx = parasol_core::log::ctx(server);
    let client = match existing {
        None if total >= client_limit => {
            log::warn!("{ctx} ClientLimit ({client_limit}) reached: closing connection from {ip}");
            return;
        }
        None => match new_netclient(server, ip) {
            Ok(c) => c,
            Err(e) => {
                log::error!("{ctx} cannot create a NetClient for {ip}: {e:?}");
                return;
            }
        },
        Some(c) => {
            let count = c
                .ptr()
                .ok()
                .and_then(|p| {
                    p.try_data::<NetClientData>()
                        .ok()
                        .map(|d| d.total_connections)
                })
                .unwrap_or(0);
            if count >= socket_limit {
                log::warn!(
                    "{ctx} SocketLimit ({socket_limit}) reached for {ip}: closing connection"
                );
                return;
            }
            if count > 0 && !flags.contains(NSF::MULTI_CONNECT) {
                log::warn!(
                    "{ctx} {ip} already connected and MULTI_CONNECT is off: closing connection"
                );
                return;
            }
            c
        }
    };
    let Some(class) = find_class_by_id(CLASSID::CLIENTSOCKET) else {
        return;
    };
    let Ok(cs) = new_object_of(&class, Some(server.id())) else {
        return;
    };
    let mut conn = Connection::new(sock);
    let handshaking = match tls.map(|t| t.session()) {
        Some(Ok(session)) => {
            if conn.start_tls(session, false).is_err() {
                let _ = free_resource(cs);
                return;
            }
            true
        }
        Some(Err(_)) => {
            let _ = free_resource(cs);
            release_if_empty(client);
            return;
        }
        None => false,
    };
    if let Ok(p) = cs.ptr() {
        if let Ok(mut d) = p.try_data_mut::<ClientSocketData>() {
            d.server = Some(server.id());
            d.client = Some(client);
            d.peer = Some(SocketAddr::new(ip, peer.port()));
            d.connect_time = parasol_core::precise_time() / 1000;
            d.stream.msg_limit = msg_limit;
            d.stream.flags = flags;
            d.stream.conn = Some(conn);
        }
    }
    if let Err(e) = init_object(cs) {
        log::error!("{ctx} ClientSocket Init failed: {e:?}");
        let _ = free_resource(cs);
        release_if_empty(client);
        return;
    }
    if flags.contains(NSF::LOG_ALL) {
        log::info!("{ctx} accepted {peer}");
    } else {
        log::debug!("{ctx} accepted {peer}");
    }
    let ep = Ep::Accepted {
        sock: cs,
        server: server.id(),
    };
    if handshaking {
        set_state(ep, NTC::HANDSHAKING);
        crate::timeouts::arm_handshake(ep, handshake_timeout);
        stream::recall(ep);
    } else {
        stream::became_connected(ep);
    }
}

fn new_netclient(server: &ObjectPtr, ip: IpAddr) -> Res<ObjectId> {
    let class = find_class_by_id(CLASSID::NETCLIENT).ok_or(ERR::MissingClass)?;
    let nc = new_object_of(&class, Some(server.id()))?;
    let last = server
        .try_data::<NetSocketData>()
        .ok()
        .and_then(|d| d.server.last_client);
    if let Ok(p) = nc.ptr() {
        if let Ok(mut d) = p.try_data_mut::<NetClientData>() {
            d.server = Some(server.id());
            d.ip = IPAddress::from(ip);
            d.prev = last;
        }
    }
    if let Err(e) = init_object(nc) {
        let _ = free_resource(nc);
        return Err(e);
    }
    if let Some(prev) = last.and_then(|l| l.ptr().ok()) {
        if let Ok(mut d) = prev.try_data_mut::<NetClientData>() {
            d.next = Some(nc);
        }
    }
    let mut d = server.try_data_mut::<NetSocketData>()?;
    if d.server.first_client.is_none() {
        d.server.first_client = Some(nc);
    }
    d.server.last_client = Some(nc);
    d.server.by_ip.insert(ip, nc);
    d.server.total_clients += 1;
    Ok(nc)
}

fn release_if_empty(client: ObjectId) {
    let empty = client.ptr().ok().and_then(|p| {
        p.try_data::<NetClientData>()
            .ok()
            .map(|d| d.total_connections == 0)
    });
    if empty == Some(true) {
        let _ = free_resource(client);
    }
}

/// Unlinks a NetClient from its server's list (NetClient Free).
pub(crate) fn unlink_netclient(nc: &ObjectPtr) {
    let (server, ip, prev, next) = {
        let Ok(d) = nc.try_data::<NetClientData>() else {
            return;
        };
        (d.server, d.ip, d.prev, d.next)
    };
    if let Some(p) = prev.and_then(|p| p.ptr().ok()) {
        if let Ok(mut d) = p.try_data_mut::<NetClientData>() {
            d.next = next;
        }
    }
    if let Some(n) = next.and_then(|n| n.ptr().ok()) {
        if let Ok(mut d) = n.try_data_mut::<NetClientData>() {
            d.prev = prev;
        }
    }
    if let Some(s) = server.and_then(|s| s.ptr().ok()) {
        if let Ok(mut d) = s.try_data_mut::<NetSocketData>() {
            if d.server.first_client == Some(nc.id()) {
                d.server.first_client = next;
            }
            if d.server.last_client == Some(nc.id()) {
                d.server.last_client = prev;
            }
            if d.server.by_ip.get(&ip.ip()) == Some(&nc.id()) {
                d.server.by_ip.remove(&ip.ip());
                d.server.total_clients -= 1;
            }
        }
    }
    if let Ok(mut d) = nc.try_data_mut::<NetClientData>() {
        d.prev = None;
        d.next = None;
        d.server = None;
    }
}

/// The sockets of a NetClient, oldest first.
pub(crate) fn sockets_of(nc: ObjectId) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let mut cursor = nc.ptr().ok().and_then(|p| {
        p.try_data::<NetClientData>()
            .ok()
            .and_then(|d| d.first_socket)
    });
    while let Some(c) = cursor {
        out.push(c);
        cursor = c
            .ptr()
            .ok()
            .and_then(|p| p.try_data::<ClientSocketData>().ok().and_then(|d| d.next));
    }
    out
}

/// The NetClients of a server, oldest first.
pub(crate) fn clients_of(server: ObjectId) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let mut cursor = server.ptr().ok().and_then(|p| {
        p.try_data::<NetSocketData>()
            .ok()
            .and_then(|d| d.server.first_client)
    });
    while let Some(c) = cursor {
        out.push(c);
        cursor = c
            .ptr()
            .ok()
            .and_then(|p| p.try_data::<NetClientData>().ok().and_then(|d| d.next));
    }
    out
}

/// Closes every socket of a NetClient gracefully (DisconnectClient); the NetClient goes with its
/// last socket.
pub(crate) fn disconnect_client(server: ObjectId, nc: ObjectId) {
    for cs in sockets_of(nc) {
        disconnect(Ep::Accepted { sock: cs, server }, How::Local);
    }
    release_if_empty(nc);
}

/// Stops accepting: the listener is closed; existing clients stay (Disable on a server).
pub(crate) fn stop_listening(ptr: &ObjectPtr) {
    let (listener, token) = {
        let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
            return;
        };
        (d.server.listener.take(), d.server.token.take())
    };
    if let (Some(l), Some(t)) = (listener, token) {
        io_deregister(t, &l);
    }
    if let Some(t) = ptr
        .try_data_mut::<NetSocketData>()
        .ok()
        .and_then(|mut d| d.server.accept_retry.take())
    {
        parasol_core::cancel_timer(t);
    }
}

/// Server Free: every client disconnects (one Feedback each), then the listener closes.
pub(crate) fn free(ptr: &ObjectPtr) {
    let server = ptr.id();
    for nc in clients_of(server) {
        disconnect_client(server, nc);
    }
    stop_listening(ptr);
}

/// The local address a server is bound to.
pub(crate) fn local_address(ptr: &ObjectPtr) -> Option<IPAddress> {
    let d = ptr.try_data::<NetSocketData>().ok()?;
    d.server
        .listener
        .as_ref()?
        .local_addr()
        .ok()
        .map(IPAddress::from)
}

/// Unlinks a ClientSocket from its NetClient (ClientSocket Free); the NetClient is released with
/// its last socket.
pub(crate) fn unlink_clientsocket(cs: &ObjectPtr) {
    let (client, prev, next) = {
        let Ok(d) = cs.try_data::<ClientSocketData>() else {
            return;
        };
        (d.client, d.prev, d.next)
    };
    if let Some(p) = prev.and_then(|p| p.ptr().ok()) {
        if let Ok(mut d) = p.try_data_mut::<ClientSocketData>() {
            d.next = next;
        }
    }
    if let Some(n) = next.and_then(|n| n.ptr().ok()) {
        if let Ok(mut d) = n.try_data_mut::<ClientSocketData>() {
            d.prev = prev;
        }
    }
    if let Some(c) = client {
        if let Ok(p) = c.ptr() {
            if let Ok(mut d) = p.try_data_mut::<NetClientData>() {
                if d.first_socket == Some(cs.id()) {
                    d.first_socket = next;
                }
                if d.last_socket == Some(cs.id()) {
                    d.last_socket = prev;
                }
                d.total_connections -= 1;
            }
        }
        release_if_empty(c);
    }
    if let Ok(mut d) = cs.try_data_mut::<ClientSocketData>() {
        d.client = None;
        d.prev = None;
        d.next = None;
    }
}

/// Links a ClientSocket into its NetClient (ClientSocket Init).
pub(crate) fn link_clientsocket(cs: &ObjectPtr) -> Res<()> {
    let client = cs
        .try_data::<ClientSocketData>()?
        .client
        .ok_or(ERR::UnsupportedOwner)?;
    let cptr = client.ptr()?;
    let last = {
        let mut d = cptr.try_data_mut::<NetClientData>()?;
        let last = d.last_socket;
        if d.first_socket.is_none() {
            d.first_socket = Some(cs.id());
        }
        d.last_socket = Some(cs.id());
        d.total_connections += 1;
        last
    };
    if let Some(l) = last.and_then(|l| l.ptr().ok()) {
        if let Ok(mut d) = l.try_data_mut::<ClientSocketData>() {
            d.next = Some(cs.id());
        }
    }
    cs.try_data_mut::<ClientSocketData>()?.prev = last;
    Ok(())
}

/// STARTTLS on an accepted socket: uses the server's TLS identity.
pub(crate) fn start_tls(ep: Ep) -> ERR {
    let Some(server) = ep.server() else {
        return ERR::Args;
    };
    let tls = server.ptr().ok().and_then(|p| {
        p.try_data::<NetSocketData>()
            .ok()
            .and_then(|d| d.server.tls.clone())
    });
    let Some(tls) = tls else {
        return parasol_core::err::fail_with(
            ERR::FieldNotSet,
            format!(
                "{} SetSSL: the server has no SSLCertificate",
                parasol_core::log::IdCtx(server)
            ),
        );
    };
    let session = match tls.session() {
        Ok(s) => s,
        Err(e) => return e,
    };
    stream::begin_tls(ep, session, true)
}
