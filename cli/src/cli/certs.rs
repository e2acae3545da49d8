//! Certificates generated in memory: a throw-away CA and a certificate for localhost signed by
//! it (ECDSA P-256), for the demo and `serve --tls-self-signed`.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// A certificate chain and key as PEM, with the CA that signed it.
pub(crate) struct Identity {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

/// A fresh CA and a localhost certificate (names `localhost`, `127.0.0.1`, `::1`).
pub(crate) fn localhost() -> Result<Identity, rcgen::Error> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name
        .push(DnType::CommonName, "parasol throw-away CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_pem = ca.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate()?;
    let cert = leaf.signed_by(&key, &issuer)?;
    // The chain sent to clients: leaf then CA.
    Ok(Identity {
        cert_pem: format!("{}{}", cert.pem(), ca_pem),
        ca_pem,
        key_pem: key.serialize_pem(),
    })
}

/// One self-signed certificate for localhost (names `localhost`, `127.0.0.1`, `::1`) and its
/// key, for `serve --tls-self-signed`: a client trusts it by being given the certificate itself
/// (`connect --ca`, `openssl s_client -CAfile`), which `--tls-save-cert` writes out.
pub(crate) fn self_signed_localhost() -> Result<Identity, rcgen::Error> {
    let mut params = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?.pem();
    Ok(Identity {
        ca_pem: cert.clone(),
        cert_pem: cert,
        key_pem: key.serialize_pem(),
    })
}
