//! TLS: our client and server with a private CA, every certificate failure with its ValidCert,
//! SSL_NO_VERIFY, truncation vs close_notify, plaintext clients against a TLS server, bulk data,
//! many clients, handshake timeouts and server identity errors.

mod common;

use common::pki::{self, Leaf};
use common::*;
use parasol::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn echo_incoming() -> Function {
    Function::new(|_server: &NetSocket, c: &ClientSocket| c.echo())
}

fn tls_server(leaf: &Leaf, states: &Log<NTC>) -> NetSocket {
    let st = states.clone();
    server(fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| st.push(state)),
        "Incoming" => echo_incoming(),
    })
}

fn tls_client(flags: &str, ca: Option<&str>, states: &Log<NTC>, got: &Bytes) -> NetSocket {
    let mut f = fields! { "Flags" => flags, "Feedback" => client_feedback(states), "Incoming" => client_collect(got) };
    if let Some(ca) = ca {
        f.push(("SSLCACertificate", ca.into()));
    }
    NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap()
}

#[test]
fn private_ca_round_trip_with_verification() {
    setup();
    let ca = pki::ca("Test CA");
    let leaf = pki::leaf(&ca, &["localhost", "127.0.0.1"]);
    let sstates = Log::default();
    let server = tls_server(&leaf, &sstates);
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL", Some(&ca.pem), &states, &got);
    c.ac_write(b"queued before connect").unwrap();
    c.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    wait("echo", || got.get() == b"queued before connect");
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::HANDSHAKING, NTC::CONNECTED]
    );
    assert_eq!(c.valid_cert().unwrap(), 0);
    assert_eq!(sstates.get(), vec![NTC::HANDSHAKING, NTC::CONNECTED]);
    c.ac_write(b" and after").unwrap();
    wait("second echo", || {
        got.get() == b"queued before connect and after"
    });

    // By IP literal: no SNI, the certificate's IP SAN is checked.
    let (states2, got2) = (Log::default(), Bytes::default());
    let c2 = tls_client("SSL", Some(&ca.pem), &states2, &got2);
    c2.connect_timeout(
        "127.0.0.1",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    c2.ac_write(b"by ip").unwrap();
    wait("echo by ip", || got2.get() == b"by ip");

    // Graceful close on our side sends close_notify: the server sees DISCONNECTED once each.
    c.free().unwrap();
    c2.free().unwrap();
    wait("server sees both leave", || {
        sstates
            .get()
            .iter()
            .filter(|s| **s == NTC::DISCONNECTED)
            .count()
            == 2
    });
}

fn expect_rejected(leaf: &Leaf, trust: Option<&str>, host: &str, want: i32) {
    let sstates = Log::default();
    let server = tls_server(leaf, &sstates);
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL", trust, &states, &got);
    c.connect_timeout(
        host,
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    wait("rejection", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.error().unwrap(), ERR::Security);
    assert_eq!(c.valid_cert().unwrap(), want, "ValidCert");
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::HANDSHAKING, NTC::DISCONNECTED]
    );
    // The server side ends that handshake alone.
    wait("server releases the client", || {
        server.total_clients().unwrap() == 0
    });
}

#[test]
fn hostname_mismatch_is_62() {
    setup();
    let ca = pki::ca("CA");
    expect_rejected(
        &pki::leaf(&ca, &["other.example"]),
        Some(&ca.pem),
        "localhost",
        62,
    );
}

#[test]
fn expired_is_10() {
    setup();
    let ca = pki::ca("CA");
    expect_rejected(
        &pki::expired(&ca, &["localhost"]),
        Some(&ca.pem),
        "localhost",
        10,
    );
}

#[test]
fn not_yet_valid_is_9() {
    setup();
    let ca = pki::ca("CA");
    expect_rejected(
        &pki::not_yet_valid(&ca, &["localhost"]),
        Some(&ca.pem),
        "localhost",
        9,
    );
}

#[test]
fn self_signed_is_18() {
    setup();
    expect_rejected(&pki::self_signed(&["localhost"]), None, "localhost", 18);
}

#[test]
fn unknown_ca_is_20() {
    setup();
    let trusted = pki::ca("Trusted CA");
    let other = pki::ca("Other CA");
    expect_rejected(
        &pki::leaf(&other, &["localhost"]),
        Some(&trusted.pem),
        "localhost",
        20,
    );
}

