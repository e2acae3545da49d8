//! Client configurations: what a client NetSocket trusts (SSLCACertificate, then the system's
//! roots), whether it enforces that, the certificate it presents for mutual TLS, the ALPN
//! protocols it offers, and session resumption; or a `rustls::ClientConfig` of the user's own.

use super::config::{key_error, parse_certs, pem_source, provider, Identity};
use super::session::{TlsSession, Verdict};
use super::verify::{RecordingVerifier, Trust};
use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use parking_lot::Mutex;
use rustls::client::{ClientSessionMemoryCache, Resumption};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::ClientConfig;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Everything a client configuration is built from (NetSocket's fields on the generic door).
/// The default verifies against the system's roots, presents no certificate, offers no ALPN
/// and resumes sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientOptions {
    /// CA certificates to trust besides the system's (SSLCACertificate: a PEM file or text).
    /// A server certificate equal to one of them is trusted as is, as OpenSSL does.
    pub ca: Option<String>,
    /// Record the verification result (ValidCert) but do not refuse the server
    /// (`NSF::SSL_NO_VERIFY`).
    pub no_verify: bool,
    /// The certificate and key presented when a server asks for one (mutual TLS).
    pub identity: Option<Identity>,
    /// ALPN protocols offered, most preferred first.
    pub alpn: Vec<Vec<u8>>,
    /// Never resume a session: every connection makes a full handshake.
    pub no_resumption: bool,
}

/// A client configuration shared by every connection of one NetSocket.
#[derive(Clone)]
pub struct ClientTemplate {
    config: Arc<ClientConfig>,
    /// What our own configuration trusts; `None` for a configuration given by the user, whose
    /// verifier is theirs.
    trust: Option<Arc<Trust>>,
}

impl std::fmt::Debug for ClientTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTemplate")
            .field("own_config", &self.trust.is_some())
            .finish()
    }
}

impl ClientTemplate {
    /// Builds a template that trusts `extra_ca` (a PEM file path or PEM text) besides the
    /// system's roots; `verify` false is `SSL_NO_VERIFY`. The same as
    /// [`ClientTemplate::from_options`] with only those two set.
    ///
    /// # Errors
    /// As [`ClientTemplate::from_options`].
    pub fn new(extra_ca: Option<&str>, verify: bool) -> Res<ClientTemplate> {
        ClientTemplate::from_options(&ClientOptions {
            ca: extra_ca.map(str::to_owned),
            no_verify: !verify,
            ..ClientOptions::default()
        })
    }

