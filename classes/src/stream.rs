//! The connection driver shared by client NetSockets and ClientSockets: readiness handling,
//! the Incoming/Outgoing/Feedback callbacks, Read, Write and every way a connection ends.
//!
//! Rules kept here (see `docs/NETSOCKET.md`): Incoming is called only when bytes are staged; what it
//! leaves is offered again next cycle; reading nothing discards with a warning; Terminate closes
//! gracefully; Retry pauses reading until the queue is at most half of MsgLimit. Reads and
//! Outgoing pumping are bounded per cycle so one socket cannot starve the others.

use crate::constants::{NSF, NTC};
use crate::data::{ClientSocketData, NetSocketData, Stream};
use parasol_core::msgloop::{io_deregister, io_recall, io_register, Interest, Ready};
use parasol_core::{free_resource, Function, ObjectId, ObjectPtr, ObjectScope, Res, Value, ERR};
use parasol_net::conn::Fill;
use parasol_net::linger::{close_gracefully, DEFAULT_LINGER};
use parasol_net::Connection;
use std::cell::RefMut;
use std::rc::Rc;

/// Incoming calls per socket per cycle before yielding to other sockets.
const READ_BUDGET: usize = 16;
/// Outgoing calls per socket per cycle.
const PUMP_BUDGET: usize = 16;

/// The object a stream belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ep {
    /// A client NetSocket.
    Client(ObjectId),
    /// A ClientSocket accepted by `server`.
    Accepted { sock: ObjectId, server: ObjectId },
}

/// How a connection ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum How {
    /// The peer closed gracefully after everything was delivered: Error Okay.
    PeerClosed,
    /// The connection failed: Error set to the ERR; the socket is closed at once.
    Failed(ERR),
    /// Closed locally (Terminate, DisconnectSocket …): queued data is still flushed; Error kept.
    Local,
    /// Closed locally for a reason (Incoming returned an error, IdleTimeout): queued data is
    /// still flushed, and Error records the reason.
    LocalError(ERR),
    /// Disable: both directions shut at once, queue discarded; Error kept.
    Abort,
    /// The object is being freed: like `Local` but no Feedback.
    Freed,
}

impl Ep {
    pub fn obj(self) -> ObjectId {
        match self {
            Ep::Client(o) => o,
            Ep::Accepted { sock, .. } => sock,
        }
    }

    pub fn server(self) -> Option<ObjectId> {
        match self {
            Ep::Client(_) => None,
            Ep::Accepted { server, .. } => Some(server),
        }
    }

    /// Callback arguments naming the socket — `(NetSocket)` or `(NetSocket, ClientSocket)` —
    /// followed by `extra` if given (Feedback's state). On the stack: no allocation per call.
    fn call(self, f: &Function, extra: Option<Value>) -> ERR {
        match (self, extra) {
            (Ep::Client(o), None) => f.call(&[Value::Object(o)]),
            (Ep::Client(o), Some(x)) => f.call(&[Value::Object(o), x]),
            (Ep::Accepted { sock, server }, None) => {
                f.call(&[Value::Object(server), Value::Object(sock)])
            }
            (Ep::Accepted { sock, server }, Some(x)) => {
                f.call(&[Value::Object(server), Value::Object(sock), x])
            }
        }
    }
}

/// Records what a failure about to be reported said (read back as ErrorDetail).
pub(crate) fn note_failure_detail(ep: Ep, detail: Option<String>) {
    if detail.is_some() {
        with_stream(ep, |s| s.error_detail = detail);
    }
}

/// Borrows the stream of `ptr` (a NetSocket or a ClientSocket).
pub(crate) fn stream_of(ptr: &ObjectPtr) -> Option<RefMut<'_, Stream>> {
    if let Ok(d) = ptr.try_data_mut::<NetSocketData>() {
        return Some(RefMut::map(d, |d| &mut d.stream));
    }
    ptr.try_data_mut::<ClientSocketData>()
        .ok()
        .map(|d| RefMut::map(d, |d| &mut d.stream))
}