#[test]
fn ssl_no_verify_connects_and_reports() {
    setup();
    let sstates = Log::default();
    let server = tls_server(&pki::self_signed(&["localhost"]), &sstates);
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL|SSL_NO_VERIFY", None, &states, &got);
    c.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    c.ac_write(b"anyway").unwrap();
    wait("echo", || got.get() == b"anyway");
    assert_eq!(
        c.valid_cert().unwrap(),
        18,
        "ValidCert still says what verification found"
    );
    // The alias name works too.
    let c2 = tls_client(
        "SSL|DISABLE_SERVER_VERIFY",
        None,
        &Log::default(),
        &Bytes::default(),
    );
    assert_eq!(c2.get("Flags").unwrap().to_int().unwrap(), 0x06);
}

#[test]
fn plaintext_client_is_dropped_while_tls_client_works() {
    setup();
    let ca = pki::ca("CA");
    let sstates = Log::default();
    let server = tls_server(&pki::leaf(&ca, &["localhost"]), &sstates);
    let (states, got) = (Log::default(), Bytes::default());
    let good = tls_client("SSL", Some(&ca.pem), &states, &got);
    good.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    wait("tls client up", || good.state().unwrap() == NTC::CONNECTED);

    let mut raw = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    raw.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    raw.set_nonblocking(true).unwrap();
    let mut sink = [0u8; 512];
    wait("plaintext client dropped", || {
        matches!(raw.read(&mut sink), Ok(0)) || sstates.get().len() >= 4
    });
    good.ac_write(b"still here").unwrap();
    wait("tls client still served", || got.get() == b"still here");
    // HANDSHAKING/CONNECTED for the good one, HANDSHAKING/DISCONNECTED for the raw one.
    wait("feedback", || sstates.len() == 4);
    let s = sstates.get();
    assert_eq!(s.iter().filter(|x| **x == NTC::DISCONNECTED).count(), 1);
    assert_eq!(s.iter().filter(|x| **x == NTC::CONNECTED).count(), 1);
}

#[test]
fn bulk_64_mib_each_way() {
    setup();
    let ca = pki::ca("CA");
    let server = tls_server(&pki::leaf(&ca, &["localhost"]), &Log::default());
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL", Some(&ca.pem), &states, &got);
    let total = 64 << 20;
    let data = Arc::new(pattern(total, 64));
    let sent = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let (d, s) = (data.clone(), sent.clone());
    c.set(
        "Outgoing",
        Function::new(move |sock: &NetSocket| -> ERR {
            if s.get() == d.len() {
                return ERR::Okay; // writes nothing: pumping ends
            }
            let end = (s.get() + 256 * 1024).min(d.len());
            let (_, n) = sock.ac_write_counted(&d[s.get()..end]);
            s.set(s.get() + n);
            ERR::Okay
        }),
    )
    .unwrap();
    c.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    let r = wait_until(Duration::from_secs(120), || got.len() >= total);
    assert_eq!(r, ERR::Okay, "echoed {} of {total}", got.len());
    assert_eq!(sent.get(), total);
    assert_eq!(Sha256::digest(got.get()), Sha256::digest(&*data));
}

#[test]
fn hundred_concurrent_tls_clients() {
    setup();
    let ca = pki::ca("CA");
    let server = tls_server(
        &pki::leaf(&ca, &["localhost", "127.0.0.1"]),
        &Log::default(),
    );
    let clients: Vec<(NetSocket, Bytes, Vec<u8>)> = (0..100)
        .map(|i| {
            let got = Bytes::default();
            let c = tls_client("SSL", Some(&ca.pem), &Log::default(), &got);
            let msg = pattern(10_000 + i * 13, i as u64);
            c.ac_write(&msg).unwrap();
            c.connect_timeout(
                "127.0.0.1",
                server.port().unwrap(),
                std::time::Duration::from_secs_f64(20.0),
            )
            .unwrap();
            (c, got, msg)
        })
        .collect();
    let r = wait_until(Duration::from_secs(60), || {
        clients.iter().all(|(_, g, m)| g.len() >= m.len())
    });
    assert_eq!(r, ERR::Okay);
    for (c, got, msg) in &clients {
        assert_eq!(c.state().unwrap(), NTC::CONNECTED);
        assert!(got.get() == *msg);
    }
    assert_eq!(
        server
            .clients()
            .map(|c| c.total_connections().unwrap())
            .sum::<usize>(),
        100
    );
}

