//! Server configurations: the identity (or identities, chosen by the client's SNI), the ALPN
//! protocols accepted, client certificates (mutual TLS), and session resumption; or a
//! `rustls::ServerConfig` of the user's own.

use super::config::{parse_certs, pem_source, provider, Identity};
use super::session::{TlsSession, Verdict};
use super::verify::ClientCheck;
use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use rustls::server::{
    ClientHello, ResolvesServerCert, ServerSessionMemoryCache, WebPkiClientVerifier,
};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::sync::Arc;

/// Whether a server asks clients for a certificate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClientAuth {
    /// No client certificates (the default without a client CA).
    #[default]
    None,
    /// Ask for one; a client without one is let in, a client with an untrusted one is not.
    Optional,
    /// A trusted client certificate is required (the default with a client CA).
    Require,
}

impl ClientAuth {
    /// Parses `none`, `optional` (or `request`) and `require` (or `required`), any case.
    ///
    /// # Errors
    /// Args for anything else, with a detail.
    pub fn parse(text: &str) -> Res<ClientAuth> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "off" | "" => Ok(ClientAuth::None),
            "optional" | "request" => Ok(ClientAuth::Optional),
            "require" | "required" | "on" => Ok(ClientAuth::Require),
            other => Err(fail_with(
                ERR::Args,
                format!("SSLClientAuth: \"{other}\" is not none, optional or require"),
            )),
        }
    }

    /// The name `parse` reads back.
    pub fn name(self) -> &'static str {
        match self {
            ClientAuth::None => "none",
            ClientAuth::Optional => "optional",
            ClientAuth::Require => "require",
        }
    }
}

/// Everything a server configuration is built from (NetSocket's fields on the generic door).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ServerOptions {
    /// The default identity (SSLCertificate, SSLPrivateKey, SSLKeyPassword): served to clients
    /// that send no server name, or one no SNI identity matches.
    pub identity: Identity,
    /// Identities chosen by the client's server name (SNI): `("example.com", …)`, or
    /// `("*.example.com", …)` for one label under it. Names compare without case.
    pub sni: Vec<(String, Identity)>,
    /// CA certificates client certificates are verified against (a PEM file or text). A
    /// client certificate equal to one of them is trusted as is, as OpenSSL does.
    pub client_ca: Option<String>,
    /// Whether to ask for client certificates; `None` with a client CA means `Require`.
    pub client_auth: Option<ClientAuth>,
    /// ALPN protocols accepted, most preferred first. A client that offers ALPN with none of
    /// them is refused with the `no_application_protocol` alert (RFC 7301).
    pub alpn: Vec<Vec<u8>>,
}

/// A server's TLS configuration (one per server NetSocket).
#[derive(Clone)]
pub struct ServerTls(Arc<ServerConfig>);

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls")
    }
}

/// Sessions a server remembers for resumption (TLS 1.2 session ids and TLS 1.3 tickets).
const SERVER_SESSIONS: usize = 4096;

impl ServerTls {
    /// A session for one accepted connection.
    ///
    /// # Errors
    /// Security if rustls cannot start the session.
    pub fn session(&self) -> Res<TlsSession> {
        let conn = rustls::ServerConnection::new(self.0.clone())
            .map_err(|e| fail_with(ERR::Security, format!("TLS server session: {e}")))?;
        Ok(TlsSession::new(
            rustls::Connection::Server(conn),
            Verdict::Server,
        ))
    }

    /// A server that uses the user's own configuration as it is.
    pub fn from_config(config: Arc<ServerConfig>) -> ServerTls {
        ServerTls(config)
    }

    /// The rustls configuration, to share one among several servers (one per loop): they then
    /// share its session cache, so a client resumes whichever loop it reaches.
    pub fn config(&self) -> Arc<ServerConfig> {
        self.0.clone()
    }

