//! `SetSSL`: STARTTLS, upgrading a connected plaintext NetSocket or ClientSocket to TLS in place.

use crate::constants::{NSF, NTC};
use crate::data::NetSocketData;
use crate::stream::{self, with_stream, Ep};
use parasol_core::{ArgSpec, FieldKind, ObjectId, ObjectPtr, Value, CLASSID, ERR};

/// The arguments of the SetSSL method (NetSocket's and ClientSocket's): Parasol's `Command` and
/// `Value`, both optional so a missing Command reaches [`set_ssl_command`] (NullArgs).
pub(crate) fn set_ssl_args() -> Vec<ArgSpec> {
    vec![
        ArgSpec::optional("Command", FieldKind::Str),
        ArgSpec::optional("Value", FieldKind::Str),
    ]
}

/// The SetSSL method routine.
pub(crate) fn set_ssl_method(o: &ObjectPtr, args: &mut [Value]) -> ERR {
    set_ssl_command(o.id(), args[0].as_str().ok())
}

/// Parasol's `SetSSL(NetSocket, Command, Value)`: `"EnableSSL"` upgrades a connected
/// plaintext socket in place ([`set_ssl`]). No command → NullArgs (Parasol's rule); an unknown
/// command → Args with a log line (Parasol logs it and returns Okay, which hides a typo);
/// `"DisableSSL"` on an encrypted socket → NoSupport (no downgrade here), on a plaintext one
/// Okay, nothing to do. Commands are case-sensitive, as in Parasol. `Value` is accepted and
/// unused, as by both of Parasol's commands.
pub fn set_ssl_command(obj: ObjectId, command: Option<&str>) -> ERR {
    let Some(command) = command.filter(|c| !c.is_empty()) else {
        return ERR::NullArgs;
    };
    match command {
        "EnableSSL" => set_ssl(obj),
        "DisableSSL" => {
            let Ok(ptr) = obj.ptr() else {
                return ERR::NoMatchingObject;
            };
            let encrypted = crate::stream::stream_of(&ptr)
                .is_some_and(|s| s.conn.as_ref().is_some_and(|c| c.tls().is_some()));
            if encrypted {
                parasol_core::err::fail_with(
                    ERR::NoSupport,
                    format!(
                        "{} SetSSL DisableSSL: a TLS connection is not downgraded to plaintext here",
                        parasol_core::log::ctx(&ptr)
                    ),
                )
            } else {
                ERR::Okay
            }
        }
        other => {
            let e = parasol_core::err::fail_with(
                ERR::Args,
                format!("SetSSL: unknown command \"{other}\" (EnableSSL or DisableSSL)"),
            );
            log::warn!("SetSSL: unknown command \"{other}\"");
            e
        }
    }
}

/// Upgrades a connected plaintext socket to TLS (Parasol's `SetSSL(…, "EnableSSL")`). The socket
/// goes HANDSHAKING → CONNECTED (Feedback each) or DISCONNECTED with Error Security. A client
/// verifies the server as at connect time (SSL_NO_VERIFY, SSLCACertificate apply); a ClientSocket
/// uses its server's SSLCertificate. Not CONNECTED → `InvalidState`; already TLS → `Okay`;
/// a server NetSocket → `NoSupport`.
pub fn set_ssl(obj: ObjectId) -> ERR {
    let Ok(ptr) = obj.ptr() else {
        return ERR::NoMatchingObject;
    };
    let ep = match ptr.class().id() {
        CLASSID::NETSOCKET => {
            let Ok(d) = ptr.try_data::<NetSocketData>() else {
                return ERR::InUse;
            };
            if d.is_server() || d.is_udp() {
                return ERR::NoSupport;
            }
            Ep::Client(obj)
        }
        CLASSID::CLIENTSOCKET => match ptr
            .try_data::<crate::data::ClientSocketData>()
            .ok()
            .and_then(|d| d.server)
        {
            Some(server) => Ep::Accepted { sock: obj, server },
            None => return ERR::NotInitialised,
        },
        _ => return ERR::WrongClass,
    };
    if stream::state_of(ep) != NTC::CONNECTED {
        return ERR::InvalidState;
    }
    if with_stream(ep, |s| s.conn.as_ref().is_some_and(|c| c.tls().is_some())) == Some(true) {
        return ERR::Okay;
    }
    let Ep::Client(id) = ep else {
        return crate::server::start_tls(ep);
    };
    let (template, host) = {
        let Ok(mut d) = ptr.try_data_mut::<NetSocketData>() else {
            return ERR::InUse;
        };
        if d.client.tls.is_none() {
            match crate::tls_setup::client_template(&d) {
                Ok(t) => d.client.tls = Some(t),
                Err(e) => return e,
            }
        }
        d.flags = d.flags | NSF::SSL;
        d.stream.flags = d.flags;
        (d.client.tls.clone(), crate::tls_setup::session_host(&d))
    };
    let session = match template.map(|t| t.session(&host)) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return e,
        None => return ERR::Security,
    };
    log::debug!("{} STARTTLS", parasol_core::log::IdCtx(id));
    stream::begin_tls(ep, session, true)
}