/// Runs `f` on the stream of the endpoint; `None` if the object is gone or busy.
pub(crate) fn with_stream<R>(ep: Ep, f: impl FnOnce(&mut Stream) -> R) -> Option<R> {
    let ptr = ep.obj().ptr().ok()?;
    stream_at(&ptr, ep, f)
}

/// [`with_stream`] on an object already resolved.
#[inline]
fn stream_at<R>(ptr: &ObjectPtr, ep: Ep, f: impl FnOnce(&mut Stream) -> R) -> Option<R> {
    match ep {
        Ep::Client(_) => ptr
            .try_data_mut::<NetSocketData>()
            .ok()
            .map(|mut d| f(&mut d.stream)),
        Ep::Accepted { .. } => ptr
            .try_data_mut::<ClientSocketData>()
            .ok()
            .map(|mut d| f(&mut d.stream)),
    }
}

/// An endpoint resolved once for a whole readiness event. Its object stays in the store until
/// the event ends (the event holds the object's scope, so a free meanwhile is deferred), so
/// looking it up again for each step would find the same object.
struct Live<'a> {
    ep: Ep,
    ptr: &'a ObjectPtr,
    /// An accepted socket's server, resolved with it.
    server: Option<&'a ObjectPtr>,
}

impl Live<'_> {
    #[inline]
    fn stream<R>(&self, f: impl FnOnce(&mut Stream) -> R) -> Option<R> {
        stream_at(self.ptr, self.ep, f)
    }

    fn state(&self) -> NTC {
        self.stream(|s| s.state).unwrap_or(NTC::DISCONNECTED)
    }

    /// The Incoming callback to call: a client NetSocket's, or a ClientSocket's own, else its
    /// server's (which serves every client without one of its own).
    fn incoming(&self) -> Function {
        match self.ep {
            Ep::Client(_) => self
                .ptr
                .try_data::<NetSocketData>()
                .map(|d| d.incoming.clone())
                .unwrap_or_default(),
            Ep::Accepted { .. } => {
                let own = self
                    .ptr
                    .try_data::<ClientSocketData>()
                    .ok()
                    .filter(|d| d.incoming.defined())
                    .map(|d| d.incoming.clone());
                own.or_else(|| {
                    let d = self.server?.try_data::<NetSocketData>().ok()?;
                    Some(d.incoming.clone())
                })
                .unwrap_or_default()
            }
        }
    }
}

/// A value of a NetSocket's data (the client itself, or a ClientSocket's server).
pub(crate) fn netsocket_value<R>(
    id: ObjectId,
    pick: impl FnOnce(&NetSocketData) -> R,
) -> Option<R> {
    id.ptr()
        .ok()
        .and_then(|p| p.try_data::<NetSocketData>().ok().map(|d| pick(&d)))
}

fn netsocket_fn(id: ObjectId, pick: fn(&NetSocketData) -> &Function) -> Function {
    id.ptr()
        .ok()
        .and_then(|p| p.try_data::<NetSocketData>().ok().map(|d| pick(&d).clone()))
        .unwrap_or_default()
}

fn clientsocket_fn(id: ObjectId, pick: fn(&ClientSocketData) -> &Function) -> Function {
    id.ptr()
        .ok()
        .and_then(|p| {
            p.try_data::<ClientSocketData>()
                .ok()
                .map(|d| pick(&d).clone())
        })
        .unwrap_or_default()
}

fn feedback_of(ep: Ep) -> Function {
    netsocket_fn(ep.server().unwrap_or(ep.obj()), |d| &d.feedback)
}

/// Terminate clears the Incoming that was called: a client NetSocket's, or a ClientSocket's own.
/// The server's Incoming serves every client, so Terminate from one client closes that client only.
fn clear_incoming(ep: Ep) {
    let Ok(p) = ep.obj().ptr() else { return };
    match ep {
        Ep::Client(_) => {
            if let Ok(mut d) = p.try_data_mut::<NetSocketData>() {
                d.incoming.clear();
            }
        }
        Ep::Accepted { .. } => {
            if let Ok(mut d) = p.try_data_mut::<ClientSocketData>() {
                d.incoming.clear();
            }
        }
    }
}

