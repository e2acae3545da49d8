//! What client and server configurations share: the crypto provider, the system's roots
//! (loaded once, and only when a verification needs them), reading PEM from a file or from
//! the text itself, and loading an identity (certificate chain and key) from PEM or PKCS#12.

use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::RootCertStore;
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

/// The system's trusted roots, loaded on first use (a verification that the configured CAs
/// alone could not settle) and kept for the process.
pub(super) fn native_roots() -> Arc<RootCertStore> {
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

/// Most bytes a certificate, key or PKCS#12 file may hold (a full CA bundle is under 1 MiB).
pub(super) const MAX_FILE: u64 = 16 << 20;

/// Reads PEM from a file path, or takes the text itself when it already holds a PEM block.
pub(super) fn pem_source(what: &str, source: &str) -> Res<Vec<u8>> {
    if source.contains("-----BEGIN") {
        return Ok(source.as_bytes().to_vec());
    }
    read_file(what, source)
}

/// Reads a regular file of at most [`MAX_FILE`] bytes. A device, FIFO or directory is refused
/// before it is opened (`/dev/zero` would never end, a FIFO would block the loop), as is a
/// file that grows past the bound while it is read.
pub(super) fn read_file(what: &str, path: &str) -> Res<Vec<u8>> {
    use std::io::Read;
    let failed = |e: std::io::Error| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ERR::FileNotFound
        } else {
            ERR::File
        };
        fail_with(code, format!("Cannot read {what} \"{path}\": {e}"))
    };
    let meta = std::fs::metadata(path).map_err(failed)?;
    if !meta.is_file() {
        return Err(fail_with(
            ERR::File,
            format!("Cannot read {what} \"{path}\": not a regular file"),
        ));
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut data))
        .map_err(failed)?;
    if data.len() as u64 > MAX_FILE {
        return Err(fail_with(
            ERR::InvalidData,
            format!("{what} \"{path}\": larger than {MAX_FILE} bytes"),
        ));
    }
    Ok(data)
}

pub(super) fn parse_certs(what: &str, pem: &[u8]) -> Res<Vec<CertificateDer<'static>>> {
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

/// A certificate chain and its private key: a server's identity (NetSocket's SSLCertificate,
/// SSLPrivateKey, SSLKeyPassword), one of its SNI identities, or a client's certificate for
/// mutual TLS. Each value is a file path or PEM text; a `.p12`/`.pfx` certificate file is read
/// as PKCS#12 (then the key comes from it too, and `private_key` is not needed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Certificate chain (leaf first).
    pub certificate: Option<String>,
    /// Private key; when absent the key is looked for in the certificate source.
    pub private_key: Option<String>,
    /// Password of an encrypted PKCS#8 key or of a PKCS#12 file.
    pub password: Option<String>,
}

/// Server identities were the only kind before client certificates existed.
pub type ServerIdentity = Identity;

impl Identity {
    /// An identity from a certificate chain and a key (file paths or PEM text).
    pub fn new(certificate: &str, private_key: &str) -> Identity {
        Identity {
            certificate: Some(certificate.to_owned()),
            private_key: Some(private_key.to_owned()).filter(|k| !k.is_empty()),
            password: None,
        }
    }

    /// True when no certificate is set.
    pub fn is_empty(&self) -> bool {
        self.certificate.as_deref().is_none_or(str::is_empty)
    }

    /// Loads the chain and key. `what` names the setting in messages ("SSLCertificate").
    pub(super) fn load(
        &self,
        what: &str,
    ) -> Res<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
        let Some(cert_src) = self.certificate.as_deref().filter(|s| !s.is_empty()) else {
            return Err(fail_with(
                ERR::FieldNotSet,
                format!("{what}: no certificate is set"),
            ));
        };
        let lower = cert_src.to_ascii_lowercase();
        if lower.ends_with(".p12") || lower.ends_with(".pfx") {
            return super::encrypted::load_pkcs12(cert_src, self.password.as_deref().unwrap_or(""));
        }
        let cert_pem = pem_source(what, cert_src)?;
        let certs = parse_certs(what, &cert_pem)?;
        let key_pem = match self.private_key.as_deref().filter(|s| !s.is_empty()) {
            Some(src) => pem_source("SSLPrivateKey", src)?,
            None => cert_pem,
        };
        Ok((certs, parse_key(&key_pem, self.password.as_deref())?))
    }

    /// Loads the identity as rustls's signing form, checking that the key matches the
    /// certificate.
    pub(super) fn certified_key(&self, what: &str) -> Res<Arc<rustls::sign::CertifiedKey>> {
        let (certs, key) = self.load(what)?;
        rustls::sign::CertifiedKey::from_der(certs, key, &provider())
            .map(Arc::new)
            .map_err(|e| key_error(what, e))
    }
}

