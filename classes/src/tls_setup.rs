//! NetSocket's TLS settings beyond Parasol's four SSL fields, and the one place a client
//! template or a server configuration is built from a NetSocket's fields.

use crate::constants::NSF;
use crate::data::NetSocketData;
use parasol_core::err::fail_with;
use parasol_core::field::FieldBuilder;
use parasol_core::{Res, Value, ERR};
use parasol_net::tls::rustls::{ClientConfig, ServerConfig};
use parasol_net::tls::{
    parse_alpn, ClientAuth, ClientOptions, ClientTemplate, Identity, ServerOptions, ServerTls,
};
use std::sync::Arc;

/// A rustls configuration of the user's own (the TLSConfig field), for a client or a server.
#[derive(Clone, Debug)]
pub enum TlsConfig {
    /// For a client NetSocket.
    Client(Arc<ClientConfig>),
    /// For a server NetSocket.
    Server(Arc<ServerConfig>),
}

/// The TLS extension fields of a NetSocket.
#[derive(Debug, Default)]
pub(crate) struct TlsFields {
    /// ALPN: protocols offered (client) or accepted (server), comma-separated.
    pub alpn: Option<String>,
    /// ServerName: the name a client sends (SNI) and verifies, when not its Address.
    pub server_name: Option<String>,
    /// SSLClientCA: a server's CA for client certificates.
    pub client_ca: Option<String>,
    /// SSLClientAuth: whether a server asks for client certificates.
    pub client_auth: Option<ClientAuth>,
    /// SSLIdentities: a server's identities by SNI name.
    pub sni: Vec<(String, Identity)>,
    /// SSLNoResume: clients make a full handshake every time.
    pub no_resumption: bool,
    /// TLSConfig: the user's own rustls configuration.
    pub config: Option<TlsConfig>,
}

/// The SSLIdentities field's value: one `NAME=CERT,KEY` text, several separated by `;` or
/// line breaks, or an array of such texts.
pub(crate) fn parse_sni(v: &Value) -> Res<Vec<(String, Identity)>> {
    let texts: Vec<String> = match v {
        Value::None => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Res<_>>()?,
        v => v.as_str()?.split([';', '\n']).map(str::to_owned).collect(),
    };
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(parasol_net::tls::parse_sni_identity)
        .collect()
}

/// The TLSConfig field's value: a [`TlsConfig`], or a bare `Arc<ClientConfig>` /
/// `Arc<ServerConfig>`, carried as `Value::Any`.
pub(crate) fn parse_config(v: Value) -> Res<Option<TlsConfig>> {
    match v {
        Value::None => Ok(None),
        Value::Any(any) => {
            if let Some(c) = any.downcast_ref::<TlsConfig>() {
                Ok(Some(c.clone()))
            } else if let Some(c) = any.downcast_ref::<Arc<ClientConfig>>() {
                Ok(Some(TlsConfig::Client(c.clone())))
            } else if let Some(c) = any.downcast_ref::<Arc<ServerConfig>>() {
                Ok(Some(TlsConfig::Server(c.clone())))
            } else {
                Err(fail_with(
                    ERR::FieldTypeMismatch,
                    "TLSConfig: expected an Arc<rustls::ClientConfig> or Arc<rustls::ServerConfig>",
                ))
            }
        }
        _ => Err(fail_with(
            ERR::FieldTypeMismatch,
            "TLSConfig: expected an Arc<rustls::ClientConfig> or Arc<rustls::ServerConfig>",
        )),
    }
}

fn alpn(d: &NetSocketData) -> Res<Vec<Vec<u8>>> {
    d.tls.alpn.as_deref().map_or(Ok(Vec::new()), parse_alpn)
}

/// The client template a NetSocket's fields describe (TLSConfig wins when set).
pub(crate) fn client_template(d: &NetSocketData) -> Res<ClientTemplate> {
    match &d.tls.config {
        Some(TlsConfig::Client(c)) => return Ok(ClientTemplate::from_config(c.clone())),
        Some(TlsConfig::Server(_)) => {
            return Err(fail_with(
                ERR::Args,
                "TLSConfig holds a rustls ServerConfig, and this NetSocket is a client",
            ))
        }
        None => {}
    }
    let identity = Identity {
        certificate: d.ssl_certificate.clone(),
        private_key: d.ssl_private_key.clone(),
        password: d.ssl_key_password.clone(),
    };
    ClientTemplate::from_options(&ClientOptions {
        ca: d.ssl_ca.clone(),
        no_verify: d.flags.contains(NSF::SSL_NO_VERIFY),
        identity: (!identity.is_empty()).then_some(identity),
        alpn: alpn(d)?,
        no_resumption: d.tls.no_resumption,
    })
}