    /// Builds a server configuration from `options`.
    ///
    /// # Errors
    /// FieldNotSet without any identity; FileNotFound or File for a file that cannot be read;
    /// InvalidData when it holds no certificate or key, or the password is wrong; Mismatch when
    /// a key does not match its certificate; Args for a client authentication mode without a
    /// client CA; NoSupport for PKCS#12 or an encrypted key in a build without the `pkcs12`
    /// feature. Each failure records its reason (`err::take_failure_detail`).
    pub fn from_options(options: &ServerOptions) -> Res<ServerTls> {
        let default = if options.identity.is_empty() {
            if options.sni.is_empty() {
                return Err(fail_with(
                    ERR::FieldNotSet,
                    "An SSL server needs SSLCertificate (and SSLPrivateKey)",
                ));
            }
            None
        } else {
            Some(options.identity.certified_key("SSLCertificate")?)
        };
        let mut by_name = HashMap::new();
        for (name, id) in &options.sni {
            let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
            if name.is_empty() {
                return Err(fail_with(ERR::Args, "SNI identity without a name"));
            }
            let key = id.certified_key(&format!("SNI identity \"{name}\""))?;
            by_name.insert(name, key);
        }
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| fail_with(ERR::Security, format!("TLS server configuration: {e}")))?;
        let builder = match client_check(options)? {
            Some(check) => builder.with_client_cert_verifier(check),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder.with_cert_resolver(Arc::new(ByServerName { by_name, default }));
        config.alpn_protocols = options.alpn.clone();
        config.session_storage = ServerSessionMemoryCache::new(SERVER_SESSIONS);
        Ok(ServerTls(Arc::new(config)))
    }
}

/// Loads a server identity (the same as [`ServerTls::from_options`] with only the identity).
///
/// # Errors
/// As [`ServerTls::from_options`].
pub fn load_server_config(id: &Identity) -> Res<ServerTls> {
    ServerTls::from_options(&ServerOptions {
        identity: id.clone(),
        ..ServerOptions::default()
    })
}

fn client_check(options: &ServerOptions) -> Res<Option<Arc<ClientCheck>>> {
    let mode = options
        .client_auth
        .unwrap_or(if options.client_ca.is_some() {
            ClientAuth::Require
        } else {
            ClientAuth::None
        });
    let ca = options.client_ca.as_deref().filter(|s| !s.is_empty());
    let ca = match (mode, ca) {
        (ClientAuth::None, _) => return Ok(None),
        (_, None) => {
            return Err(fail_with(
                ERR::Args,
                format!(
                    "SSLClientAuth {}: client certificates need a client CA (SSLClientCA)",
                    mode.name()
                ),
            ))
        }
        (_, Some(ca)) => ca,
    };
    let configured = parse_certs("SSLClientCA", &pem_source("SSLClientCA", ca)?)?;
    let mut roots = rustls::RootCertStore::empty();
    let (good, _) = roots.add_parsable_certificates(configured.iter().cloned());
    if good == 0 {
        return Err(fail_with(
            ERR::InvalidData,
            "SSLClientCA: none of the certificates could be used",
        ));
    }
    let mut builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
    if mode == ClientAuth::Optional {
        builder = builder.allow_unauthenticated();
    }
    let inner = builder
        .build()
        .map_err(|e| fail_with(ERR::Security, format!("TLS client verifier: {e}")))?;
    Ok(Some(Arc::new(ClientCheck { inner, configured })))
}

/// Picks the identity for a client's server name (SNI), else the default.
#[derive(Debug)]
struct ByServerName {
    by_name: HashMap<String, Arc<CertifiedKey>>,
    default: Option<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for ByServerName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return self.default.clone();
        };
        let name = name.to_ascii_lowercase();
        let wildcard = name.split_once('.').map(|(_, rest)| format!("*.{rest}"));
        let chosen = self
            .by_name
            .get(&name)
            .or_else(|| wildcard.and_then(|w| self.by_name.get(&w)))
            .or(self.default.as_ref())
            .cloned();
        if chosen.is_none() {
            log::debug!("TLS: no identity for server name \"{name}\" and no default");
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_auth_names() {
        for (text, want) in [
            ("none", ClientAuth::None),
            ("", ClientAuth::None),
            ("Optional", ClientAuth::Optional),
            ("request", ClientAuth::Optional),
            ("REQUIRE", ClientAuth::Require),
            ("required", ClientAuth::Require),
        ] {
            assert_eq!(ClientAuth::parse(text).unwrap(), want, "{text}");
            assert_eq!(ClientAuth::parse(want.name()).unwrap(), want);
        }
        assert_eq!(ClientAuth::parse("sometimes").unwrap_err(), ERR::Args);
    }

    #[test]
    fn a_server_needs_an_identity_and_client_auth_needs_a_ca() {
        assert_eq!(
            ServerTls::from_options(&ServerOptions::default()).unwrap_err(),
            ERR::FieldNotSet
        );
        let opts = ServerOptions {
            sni: vec![("a.test".into(), Identity::new("/nonexistent.pem", ""))],
            ..ServerOptions::default()
        };
        assert_eq!(
            ServerTls::from_options(&opts).unwrap_err(),
            ERR::FileNotFound
        );
    }
}