fn outgoing_of(ep: Ep) -> Function {
    match ep {
        Ep::Client(o) => netsocket_fn(o, |d| &d.outgoing),
        Ep::Accepted { sock, .. } => clientsocket_fn(sock, |d| &d.outgoing),
    }
}

fn clear_outgoing(ep: Ep) {
    if let Ok(p) = ep.obj().ptr() {
        if let Ok(mut d) = p.try_data_mut::<NetSocketData>() {
            d.outgoing.clear();
        } else if let Ok(mut d) = p.try_data_mut::<ClientSocketData>() {
            d.outgoing.clear();
        }
    }
}

/// Sets the state and fires Feedback once if it changed (after the field holds the new value).
pub(crate) fn set_state(ep: Ep, new: NTC) {
    let changed = with_stream(ep, |s| {
        if s.state == new {
            None
        } else {
            s.state = new;
            Some(s.flags)
        }
    });
    let Some(Some(flags)) = changed else { return };
    if flags.contains(NSF::LOG_ALL) {
        log::info!(
            "{} state {}",
            parasol_core::log::IdCtx(ep.obj()),
            new.name()
        );
    } else {
        log::debug!(
            "{} state {}",
            parasol_core::log::IdCtx(ep.obj()),
            new.name()
        );
    }
    let fb = feedback_of(ep);
    if fb.defined() {
        // Feedback's return value is ignored (Parasol documents none).
        let _ = ep.call(&fb, Some(Value::from(new)));
    }
}

/// The current state.
pub(crate) fn state_of(ep: Ep) -> NTC {
    with_stream(ep, |s| s.state).unwrap_or(NTC::DISCONNECTED)
}

/// Registers the stream's socket with the loop (readable and writable, edge-triggered).
pub(crate) fn register(ep: Ep) -> Res<()> {
    let ptr = ep.obj().ptr()?;
    let mut s = stream_of(&ptr).ok_or(ERR::LostClass)?;
    let conn = s.conn.as_mut().ok_or(ERR::NotInitialised)?;
    let handler = Rc::new(move |ready: Ready| on_ready(ep, ready));
    let token = io_register(
        conn.socket(),
        Interest::READABLE | Interest::WRITABLE,
        handler,
    )?;
    s.token = Some(token);
    Ok(())
}

/// Asks the loop to run this stream's handler on the next cycle.
pub(crate) fn recall(ep: Ep) {
    if let Some(Some(t)) = with_stream(ep, |s| s.token) {
        io_recall(t);
    }
}

/// Runs the readiness handler now (SYNCHRONOUS mode drives sockets itself).
pub(crate) fn drive_now(ep: Ep, ready: Ready) {
    on_ready(ep, ready);
}

fn on_ready(ep: Ep, ready: Ready) {
    let Ok(ptr) = ep.obj().ptr() else { return };
    let scope = ObjectScope::enter_owned(ptr);
    let server_scope = ep
        .server()
        .and_then(|s| s.ptr().ok())
        .map(ObjectScope::enter_owned);
    let live = Live {
        ep,
        ptr: scope.ptr(),
        server: server_scope.as_ref().map(ObjectScope::ptr),
    };
    let state = live.stream(|s| {
        s.in_handler = true;
        if let Some(c) = s.conn.as_mut() {
            c.start_of_event();
            if ready.read_closed || ready.error {
                c.saw_hangup();
            }
        }
        s.state
    });
    drive(&live, state.unwrap_or(NTC::DISCONNECTED));
    let flushed = live.stream(|s| {
        s.in_handler = false;
        let c = s.conn.as_mut()?;
        let result = c.end_of_event();
        // Outgoing, ShutdownWrite and a Retry pause wait for the queue to drain. When it drained
        // during this event without the kernel ever refusing data (TLS records batched until a
        // read or this flush wrote them), no writable edge will come: look again next cycle.
        let waiting =
            s.state == NTC::CONNECTED && (s.outgoing_armed || s.close_write_pending || s.paused);
        Some((result, waiting))
    });
    match flushed {
        Some(Some((Err(e), _))) => disconnect(ep, How::Failed(e)),
        Some(Some((Ok(true), true))) => recall(ep),
        _ => {}
    }
}

