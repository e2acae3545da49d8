//! The ClientSocket class: one accepted connection of a server NetSocket.

use crate::callback_check::{self, Callback, Role};
use crate::constants::NTC_TABLE;
use crate::data::ClientSocketData;
use crate::server;
use crate::stream::{self, disconnect, Ep, How};
use parasol_core::field::fd::*;
use parasol_core::{
    ActionArgs, ClassBuilder, FieldKind, MetaClass, ObjectPtr, Res, Value, AC, CCF, CLASSID, ERR,
};
use std::sync::Arc;

fn ep_of(o: &ObjectPtr) -> Res<Ep> {
    let server = o
        .try_data::<ClientSocketData>()?
        .server
        .ok_or(ERR::NotInitialised)?;
    Ok(Ep::Accepted {
        sock: o.id(),
        server,
    })
}

/// The Read action's routine (also called directly by the typed handle).
pub(crate) fn read(o: &ObjectPtr, buffer: &mut [u8]) -> Res<usize> {
    ep_of(o).and_then(|ep| stream::read(o, ep, buffer))
}

/// The Write action's routine: the ERR and the bytes taken (also called directly by the typed
/// handle).
pub(crate) fn write(o: &ObjectPtr, buffer: &[u8]) -> (ERR, usize) {
    match ep_of(o) {
        Ok(ep) => stream::write(o, ep, buffer),
        Err(e) => (e, 0),
    }
}