/// The name a client's TLS session is for: ServerName, else the address it connects to.
pub(crate) fn session_host(d: &NetSocketData) -> String {
    d.tls
        .server_name
        .clone()
        .or_else(|| d.address.clone())
        .unwrap_or_default()
}

/// True when a server NetSocket's fields ask for TLS.
pub(crate) fn server_wants_tls(d: &NetSocketData) -> bool {
    d.flags.contains(NSF::SSL)
        || d.ssl_certificate.is_some()
        || matches!(d.tls.config, Some(TlsConfig::Server(_)))
}

/// The server configuration a NetSocket's fields describe (TLSConfig wins when set).
pub(crate) fn server_tls(d: &NetSocketData) -> Res<ServerTls> {
    match &d.tls.config {
        Some(TlsConfig::Server(c)) => return Ok(ServerTls::from_config(c.clone())),
        Some(TlsConfig::Client(_)) => {
            return Err(fail_with(
                ERR::Args,
                "TLSConfig holds a rustls ClientConfig, and this NetSocket is a server",
            ))
        }
        None => {}
    }
    ServerTls::from_options(&ServerOptions {
        identity: Identity {
            certificate: d.ssl_certificate.clone(),
            private_key: d.ssl_private_key.clone(),
            password: d.ssl_key_password.clone(),
        },
        sni: d.tls.sni.clone(),
        client_ca: d.tls.client_ca.clone(),
        client_auth: d.tls.client_auth,
        alpn: alpn(d)?,
    })
}

/// Object data that carries a connection (a client NetSocket, a ClientSocket).
pub(crate) trait HasStream {
    fn stream(&self) -> &crate::data::Stream;
}

impl HasStream for NetSocketData {
    fn stream(&self) -> &crate::data::Stream {
        &self.stream
    }
}

impl HasStream for crate::data::ClientSocketData {
    fn stream(&self) -> &crate::data::Stream {
        &self.stream
    }
}

/// What the connection's TLS session says, if it has one.
pub(crate) fn from_session<T: HasStream, R>(
    d: &T,
    f: impl FnOnce(&parasol_net::tls::TlsSession) -> Option<R>,
) -> Option<R> {
    d.stream().conn.as_ref().and_then(|c| c.tls()).and_then(f)
}

fn text(v: Option<String>) -> Value {
    v.map_or(Value::None, Value::Str)
}

/// ALPNProtocol: the protocol agreed in the handshake (read-only).
pub(crate) fn alpn_protocol_field<T: HasStream + 'static>(f: FieldBuilder<T>) -> FieldBuilder<T> {
    f.get(|d| text(from_session(d, |t| t.alpn_protocol())))
        .doc("TLS: the ALPN protocol agreed in the handshake, once CONNECTED (extension).")
}

/// PeerCertificate: the peer's certificate chain as PEM (read-only).
pub(crate) fn peer_certificate_field<T: HasStream + 'static>(
    f: FieldBuilder<T>,
) -> FieldBuilder<T> {
    f.get(|d| {
        text(from_session(d, |t| {
            t.peer_certificate().map(|p| p.chain_pem)
        }))
    })
    .doc("TLS: the certificate chain the peer sent, leaf first, as PEM (extension).")
}

/// PeerSubject: the subject of the peer's certificate (read-only).
pub(crate) fn peer_subject_field<T: HasStream + 'static>(f: FieldBuilder<T>) -> FieldBuilder<T> {
    f.get(|d| text(from_session(d, |t| t.peer_certificate().map(|p| p.subject))))
        .doc("TLS: the subject of the peer's certificate, e.g. CN=localhost (extension).")
}

/// PeerFingerprint: SHA-256 of the peer's certificate (read-only).
pub(crate) fn peer_fingerprint_field<T: HasStream + 'static>(
    f: FieldBuilder<T>,
) -> FieldBuilder<T> {
    f.get(|d| {
        text(from_session(d, |t| {
            t.peer_certificate().map(|p| p.fingerprint_sha256)
        }))
    })
    .doc("TLS: SHA-256 fingerprint of the peer's certificate, AB:CD:… (extension).")
}