/// A rustls server on a std thread that sends a greeting, then closes with or without
/// close_notify.
fn rustls_peer(leaf: &Leaf, close_notify: bool) -> (u16, std::thread::JoinHandle<()>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_slice(leaf.cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(leaf.key.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        tls.write_all(b"greetings").unwrap();
        tls.flush().unwrap();
        if close_notify {
            tls.conn.send_close_notify();
            tls.flush().unwrap();
            let _ = tls.sock.shutdown(std::net::Shutdown::Write);
            let mut rest = Vec::new();
            let _ = tls.sock.read_to_end(&mut rest);
        } else {
            let _ = tls.sock.shutdown(std::net::Shutdown::Both);
        }
    });
    (port, t)
}

#[test]
fn close_notify_then_fin_is_okay() {
    setup();
    let ca = pki::ca("CA");
    let (port, peer) = rustls_peer(&pki::leaf(&ca, &["localhost"]), true);
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL", Some(&ca.pem), &states, &got);
    c.connect_timeout("localhost", port, std::time::Duration::from_secs_f64(10.0))
        .unwrap();
    wait("closed", || c.state().unwrap() == NTC::DISCONNECTED);
    peer.join().unwrap();
    assert_eq!(got.get(), b"greetings", "all plaintext before DISCONNECTED");
    assert_eq!(c.error().unwrap(), ERR::Okay);
}

#[test]
fn truncation_without_close_notify_is_disconnected() {
    setup();
    let ca = pki::ca("CA");
    let (port, peer) = rustls_peer(&pki::leaf(&ca, &["localhost"]), false);
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL", Some(&ca.pem), &states, &got);
    c.connect_timeout("localhost", port, std::time::Duration::from_secs_f64(10.0))
        .unwrap();
    wait("closed", || c.state().unwrap() == NTC::DISCONNECTED);
    peer.join().unwrap();
    assert_eq!(got.get(), b"greetings");
    assert_eq!(c.error().unwrap(), ERR::Disconnected);
}

#[test]
fn connect_timeout_bounds_the_handshake() {
    setup();
    // Accepts TCP but never answers the ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (states, got) = (Log::default(), Bytes::default());
    let c = tls_client("SSL|SSL_NO_VERIFY", None, &states, &got);
    c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(0.5))
        .unwrap();
    let _held = listener.accept().unwrap();
    wait("timeout", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.error().unwrap(), ERR::TimeOut);
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::HANDSHAKING, NTC::DISCONNECTED]
    );
}

#[test]
fn server_identity_errors() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let good = pki::leaf(&ca, &["localhost"]);
    let other = pki::leaf(&ca, &["localhost"]);
    let cert_file = pki::write(&dir, "cert.pem", &good.cert);
    let key_file = pki::write(&dir, "key.pem", &good.key);
    let garbage = pki::write(&dir, "garbage.pem", "this is not PEM at all");
    let mk = |f: Vec<(&str, Value)>| {
        let mut all = fields! { "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER|SSL" };
        all.extend(f);
        create("NetSocket", all)
    };
    assert_eq!(
        mk(fields! {}).unwrap_err(),
        ERR::FieldNotSet,
        "SSL server without certificate"
    );
    assert_eq!(
        mk(fields! { "SSLCertificate" => dir.path().join("missing.pem").to_string_lossy().to_string(), "SSLPrivateKey" => key_file.as_str() }).unwrap_err(),
        ERR::FileNotFound
    );
    assert_eq!(
        mk(fields! { "SSLCertificate" => garbage.as_str(), "SSLPrivateKey" => key_file.as_str() })
            .unwrap_err(),
        ERR::InvalidData
    );
    assert_eq!(
        mk(fields! { "SSLCertificate" => cert_file.as_str(), "SSLPrivateKey" => garbage.as_str() })
            .unwrap_err(),
        ERR::InvalidData
    );
    assert_eq!(
        mk(fields! { "SSLCertificate" => cert_file.as_str(), "SSLPrivateKey" => other.key.as_str() }).unwrap_err(),
        ERR::Mismatch
    );
    // Files that are right work; a combined file (certificate and key together) too.
    assert!(mk(
        fields! { "SSLCertificate" => cert_file.as_str(), "SSLPrivateKey" => key_file.as_str() }
    )
    .is_ok());
    let combined = pki::write(&dir, "both.pem", &format!("{}{}", good.cert, good.key));
    assert!(mk(fields! { "SSLCertificate" => combined.as_str() }).is_ok());
}