/// Moves the connection on from `state` (read as the event started).
fn drive(live: &Live, mut state: NTC) {
    let ep = live.ep;
    if state == NTC::CONNECTING {
        crate::client::connect_step(ep);
        state = live.state();
    }
    if state == NTC::HANDSHAKING {
        handshake_step(ep);
        state = live.state();
    }
    if state != NTC::CONNECTED {
        return;
    }
    if !write_step(live) {
        return;
    }
    read_step(live);
}

/// Drives a TLS handshake; on completion the stream becomes CONNECTED.
pub(crate) fn handshake_step(ep: Ep) {
    let Some(Some((fill, handshaking, valid_cert))) = with_stream(ep, |s| {
        s.conn.as_mut().map(|c| {
            let fill = c.fill();
            let flushed = c.flush();
            let fill = match (fill, flushed) {
                (Fill::Failed(e), _) | (_, Err(e)) => Fill::Failed(e),
                (f, _) => f,
            };
            (fill, c.handshaking(), c.tls().map_or(0, |t| t.valid_cert()))
        })
    }) else {
        return;
    };
    if let Ep::Client(o) = ep {
        crate::client::record_valid_cert(o, valid_cert);
    }
    match fill {
        // rustls finished the handshake: CONNECTED, even if sending what was queued during it
        // then failed (the peer may have read part of it): that failure is the connection's
        // own, reported from the next cycle with its ERR, not a handshake failure.
        _ if !handshaking => {
            if let Some(Some(desc)) = with_stream(ep, |s| {
                s.conn.as_ref().and_then(|c| c.tls()).map(|t| t.describe())
            }) {
                log::debug!(
                    "{} TLS established: {desc}",
                    parasol_core::log::IdCtx(ep.obj())
                );
            }
            became_connected(ep);
        }
        Fill::Failed(e) => {
            let e = if e == ERR::Disconnected || e == ERR::Security {
                ERR::Security
            } else {
                e
            };
            // Reported to the application (Feedback, Error, ErrorDetail) and logged at info by
            // disconnect with its detail.
            log::debug!(
                "{} TLS handshake failed",
                parasol_core::log::IdCtx(ep.obj())
            );
            disconnect(ep, How::Failed(e));
        }
        Fill::Eof => disconnect(ep, How::Failed(ERR::Security)),
        _ => {}
    }
}

/// Starts TLS on the stream's connection and enters HANDSHAKING (Feedback once); the handshake
/// goes on from the loop. `starttls`: the connection already carried plaintext (see
/// [`Connection::start_tls`]). A failure ends the connection with its ERR, which is returned.
pub(crate) fn begin_tls(ep: Ep, session: parasol_net::tls::TlsSession, starttls: bool) -> ERR {
    let started = with_stream(ep, |s| {
        s.conn.as_mut().map(|c| {
            c.start_tls(session, starttls)
                .and_then(|_| c.flush().map(|_| ()))
        })
    });
    match started {
        Some(Some(Ok(()))) => {
            set_state(ep, NTC::HANDSHAKING);
            if let Some(server) = ep.server() {
                let secs = netsocket_value(server, |d| d.handshake_timeout).unwrap_or(0.0);
                crate::timeouts::arm_handshake(ep, secs);
            }
            recall(ep);
            ERR::Okay
        }
        Some(Some(Err(e))) => {
            disconnect(ep, How::Failed(e));
            e
        }
        _ => ERR::Disconnected,
    }
}

