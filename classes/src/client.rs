//! Client NetSockets: Connect (IP literals at once, names through a resolver thread), the
//! connect timeout, address fallback, TLS start, and handle adoption.

use crate::constants::{NSF, NTC};
use crate::data::NetSocketData;
use crate::stream::{self, disconnect, set_state, with_stream, Ep, How};
use parasol_core::msgloop::{cancel_timer, set_timeout, LoopHandle};
use parasol_core::{ObjectId, ObjectPtr, Res, ERR};
use parasol_net::socket::{self, ConnectProgress};
use parasol_net::{Connection, IPAddress};
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

fn data(o: ObjectId) -> Option<ObjectPtr> {
    o.ptr().ok()
}

/// The Connect method. See docs/NETSOCKET.md "States, Feedback and Error (client)".
pub(crate) fn connect(ptr: &ObjectPtr, address: &str, port: i32, timeout: f64) -> ERR {
    connect_from(ptr, address, port, timeout, false)
}

/// Connect, also used by Init (`during_init`: the object is not marked initialised yet).
pub(crate) fn connect_from(
    ptr: &ObjectPtr,
    address: &str,
    port: i32,
    timeout: f64,
    during_init: bool,
) -> ERR {
    let id = ptr.id();
    if !during_init && !ptr.initialised() {
        return ERR::NotInitialised;
    }
    let (generation, delay) = {
        let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
            return ERR::InUse;
        };
        if d.is_udp() {
            return parasol_core::err::fail_with(
                ERR::NoSupport,
                format!(
                    "{} Connect: a UDP socket is connectionless (set Address and Port for Write, or use SendTo)",
                    parasol_core::log::ctx(ptr)
                ),
            );
        }
        if d.is_server() {
            return parasol_core::err::fail_with(
                ERR::InvalidState,
                format!(
                    "{} Connect: a server cannot connect",
                    parasol_core::log::ctx(ptr)
                ),
            );
        }
        if address.trim().is_empty() || !(1..=65535).contains(&port) {
            return parasol_core::err::fail_with(
                ERR::Args,
                format!(
                    "{} Connect: bad address \"{address}\" or port {port}",
                    parasol_core::log::ctx(ptr)
                ),
            );
        }
        // Checked before anything changes, so a refused timeout leaves the socket as it was.
        let delay = match parasol_core::msgloop::seconds_to_delay(timeout) {
            Ok(d) => d,
            Err(e) => {
                return parasol_core::err::fail_with(
                    e,
                    format!(
                        "{} Connect: Timeout {timeout} is not a usable number of seconds",
                        parasol_core::log::ctx(ptr)
                    ),
                );
            }
        };
        if d.stream.state != NTC::DISCONNECTED {
            return parasol_core::err::fail_with(
                ERR::InvalidState,
                format!(
                    "{} Connect: state is {}",
                    parasol_core::log::ctx(ptr),
                    d.stream.state.name()
                ),
            );
        }
        if d.flags.contains(NSF::SSL) && d.client.tls.is_none() {
            match crate::tls_setup::client_template(&d) {
                Ok(t) => d.client.tls = Some(t),
                Err(e) => return e,
            }
        }
        d.address = Some(address.trim().to_owned());
        d.port = port;
        d.timeout = timeout;
        d.stream.error = ERR::Okay;
        d.stream.error_detail = None;
        d.stream.ended = false;
        d.client.valid_cert = 0;
        d.client.fallback.clear();
        d.client.generation += 1;
        (d.client.generation, delay)
    };
    let ep = Ep::Client(id);
    set_state(ep, NTC::CONNECTING);
    if state_is_not(ep, NTC::CONNECTING, generation) {
        return ERR::Okay; // Feedback reconfigured the socket.
    }
    if !delay.is_zero() {
        let t = set_timeout(
            delay,
            Rc::new(move || {
                if generation_is(id, generation)
                    && matches!(stream::state_of(ep), NTC::CONNECTING | NTC::HANDSHAKING)
                {
                    log::info!("{} Connect timed out", parasol_core::log::IdCtx(id));
                    disconnect(ep, How::Failed(ERR::TimeOut));
                }
            }),
        );
        if let (Ok(t), Ok(mut d)) = (t, ptr.try_data_mut::<NetSocketData>()) {
            d.client.connect_timer = Some(t);
        }
    }
    let host = address
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let sync = flags(id).contains(NSF::SYNCHRONOUS);
    let port = port as u16;
    match host.parse::<IpAddr>() {
        Ok(ip) => begin(id, generation, vec![SocketAddr::new(ip, port)]),
        Err(_) if sync => match parasol_net::resolve::resolve_blocking(&host, port) {
            Ok(addrs) => begin(id, generation, addrs),
            Err(e) => {
                stream::note_failure_detail(ep, parasol_core::err::take_failure_detail());
                fail_later(id, generation, e)
            }
        },
        Err(_) => {
            let handle = match LoopHandle::current() {
                Ok(h) => h,
                Err(e) => return e,
            };
            let uid = id.uid();
            let started = parasol_net::resolve::resolve_async(host, port, move |result| {
                let _ = handle.post(move || {
                    let Some(id) = ObjectId::from_uid(uid) else {
                        return;
                    };
                    if !generation_is(id, generation)
                        || stream::state_of(Ep::Client(id)) != NTC::CONNECTING
                    {
                        return;
                    }
                    match result {
                        Ok(addrs) => begin(id, generation, addrs),
                        Err(f) => {
                            stream::note_failure_detail(Ep::Client(id), Some(f.detail));
                            disconnect(Ep::Client(id), How::Failed(f.error))
                        }
                    }
                });
            });
            if let Err(e) = started {
                fail_later(id, generation, e);
            }
        }
    }
    if sync {
        return crate::sync::wait_connected(ep);
    }
    ERR::Okay
}