/// Registers ClientSocket.
pub(crate) fn register() -> Res<Arc<MetaClass>> {
    ClassBuilder::<ClientSocketData>::new("ClientSocket")
        .version(1.0)
        .category(CCF::NETWORK)
        .doc("One connection accepted by a server NetSocket (created by the server only).")
        .internal()
        .field("Client", FieldKind::Object, FD_READ, |f| f.get(|d| d.client.into()).doc("The NetClient (IP address group)."))
        .field("Next", FieldKind::Object, FD_READ, |f| f.get(|d| d.next.into()).doc("Next socket of the same NetClient."))
        .field("Prev", FieldKind::Object, FD_READ, |f| f.get(|d| d.prev.into()).doc("Previous socket of the same NetClient."))
        .field("State", FieldKind::Int, FD_READ, |f| f.get(|d| d.stream.state.into()).lookup(NTC_TABLE).doc("NTC state."))
        .field("ConnectTime", FieldKind::Int64, FD_READ, |f| {
            f.get(|d| Value::Int64(d.connect_time)).doc("When the connection was accepted: milliseconds on the loop's monotonic clock (PreciseTime / 1000).")
        })
        .field("ClientData", FieldKind::Any, FD_RW, crate::client_data::field)
        .field("Incoming", FieldKind::Function, FD_RW, |f| {
            f.get(|d| d.incoming.clone().into())
                .set_obj(|o, v| {
                    let func = v.to_function()?;
                    callback_check::check(Callback::Incoming, &func, Role::Server)?;
                    let defined = func.defined();
                    o.try_data_mut::<ClientSocketData>()?.incoming = func;
                    if defined {
                        if let Ok(ep) = ep_of(o) {
                            stream::recall(ep);
                        }
                    }
                    Ok(())
                })
                .doc("Data callback for this client only (NetSocket, ClientSocket) → ERR; overrides the server's.")
        })
        .field("Outgoing", FieldKind::Function, FD_RW, |f| {
            f.get(|d| d.outgoing.clone().into())
                .set_obj(|o, v| {
                    let func = v.to_function()?;
                    callback_check::check(Callback::Outgoing, &func, Role::Server)?;
                    let defined = func.defined();
                    {
                        let mut d = o.try_data_mut::<ClientSocketData>()?;
                        d.outgoing = func;
                        d.stream.outgoing_armed = defined;
                    }
                    if defined {
                        if let Ok(ep) = ep_of(o) {
                            stream::outgoing_set(ep);
                        }
                    }
                    Ok(())
                })
                .doc("Called while this client's queue is empty, to write more (NetSocket, ClientSocket) → ERR.")
        })
        .field("Handle", FieldKind::Int, FD_READ, |f| {
            f.get(|d| {
                use std::os::fd::AsRawFd;
                Value::Int(d.stream.conn.as_ref().map_or(-1, |c| c.socket_ref().as_raw_fd()))
            })
            .doc("OS descriptor (-1 once closed).")
        })
        .field("Error", FieldKind::Error, FD_READ, |f| {
            f.get(|d| Value::Int(d.stream.error.0)).doc("Why the connection ended (extension).")
        })
        .field("ErrorDetail", FieldKind::Str, FD_READ, |f| {
            f.get(|d| d.stream.error_detail.as_deref().map_or(Value::None, Value::from))
                .doc("What the failure behind Error said: the OS error, the TLS error or alert (extension).")
        })
        .field("OutQueueSize", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::Int(d.stream.out_len().min(i32::MAX as usize) as i32))
                .doc("Bytes accepted by Write and not yet handed to the kernel (extension).")
        })
        .field("ALPNProtocol", FieldKind::Str, FD_READ, crate::tls_setup::alpn_protocol_field)
        .field("PeerCertificate", FieldKind::Str, FD_READ, crate::tls_setup::peer_certificate_field)
        .field("PeerFingerprint", FieldKind::Str, FD_READ, crate::tls_setup::peer_fingerprint_field)
        .field("PeerSubject", FieldKind::Str, FD_READ, crate::tls_setup::peer_subject_field)
        .field("Address", FieldKind::Str, FD_READ, |f| {
            f.get(|d| d.peer.map_or(Value::None, |p| Value::Str(p.to_string())))
                .doc("The peer's address and port (extension).")
        })
        .action(AC::Init, |o, _| {
            let ok = {
                let Ok(d) = o.try_data::<ClientSocketData>() else { return ERR::InUse };
                d.server.is_some() && d.client.is_some() && d.stream.conn.is_some()
            };
            let owner_ok = o.owner().and_then(|s| s.ptr().ok()).is_some_and(|p| p.class().id() == CLASSID::NETSOCKET);
            if !ok || !owner_ok {
                log::warn!("{} ClientSockets are created by a server NetSocket", parasol_core::log::ctx(o));
                return ERR::UnsupportedOwner;
            }
            if let Err(e) = server::link_clientsocket(o) {
                return e;
            }
            match ep_of(o).and_then(stream::register) {
                Ok(()) => ERR::Okay,
                Err(e) => {
                    server::unlink_clientsocket(o);
                    e
                }
            }
        })
        .action(AC::Free, |o, _| {
            if let Ok(ep) = ep_of(o) {
                // DISCONNECTED fires once whatever the path; a socket already closed stays quiet.
                disconnect(ep, How::Local);
            }
            server::unlink_clientsocket(o);
            ERR::Okay
        })
        .action(AC::Read, |o, args| {
            let ActionArgs::Read { buffer, result } = args else { return ERR::Args };
            *result = 0;
            match read(o, buffer) {
                Ok(n) => {
                    *result = n;
                    ERR::Okay
                }
                Err(e) => e,
            }
        })
        .action(AC::Write, |o, args| {
            let ActionArgs::Write { buffer, result } = args else { return ERR::Args };
            let (e, n) = write(o, buffer);
            *result = n;
            e
        })
        .action(AC::Disable, |o, _| {
            if let Ok(ep) = ep_of(o) {
                disconnect(ep, How::Abort);
            }
            ERR::Okay
        })
        .method_at(
            AC(-9),
            "SetSSL",
            crate::ssl::set_ssl_args(),
            crate::ssl::set_ssl_method,
        )
        .method_doc("Parasol's SetSSL(Command, Value): \"EnableSSL\" upgrades this connection to TLS in place (STARTTLS) with the server's certificate.")
        .method_at(AC(-10), "ShutdownWrite", vec![], |o, _| match ep_of(o) {
            Ok(ep) => stream::shutdown_write(ep),
            Err(e) => e,
        })
        .method_doc("Ends the sending side once the queue is sent (FIN); keeps reading until the peer closes.")
        .register()
}
