//! The system's roots are loaded only when they will be used: a client that trusts its own CA
//! (SSLCACertificate) never reads the system store; one that needs it reads it once, and a
//! server that chains to a system root is trusted through it, also by a client whose own CA is
//! another. A test binary of its own, since the store is loaded once per process; the "system"
//! store is a CA of the test's, named by `SSL_CERT_FILE` (which rustls-native-certs honours).

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
    let dir = tempfile::tempdir().unwrap();
    let system_ca = pki::ca("System CA");
    // Set before anything loads the store, in a binary with this one test.
    std::env::set_var(
        "SSL_CERT_FILE",
        pki::write(&dir, "roots.pem", &system_ca.pem),
    );
    std::env::remove_var("SSL_CERT_DIR");
    let ca = pki::ca("Own CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let own_server = server(fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
    });
    let port = own_server.port().unwrap();
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
    // A client without its own CA needs the system store (and is refused: the CA is not in it).
    assert_eq!(connect(vec![]), NTC::DISCONNECTED);
    assert_eq!(loaded(), 1, "loaded once");
    assert_eq!(connect(fields! { "SSLNoResume" => 1 }), NTC::DISCONNECTED);
    assert_eq!(loaded(), 1, "and kept");
    // A server whose CA is a system root: trusted without SSLCACertificate, and by a client
    // whose own CA is another one (its CA settles nothing, the system store does).
    let sys_leaf = pki::leaf(&system_ca, &["localhost"]);
    let sys_server = server(fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => sys_leaf.cert.as_str(),
        "SSLPrivateKey" => sys_leaf.key.as_str(),
    });
    let sys_port = sys_server.port().unwrap();
    let connect_sys = |extra: Vec<(&str, Value)>| {
        let mut f = fields! { "Flags" => "SSL", "SSLNoResume" => 1 };
        f.extend(extra);
        let c = NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap();
        c.connect_timeout("localhost", sys_port, Duration::from_secs(10))
            .unwrap();
        wait("connected or refused", || {
            matches!(c.state().unwrap(), NTC::CONNECTED | NTC::DISCONNECTED)
        });
        let r = (c.state().unwrap(), c.valid_cert().unwrap());
        c.free().unwrap();
        r
    };
    assert_eq!(connect_sys(vec![]), (NTC::CONNECTED, 0));
    assert_eq!(
        connect_sys(fields! { "SSLCACertificate" => ca.pem.as_str() }),
        (NTC::CONNECTED, 0)
    );
    // And for another name, the system-trusted chain still fails on the name, not the path.
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SSL", "SSLCACertificate" => ca.pem.as_str() },
        )
        .unwrap(),
    )
    .unwrap();
    c.connect_timeout("127.0.0.1", sys_port, Duration::from_secs(10))
        .unwrap();
    wait("refused", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.valid_cert().unwrap(), 62, "hostname mismatch");
    assert_eq!(loaded(), 1, "still loaded once");
}