fn flags(id: ObjectId) -> NSF {
    data(id)
        .and_then(|p| p.try_data::<NetSocketData>().ok().map(|d| d.flags))
        .unwrap_or_default()
}

fn generation_is(id: ObjectId, generation: u64) -> bool {
    data(id).and_then(|p| {
        p.try_data::<NetSocketData>()
            .ok()
            .map(|d| d.client.generation == generation)
    }) == Some(true)
}

fn state_is_not(ep: Ep, state: NTC, generation: u64) -> bool {
    stream::state_of(ep) != state || !generation_is(ep.obj(), generation)
}

/// Reports a failure from the next cycle, so Connect itself returns with State CONNECTING.
fn fail_later(id: ObjectId, generation: u64, e: ERR) {
    let _ = set_timeout(
        Duration::ZERO,
        Rc::new(move || {
            if generation_is(id, generation) && stream::state_of(Ep::Client(id)) == NTC::CONNECTING
            {
                disconnect(Ep::Client(id), How::Failed(e));
            }
        }),
    );
}

/// Tries the first address; the rest are fallbacks if it is refused or unreachable.
fn begin(id: ObjectId, generation: u64, mut addrs: Vec<SocketAddr>) {
    if addrs.is_empty() {
        return fail_later(id, generation, ERR::HostNotFound);
    }
    let first = addrs.remove(0);
    if let Some(p) = data(id) {
        if let Ok(mut d) = p.try_data_mut::<NetSocketData>() {
            d.client.fallback = addrs;
        }
    }
    start_socket(id, generation, first);
}

fn start_socket(id: ObjectId, generation: u64, addr: SocketAddr) {
    let ep = Ep::Client(id);
    match socket::connect(addr) {
        Ok(sock) => {
            log::debug!("{} connecting to {addr}", parasol_core::log::IdCtx(id));
            with_stream(ep, |s| {
                let mut conn = Connection::new(sock);
                // Bytes written before the socket existed go first.
                while !s.pre_queue.is_empty() {
                    let n = s.pre_queue.front().len();
                    let chunk = s.pre_queue.front().to_vec();
                    // Without sending (can_send false) a new connection only queues: Okay.
                    let _ = conn.write(&chunk, usize::MAX, false);
                    s.pre_queue.consume(n);
                }
                s.conn = Some(conn);
            });
            if let Err(e) = stream::register(ep) {
                fail_later(id, generation, e);
            }
        }
        Err(e) => {
            let err = socket::err_from_io(&e);
            log::debug!(
                "{} connect to {addr} failed at once: {e}",
                parasol_core::log::IdCtx(id)
            );
            stream::note_failure_detail(ep, Some(format!("connect to {addr}: {e}")));
            try_next_or_fail(id, generation, err);
        }
    }
}

fn try_next_or_fail(id: ObjectId, generation: u64, err: ERR) {
    let next = data(id).and_then(|p| {
        p.try_data_mut::<NetSocketData>().ok().and_then(|mut d| {
            if d.client.fallback.is_empty() {
                None
            } else {
                Some(d.client.fallback.remove(0))
            }
        })
    });
    match next {
        Some(addr) => start_socket(id, generation, addr),
        None => fail_later(id, generation, err),
    }
}

