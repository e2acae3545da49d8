//! What a session tells after its handshake: the peer's certificate (subject, issuer, SHA-256
//! fingerprint, the chain in PEM) and a summary of the handshake.

use super::verify::scv_text;
use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use std::fmt;

/// The certificate a peer presented (a server's, or a client's under mutual TLS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerCertificate {
    /// The leaf's subject, as OpenSSL prints it in RFC 4514 form (`CN=localhost, O=Example`).
    pub subject: String,
    /// The leaf's issuer, in the same form.
    pub issuer: String,
    /// SHA-256 of the leaf's DER, as `openssl x509 -fingerprint -sha256` prints it
    /// (upper-case hex pairs joined by colons).
    pub fingerprint_sha256: String,
    /// The chain as sent (leaf first), as PEM.
    pub chain_pem: String,
    /// The leaf's DER.
    pub der: Vec<u8>,
}

impl PeerCertificate {
    /// Describes a chain (leaf first); `None` when it is empty.
    pub fn from_chain(chain: &[CertificateDer<'_>]) -> Option<PeerCertificate> {
        let leaf = chain.first()?;
        let (subject, issuer) = match x509_parser::parse_x509_certificate(leaf.as_ref()) {
            Ok((_, c)) => (c.subject().to_string(), c.issuer().to_string()),
            Err(_) => (String::new(), String::new()),
        };
        let pems: Vec<pem::Pem> = chain
            .iter()
            .map(|c| pem::Pem::new("CERTIFICATE", c.as_ref().to_vec()))
            .collect();
        let chain_pem = pem::encode_many_config(
            &pems,
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        );
        Some(PeerCertificate {
            subject,
            issuer,
            fingerprint_sha256: fingerprint(leaf.as_ref()),
            chain_pem,
            der: leaf.as_ref().to_vec(),
        })
    }
}

/// SHA-256 of `der` as upper-case hex pairs joined by colons (OpenSSL's fingerprint form).
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// A completed handshake, as the `-v` summary line of the command shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// Protocol version (`TLSv1.3`).
    pub version: String,
    /// Cipher suite (`TLS13_AES_256_GCM_SHA384`).
    pub cipher_suite: String,
    /// The ALPN protocol agreed, if any.
    pub alpn: Option<String>,
    /// The session was resumed (no certificate exchanged this time).
    pub resumed: bool,
    /// The peer's certificate, if it sent one (on a resumed session: the one of the handshake
    /// it resumes).
    pub peer: Option<PeerCertificate>,
    /// ValidCert of a client session (0 on the server side).
    pub valid_cert: i32,
}

impl fmt::Display for TlsInfo {
    /// One line: `TLSv1.3 TLS13_AES_256_GCM_SHA384, ALPN h2, peer CN=localhost, certificate:
    /// ok` (with `resumed` when it was).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.version, self.cipher_suite)?;
        match &self.alpn {
            Some(p) => write!(f, ", ALPN {p}")?,
            None => f.write_str(", no ALPN")?,
        }
        if self.resumed {
            f.write_str(", resumed")?;
        }
        match &self.peer {
            Some(p) => write!(f, ", peer {}", p.subject)?,
            None if self.resumed => {}
            None => f.write_str(", no peer certificate")?,
        }
        write!(
            f,
            ", certificate: {} ({})",
            scv_text(self.valid_cert),
            self.valid_cert
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_openssl_shaped() {
        // SHA-256 of the empty string.
        assert_eq!(
            fingerprint(b""),
            "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55"
        );
    }

    #[test]
    fn a_chain_is_described_leaf_first() {
        assert_eq!(PeerCertificate::from_chain(&[]), None);
        let mut p = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap();
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "a.test");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        let der = cert.der().clone();
        let peer = PeerCertificate::from_chain(&[der.clone(), der.clone()]).unwrap();
        assert_eq!(peer.subject, "CN=a.test");
        assert_eq!(peer.issuer, "CN=a.test");
        assert_eq!(peer.der, der.as_ref());
        assert_eq!(peer.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(peer
            .chain_pem
            .starts_with(&cert.pem().replace("\r\n", "\n")));
    }

    #[test]
    fn the_summary_line() {
        let mut info = TlsInfo {
            version: "TLSv1.3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            alpn: Some("h2".into()),
            resumed: false,
            peer: None,
            valid_cert: 18,
        };
        assert_eq!(
            info.to_string(),
            "TLSv1.3 TLS13_AES_128_GCM_SHA256, ALPN h2, no peer certificate, certificate: self-signed certificate (18)"
        );
        info.resumed = true;
        info.alpn = None;
        info.valid_cert = 0;
        assert_eq!(
            info.to_string(),
            "TLSv1.3 TLS13_AES_128_GCM_SHA256, no ALPN, resumed, certificate: ok (0)"
        );
    }
}
