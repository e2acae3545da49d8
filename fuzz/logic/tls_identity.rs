//! Fuzz target `tls_identity`: arbitrary bytes as a server identity — SSLCertificate and
//! SSLPrivateKey as PEM text or PEM files (certificate chains; PKCS#8, PKCS#1, SEC1 and
//! encrypted PKCS#8 keys with SSLKeyPassword), a key inside the certificate source, and
//! PKCS#12 files (`.p12` / `.pfx`) — loaded by `parasol::net::tls::load_server_config` or by
//! the Init of a server NetSocket on 127.0.0.1 port 0.
//!
//! Input: `mode` byte (bits 0-1 source kind, bit 2 through a NetSocket, bit 3 a password,
//! bit 4 `.pfx` instead of `.p12`), then the password (length-prefixed), the certificate bytes
//! (u16 length-prefixed), and the key bytes (the rest). A PKCS#12 file is certificate + key bytes.
//!
//! Invariants: no panic, no hang; a refused identity is one of the documented ERRs (FieldNotSet,
//! FileNotFound, File, InvalidData, Mismatch, Security) with a log line; an accepted one gives
//! sessions, and a server that accepted it survives a handshake attempt and frees cleanly.

#[path = "common.rs"]
mod common;

use common::*;
use parasol::kernel::object::object_count;
use parasol::net::tls::{load_server_config, ServerIdentity};
use parasol::prelude::*;
use std::path::Path;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write a temp file");
    p.to_string_lossy().into_owned()
}

/// PEM text when the bytes hold a PEM marker (the runtime then takes them as text), otherwise
/// a file of ours holding the bytes (never a path taken from the input).
fn text_or_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN") {
        text.into_owned()
    } else {
        write(dir, name, bytes)
    }
}

fn documented(e: ERR) -> bool {
    matches!(
        e,
        ERR::FieldNotSet
            | ERR::FileNotFound
            | ERR::File
            | ERR::InvalidData
            | ERR::Mismatch
            | ERR::Security
            // A PKCS#12 file or an encrypted key in a build without the `pkcs12` feature.
            | ERR::NoSupport
    )
}

/// A handshake against a server that accepted the identity: it may fail (an unusual key), but
/// it must end, and the server must stay consistent.
fn try_handshake(server: ObjectId) {
    let port = server.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    let Ok(peer) = tlsc::Peer::connect(port) else {
        return;
    };
    handshake_then_close(server, peer);
    if let Err(e) = check_server_lists(server) {
        panic!("server lists: {e}");
    }
}

pub fn run(data: &[u8]) {
    setup();
    let panics_before = panics();
    let count = object_count();
    let mut src = Src::new(data);
    let mode = src.u8();
    let password = (mode & 8 != 0).then(|| src.string(64));
    let cert = src.bytes(8192).to_vec();
    let key = src.rest().to_vec();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let both: Vec<u8> = [cert.as_slice(), key.as_slice()].concat();
    let (certificate, private_key) = match mode & 3 {
        0 => (
            text_or_file(d, "cert.pem", &cert),
            Some(text_or_file(d, "key.pem", &key)),
        ),
        1 => (write(d, "cert.pem", &cert), Some(write(d, "key.pem", &key))),
        2 => (
            write(d, if mode & 16 != 0 { "id.PFX" } else { "id.p12" }, &both),
            None,
        ),
        _ => (text_or_file(d, "both.pem", &both), None),
    };

    parasol::err::clear_failure_detail();
    let result = if mode & 4 == 0 {
        let id = ServerIdentity {
            certificate: Some(certificate),
            private_key,
            password,
        };
        load_server_config(&id).map(|tls| {
            tls.session().expect("a session from an accepted identity");
        })
    } else {
        let mut f: Vec<(&str, Value)> = vec![
            ("Address", "127.0.0.1".into()),
            ("Port", 0.into()),
            ("Flags", "SERVER|SSL".into()),
            ("SSLCertificate", certificate.as_str().into()),
        ];
        if let Some(k) = &private_key {
            f.push(("SSLPrivateKey", k.as_str().into()));
        }
        if let Some(p) = &password {
            f.push(("SSLKeyPassword", p.as_str().into()));
        }
        create("NetSocket", f).map(|server| {
            try_handshake(server);
            server.free().expect("free the server");
        })
    };
    if let Err(e) = result {
        assert!(documented(e), "identity refused with {e:?} ({e})");
        assert!(
            parasol::err::take_failure_detail().is_some(),
            "identity refused ({e:?}) without a recorded detail"
        );
    }
    pump(1);
    assert_eq!(object_count(), count, "objects left");
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught inside the runtime"
    );
}