/// Handles readiness while CONNECTING: completion, failure (with fallback) or still pending.
pub(crate) fn connect_step(ep: Ep) {
    let Ep::Client(id) = ep else { return };
    let Some(Some(progress)) = with_stream(ep, |s| {
        s.conn
            .as_ref()
            .map(|c| socket::connect_progress(c.socket_ref()))
    }) else {
        return;
    };
    match progress {
        ConnectProgress::Pending => {}
        ConnectProgress::Failed(e, text) => {
            stream::note_failure_detail(ep, Some(format!("connect: {text}")));
            // Drop this socket and try the next address, if any. What Write accepted while it
            // was connecting goes back to the queue the next socket starts from (nothing was
            // sent: writes while CONNECTING only queue).
            let Some(generation) = with_stream(ep, |s| {
                if let Some(mut c) = s.conn.take() {
                    if let Some(t) = s.token.take() {
                        parasol_core::msgloop::io_deregister(t, c.socket());
                    }
                    let mut unsent = c.take_unsent();
                    while !s.pre_queue.is_empty() {
                        let n = s.pre_queue.front().len();
                        unsent.push(s.pre_queue.front());
                        s.pre_queue.consume(n);
                    }
                    s.pre_queue = unsent;
                }
            })
            .and_then(|_| {
                data(id).and_then(|p| {
                    p.try_data::<NetSocketData>()
                        .ok()
                        .map(|d| d.client.generation)
                })
            }) else {
                return;
            };
            log::debug!("{} connect failed: {e:?}", parasol_core::log::IdCtx(id));
            let has_next = data(id)
                .and_then(|p| {
                    p.try_data::<NetSocketData>()
                        .ok()
                        .map(|d| !d.client.fallback.is_empty())
                })
                .unwrap_or(false);
            if has_next {
                try_next_or_fail(id, generation, e);
            } else {
                disconnect(ep, How::Failed(e));
            }
        }
        ConnectProgress::Connected => established(id),
    }
}

/// TCP is up: start TLS (HANDSHAKING) or become CONNECTED.
fn established(id: ObjectId) {
    let ep = Ep::Client(id);
    let Some(ptr) = data(id) else { return };
    let tls = {
        let Ok(d) = ptr.try_data::<NetSocketData>() else {
            return;
        };
        if d.flags.contains(NSF::SSL) {
            Some((d.client.tls.clone(), crate::tls_setup::session_host(&d)))
        } else {
            None
        }
    };
    match tls {
        None => stream::became_connected(ep),
        Some((template, host)) => {
            let session = template.ok_or(ERR::Security).and_then(|t| t.session(&host));
            match session {
                Ok(session) => {
                    // A failure to start is reported by begin_tls itself (DISCONNECTED, Error).
                    let _ = stream::begin_tls(ep, session, false);
                }
                Err(e) => disconnect(ep, How::Failed(e)),
            }
        }
    }
}

pub(crate) fn record_valid_cert(id: ObjectId, code: i32) {
    if let Some(p) = data(id) {
        if let Ok(mut d) = p.try_data_mut::<NetSocketData>() {
            d.client.valid_cert = code;
        }
    }
}

pub(crate) fn cancel_connect_timer(id: ObjectId) {
    let timer = data(id).and_then(|p| {
        p.try_data_mut::<NetSocketData>()
            .ok()
            .and_then(|mut d| d.client.connect_timer.take())
    });
    if let Some(t) = timer {
        cancel_timer(t);
    }
}

/// Bookkeeping when a client connection ends: timers cancelled, pending work invalidated.
pub(crate) fn connection_gone(id: ObjectId, _how: How) {
    cancel_connect_timer(id);
    if let Some(p) = data(id) {
        if let Ok(mut d) = p.try_data_mut::<NetSocketData>() {
            d.client.generation += 1;
            d.client.fallback.clear();
        }
    }
}

/// Adopts an already connected TCP socket (our own copy of the descriptor given through
/// `Handle` before Init): CONNECTED at once. A socket that is not connected → `InvalidHandle`.
pub(crate) fn adopt(ptr: &ObjectPtr, fd: std::os::fd::OwnedFd) -> Res<()> {
    let std_sock = std::net::TcpStream::from(fd);
    if let Err(e) = std_sock.peer_addr() {
        return Err(parasol_core::err::fail_with(
            ERR::InvalidHandle,
            format!(
                "{} Handle is not a connected TCP socket: {e}",
                parasol_core::log::ctx(ptr)
            ),
        ));
    }
    std_sock
        .set_nonblocking(true)
        .map_err(|e| socket::err_from_io(&e))?;
    let _ = std_sock.set_nodelay(true);
    let sock = mio::net::TcpStream::from_std(std_sock);
    let ep = Ep::Client(ptr.id());
    with_stream(ep, |s| s.conn = Some(Connection::new(sock)));
    stream::register(ep)?;
    stream::became_connected(ep);
    Ok(())
}

/// The local address of a connected client socket.
pub(crate) fn local_address(ptr: &ObjectPtr) -> Option<IPAddress> {
    let d = ptr.try_data::<NetSocketData>().ok()?;
    d.stream
        .conn
        .as_ref()?
        .socket_ref()
        .local_addr()
        .ok()
        .map(IPAddress::from)
}
