//! TLS configuration: the crypto provider, client templates (system roots plus extra trusted
//! CAs, verification on or off) and server identities loaded from PEM or PKCS#12.

use super::session::TlsSession;
use super::verify::RecordingVerifier;
use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::sync::atomic::AtomicI32;
use std::sync::{Arc, OnceLock};

/// Plaintext plus TLS records rustls may buffer per connection before our own queue takes over.
pub(super) const RUSTLS_BUFFER_LIMIT: usize = 64 * 1024;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!(
    "parasol-net needs a crypto provider: enable the `aws-lc-rs` (default) or `ring` feature"
);

/// The crypto provider chosen at build time (see README: chosen by measurement).
pub(super) fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| {
        #[cfg(feature = "aws-lc-rs")]
        let p = rustls::crypto::aws_lc_rs::default_provider();
        #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
        let p = rustls::crypto::ring::default_provider();
        Arc::new(p)
    })
    .clone()
}

/// Name of the crypto provider in use (`"aws-lc-rs"` or `"ring"`).
pub fn provider_name() -> &'static str {
    if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "ring"
    }
}

fn native_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            for e in &loaded.errors {
                log::warn!("System certificate store: {e}");
            }
            let mut roots = RootCertStore::empty();
            let (good, bad) = roots.add_parsable_certificates(loaded.certs);
            log::debug!("Loaded {good} system root certificates ({bad} unparsable)");
            Arc::new(roots)
        })
        .clone()
}

/// Reads PEM from a file path, or takes the text itself when it already holds a PEM block.
fn pem_source(what: &str, source: &str) -> Res<Vec<u8>> {
    if source.contains("-----BEGIN") {
        return Ok(source.as_bytes().to_vec());
    }
    std::fs::read(source).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ERR::FileNotFound
        } else {
            ERR::File
        };
        fail_with(code, format!("Cannot read {what} \"{source}\": {e}"))
    })
}

fn parse_certs(what: &str, pem: &[u8]) -> Res<Vec<CertificateDer<'static>>> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| fail_with(ERR::InvalidData, format!("{what}: malformed PEM: {e}")))?;
    if certs.is_empty() {
        return Err(fail_with(
            ERR::InvalidData,
            format!("{what}: no certificate found"),
        ));
    }
    Ok(certs)
}

/// A client configuration shared by every connection of one NetSocket: roots (system plus any
/// extra trusted CAs) and whether verification is enforced.
#[derive(Clone)]
pub struct ClientTemplate {
    config: Arc<ClientConfig>,
    webpki: Arc<WebPkiServerVerifier>,
    enforce: bool,
}

impl std::fmt::Debug for ClientTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTemplate")
            .field("enforce", &self.enforce)
            .finish()
    }
}

impl ClientTemplate {
    /// Builds a template. `extra_ca` is a PEM file path or PEM text of CA certificates to trust in
    /// addition to the system store. `verify` false is `SSL_NO_VERIFY`.
    ///
    /// # Errors
    /// FileNotFound or File if `extra_ca` names a file that cannot be read; InvalidData for PEM
    /// without a usable certificate; Security if rustls refuses the configuration. Each with
    /// its detail recorded (`err::take_failure_detail`).
    pub fn new(extra_ca: Option<&str>, verify: bool) -> Res<ClientTemplate> {
        let roots = match extra_ca {
            None => native_roots(),
            Some(src) => {
                let mut roots = (*native_roots()).clone();
                let certs = parse_certs(
                    "Trusted CA certificates",
                    &pem_source("CA certificates", src)?,
                )?;
                let (good, _) = roots.add_parsable_certificates(certs);
                if good == 0 {
                    return Err(fail_with(
                        ERR::InvalidData,
                        "None of the trusted CA certificates could be used",
                    ));
                }
                Arc::new(roots)
            }
        };
        let provider = provider();
        let webpki = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(|e| fail_with(ERR::Security, format!("TLS verifier: {e}")))?;
        let verifier = Arc::new(RecordingVerifier {
            inner: webpki.clone(),
            enforce: verify,
            outcome: Arc::new(AtomicI32::new(0)),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| fail_with(ERR::Security, format!("TLS client configuration: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(ClientTemplate {
            config: Arc::new(config),
            webpki,
            enforce: verify,
        })
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
        let outcome = Arc::new(AtomicI32::new(0));
        let mut config = (*self.config).clone();
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(RecordingVerifier {
                inner: self.webpki.clone(),
                enforce: self.enforce,
                outcome: outcome.clone(),
            }));
        let conn = rustls::ClientConnection::new(Arc::new(config), name)
            .map_err(|e| fail_with(ERR::Security, format!("TLS client session: {e}")))?;
        Ok(TlsSession::new(
            rustls::Connection::Client(conn),
            Some(outcome),
        ))
    }
}

/// Where a server's certificate and key come from (NetSocket's SSLCertificate, SSLPrivateKey,
/// SSLKeyPassword). Each value is a file path or PEM text; a `.p12`/`.pfx` certificate file is
/// read as PKCS#12 (then the key comes from it too).
#[derive(Clone, Debug, Default)]
pub struct ServerIdentity {
    /// Certificate chain (leaf first).
    pub certificate: Option<String>,
    /// Private key; when absent the key is looked for in the certificate source.
    pub private_key: Option<String>,
    /// Password of an encrypted PKCS#8 key or of a PKCS#12 file.
    pub password: Option<String>,
}

/// A server's TLS configuration (one per server NetSocket).
#[derive(Clone)]
pub struct ServerTls(Arc<ServerConfig>);

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls")
    }
}

