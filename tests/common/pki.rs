//! Certificates made at test time with rcgen: a private CA, leaves signed by it (valid, expired,
//! not yet valid, wrong name), self-signed leaves, and an unrelated CA.

#![allow(dead_code)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// A certificate authority.
pub struct Ca {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate with its private key, as PEM.
#[derive(Clone)]
pub struct Leaf {
    pub cert: String,
    pub key: String,
}

pub fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
    params
}

/// A leaf for `names` (DNS names or IP literals) signed by `ca`.
pub fn leaf(ca: &Ca, names: &[&str]) -> Leaf {
    signed(ca, leaf_params(names))
}

/// A leaf valid only in the past.
pub fn expired(ca: &Ca, names: &[&str]) -> Leaf {
    let mut p = leaf_params(names);
    p.not_before = rcgen::date_time_ymd(2001, 1, 1);
    p.not_after = rcgen::date_time_ymd(2002, 1, 1);
    signed(ca, p)
}

/// A leaf valid only in the future.
pub fn not_yet_valid(ca: &Ca, names: &[&str]) -> Leaf {
    let mut p = leaf_params(names);
    p.not_before = rcgen::date_time_ymd(2090, 1, 1);
    p.not_after = rcgen::date_time_ymd(2091, 1, 1);
    signed(ca, p)
}

fn signed(ca: &Ca, params: CertificateParams) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    Leaf {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// A self-signed leaf.
pub fn self_signed(names: &[&str]) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(names).self_signed(&key).unwrap();
    Leaf {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// Writes PEM text to a file in `dir` and returns its path.
pub fn write(dir: &tempfile::TempDir, name: &str, pem: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, pem).unwrap();
    p.to_string_lossy().into_owned()
}
