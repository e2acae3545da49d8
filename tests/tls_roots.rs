//! The system's roots are loaded only when they will be used: a client that trusts its own CA
//! (SSLCACertificate) never reads the system store; one that needs it reads it once. A test
//! binary of its own, since the store is loaded once per process.

mod common;

use common::logcap;
use common::pki;
use common::*;
use parasol::prelude::*;
use std::time::Duration;

fn loaded() -> usize {
    logcap::count(log::Level::Debug, "system root certificates")
}

#[test]
fn system_roots_load_only_when_a_verification_needs_them() {
    logcap::install();
    let ca = pki::ca("Own CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let server = server(fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
    });
    let port = server.port().unwrap();
    let connect = |extra: Vec<(&str, Value)>| {
        let mut f = fields! { "Flags" => "SSL" };
        f.extend(extra);
        let c = NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap();
        c.connect_timeout("localhost", port, Duration::from_secs(10))
            .unwrap();
        wait("connected or refused", || {
            matches!(c.state().unwrap(), NTC::CONNECTED | NTC::DISCONNECTED)
        });
        let state = c.state().unwrap();
        c.free().unwrap();
        state
    };
    // Trusting its own CA, with resumption off so each connection verifies: never loaded.
    for _ in 0..2 {
        assert_eq!(
            connect(fields! { "SSLCACertificate" => ca.pem.as_str(), "SSLNoResume" => 1 }),
            NTC::CONNECTED
        );
    }
    assert_eq!(loaded(), 0, "{:#?}", logcap::all());
    // A client without its own CA needs the system store (and is refused: the CA is private).
    assert_eq!(connect(vec![]), NTC::DISCONNECTED);
    assert_eq!(loaded(), 1, "loaded once");
    assert_eq!(connect(fields! { "SSLNoResume" => 1 }), NTC::DISCONNECTED);
    assert_eq!(loaded(), 1, "and kept");
}
