//! Certificate verification that records an OpenSSL `X509_V_*` code (Parasol's `SCV`, read
//! through the `ValidCert` field) for every handshake, whether or not verification is
//! enforced; and the check of client certificates on a server that asks for them.
//!
//! Trust: the certificates in SSLCACertificate, then the system's roots. The system's roots are
//! loaded only when the configured certificates cannot settle the question (no path to them),
//! so a client that trusts its own CA never reads the system store. As OpenSSL does, a leaf
//! that is exactly one of the SSLCACertificate certificates is trusted as it is (the
//! `openssl req -x509` one-liner makes such certificates, marked CA:TRUE), once its validity
//! period and name check out.
//!
//! Mapping from rustls/webpki errors (the README's table):
//!
//! | rustls `CertificateError` | ValidCert | OpenSSL's words |
//! |---|---|---|
//! | (verified) | 0 `OK` | ok |
//! | `NotValidYet` | 9 `CERT_NOT_YET_VALID` | certificate is not yet valid |
//! | `Expired` | 10 `CERT_HAS_EXPIRED` | certificate has expired |
//! | no path to an anchor (`UnknownIssuer`, `BadSignature`, `UnsupportedSignatureAlgorithm…`, "CA used as end entity"), the leaf issued by itself and sent alone | 18 `DEPTH_ZERO_SELF_SIGNED_CERT` | self-signed certificate |
//! | no path, the chain sent holds a self-issued certificate | 19 `SELF_SIGNED_CERT_IN_CHAIN` | self-signed certificate in certificate chain |
//! | no path, `UnknownIssuer` otherwise | 20 `UNABLE_TO_GET_ISSUER_CERT_LOCALLY` | unable to get local issuer certificate |
//! | no path, `BadSignature` otherwise | 7 `CERT_SIGNATURE_FAILURE` | certificate signature failure |
//! | `Revoked` | 23 `CERT_REVOKED` | certificate revoked |
//! | `InvalidPurpose` | 26 `INVALID_PURPOSE` | unsupported certificate purpose |
//! | `UnhandledCriticalExtension` | 34 `UNHANDLED_CRITICAL_EXTENSION` | unhandled critical extension |
//! | `NotValidForName` | 62 `HOSTNAME_MISMATCH` | hostname mismatch |
//! | anything else (bad encoding, unsupported algorithm, a CA certificate used as a leaf that is not self-issued …) | 50 `APPLICATION_VERIFICATION` | application verification failure |
//!
//! When several problems exist, webpki reports the first it meets (the chain before the name),
//! so an expired certificate for the wrong host reads 10.

use super::config::{native_roots, provider};
use parking_lot::Mutex;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// OpenSSL / Parasol certificate verification codes used by `ValidCert`.
#[allow(missing_docs)]
#[allow(non_snake_case)]
pub mod SCV {
    pub const OK: i32 = 0;
    pub const CERT_SIGNATURE_FAILURE: i32 = 7;
    pub const CERT_NOT_YET_VALID: i32 = 9;
    pub const CERT_HAS_EXPIRED: i32 = 10;
    pub const DEPTH_ZERO_SELF_SIGNED_CERT: i32 = 18;
    pub const SELF_SIGNED_CERT_IN_CHAIN: i32 = 19;
    pub const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i32 = 20;
    pub const CERT_REVOKED: i32 = 23;
    pub const INVALID_PURPOSE: i32 = 26;
    pub const UNHANDLED_CRITICAL_EXTENSION: i32 = 34;
    pub const APPLICATION_VERIFICATION: i32 = 50;
    pub const HOSTNAME_MISMATCH: i32 = 62;
}

/// Parasol-style name of a `ValidCert` code.
pub fn scv_name(code: i32) -> &'static str {
    match code {
        SCV::OK => "Okay",
        SCV::CERT_SIGNATURE_FAILURE => "CertSignatureFailure",
        SCV::CERT_NOT_YET_VALID => "CertNotYetValid",
        SCV::CERT_HAS_EXPIRED => "CertHasExpired",
        SCV::DEPTH_ZERO_SELF_SIGNED_CERT => "DepthZeroSelfSignedCert",
        SCV::SELF_SIGNED_CERT_IN_CHAIN => "SelfSignedCertInChain",
        SCV::UNABLE_TO_GET_ISSUER_CERT_LOCALLY => "UnableToGetIssuerCertLocally",
        SCV::CERT_REVOKED => "CertRevoked",
        SCV::INVALID_PURPOSE => "InvalidPurpose",
        SCV::UNHANDLED_CRITICAL_EXTENSION => "UnhandledCriticalExtension",
        SCV::HOSTNAME_MISMATCH => "HostnameMismatch",
        _ => "ApplicationVerification",
    }
}

