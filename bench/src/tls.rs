//! TLS material shared by the parent and the children: an ECDSA P-256 identity generated once
//! per run with rcgen (a throw-away CA and a localhost certificate it signed, written as PEM files
//! into a temp dir whose paths are passed to the children), and the rustls configurations. Every
//! TLS party uses rustls 0.23 with the aws-lc-rs provider, as the library does.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ServerSessionMemoryCache;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;

/// The server name the clients ask for (the certificate holds `localhost` and `127.0.0.1`).
pub const SERVER_NAME: &str = "localhost";

/// The crypto provider of every TLS party: aws-lc-rs, the library's default.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A generated identity on disk; the temp dir is removed on drop.
pub struct Identity {
    dir: PathBuf,
    /// Leaf certificate then CA, PEM.
    pub cert_path: String,
    /// The leaf's private key (PKCS#8), PEM.
    pub key_path: String,
    /// The CA the clients trust.
    pub ca: CertificateDer<'static>,
}

impl Drop for Identity {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Generates the CA and the localhost certificate (both ECDSA P-256, rcgen's default key type).
pub fn generate() -> Result<Identity, String> {
    let e = |e: rcgen::Error| e.to_string();
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.distinguished_name
        .push(DnType::CommonName, "parasol-bench CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(e)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec![SERVER_NAME.to_string(), "127.0.0.1".to_string()])
        .map_err(e)?;
    leaf.distinguished_name
        .push(DnType::CommonName, SERVER_NAME);
    let key = KeyPair::generate().map_err(e)?;
    let cert = leaf.signed_by(&key, &issuer).map_err(e)?;

    let dir = std::env::temp_dir().join(format!("parasol-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    let write =
        |p: &PathBuf, s: String| std::fs::write(p, s).map_err(|e| format!("{}: {e}", p.display()));
    write(&cert_path, format!("{}{}", cert.pem(), ca_cert.pem()))?;
    write(&key_path, key.serialize_pem())?;
    Ok(Identity {
        dir,
        cert_path: cert_path.display().to_string(),
        key_path: key_path.display().to_string(),
        ca: ca_cert.der().clone(),
    })
}

/// Sessions a TLS server remembers for resumption: the library's server keeps a
/// `ServerSessionMemoryCache` of 4096 (`SERVER_SESSIONS` in net/src/tls/server.rs), so the peers
/// keep one of the same size (rustls' default is 256).
pub const SERVER_SESSIONS: usize = 4096;

/// TLS 1.3 tickets a server sends after every handshake, resumed ones too: rustls' default
/// `send_tls13_tickets`, which the library keeps. The tickets are stateful (no ticketer: the
/// ticket is a key into the session cache), as the library's are.
pub const TLS13_TICKETS: usize = 2;

/// The server configuration of the peer TLS servers, built like the library's own: aws-lc-rs,
/// safe default protocol versions, no client auth, stateful resumption with a session cache of
/// [`SERVER_SESSIONS`] and [`TLS13_TICKETS`] tickets per handshake.
pub fn server_config(cert_path: &str, key_path: &str) -> Result<Arc<ServerConfig>, String> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{cert_path}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| format!("{key_path}: {e}"))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    config.session_storage = ServerSessionMemoryCache::new(SERVER_SESSIONS);
    config.send_tls13_tickets = TLS13_TICKETS;
    Ok(Arc::new(config))
}

/// How the load generator's TLS client checks the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Full webpki verification against the generated CA.
    Full,
    /// No certificate or signature checks: a verifying TLS 1.3 client costs about twice a
    /// server handshake (two ECDSA verifications against one signature), which would make the
    /// generator, not the server, the limit of W6 on two cores. (A resumed handshake, W7,
    /// checks no certificate either way.)
    Skip,
}

/// A client configuration without resumption (every handshake is a full one; see
/// [`with_session_store`]). `tls13_only` for the handshake workloads.
pub fn client_config(
    ca: &CertificateDer<'static>,
    verify: Verify,
    tls13_only: bool,
) -> Result<Arc<ClientConfig>, String> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone());
    let builder = if tls13_only {
        builder.with_protocol_versions(&[&rustls::version::TLS13])
    } else {
        builder.with_safe_default_protocol_versions()
    }
    .map_err(|e| e.to_string())?;
    let mut config = match verify {
        Verify::Full => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.clone()).map_err(|e| e.to_string())?;
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Verify::Skip => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth(),
    };
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

/// A copy of `config` that resumes: rustls' default resumption (`Resumption::default()`), with
/// an in-memory session store (`ClientSessionMemoryCache`) of its own, not shared with `config`
/// or any other copy. That store keeps at most 8 TLS 1.3 tickets per server name, so W7 gives
/// each connection slot a copy: one store shared by 16 slots that all ask for `localhost`
/// would start half of them without a ticket.
pub fn with_session_store(config: &ClientConfig) -> Arc<ClientConfig> {
    let mut config = config.clone();
    config.resumption = Resumption::default();
    Arc::new(config)
}

/// The server name for [`client_config`] connections.
pub fn server_name() -> ServerName<'static> {
    ServerName::try_from(SERVER_NAME).expect("valid DNS name")
}

/// Accepts any certificate and signature (see [`Verify::Skip`]).
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