    /// Builds a template from `options`.
    ///
    /// # Errors
    /// FileNotFound or File if a file cannot be read; InvalidData for PEM without a usable
    /// certificate or key; Mismatch when the client key does not match its certificate;
    /// Security if rustls refuses the configuration. Each with its detail recorded
    /// (`err::take_failure_detail`).
    pub fn from_options(options: &ClientOptions) -> Res<ClientTemplate> {
        let configured = match options.ca.as_deref().filter(|s| !s.is_empty()) {
            None => Vec::new(),
            Some(src) => {
                let certs = parse_certs(
                    "Trusted CA certificates",
                    &pem_source("SSLCACertificate", src)?,
                )?;
                let mut probe = rustls::RootCertStore::empty();
                let (good, _) = probe.add_parsable_certificates(certs.iter().cloned());
                if good == 0 {
                    return Err(fail_with(
                        ERR::InvalidData,
                        "None of the trusted CA certificates could be used",
                    ));
                }
                certs
            }
        };
        let identity = match options.identity.as_ref().filter(|i| !i.is_empty()) {
            Some(id) => Some(id.load("Client certificate (SSLCertificate)")?),
            None => None,
        };
        let build = |store: Option<Arc<ClientSessionMemoryCache>>| -> Res<Built> {
            let trust = Arc::new(
                Trust::new(configured.clone())
                    .map_err(|e| fail_with(ERR::Security, format!("TLS verifier: {e}")))?,
            );
            let verifier = Arc::new(RecordingVerifier {
                trust: trust.clone(),
                enforce: !options.no_verify,
            });
            let builder = ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .map_err(|e| fail_with(ERR::Security, format!("TLS client configuration: {e}")))?
                .dangerous()
                .with_custom_certificate_verifier(verifier);
            let mut config = match identity.as_ref().map(|(c, k)| (c.clone(), k.clone_key())) {
                None => builder.with_no_client_auth(),
                Some((certs, key)) => builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| key_error("Client certificate (SSLCertificate)", e))?,
            };
            config.alpn_protocols = options.alpn.clone();
            config.resumption = match store {
                Some(store) => Resumption::store(store),
                None => Resumption::disabled(),
            };
            Ok(Built {
                config: Arc::new(config),
                trust,
            })
        };
        let built = if options.no_resumption {
            build(None)?
        } else {
            let key = settings_key(&configured, options, identity.as_ref().map(|(c, _)| c));
            shared(key, || {
                build(Some(Arc::new(ClientSessionMemoryCache::new(
                    SESSIONS_PER_SETTING,
                ))))
            })?
        };
        Ok(ClientTemplate {
            config: built.config,
            trust: Some(built.trust),
        })
    }

    /// A template that uses the user's own configuration as it is: its roots, verifier,
    /// client certificate, ALPN and resumption. ValidCert then reads 0 after a handshake, or
    /// the code of the certificate error that failed it.
    pub fn from_config(config: Arc<ClientConfig>) -> ClientTemplate {
        ClientTemplate {
            config,
            trust: None,
        }
    }

    /// A client session for `host` (a name gives SNI and name verification; an IP literal gives
    /// no SNI and IP verification). The returned session reports `ValidCert`.
    ///
    /// # Errors
    /// InvalidValue if `host` is not a valid TLS server name; Security if rustls cannot start
    /// the session.
    pub fn session(&self, host: &str) -> Res<TlsSession> {
        let name = ServerName::try_from(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        )
        .map_err(|_| {
            fail_with(
                ERR::InvalidValue,
                format!("\"{host}\" is not a valid TLS server name"),
            )
        })?;
        let verdict = match &self.trust {
            Some(trust) => Verdict::Recorded {
                trust: trust.clone(),
                name: name.to_str().into_owned(),
            },
            None => Verdict::FromErrors,
        };
        let config = self.config.clone();
        let conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| fail_with(ERR::Security, format!("TLS client session: {e}")))?;
        Ok(TlsSession::new(rustls::Connection::Client(conn), verdict))
    }
}

/// A configuration built from one setting, with what its verifier trusts.
#[derive(Clone)]
struct Built {
    config: Arc<ClientConfig>,
    trust: Arc<Trust>,
}

/// Sessions kept per setting (rustls keeps one per server name).
const SESSIONS_PER_SETTING: usize = 256;

/// One configuration per setting, shared by every NetSocket with that setting, so a new
/// NetSocket resumes the sessions an earlier one made: rustls resumes a session only under
/// the verifier and client certificate that made it. A session made under one setting (say,
/// without verification, or with another client certificate) is never offered under another,
/// since resumption skips the checks the first handshake made.
fn shared(key: [u8; 32], build: impl FnOnce() -> Res<Built>) -> Res<Built> {
    /// Settings remembered at once; beyond it they are forgotten together (templates already
    /// built keep theirs).
    const SETTINGS_KEPT: usize = 64;
    static BUILT: OnceLock<Mutex<HashMap<[u8; 32], Built>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock();
    if let Some(b) = built.get(&key) {
        return Ok(b.clone());
    }
    let b = build()?;
    if built.len() >= SETTINGS_KEPT {
        built.clear();
    }
    built.insert(key, b.clone());
    Ok(b)
}

/// A digest of everything a configuration is built from: the trusted certificates and the
/// client chain by content (a file that changed makes a new setting), verification, ALPN.
fn settings_key(
    configured: &[CertificateDer<'static>],
    options: &ClientOptions,
    client_chain: Option<&Vec<CertificateDer<'static>>>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    for c in configured {
        h.update((c.len() as u64).to_le_bytes());
        h.update(c.as_ref());
    }
    h.update([u8::from(options.no_verify), 0xff]);
    for c in client_chain.into_iter().flatten() {
        h.update((c.len() as u64).to_le_bytes());
        h.update(c.as_ref());
    }
    h.update([0xff]);
    for p in &options.alpn {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}