/// A `ValidCert` code in OpenSSL's words (`X509_verify_cert_error_string`, OpenSSL 3), as
/// `openssl verify` and `s_client` print them.
pub fn scv_text(code: i32) -> &'static str {
    match code {
        SCV::OK => "ok",
        SCV::CERT_SIGNATURE_FAILURE => "certificate signature failure",
        SCV::CERT_NOT_YET_VALID => "certificate is not yet valid",
        SCV::CERT_HAS_EXPIRED => "certificate has expired",
        SCV::DEPTH_ZERO_SELF_SIGNED_CERT => "self-signed certificate",
        SCV::SELF_SIGNED_CERT_IN_CHAIN => "self-signed certificate in certificate chain",
        SCV::UNABLE_TO_GET_ISSUER_CERT_LOCALLY => "unable to get local issuer certificate",
        SCV::CERT_REVOKED => "certificate revoked",
        SCV::INVALID_PURPOSE => "unsupported certificate purpose",
        SCV::UNHANDLED_CRITICAL_EXTENSION => "unhandled critical extension",
        SCV::HOSTNAME_MISMATCH => "hostname mismatch",
        _ => "application verification failure",
    }
}

/// What a client trusts: the SSLCACertificate certificates, then the system's roots (loaded
/// when first needed). Shared by every connection of one client configuration.
#[derive(Debug)]
pub(super) struct Trust {
    provider: Arc<CryptoProvider>,
    /// The SSLCACertificate certificates (a leaf equal to one of them is trusted as is).
    configured: Vec<CertificateDer<'static>>,
    /// A verifier with only the configured certificates as anchors.
    configured_verifier: Option<Arc<WebPkiServerVerifier>>,
    /// A verifier with the system's roots and the configured certificates, built on first use
    /// (`None` when there is no anchor at all).
    full: OnceLock<Option<Arc<WebPkiServerVerifier>>>,
    /// The last code recorded per server name, for a resumed session (which skips
    /// verification: its first handshake's verdict stands).
    verdicts: Mutex<HashMap<String, i32>>,
}

/// Most server names whose last verdict is remembered (oldest forgotten first).
const VERDICTS_KEPT: usize = 1024;

impl Trust {
    /// `configured` are the SSLCACertificate certificates (maybe none).
    pub(super) fn new(configured: Vec<CertificateDer<'static>>) -> Result<Trust, Error> {
        let provider = provider();
        let configured_verifier = if configured.is_empty() {
            None
        } else {
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(configured.iter().cloned());
            if roots.is_empty() {
                None
            } else {
                Some(
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|e| Error::General(e.to_string()))?,
                )
            }
        };
        Ok(Trust {
            provider,
            configured,
            configured_verifier,
            full: OnceLock::new(),
            verdicts: Mutex::new(HashMap::new()),
        })
    }

    fn full(&self) -> Option<&Arc<WebPkiServerVerifier>> {
        self.full
            .get_or_init(|| {
                let mut roots = (*native_roots()).clone();
                roots.add_parsable_certificates(self.configured.iter().cloned());
                if roots.is_empty() {
                    return None;
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .ok()
            })
            .as_ref()
    }

    fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self
            .configured
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            check_validity(end_entity, now)?;
            let parsed = ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_name(&parsed, server_name)?;
            return Ok(ServerCertVerified::assertion());
        }
        if let Some(v) = &self.configured_verifier {
            match v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
                Ok(ok) => return Ok(ok),
                // The chain led to a configured CA and failed on something else: that is
                // the answer, whatever the system's roots hold.
                Err(e) if !no_path_error(&e) => return Err(e),
                Err(_) => {}
            }
        }
        match self.full() {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
            None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        }
    }

    /// The verdict of the last full handshake with `name` (0 when none is remembered).
    pub(super) fn last_verdict(&self, name: &str) -> i32 {
        self.verdicts.lock().get(name).copied().unwrap_or(SCV::OK)
    }

    fn remember(&self, name: &ServerName<'_>, code: i32) {
        let mut v = self.verdicts.lock();
        if v.len() >= VERDICTS_KEPT && !v.contains_key(name.to_str().as_ref()) {
            v.clear();
        }
        v.insert(name.to_str().into_owned(), code);
    }
}