/// The connection is usable: state CONNECTED (Feedback), queued data flushed, Outgoing armed.
pub(crate) fn became_connected(ep: Ep) {
    if let Ep::Client(o) = ep {
        crate::client::cancel_connect_timer(o);
    }
    let idle = netsocket_value(ep.server().unwrap_or(ep.obj()), |d| d.idle_timeout);
    crate::timeouts::connected(ep, idle.unwrap_or(0.0));
    with_stream(ep, |s| s.outgoing_armed = true);
    set_state(ep, NTC::CONNECTED);
    if state_of(ep) == NTC::CONNECTED {
        recall(ep);
    }
}

/// Flushes the queue, resumes paused reading, and pumps Outgoing. False if the stream ended.
fn write_step(live: &Live) -> bool {
    let ep = live.ep;
    // One borrow for the common case: flush, and learn what else is pending.
    let Some(Some((result, had_queue, armed, close_pending))) = live.stream(|s| {
        let (armed, close_pending) = (s.outgoing_armed, s.close_write_pending);
        let limit = s.msg_limit;
        let paused = &mut s.paused;
        s.conn.as_mut().map(|c| {
            let had = c.out_len() > 0;
            let result = c.flush();
            if *paused && c.out_len() <= limit / 2 {
                *paused = false;
            }
            (result, had, armed, close_pending)
        })
    }) else {
        return false;
    };
    let drained = match result {
        Ok(d) => d,
        Err(e) => {
            disconnect(ep, How::Failed(e));
            return false;
        }
    };
    if !drained {
        return true;
    }
    if close_pending {
        // Our sending side ends here (FIN, after TLS close_notify); reading goes on.
        live.stream(|s| {
            if s.conn.as_mut().is_none_or(Connection::close_write) {
                s.close_write_pending = false;
                s.outgoing_armed = false;
            }
        });
        return true;
    }
    let rearm = had_queue && outgoing_of(ep).defined();
    if rearm {
        live.stream(|s| s.outgoing_armed = true);
    }
    if armed || rearm {
        pump_outgoing(ep);
        return live.state() == NTC::CONNECTED;
    }
    true
}

/// The ShutdownWrite method: ends the sending side once everything queued is sent, keeps
/// receiving until the peer closes. While CONNECTING or HANDSHAKING it waits for CONNECTED (so
/// "write, then shut down" works right after Connect, as with a pipe into `nc`); DISCONNECTED →
/// `InvalidState`.
pub(crate) fn shutdown_write(ep: Ep) -> ERR {
    match state_of(ep) {
        NTC::CONNECTING | NTC::HANDSHAKING | NTC::CONNECTED => {}
        _ => return ERR::InvalidState,
    }
    with_stream(ep, |s| s.close_write_pending = true);
    recall(ep);
    ERR::Okay
}

fn taken_total(ep: Ep) -> Option<(u64, usize)> {
    with_stream(ep, |s| {
        s.conn.as_ref().map(|c| (c.taken_total(), c.out_len()))
    })
    .flatten()
}

/// Outgoing was set (and armed): pumping starts on the next cycle if connected, never from inside
/// the field write that set it.
pub(crate) fn outgoing_set(ep: Ep) {
    if state_of(ep) == NTC::CONNECTED {
        recall(ep);
    }
}

/// Calls Outgoing while it keeps writing and the queue stays empty, bounded per cycle.
pub(crate) fn pump_outgoing(ep: Ep) {
    for _ in 0..PUMP_BUDGET {
        if with_stream(ep, |s| s.outgoing_armed) != Some(true) {
            return;
        }
        let cb = outgoing_of(ep);
        if !cb.defined() {
            with_stream(ep, |s| s.outgoing_armed = false);
            return;
        }
        let Some((before, queued)) = taken_total(ep) else {
            return;
        };
        if queued > 0 {
            return;
        }
        let r = ep.call(&cb, None);
        if state_of(ep) != NTC::CONNECTED {
            return;
        }
        if r != ERR::Okay {
            if r == ERR::Exception {
                log::warn!(
                    "{} Outgoing failed; callback cleared",
                    parasol_core::log::IdCtx(ep.obj())
                );
            }
            clear_outgoing(ep);
            with_stream(ep, |s| s.outgoing_armed = false);
            return;
        }
        let Some((after, queued)) = taken_total(ep) else {
            return;
        };
        if after == before {
            with_stream(ep, |s| s.outgoing_armed = false);
            return;
        }
        if queued > 0 {
            return;
        }
    }
    recall(ep);
}

