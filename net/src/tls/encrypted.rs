//! Password-protected identities: encrypted PKCS#8 keys and PKCS#12 files. Built with the
//! `pkcs12` feature; without it both are refused with NoSupport and a log line saying which
//! feature is missing, so a plain build carries no password-based key-derivation code.
//!
//! Key-derivation parameters come from the file, so they are bounded before anything is
//! decrypted (`kdf_limits`): a hostile file cannot make loading run for hours or allocate
//! without limit.

use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Decrypts the first `ENCRYPTED PRIVATE KEY` PEM block in `pem` with `password`.
#[cfg(feature = "pkcs12")]
pub(super) fn decrypt_pkcs8_pem(pem: &[u8], password: Option<&str>) -> Res<PrivateKeyDer<'static>> {
    use rustls::pki_types::PrivatePkcs8KeyDer;
    const BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
    let Some(password) = password else {
        return Err(fail_with(
            ERR::InvalidData,
            "SSLPrivateKey is encrypted and SSLKeyPassword is not set",
        ));
    };
    let text = String::from_utf8_lossy(pem);
    let start = text.find(BEGIN).unwrap_or(0);
    let (_, doc) = pkcs8::der::SecretDocument::from_pem(&text[start..]).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLPrivateKey: malformed encrypted key: {e}"),
        )
    })?;
    super::kdf_limits::check(doc.as_bytes()).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLPrivateKey: refused before decrypting: {e}"),
        )
    })?;
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes()).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLPrivateKey: malformed encrypted key: {e}"),
        )
    })?;
    let plain = info.decrypt(password).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLPrivateKey: cannot decrypt with SSLKeyPassword: {e}"),
        )
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}

/// Without the `pkcs12` feature an encrypted key is refused.
#[cfg(not(feature = "pkcs12"))]
pub(super) fn decrypt_pkcs8_pem(
    _pem: &[u8],
    _password: Option<&str>,
) -> Res<PrivateKeyDer<'static>> {
    Err(fail_with(
        ERR::NoSupport,
        "SSLPrivateKey is an encrypted PKCS#8 key: this build has no `pkcs12` feature to decrypt it",
    ))
}

/// Loads the key and certificate chain of the PKCS#12 file at `path`.
#[cfg(feature = "pkcs12")]
pub(super) fn load_pkcs12(
    path: &str,
    password: &str,
) -> Res<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    use rustls::pki_types::PrivatePkcs8KeyDer;
    let data = super::config::read_file("SSLCertificate", path)?;
    super::kdf_limits::check(&data).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLCertificate \"{path}\": refused before decrypting: {e}"),
        )
    })?;
    let store = p12_keystore::KeyStore::from_pkcs12(&data, password).map_err(|e| {
        fail_with(
            ERR::InvalidData,
            format!("SSLCertificate \"{path}\": unreadable PKCS#12 (or a wrong password, SSLKeyPassword): {e}"),
        )
    })?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(fail_with(
            ERR::InvalidData,
            format!("SSLCertificate \"{path}\": the PKCS#12 file holds no key and certificate"),
        ));
    };
    let certs = chain
        .chain()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().to_vec()));
    Ok((certs, key))
}

/// Without the `pkcs12` feature a PKCS#12 file is refused.
#[cfg(not(feature = "pkcs12"))]
pub(super) fn load_pkcs12(
    path: &str,
    _password: &str,
) -> Res<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    Err(fail_with(
        ERR::NoSupport,
        format!(
            "SSLCertificate \"{path}\" is PKCS#12: this build has no `pkcs12` feature to read it"
        ),
    ))
}

// Runs in `cargo test -p parasol-net --lib` (CI does), where the feature is off; the workspace
// test run turns it on through the command's package and tests the decryption instead
// (`tests/tls.rs`).
#[cfg(all(test, not(feature = "pkcs12")))]
mod tests {
    use super::*;

    #[test]
    fn without_the_feature_encrypted_identities_are_no_support() {
        let pem =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            decrypt_pkcs8_pem(pem, Some("pw")).unwrap_err(),
            ERR::NoSupport
        );
        assert_eq!(
            load_pkcs12("/nonexistent/id.p12", "pw").unwrap_err(),
            ERR::NoSupport
        );
    }
}
