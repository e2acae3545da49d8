//! Bounds on the key-derivation parameters of encrypted keys and PKCS#12 files.
//!
//! An encrypted PKCS#8 key or a PKCS#12 file carries its own PBKDF2 iteration counts, scrypt
//! cost parameters and MAC iteration counts, and the decoders use them as given: 2^31 PBKDF2
//! iterations run for an hour, scrypt with N = 2^40 asks for 2^50 bytes and aborts the process.
//! Before anything is decrypted, every such parameter visible in the file is checked against
//! limits far above what real tools write (OpenSSL: 2,048 iterations; scrypt N = 16,384, r = 8,
//! p = 1; Java keystores: 10,000 iterations), and a file beyond them is refused as InvalidData.
//!
//! The check walks the whole DER tree, including OCTET STRINGs that hold DER (PKCS#12's plain
//! `data` content), and looks at every algorithm identifier of PBKDF2, scrypt, PBES1 and the
//! PKCS#12 PBE schemes, and at PKCS#12's MacData. Parameters inside content that is itself
//! encrypted only become visible once it is decrypted, which this check does not do (see the
//! README's TLS section).

use pkcs8::der::asn1::{AnyRef, ObjectIdentifier};
use pkcs8::der::{Decode, Reader, SliceReader, Tag, Tagged};

/// Most PBKDF2 / PBES1 / PKCS#12 iterations accepted.
pub(super) const MAX_ITERATIONS: u64 = 2_000_000;
/// Most memory scrypt may need (128 · r · N bytes).
pub(super) const MAX_SCRYPT_MEMORY: u64 = 64 << 20;
/// Most scrypt parallelisation (each lane repeats the whole work).
pub(super) const MAX_SCRYPT_PARALLEL: u64 = 16;
/// Nesting followed before giving up (real files nest a dozen levels at most).
const MAX_DEPTH: usize = 48;

const PBKDF2: &str = "1.2.840.113549.1.5.12";
const SCRYPT: &str = "1.3.6.1.4.1.11591.4.11";
/// PBES1 (RFC 8018) and the PKCS#12 PBE schemes (RFC 7292 appendix C): salt, iterations.
const SALT_AND_ITERATIONS: &[&str] = &[
    "1.2.840.113549.1.5.1",
    "1.2.840.113549.1.5.3",
    "1.2.840.113549.1.5.4",
    "1.2.840.113549.1.5.6",
    "1.2.840.113549.1.5.10",
    "1.2.840.113549.1.5.11",
    "1.2.840.113549.1.12.1.1",
    "1.2.840.113549.1.12.1.2",
    "1.2.840.113549.1.12.1.3",
    "1.2.840.113549.1.12.1.4",
    "1.2.840.113549.1.12.1.5",
    "1.2.840.113549.1.12.1.6",
];

/// Checks every key-derivation parameter visible in `der`; `Err` says which is too large.
/// Bytes that are not DER are left to the real decoder to refuse.
pub(super) fn check(der: &[u8]) -> Result<(), String> {
    walk(der, 0)
}

/// The elements of a run of DER (empty if it is not entirely DER).
fn elements(der: &[u8]) -> Vec<AnyRef<'_>> {
    let Ok(mut reader) = SliceReader::new(der) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while !reader.is_finished() {
        match AnyRef::decode(&mut reader) {
            Ok(el) => out.push(el),
            Err(_) => return Vec::new(),
        }
    }
    out
}

fn walk(der: &[u8], depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for el in elements(der) {
        let tag = el.tag();
        if tag == Tag::Sequence {
            let children = elements(el.value());
            check_sequence(&children)?;
        }
        if tag.is_constructed() || tag == Tag::OctetString {
            walk(el.value(), depth + 1)?;
        }
    }
    Ok(())
}