/// Stages input and hands it to Incoming until the socket is drained or the budget is spent.
fn read_step(live: &Live) {
    let ep = live.ep;
    let mut incoming = live.incoming();
    for _ in 0..READ_BUDGET {
        // One borrow: the pause check, staging input, and how much is staged.
        let Some(Some((fill, before))) = live.stream(|s| {
            if s.paused {
                return None;
            }
            let c = s.conn.as_mut()?;
            let fill = c.fill();
            let staged = c.staged_len();
            if let Fill::Data { .. } = fill {
                crate::timeouts::touch(s);
            }
            Some((fill, staged))
        }) else {
            return;
        };
        match fill {
            Fill::Data { drained } => {
                if !incoming.defined() {
                    // Nobody reads from the loop: keep the bytes for the Read action.
                    live.stream(|s| s.conn.as_mut().map(Connection::settle));
                    return;
                }
                let r = ep.call(&incoming, None);
                // The callback may have closed or reconfigured anything: look again.
                let Some((NTC::CONNECTED, after, stream_ended)) = live.stream(|s| {
                    let c = s.conn.as_ref();
                    (
                        s.state,
                        c.map_or(0, Connection::staged_len),
                        // Read reported the end (EOF or a failure) to the callback itself.
                        c.is_some_and(|c| c.eof_seen() || c.failure().is_some()),
                    )
                }) else {
                    return;
                };
                match r {
                    ERR::Terminate | ERR::Exception => {
                        clear_incoming(ep);
                        disconnect(ep, How::Local);
                        return;
                    }
                    // Passing on what Read said about the stream's end is no failure of the
                    // callback: the end is handled below with the stream's own Error.
                    e if e.0 > ERR::ExceptionThreshold.0 && !stream_ended => {
                        // An error (e.g. the BufferOverflow of a Write that could not take what
                        // was read) means the callback could not handle the stream: end it
                        // loudly rather than carry on with a hole in the data.
                        log::warn!(
                            "{} Incoming returned {e:?} ({e}): closing the connection",
                            parasol_core::log::IdCtx(ep.obj())
                        );
                        disconnect(ep, How::LocalError(e));
                        return;
                    }
                    ERR::Retry => {
                        let pause = live.stream(|s| {
                            if let Some(c) = s.conn.as_mut() {
                                c.settle();
                            }
                            let pause = s.out_len() > s.msg_limit / 2;
                            s.paused = pause;
                            pause
                        });
                        if pause == Some(false) {
                            recall(ep);
                        }
                        return;
                    }
                    _ => {
                        if after > 0 && after == before {
                            let n = live
                                .stream(|s| s.conn.as_mut().map_or(0, Connection::discard_staged));
                            log::warn!(
                                "{} Incoming read nothing: {} bytes discarded",
                                parasol_core::log::IdCtx(ep.obj()),
                                n.unwrap_or(0)
                            );
                        } else if after > 0 {
                            live.stream(|s| s.conn.as_mut().map(Connection::settle));
                            recall(ep);
                            return;
                        }
                    }
                }
                // A short read emptied the kernel's queue; the next edge says when there is
                // more (never true once the peer's close was reported: see `saw_hangup`).
                if drained {
                    return;
                }
                incoming = live.incoming();
            }
            Fill::Empty => return,
            Fill::Eof => {
                disconnect(ep, How::PeerClosed);
                return;
            }
            Fill::Failed(e) => {
                disconnect(ep, How::Failed(e));
                return;
            }
        }
    }
    recall(ep);
}

