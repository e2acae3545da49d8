//! Fuzz target `tls_settings`: the TLS settings taken by name — ALPN lists, SSLClientAuth,
//! SSLIdentities (`NAME=CERT,KEY` entries, as one text or an array), ServerName — first as
//! field values on a NetSocket that is never initialised (parsing only: no path from the input
//! is ever opened), then as a server on 127.0.0.1 port 0 whose SNI identities and client CA
//! are picked from files of ours (valid, mismatched, junk, missing), reached by a TLS client
//! with a fuzzed server name and ALPN list.
//!
//! Input: `mode` byte (bit 0 the entries as one text, bit 1 a client CA, bits 2-3
//! SSLClientAuth among none/optional/require/fuzzed), the field texts (length-prefixed), the
//! number of SNI entries and their picks, the client's ALPN text and server name.
//!
//! Invariants: no panic, no hang; a field value is accepted or refused with Args
//! (FieldTypeMismatch for a value of the wrong type); a server is refused only with a documented ERR and a recorded
//! detail; an accepted server survives a handshake that may fail (no ALPN in common, a
//! required client certificate missing, an unknown name) and frees cleanly, leaving no object.

#[path = "common.rs"]
mod common;

use common::*;
use parasol::kernel::object::object_count;
use parasol::prelude::*;
use std::path::Path;
use std::sync::Arc;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write a temp file");
    p.to_string_lossy().into_owned()
}

/// Sets `field` on an uninitialised NetSocket: accepted, or refused with Args (or
/// FieldTypeMismatch for a value of the wrong type).
fn parse_only(field: &str, value: Value) {
    let obj = new_object("NetSocket").expect("a NetSocket");
    match obj.set(field, value) {
        Ok(()) | Err(ERR::Args) | Err(ERR::FieldTypeMismatch) => {}
        Err(e) => panic!("{field} refused with {e:?}"),
    }
    free_resource(obj).expect("free the object");
}

fn documented(e: ERR) -> bool {
    matches!(
        e,
        ERR::Args
            | ERR::FieldNotSet
            | ERR::FileNotFound
            | ERR::File
            | ERR::InvalidData
            | ERR::Mismatch
            | ERR::Security
    )
}

/// A TLS client with the fuzzed ALPN list and server name; the handshake must end.
fn handshake(server: ObjectId, alpn: &str, name: &str) {
    let port = server.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    let mut config = (*tlsc::config()).clone();
    config.alpn_protocols = alpn
        .split(',')
        .filter(|p| !p.is_empty() && p.len() < 256)
        .map(|p| p.as_bytes().to_vec())
        .collect();
    let Ok(peer) = tlsc::Peer::connect_with(port, Arc::new(config), name)
        .or_else(|_| tlsc::Peer::connect(port))
    else {
        return;
    };
    handshake_then_close(server, peer);
}

pub fn run(data: &[u8]) {
    setup();
    let panics_before = panics();
    let count = object_count();
    let mut src = Src::new(data);
    let mode = src.u8();
    let alpn = src.string(600);
    let auth = src.string(32);
    let entries = src.string(600);
    let server_name = src.string(300);

    // Parsing only.
    parse_only("ALPN", Value::from(alpn.as_str()));
    parse_only("SSLClientAuth", Value::from(auth.as_str()));
    parse_only("ServerName", Value::from(server_name.as_str()));
    parse_only("SSLIdentities", Value::from(entries.as_str()));
    let as_array: Vec<Value> = entries.split('\n').map(Value::from).collect();
    parse_only("SSLIdentities", Value::Array(as_array.into()));
    parse_only("SSLIdentities", Value::Int(mode as i32));
    parse_only("TLSConfig", Value::from(entries.as_str()));

    // A server whose files are ours.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let id = identity();
    let other = rcgen::KeyPair::generate().expect("a key").serialize_pem();
    let files = [
        write(d, "cert.pem", id.cert_pem.as_bytes()),
        write(d, "key.pem", id.key_pem.as_bytes()),
        write(d, "other.key", other.as_bytes()),
        write(d, "junk", src.bytes(256)),
        d.join("missing.pem").to_string_lossy().into_owned(),
    ];
    let n = src.below(4);
    let sni: Vec<String> = (0..n)
        .map(|_| {
            let name: String = src.string(40).replace(['=', ';', '\n'], "");
            let cert = src.pick(&files);
            let key = src.pick(&files);
            format!("{name}={cert},{key}")
        })
        .collect();
    let client_name = src.string(80);
    let client_alpn = src.string(80);
    let mut f: Vec<(&str, Value)> = vec![
        ("Address", "127.0.0.1".into()),
        ("Port", 0.into()),
        ("Flags", "SERVER|SSL|MULTI_CONNECT".into()),
        ("SSLCertificate", files[0].as_str().into()),
        ("SSLPrivateKey", files[1].as_str().into()),
        ("ALPN", alpn.as_str().into()),
    ];
    if !sni.is_empty() {
        f.push(if mode & 1 != 0 {
            ("SSLIdentities", sni.join(";").into())
        } else {
            let items: Vec<Value> = sni.iter().map(|s| Value::from(s.as_str())).collect();
            ("SSLIdentities", Value::Array(items.into()))
        });
    }
    if mode & 2 != 0 {
        f.push(("SSLClientCA", src.pick(&files).into()));
    }
    match (mode >> 2) & 3 {
        0 => {}
        1 => f.push(("SSLClientAuth", "optional".into())),
        2 => f.push(("SSLClientAuth", "require".into())),
        _ => f.push(("SSLClientAuth", auth.as_str().into())),
    }
    parasol::err::clear_failure_detail();
    match create("NetSocket", f) {
        Ok(server) => {
            handshake(server, &client_alpn, &client_name);
            if let Err(e) = check_server_lists(server) {
                panic!("server lists: {e}");
            }
            server.free().expect("free the server");
        }
        Err(e) => {
            assert!(documented(e), "server refused with {e:?} ({e})");
        }
    }
    pump(1);
    assert_eq!(object_count(), count, "objects left");
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught inside the runtime"
    );
}