/// A key that rustls refused: Mismatch when it does not belong to the certificate.
pub(super) fn key_error(what: &str, e: rustls::Error) -> ERR {
    match e {
        rustls::Error::InconsistentKeys(_) => fail_with(
            ERR::Mismatch,
            format!("{what}: the private key does not match the certificate: {e}"),
        ),
        e => fail_with(
            ERR::InvalidData,
            format!("{what}: certificate or key unusable: {e}"),
        ),
    }
}

/// Parses one SNI identity, `NAME=CERT[,KEY]` (CERT and KEY a file path or PEM text; without
/// KEY the key is looked for with the certificate, or in a PKCS#12 file): the SSLIdentities
/// field's entries, and `parasol serve --tls-sni`.
///
/// ```
/// use parasol_net::tls::parse_sni_identity;
/// let (name, id) = parse_sni_identity("api.example.org=api.pem,api.key").unwrap();
/// assert_eq!(name, "api.example.org");
/// assert_eq!(id.certificate.as_deref(), Some("api.pem"));
/// assert!(parse_sni_identity("no-certificate").is_err());
/// ```
///
/// # Errors
/// Args (with its reason recorded) for an entry without `=`, a name or a certificate.
pub fn parse_sni_identity(entry: &str) -> Res<(String, Identity)> {
    let Some((name, rest)) = entry.split_once('=') else {
        return Err(fail_with(
            ERR::Args,
            format!("SSLIdentities: \"{entry}\" is not NAME=CERT,KEY"),
        ));
    };
    let (cert, key) = rest.split_once(',').unwrap_or((rest, ""));
    let (name, cert) = (name.trim(), cert.trim());
    if name.is_empty() || cert.is_empty() {
        return Err(fail_with(
            ERR::Args,
            format!("SSLIdentities: \"{entry}\" needs a name and a certificate"),
        ));
    }
    Ok((name.to_owned(), Identity::new(cert, key.trim())))
}

/// A comma-separated ALPN list ("h2,http/1.1") as rustls takes it. Empty entries are
/// skipped; an entry over 255 bytes is Args (RFC 7301 allows 1 to 255).
pub fn parse_alpn(list: &str) -> Res<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if p.len() > 255 {
            return Err(fail_with(
                ERR::Args,
                format!("ALPN: protocol name of {} bytes (at most 255)", p.len()),
            ));
        }
        out.push(p.as_bytes().to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpn_lists() {
        assert_eq!(
            parse_alpn(" h2, http/1.1 ,,").unwrap(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(parse_alpn("").unwrap().is_empty());
        assert!(parse_alpn(&"x".repeat(255)).is_ok());
        assert_eq!(parse_alpn(&"x".repeat(256)).unwrap_err(), ERR::Args);
    }

    #[test]
    fn files_that_are_not_certificates_are_refused_before_reading() {
        assert_eq!(read_file("x", "/dev/zero").unwrap_err(), ERR::File);
        assert_eq!(read_file("x", "/").unwrap_err(), ERR::File);
        assert_eq!(
            read_file("x", "/nonexistent/file.pem").unwrap_err(),
            ERR::FileNotFound
        );
        let dir = std::env::temp_dir().join(format!("parasol-big-{}", std::process::id()));
        let f = std::fs::File::create(&dir).unwrap();
        f.set_len(MAX_FILE).unwrap();
        assert_eq!(
            read_file("x", dir.to_str().unwrap()).map(|d| d.len() as u64),
            Ok(MAX_FILE),
            "the bound itself is allowed"
        );
        f.set_len(MAX_FILE + 1).unwrap();
        assert_eq!(
            read_file("x", dir.to_str().unwrap()).unwrap_err(),
            ERR::InvalidData
        );
        std::fs::remove_file(&dir).unwrap();
    }

    #[test]
    fn identities() {
        assert!(Identity::default().is_empty());
        assert!(Identity::new("", "").is_empty());
        let id = Identity::new("c.pem", "");
        assert!(!id.is_empty());
        assert_eq!(
            id.private_key, None,
            "an empty key means: look in the certificate"
        );
        assert_eq!(
            Identity::default().load("SSLCertificate").unwrap_err(),
            ERR::FieldNotSet
        );
    }
}
