//! Server certificate verification that records an OpenSSL `X509_V_*` code (Parasol's `SCV`,
//! read through the `ValidCert` field) for every handshake, whether or not verification is
//! enforced.
//!
//! Mapping from rustls/webpki errors:
//!
//! | rustls `CertificateError` | ValidCert |
//! |---|---|
//! | (verified) | 0 `OK` |
//! | `NotValidYet` | 9 `CERT_NOT_YET_VALID` |
//! | `Expired` | 10 `CERT_HAS_EXPIRED` |
//! | no path to a trust anchor, the leaf issued by itself | 18 `DEPTH_ZERO_SELF_SIGNED_CERT` |
//! | no path, the chain sent holds a self-issued certificate | 19 `SELF_SIGNED_CERT_IN_CHAIN` |
//! | `UnknownIssuer` otherwise | 20 `UNABLE_TO_GET_ISSUER_CERT_LOCALLY` |
//! | `BadSignature` otherwise | 7 `CERT_SIGNATURE_FAILURE` |
//! | `Revoked` | 23 `CERT_REVOKED` |
//! | `InvalidPurpose` | 26 `INVALID_PURPOSE` |
//! | `UnhandledCriticalExtension` | 34 `UNHANDLED_CRITICAL_EXTENSION` |
//! | `NotValidForName` | 62 `HOSTNAME_MISMATCH` |
//! | anything else (bad encoding, unsupported algorithm …) | 50 `APPLICATION_VERIFICATION` |
//!
//! When several problems exist, webpki reports the first it meets (the chain before the name),
//! so an expired certificate for the wrong host reads 10.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

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

/// Verifies with webpki, records the outcome, and enforces it only when `enforce` is set. The
/// handshake signatures are always checked (a no-verify client still proves the peer holds the
/// key of the certificate it sent).
#[derive(Debug)]
pub(super) struct RecordingVerifier {
    pub(super) inner: Arc<WebPkiServerVerifier>,
    pub(super) enforce: bool,
    pub(super) outcome: Arc<AtomicI32>,
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
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => {
                self.outcome.store(SCV::OK, Ordering::Relaxed);
                Ok(v)
            }
            Err(e) => {
                let code = scv_code(&e, end_entity, intermediates);
                self.outcome.store(code, Ordering::Relaxed);
                log::debug!("Certificate of {server_name:?}: {e} (ValidCert {code})");
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

fn scv_code(
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
        // anchors; OpenSSL names the shape of the chain, so look at that.
        other => {
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
    }
}

/// True when the certificate names itself as issuer (what OpenSSL calls self-signed).
fn self_issued(cert: &CertificateDer<'_>) -> bool {
    match x509_parser::parse_x509_certificate(cert.as_ref()) {
        Ok((_, c)) => c.issuer().as_raw() == c.subject().as_raw(),
        Err(_) => false,
    }
}