/// An algorithm identifier (OID, parameters) or PKCS#12's MacData (DigestInfo, salt,
/// iterations).
fn check_sequence(children: &[AnyRef<'_>]) -> Result<(), String> {
    match children {
        [oid, params, ..] if oid.tag() == Tag::ObjectIdentifier => {
            let Ok(oid) = ObjectIdentifier::from_bytes(oid.value()) else {
                return Ok(());
            };
            check_algorithm(&oid.to_string(), params)
        }
        [digest, salt, iterations] | [digest, salt, iterations, ..]
            if digest.tag() == Tag::Sequence
                && salt.tag() == Tag::OctetString
                && iterations.tag() == Tag::Integer =>
        {
            at_most("MAC iterations", integer(iterations), MAX_ITERATIONS)
        }
        _ => Ok(()),
    }
}

fn check_algorithm(oid: &str, params: &AnyRef<'_>) -> Result<(), String> {
    if params.tag() != Tag::Sequence {
        return Ok(());
    }
    let p = elements(params.value());
    let int = |i: usize| p.get(i).filter(|e| e.tag() == Tag::Integer).map(integer);
    if oid == PBKDF2 {
        if let Some(n) = int(1) {
            at_most("PBKDF2 iterations", n, MAX_ITERATIONS)?;
        }
    } else if oid == SCRYPT {
        let (n, r, par) = (int(1), int(2), int(3));
        if let (Some(n), Some(r), Some(par)) = (n, r, par) {
            let memory = n
                .zip(r)
                .and_then(|(n, r)| n.checked_mul(r)?.checked_mul(128));
            at_most("scrypt memory (128·r·N bytes)", memory, MAX_SCRYPT_MEMORY)?;
            at_most("scrypt parallelisation", par, MAX_SCRYPT_PARALLEL)?;
        }
    } else if SALT_AND_ITERATIONS.contains(&oid) {
        if let Some(n) = int(1) {
            at_most("PBE iterations", n, MAX_ITERATIONS)?;
        }
    }
    Ok(())
}

/// A DER INTEGER as u64; `None` when negative or too large for one.
fn integer(el: &AnyRef<'_>) -> Option<u64> {
    let mut v = el.value();
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    while v.len() > 1 && v[0] == 0 {
        v = &v[1..];
    }
    if v.len() > 8 {
        return None;
    }
    Some(v.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
}

fn at_most(what: &str, value: Option<u64>, limit: u64) -> Result<(), String> {
    match value {
        Some(v) if v <= limit => Ok(()),
        Some(v) => Err(format!("{what} {v} is more than the limit of {limit}")),
        None => Err(format!(
            "{what} out of range (more than the limit of {limit})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER element: tag byte, definite length, contents.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match content.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(content);
        out
    }
    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }
    fn int(v: u64) -> Vec<u8> {
        let bytes = v.to_be_bytes();
        let mut b: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        if b.is_empty() || b[0] & 0x80 != 0 {
            b.insert(0, 0);
        }
        tlv(0x02, &b)
    }
    fn oid(s: &str) -> Vec<u8> {
        let o = ObjectIdentifier::new_unwrap(s);
        tlv(0x06, o.as_bytes())
    }
    fn salt() -> Vec<u8> {
        tlv(0x04, &[1, 2, 3, 4, 5, 6, 7, 8])
    }
    /// EncryptedPrivateKeyInfo with PBES2 / `kdf`.
    fn pbes2(kdf: Vec<u8>) -> Vec<u8> {
        let aes = seq(&[oid("2.16.840.1.101.3.4.1.42"), tlv(0x04, &[0; 16])]);
        let alg = seq(&[oid("1.2.840.113549.1.5.13"), seq(&[kdf, aes])]);
        seq(&[alg, tlv(0x04, &[0xAA; 48])])
    }
    fn pbkdf2(iterations: u64) -> Vec<u8> {
        seq(&[oid(PBKDF2), seq(&[salt(), int(iterations)])])
    }
    fn scrypt(n: u64, r: u64, p: u64) -> Vec<u8> {
        seq(&[oid(SCRYPT), seq(&[salt(), int(n), int(r), int(p)])])
    }

    #[test]
    fn pbkdf2_iterations_are_bounded() {
        assert_eq!(check(&pbes2(pbkdf2(2048))), Ok(()));
        assert_eq!(check(&pbes2(pbkdf2(MAX_ITERATIONS))), Ok(()));
        assert!(check(&pbes2(pbkdf2(MAX_ITERATIONS + 1))).is_err());
        assert!(check(&pbes2(pbkdf2((1 << 31) - 1))).is_err());
        assert!(check(&pbes2(pbkdf2(u64::MAX))).is_err());
    }

    #[test]
    fn scrypt_memory_and_lanes_are_bounded() {
        assert_eq!(check(&pbes2(scrypt(16384, 8, 1))), Ok(()));
        assert!(check(&pbes2(scrypt(1 << 40, 8, 1))).is_err());
        assert!(check(&pbes2(scrypt(1 << 24, 8, 1))).is_err());
        assert!(check(&pbes2(scrypt(16384, 8, 1000))).is_err());
        assert!(check(&pbes2(scrypt(u64::MAX, u64::MAX, 1))).is_err());
    }

    #[test]
    fn pkcs12_mac_and_pbe_iterations_are_bounded() {
        let mac = |n| {
            let digest = seq(&[seq(&[oid("2.16.840.1.101.3.4.2.1")]), tlv(0x04, &[0; 32])]);
            seq(&[
                int(3),
                seq(&[oid("1.2.840.113549.1.7.1")]),
                seq(&[digest, salt(), int(n)]),
            ])
        };
        assert_eq!(check(&mac(2048)), Ok(()));
        assert!(check(&mac((1 << 31) - 1)).is_err());
        let pbe = |n| seq(&[oid("1.2.840.113549.1.12.1.3"), seq(&[salt(), int(n)])]);
        assert_eq!(check(&pbe(2048)), Ok(()));
        assert!(check(&pbe(MAX_ITERATIONS * 2)).is_err());
        // Inside an OCTET STRING (a PKCS#12 `data` content) too.
        let wrapped = tlv(0x04, &seq(&[pbe(MAX_ITERATIONS * 2)]));
        assert!(check(&wrapped).is_err());
    }

    #[test]
    fn garbage_is_left_to_the_decoder() {
        assert_eq!(check(b""), Ok(()));
        assert_eq!(check(b"not der at all"), Ok(()));
        assert_eq!(check(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), Ok(()));
        // Deep nesting stops at the depth bound instead of recursing without end.
        let mut deep = int(1);
        for _ in 0..200 {
            deep = seq(&[deep]);
        }
        assert_eq!(check(&deep), Ok(()));
    }
}