/// The certificate is within its validity period at `now`.
fn check_validity(cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), Error> {
    let Ok((_, c)) = x509_parser::parse_x509_certificate(cert.as_ref()) else {
        return Err(Error::InvalidCertificate(CertificateError::BadEncoding));
    };
    let now = now.as_secs() as i64;
    if now < c.validity().not_before.timestamp() {
        return Err(Error::InvalidCertificate(CertificateError::NotValidYet));
    }
    if now > c.validity().not_after.timestamp() {
        return Err(Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

thread_local! {
    /// The verdict of the verification that ran during the current `process_new_packets`
    /// call on this thread. rustls resumes a session only under the very verifier that made
    /// it, so one verifier serves every connection of a configuration, and each session reads
    /// its own verdict here (verification runs inside that session's call, on its thread).
    static VERDICT: Cell<Option<i32>> = const { Cell::new(None) };
}

/// The verdict recorded since the last call, if a verification ran (and forgets it). A server
/// session's verdict is that of the client certificate, recorded only when it was refused.
pub(super) fn take_verdict() -> Option<i32> {
    VERDICT.with(|v| v.take())
}

/// Verifies against [`Trust`], records the outcome, and enforces it only when `enforce` is set.
/// The handshake signatures are always checked (a no-verify client still proves the peer holds
/// the key of the certificate it sent).
#[derive(Debug)]
pub(super) struct RecordingVerifier {
    pub(super) trust: Arc<Trust>,
    pub(super) enforce: bool,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let result = self
            .trust
            .verify(end_entity, intermediates, server_name, ocsp_response, now);
        let code = match &result {
            Ok(_) => SCV::OK,
            Err(e) => scv_code(e, end_entity, intermediates),
        };
        VERDICT.with(|v| v.set(Some(code)));
        self.trust.remember(server_name, code);
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                log::debug!(
                    "Certificate of {}: {e} (ValidCert {code}: {})",
                    server_name.to_str(),
                    scv_text(code)
                );
                if self.enforce {
                    Err(e)
                } else {
                    Ok(ServerCertVerified::assertion())
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.trust.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.trust.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.trust
            .provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The ValidCert code of a verification failure (the module's table).
pub(super) fn scv_code(
    e: &Error,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
) -> i32 {
    let Error::InvalidCertificate(ce) = e else {
        return SCV::APPLICATION_VERIFICATION;
    };
    match ce {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            SCV::CERT_HAS_EXPIRED
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            SCV::CERT_NOT_YET_VALID
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            SCV::HOSTNAME_MISMATCH
        }
        CertificateError::Revoked => SCV::CERT_REVOKED,
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            SCV::INVALID_PURPOSE
        }
        CertificateError::UnhandledCriticalExtension => SCV::UNHANDLED_CRITICAL_EXTENSION,
        // No path to a trust anchor. webpki names the first obstacle it met while trying
        // anchors (an anchor with another key type, a CA certificate where a leaf belongs);
        // OpenSSL names the shape of the chain, so look at that.
        other if no_path_error(e) => {
            if intermediates.is_empty() && self_issued(end_entity) {
                SCV::DEPTH_ZERO_SELF_SIGNED_CERT
            } else if intermediates.iter().any(self_issued) {
                SCV::SELF_SIGNED_CERT_IN_CHAIN
            } else {
                match other {
                    CertificateError::UnknownIssuer => SCV::UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                    CertificateError::BadSignature => SCV::CERT_SIGNATURE_FAILURE,
                    _ => SCV::APPLICATION_VERIFICATION,
                }
            }
        }
        _ => SCV::APPLICATION_VERIFICATION,
    }
}

/// Errors webpki gives when it found no path from the chain to an anchor. (The unit
/// `UnsupportedSignatureAlgorithm` is deprecated in rustls but still produced by older paths.)
#[allow(deprecated)]
fn no_path_error(e: &Error) -> bool {
    let Error::InvalidCertificate(ce) = e else {
        return false;
    };
    match ce {
        CertificateError::UnknownIssuer
        | CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => true,
        CertificateError::Other(o) => o.to_string().contains("CaUsedAsEndEntity"),
        _ => false,
    }
}

/// True when the certificate names itself as issuer (what OpenSSL calls self-signed).
fn self_issued(cert: &CertificateDer<'_>) -> bool {
    match x509_parser::parse_x509_certificate(cert.as_ref()) {
        Ok((_, c)) => c.issuer().as_raw() == c.subject().as_raw(),
        Err(_) => false,
    }
}

/// A server's check of client certificates (mutual TLS): webpki against the client CA, plus
/// OpenSSL's rule that a leaf equal to one of the client CA certificates is trusted as is.
/// Refusals are logged with their ValidCert words; the ClientSocket then ends with Security.
#[derive(Debug)]
pub(super) struct ClientCheck {
    pub(super) inner: Arc<dyn ClientCertVerifier>,
    pub(super) configured: Vec<CertificateDer<'static>>,
}

impl ClientCertVerifier for ClientCheck {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let result = if self
            .configured
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            check_validity(end_entity, now).map(|_| ClientCertVerified::assertion())
        } else {
            self.inner
                .verify_client_cert(end_entity, intermediates, now)
        };
        if let Err(e) = &result {
            let code = scv_code(e, end_entity, intermediates);
            // The session that asked reads it to say why in its failure (see `VERDICT`).
            VERDICT.with(|v| v.set(Some(code)));
            log::debug!(
                "Client certificate refused: {} (ValidCert {code}): {e}",
                scv_text(code)
            );
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed(is_ca: bool) -> CertificateDer<'static> {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        if is_ca {
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        p.self_signed(&key).unwrap().der().clone()
    }

    fn issued() -> (CertificateDer<'static>, CertificateDer<'static>) {
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "Issuer");
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap().der().clone();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        (
            leaf.signed_by(&key, &issuer).unwrap().der().clone(),
            ca_cert,
        )
    }

    fn invalid(e: CertificateError) -> Error {
        Error::InvalidCertificate(e)
    }

    #[derive(Debug)]
    struct Named(&'static str);
    impl std::fmt::Display for Named {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Named {}

    fn other(text: &'static str) -> Error {
        invalid(CertificateError::Other(rustls::OtherError(Arc::new(
            Named(text),
        ))))
    }

    #[test]
    fn the_table_of_codes() {
        let lone = self_signed(false);
        let ca_leaf = self_signed(true);
        let (leaf, ca) = issued();
        let none: &[CertificateDer<'_>] = &[];
        let cases: Vec<(Error, &CertificateDer<'_>, &[CertificateDer<'_>], i32)> = vec![
            (invalid(CertificateError::Expired), &leaf, none, 10),
            (invalid(CertificateError::NotValidYet), &leaf, none, 9),
            (invalid(CertificateError::NotValidForName), &leaf, none, 62),
            (invalid(CertificateError::Revoked), &leaf, none, 23),
            (invalid(CertificateError::InvalidPurpose), &leaf, none, 26),
            (
                invalid(CertificateError::UnhandledCriticalExtension),
                &leaf,
                none,
                34,
            ),
            (invalid(CertificateError::UnknownIssuer), &lone, none, 18),
            (
                invalid(CertificateError::UnknownIssuer),
                &leaf,
                std::slice::from_ref(&ca),
                19,
            ),
            (invalid(CertificateError::UnknownIssuer), &leaf, none, 20),
            (invalid(CertificateError::BadSignature), &leaf, none, 7),
            (invalid(CertificateError::BadSignature), &lone, none, 18),
            (other("CaUsedAsEndEntity"), &ca_leaf, none, 18),
            // A CA certificate used as a leaf that is not self-issued: not "self-signed".
            (other("CaUsedAsEndEntity"), &leaf, none, 50),
            (other("SomethingElse"), &lone, none, 50),
            (invalid(CertificateError::BadEncoding), &lone, none, 50),
            (
                Error::General("not a certificate error".into()),
                &lone,
                none,
                50,
            ),
        ];
        for (e, ee, chain, want) in cases {
            assert_eq!(scv_code(&e, ee, chain), want, "{e}");
        }
    }

    #[test]
    fn every_listed_code_has_openssl_words_and_a_name() {
        for (code, words) in [
            (SCV::OK, "ok"),
            (SCV::CERT_SIGNATURE_FAILURE, "certificate signature failure"),
            (SCV::CERT_NOT_YET_VALID, "certificate is not yet valid"),
            (SCV::CERT_HAS_EXPIRED, "certificate has expired"),
            (SCV::DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate"),
            (
                SCV::SELF_SIGNED_CERT_IN_CHAIN,
                "self-signed certificate in certificate chain",
            ),
            (
                SCV::UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                "unable to get local issuer certificate",
            ),
            (SCV::CERT_REVOKED, "certificate revoked"),
            (SCV::INVALID_PURPOSE, "unsupported certificate purpose"),
            (
                SCV::UNHANDLED_CRITICAL_EXTENSION,
                "unhandled critical extension",
            ),
            (
                SCV::APPLICATION_VERIFICATION,
                "application verification failure",
            ),
            (SCV::HOSTNAME_MISMATCH, "hostname mismatch"),
        ] {
            assert_eq!(scv_text(code), words);
            assert!(
                code == SCV::APPLICATION_VERIFICATION
                    || scv_name(code) != "ApplicationVerification"
            );
        }
        assert_eq!(scv_text(12345), "application verification failure");
        assert_eq!(scv_name(12345), "ApplicationVerification");
    }

    #[test]
    fn verdicts_are_remembered_per_name_and_bounded() {
        let trust = Trust::new(Vec::new()).unwrap();
        let name = |i: usize| ServerName::try_from(format!("h{i}.test")).unwrap();
        for i in 0..VERDICTS_KEPT {
            trust.remember(&name(i), 20);
        }
        trust.remember(&name(0), 18); // a known name is updated, never a reason to forget
        assert_eq!(trust.last_verdict("h0.test"), 18);
        assert!((1..VERDICTS_KEPT).all(|i| trust.last_verdict(&format!("h{i}.test")) == 20));
        // One name more than the bound: the old ones are forgotten together.
        trust.remember(&name(VERDICTS_KEPT), 62);
        assert_eq!(trust.last_verdict(&format!("h{VERDICTS_KEPT}.test")), 62);
        assert_eq!(trust.last_verdict("h1.test"), SCV::OK);
        assert!(trust.verdicts.lock().len() <= VERDICTS_KEPT);
    }

    #[test]
    fn validity_of_a_trusted_leaf() {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.not_before = rcgen::date_time_ymd(2001, 1, 1);
        p.not_after = rcgen::date_time_ymd(2002, 1, 1);
        let key = rcgen::KeyPair::generate().unwrap();
        let old = p.self_signed(&key).unwrap().der().clone();
        let at = |secs: u64| UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
        // Both ends of the period are inside it (2001-01-01 and 2002-01-01, 00:00 UTC).
        assert_eq!(check_validity(&old, at(978_307_200)), Ok(()));
        assert_eq!(check_validity(&old, at(1_009_843_200)), Ok(()));
        assert!(check_validity(&old, at(978_307_199)).is_err());
        assert!(check_validity(&old, at(1_009_843_201)).is_err());
        assert!(check_validity(&old, at(1_000_000_000 + 10 * 86_400 * 365)).is_err());
        assert_eq!(
            check_validity(&old, at(978_307_200 + 86_400)).map_err(|e| e.to_string()),
            Ok(())
        );
        assert_eq!(
            check_validity(&old, at(900_000_000)),
            Err(Error::InvalidCertificate(CertificateError::NotValidYet))
        );
        assert_eq!(
            check_validity(&old, at(2_000_000_000)),
            Err(Error::InvalidCertificate(CertificateError::Expired))
        );
        assert!(check_validity(&CertificateDer::from(&b"junk"[..]), at(0)).is_err());
    }
}
