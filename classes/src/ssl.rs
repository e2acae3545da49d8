//! `SetSSL`: STARTTLS, upgrading a connected plaintext NetSocket or ClientSocket to TLS in place.

use crate::constants::{NSF, NTC};
use crate::data::NetSocketData;
use crate::stream::{self, with_stream, Ep};
use parasol_core::{ObjectId, CLASSID, ERR};
use parasol_net::tls::ClientTemplate;

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
            match ClientTemplate::new(d.ssl_ca.as_deref(), !d.flags.contains(NSF::SSL_NO_VERIFY)) {
                Ok(t) => d.client.tls = Some(t),
                Err(e) => return e,
            }
        }
        d.flags = d.flags | NSF::SSL;
        d.stream.flags = d.flags;
        (d.client.tls.clone(), d.address.clone().unwrap_or_default())
    };
    let session = match template.map(|t| t.session(&host)) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return e,
        None => return ERR::Security,
    };
    log::debug!("{} STARTTLS", parasol_core::log::IdCtx(id));
    stream::begin_tls(ep, session, true)
}
