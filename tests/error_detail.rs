//! ErrorDetail: what the failure behind an ERR said — the OS error, the TLS error, the file —
//! readable from the socket or from `try_create`'s error, while the library logs it at debug
//! only (the caller shows it, once).

mod common;

use common::*;
use parasol::prelude::*;

#[test]
fn a_refused_connection_says_what_the_os_said() {
    setup();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed: nothing listens there now
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .build()
        .unwrap();
    wait("refused", || client.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(client.error().unwrap(), ERR::ConnectionRefused);
    let detail = client.error_detail().unwrap().expect("a detail");
    assert!(detail.contains("refused"), "{detail}");
    assert_eq!(
        client.get_str("ErrorDetail").unwrap(),
        detail,
        "the same through the generic door"
    );
    // A new Connect starts without the old reason.
    client.connect("127.0.0.1", port).unwrap();
    assert_eq!(client.error_detail().unwrap(), None);
    wait("refused again", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    client.free().unwrap();
}

#[test]
fn an_untrusted_certificate_says_why_the_handshake_failed() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("Detail CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::MULTI_CONNECT | NSF::SSL)
        .field("SSLCertificate", cert.as_str())
        .field("SSLPrivateKey", key.as_str())
        .build()
        .unwrap();
    // The client does not trust that CA.
    let client = NetSocket::create()
        .address("localhost")
        .port(server.port().unwrap())
        .flags(NSF::SSL)
        .build()
        .unwrap();
    wait("the handshake fails", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(client.error().unwrap(), ERR::Security);
    let detail = client.error_detail().unwrap().expect("a detail");
    assert!(
        detail.starts_with("TLS:") && detail.contains("certificate"),
        "{detail}"
    );
    client.free().unwrap();
    server.free().unwrap();
}

#[test]
fn a_missing_certificate_file_is_named_by_try_create() {
    setup();
    let e = parasol::try_create(
        "NetSocket",
        fields! {
            "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER|SSL",
            "SSLCertificate" => "/nonexistent/parasol-detail.pem",
            "SSLPrivateKey" => "/nonexistent/parasol-detail.key",
        },
    )
    .unwrap_err();
    assert_eq!(e.error, ERR::FileNotFound);
    let detail = e.detail.clone().expect("a detail");
    assert!(
        detail.contains("/nonexistent/parasol-detail.pem"),
        "{detail}"
    );
    assert!(e.to_string().contains(&detail), "shown by Display: {e}");
}