/// Ends the connection (see [`How`]); fires Feedback(DISCONNECTED) unless freeing, and releases
/// an accepted ClientSocket.
pub(crate) fn disconnect(ep: Ep, how: How) {
    let Some((conn, token, was, unborn)) = with_stream(ep, |s| {
        let conn = s.conn.take();
        let token = s.token.take();
        // Bytes written before a socket existed (name resolution under way).
        let unborn = s.pre_queue.len();
        s.pre_queue.clear();
        s.paused = false;
        s.outgoing_armed = false;
        s.close_write_pending = false;
        crate::timeouts::cancel(s);
        let was = s.state;
        if was != NTC::DISCONNECTED || conn.is_some() {
            s.ended = true;
        }
        match how {
            How::PeerClosed => s.error = ERR::Okay,
            How::Failed(e) | How::LocalError(e) => s.error = e,
            _ => {}
        }
        if let How::Failed(_) = how {
            // The connection's own reason wins over one recorded before it existed.
            if let Some(d) = conn.as_ref().and_then(|c| c.failure_detail()) {
                s.error_detail = Some(d.to_owned());
            }
        } else {
            s.error_detail = None;
        }
        (conn, token, was, unborn)
    }) else {
        return;
    };
    let closing = matches!(how, How::Local | How::LocalError(_) | How::Freed);
    if closing && unborn > 0 {
        log::warn!(
            "{} closed before its connection existed: {unborn} queued bytes dropped",
            parasol_core::log::IdCtx(ep.obj())
        );
    }
    if let Some(mut conn) = conn {
        if let Some(t) = token {
            io_deregister(t, conn.socket());
        }
        match how {
            // A lingering close sends what is queued but cannot finish a TLS handshake.
            _ if closing && conn.handshaking() => {
                if conn.out_len() > 0 {
                    log::warn!(
                        "{} closed during the TLS handshake: {} queued bytes dropped",
                        parasol_core::log::IdCtx(ep.obj()),
                        conn.out_len()
                    );
                }
                drop(conn)
            }
            // After the peer's close we still answer with ours (TLS close_notify, FIN) and send
            // what is queued: a half-closed peer may still be reading.
            How::PeerClosed | How::Local | How::LocalError(_) | How::Freed => {
                close_gracefully(conn, DEFAULT_LINGER)
            }
            How::Failed(_) => drop(conn),
            How::Abort => {
                conn.shutdown_both();
                drop(conn);
            }
        }
    }
    if let Ep::Client(o) = ep {
        crate::client::connection_gone(o, how);
    }
    match how {
        How::Failed(e) => {
            let detail = with_stream(ep, |s| s.error_detail.clone()).flatten();
            log::info!(
                "{} disconnected: {e:?} ({e}){}",
                parasol_core::log::IdCtx(ep.obj()),
                detail.map(|d| format!(": {d}")).unwrap_or_default()
            )
        }
        _ => log::debug!(
            "{} disconnected ({how:?})",
            parasol_core::log::IdCtx(ep.obj())
        ),
    }
    if how != How::Freed && was != NTC::DISCONNECTED {
        set_state(ep, NTC::DISCONNECTED);
    }
    if let (Ep::Accepted { sock, .. }, false) = (ep, how == How::Freed) {
        // Every path to DISCONNECTED releases the ClientSocket (deferred if its code is running).
        let _ = free_resource(sock);
    }
}