impl ServerTls {
    /// A session for one accepted connection.
    ///
    /// # Errors
    /// Security if rustls cannot start the session.
    pub fn session(&self) -> Res<TlsSession> {
        let conn = rustls::ServerConnection::new(self.0.clone())
            .map_err(|e| fail_with(ERR::Security, format!("TLS server session: {e}")))?;
        Ok(TlsSession::new(rustls::Connection::Server(conn), None))
    }
}

/// Loads a server identity.
///
/// # Errors
/// FieldNotSet without a certificate; FileNotFound or File for a file that cannot be read;
/// InvalidData when it holds no certificate or key, or the password is wrong; Mismatch when
/// the key does not match the certificate; NoSupport for PKCS#12 or an encrypted key in a
/// build without the `pkcs12` feature. Each failure records its reason
/// (`err::take_failure_detail`) and logs it at debug.
pub fn load_server_config(id: &ServerIdentity) -> Res<ServerTls> {
    let Some(cert_src) = id.certificate.as_deref().filter(|s| !s.is_empty()) else {
        return Err(fail_with(
            ERR::FieldNotSet,
            "An SSL server needs SSLCertificate (and SSLPrivateKey)",
        ));
    };
    let lower = cert_src.to_ascii_lowercase();
    let (certs, key) = if lower.ends_with(".p12") || lower.ends_with(".pfx") {
        super::encrypted::load_pkcs12(cert_src, id.password.as_deref().unwrap_or(""))?
    } else {
        let cert_pem = pem_source("SSLCertificate", cert_src)?;
        let certs = parse_certs("SSLCertificate", &cert_pem)?;
        let key_pem = match id.private_key.as_deref().filter(|s| !s.is_empty()) {
            Some(src) => pem_source("SSLPrivateKey", src)?,
            None => cert_pem,
        };
        (certs, parse_key(&key_pem, id.password.as_deref())?)
    };
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| fail_with(ERR::Security, format!("TLS server configuration: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => fail_with(
                ERR::Mismatch,
                format!("SSLPrivateKey does not match SSLCertificate: {e}"),
            ),
            e => fail_with(
                ERR::InvalidData,
                format!("SSLCertificate/SSLPrivateKey unusable: {e}"),
            ),
        })?;
    Ok(ServerTls(Arc::new(config)))
}

fn parse_key(pem: &[u8], password: Option<&str>) -> Res<PrivateKeyDer<'static>> {
    if let Ok(key) = PrivateKeyDer::from_pem_slice(pem) {
        return Ok(key);
    }
    if String::from_utf8_lossy(pem).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return super::encrypted::decrypt_pkcs8_pem(pem, password);
    }
    Err(fail_with(
        ERR::InvalidData,
        "SSLPrivateKey: no private key found",
    ))
}