#[test]
#[cfg(feature = "pkcs12")]
fn encrypted_key_and_pkcs12_from_openssl() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let enc = dir.path().join("enc.pem").to_string_lossy().to_string();
    let p12 = dir.path().join("id.p12").to_string_lossy().to_string();
    let ok = std::process::Command::new("openssl")
        .args([
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            &key,
            "-out",
            &enc,
            "-passout",
            "pass:s3cret",
        ])
        .status()
        .expect("openssl is installed by .ci/run")
        .success();
    assert!(ok);
    let ok = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-in",
            &cert,
            "-inkey",
            &key,
            "-out",
            &p12,
            "-passout",
            "pass:s3cret",
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let mk = |f: Vec<(&str, Value)>| {
        let mut all = fields! { "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER|SSL" };
        all.extend(f);
        create("NetSocket", all)
    };
    assert_eq!(
        mk(fields! { "SSLCertificate" => cert.as_str(), "SSLPrivateKey" => enc.as_str() })
            .unwrap_err(),
        ERR::InvalidData,
        "no password"
    );
    assert_eq!(
        mk(fields! { "SSLCertificate" => cert.as_str(), "SSLPrivateKey" => enc.as_str(), "SSLKeyPassword" => "wrong" }).unwrap_err(),
        ERR::InvalidData
    );
    let server = NetSocket::from_id(
        mk(fields! { "SSLCertificate" => cert.as_str(), "SSLPrivateKey" => enc.as_str(), "SSLKeyPassword" => "s3cret", "Incoming" => echo_incoming() })
            .unwrap(),
    )
    .unwrap();
    assert_eq!(server.get_str("SSLKeyPassword").unwrap(), "********");
    let p12_server =
        NetSocket::from_id(mk(fields! { "SSLCertificate" => p12.as_str(), "SSLKeyPassword" => "s3cret", "Incoming" => echo_incoming() }).unwrap())
            .unwrap();
    for s in [server, p12_server] {
        let got = Bytes::default();
        let c = tls_client("SSL", Some(&ca.pem), &Log::default(), &got);
        c.connect_timeout(
            "localhost",
            s.port().unwrap(),
            std::time::Duration::from_secs_f64(10.0),
        )
        .unwrap();
        c.ac_write(b"hi").unwrap();
        wait("echo", || got.get() == b"hi");
    }
}

#[test]
fn starttls_after_plaintext_greeting() {
    setup();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let sstates = Log::<NTC>::default();
    let st = sstates.clone();
    let server = server(fields! {
        "Flags" => "SERVER",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            st.push(state);
            if state == NTC::CONNECTED && st.len() == 1 {
                c.ac_write(b"220 ready\r\n").unwrap();
            }
        }),
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 256];
            let n = match c.ac_read(&mut b) { Ok(n) => n, Err(e) => return e };
            if &b[..n] == b"STARTTLS\r\n" {
                c.ac_write(b"220 go ahead\r\n").unwrap();
                c.set_ssl().unwrap();
            } else {
                let mut reply = b"secret:".to_vec();
                reply.extend_from_slice(&b[..n]);
                c.ac_write(&reply).unwrap();
            }
            ERR::Okay
        }),
    });
    let got = Bytes::default();
    let states = Log::default();
    let g = got.clone();
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! {
                "SSLCACertificate" => ca.pem.as_str(),
                "Feedback" => client_feedback(&states),
                "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
                    let mut b = [0u8; 256];
                    let n = match s.ac_read(&mut b) { Ok(n) => n, Err(e) => return e };
                    g.extend(&b[..n]);
                    match &b[..n] {
                        b"220 ready\r\n" => { s.ac_write(b"STARTTLS\r\n").unwrap(); }
                        b"220 go ahead\r\n" => {
                            // Parasol's SetSSL(NetSocket, "EnableSSL") on the generic door.
                            assert_eq!(s.call_raw("SetSSL", &[("Command", "EnableSSL".into())]).0, ERR::Okay);
                            s.ac_write(b"hello").unwrap();
                        }
                        _ => {}
                    }
                    ERR::Okay
                }),
            },
        )
        .unwrap(),
    )
    .unwrap();
    c.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    wait("encrypted reply", || got.get().ends_with(b"secret:hello"));
    assert_eq!(
        states.get(),
        vec![
            NTC::CONNECTING,
            NTC::CONNECTED,
            NTC::HANDSHAKING,
            NTC::CONNECTED
        ],
        "STARTTLS goes HANDSHAKING → CONNECTED"
    );
    assert_eq!(
        sstates.get(),
        vec![NTC::CONNECTED, NTC::HANDSHAKING, NTC::CONNECTED]
    );
    assert_eq!(c.get_str("Flags").unwrap(), "SSL");
    let _ = AtomicBool::new(false).load(Ordering::SeqCst);
}