/// The Write action (see `docs/NETSOCKET.md` "Data path"); `ptr` is the endpoint's object,
/// already resolved by the action.
pub(crate) fn write(ptr: &ObjectPtr, ep: Ep, data: &[u8]) -> (ERR, usize) {
    let Some((err, taken, failed, sync, flags)) = stream_at(ptr, ep, |s| {
        let limit = s.msg_limit;
        let flags = s.flags;
        let connected = s.state == NTC::CONNECTED;
        match s.conn.as_mut() {
            Some(c) => {
                let (e, n) = c.write(data, limit, connected);
                let failed = c.failure().is_some();
                if n > 0 {
                    crate::timeouts::touch(s);
                }
                (e, n, failed, connected, flags)
            }
            None if s.ended => (ERR::Disconnected, 0, false, false, flags),
            None => {
                let room = limit.saturating_sub(s.pre_queue.len());
                let n = room.min(data.len());
                s.pre_queue.push(&data[..n]);
                (
                    if n < data.len() {
                        ERR::BufferOverflow
                    } else {
                        ERR::Okay
                    },
                    n,
                    false,
                    false,
                    flags,
                )
            }
        }
    }) else {
        return (ERR::NoMatchingObject, 0);
    };
    if failed {
        // Let the loop report the failure through Feedback, outside this action.
        recall(ep);
    }
    if flags.contains(NSF::LOG_ALL) || err == ERR::BufferOverflow {
        log_write(ep, flags, err, taken, data.len());
    }
    if sync && flags.contains(NSF::SYNCHRONOUS) && taken > 0 && !err.is_err() {
        return (write_waiting(ep, err), taken);
    }
    (err, taken)
}

/// The Write's log lines (LOG_ALL; a full queue at debug), out of the data path.
#[cold]
#[inline(never)]
fn log_write(ep: Ep, flags: NSF, err: ERR, taken: usize, len: usize) {
    if flags.contains(NSF::LOG_ALL) {
        log::info!(
            "{} Write {len} bytes: {err:?}, {taken} taken",
            parasol_core::log::IdCtx(ep.obj()),
        );
    }
    if err == ERR::BufferOverflow {
        log::debug!(
            "{} Write: queue full, {taken} of {len} bytes taken",
            parasol_core::log::IdCtx(ep.obj()),
        );
    }
}

/// SYNCHRONOUS: a client's Write returns once everything queued reached the kernel.
#[cold]
#[inline(never)]
fn write_waiting(ep: Ep, err: ERR) -> ERR {
    crate::sync::wait_flushed(ep).err().unwrap_or(err)
}

/// The Read action; `ptr` is the endpoint's object, already resolved by the action.
#[inline]
pub(crate) fn read(ptr: &ObjectPtr, ep: Ep, buf: &mut [u8]) -> Res<usize> {
    match read_once(ptr, ep, buf) {
        Some(r) => r,
        None => read_waiting(ptr, ep, buf),
    }
}

/// One Read: its result, or `None` when a SYNCHRONOUS client found nothing and must wait.
#[inline]
fn read_once(ptr: &ObjectPtr, ep: Ep, buf: &mut [u8]) -> Option<Res<usize>> {
    let Some((r, rearm, wait)) = stream_at(ptr, ep, |s| {
        let sync = matches!(ep, Ep::Client(_))
            && s.flags.contains(NSF::SYNCHRONOUS)
            && s.state == NTC::CONNECTED;
        match s.conn.as_mut() {
            Some(c) => {
                let r = c.read(buf);
                let rearm = !s.in_handler && (r.is_err() || c.staged_len() == 0);
                let wait = sync && matches!(r, Ok(0)) && !buf.is_empty();
                (r, rearm, wait)
            }
            None if s.ended => (Err(ERR::Disconnected), false, false),
            None => (Ok(0), false, false),
        }
    }) else {
        return Some(Err(ERR::NoMatchingObject));
    };
    if rearm {
        recall(ep);
    }
    (!wait).then_some(r)
}

/// SYNCHRONOUS: a client's Read waits for at least one byte or the end.
#[cold]
#[inline(never)]
fn read_waiting(ptr: &ObjectPtr, ep: Ep, buf: &mut [u8]) -> Res<usize> {
    loop {
        crate::sync::wait_readable(ep)?;
        if let Some(r) = read_once(ptr, ep, buf) {
            return r;
        }
    }
}
