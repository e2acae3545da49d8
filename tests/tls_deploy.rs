//! TLS as deployments use it, our client against our server: a rustls configuration of the
//! user's own, mutual TLS (required and optional), ALPN, SNI (the client's ServerName and a
//! server's identities by name), a self-signed certificate given as the CA, session
//! resumption, the peer's certificate on both sides, and every new field's bad values.
//! Every test installs the capturing logger (one logger per process), so the log lines can be
//! checked.

mod common;

use common::logcap;
use common::pki::{self, Leaf};
use common::*;
use parasol::net::tls::rustls;
use parasol::net::tls::{fingerprint, ClientAuth, SCV};
use parasol::prelude::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

fn echo() -> Function {
    Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo())
}

/// A TLS echo server on 127.0.0.1 with `leaf` and more fields.
fn tls_server(leaf: &Leaf, extra: Vec<(&str, Value)>) -> NetSocket {
    let mut f = fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Incoming" => echo(),
    };
    f.extend(extra);
    server(f)
}

/// A TLS client with `extra` fields, collecting what it reads into `got`.
fn tls_client(extra: Vec<(&str, Value)>, got: &Bytes) -> NetSocket {
    let mut f = fields! { "Flags" => "SSL", "Incoming" => client_collect(got) };
    f.extend(extra);
    NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap()
}

/// Connects, then waits until the client is CONNECTED and an echo came back, or it ended.
fn round_trip(c: NetSocket, host: &str, port: u16, got: &Bytes) -> bool {
    c.connect_timeout(host, port, T).unwrap();
    wait("connected or ended", || {
        matches!(c.state().unwrap(), NTC::CONNECTED | NTC::DISCONNECTED)
    });
    if c.state().unwrap() != NTC::CONNECTED {
        return false;
    }
    let before = got.len();
    c.ac_write(b"ping").unwrap();
    wait("echo or end", || {
        got.len() >= before + 4 || c.state().unwrap() == NTC::DISCONNECTED
    });
    got.len() >= before + 4
}

fn der(pem: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
}

fn roots(pem: &str) -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    r.add(der(pem)).unwrap();
    r
}

/// A self-signed certificate marked CA:TRUE for `names`, as
/// `openssl req -x509 -newkey … -subj /CN=localhost` makes.
fn openssl_style_self_signed(names: &[&str], expired: bool) -> Leaf {
    let mut p =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    if expired {
        p.not_before = rcgen::date_time_ymd(2001, 1, 1);
        p.not_after = rcgen::date_time_ymd(2002, 1, 1);
    }
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = p.self_signed(&key).unwrap();
    Leaf {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

#[test]
fn own_rustls_client_config_through_both_doors() {
    logcap::install();
    let ca = pki::ca("Own CA");
    let server = tls_server(&pki::leaf(&ca, &["localhost"]), vec![]);
    let port = server.port().unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let trusting = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots(&ca.pem))
            .with_no_client_auth(),
    );
    // Typed door.
    let got = Bytes::default();
    let c = NetSocket::create()
        .flags(NSF::SSL)
        .tls_client_config(trusting.clone())
        .incoming(client_collect(&got))
        .build()
        .unwrap();
    assert!(round_trip(c, "localhost", port, &got));
    assert_eq!(c.valid_cert().unwrap(), 0);
    assert!(c.tls_info().unwrap().unwrap().peer.is_some());
    // Generic door: the bare Arc as Value::Any.
    let got2 = Bytes::default();
    let c2 = tls_client(
        fields! { "TLSConfig" => Value::Any(Rc::new(trusting)) },
        &got2,
    );
    assert!(round_trip(c2, "localhost", port, &got2));
    // A configuration of the user's own that does not trust the server: its verifier decides,
    // and ValidCert says why in OpenSSL's code.
    let other = pki::ca("Other CA");
    let untrusting = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots(&other.pem))
            .with_no_client_auth(),
    );
    let got3 = Bytes::default();
    let c3 = NetSocket::create()
        .flags(NSF::SSL)
        .tls_client_config(untrusting)
        .incoming(client_collect(&got3))
        .build()
        .unwrap();
    assert!(!round_trip(c3, "localhost", port, &got3));
    assert_eq!(c3.error().unwrap(), ERR::Security);
    assert_eq!(
        c3.valid_cert().unwrap(),
        SCV::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    );
    let detail = c3.error_detail().unwrap().unwrap();
    assert!(
        detail.contains("unable to get local issuer certificate"),
        "{detail}"
    );
}

#[test]
fn own_rustls_server_config() {
    logcap::install();
    let ca = pki::ca("Server config CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![der(&leaf.cert)],
            PrivateKeyDer::from_pem_slice(leaf.key.as_bytes()).unwrap(),
        )
        .unwrap();
    config.alpn_protocols = vec![b"own".to_vec()];
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .tls_server_config(Arc::new(config))
        .server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo())
        .build()
        .unwrap();
    let got = Bytes::default();
    let c = tls_client(
        fields! { "SSLCACertificate" => ca.pem.as_str(), "ALPN" => "own" },
        &got,
    );
    assert!(round_trip(c, "localhost", server.port().unwrap(), &got));
    // The server's own configuration chose the protocol.
    assert_eq!(c.alpn_protocol().unwrap().as_deref(), Some("own"));
    let cs = first_accepted(server);
    assert_eq!(cs.alpn_protocol().unwrap().as_deref(), Some("own"));
}

#[test]
fn tls_config_of_the_wrong_kind_is_refused() {
    logcap::install();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let client_config = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    );
    // Not a rustls configuration at all.
    let e = create(
        "NetSocket",
        fields! { "Flags" => "SSL", "TLSConfig" => Value::Any(Rc::new(42u32)) },
    )
    .unwrap_err();
    assert_eq!(e, ERR::FieldTypeMismatch);
    // A client configuration on a server.
    let e = create(
        "NetSocket",
        fields! { "Flags" => "SERVER|SSL", "Address" => "127.0.0.1", "Port" => 0,
        "TLSConfig" => Value::Any(Rc::new(client_config)) },
    )
    .unwrap_err();
    assert_eq!(e, ERR::Args);
}

#[test]
fn mutual_tls_required() {
    logcap::install();
    let ca = pki::ca("Server CA");
    let client_ca = pki::ca("Client CA");
    let stranger_ca = pki::ca("Stranger CA");
    let server_leaf = pki::leaf(&ca, &["localhost"]);
    let client_leaf = pki::leaf(&client_ca, &["alice"]);
    let server = tls_server(
        &server_leaf,
        fields! { "SSLClientCA" => client_ca.pem.as_str() },
    );
    let port = server.port().unwrap();

    // With a certificate the client CA signed: both sides see the other's certificate.
    let got = Bytes::default();
    let c = tls_client(
        fields! { "SSLCACertificate" => ca.pem.as_str(),
        "SSLCertificate" => client_leaf.cert.as_str(),
        "SSLPrivateKey" => client_leaf.key.as_str() },
        &got,
    );
    assert!(round_trip(c, "localhost", port, &got));
    let server_seen = c.peer_certificate().unwrap().unwrap();
    assert_eq!(server_seen.subject, "CN=localhost");
    assert_eq!(server_seen.issuer, "CN=Server CA");
    assert_eq!(
        server_seen.fingerprint_sha256,
        fingerprint(der(&server_leaf.cert).as_ref())
    );
    assert_eq!(
        c.get_str("PeerSubject").unwrap(),
        "CN=localhost",
        "the generic door reads the same"
    );
    let cs = first_accepted(server);
    wait("client connected on the server", || {
        cs.state().unwrap() == NTC::CONNECTED
    });
    let client_seen = cs.peer_certificate().unwrap().unwrap();
    assert_eq!(client_seen.subject, "CN=alice");
    assert_eq!(
        client_seen.fingerprint_sha256,
        fingerprint(der(&client_leaf.cert).as_ref())
    );
    assert_eq!(
        cs.get_str("PeerFingerprint").unwrap(),
        client_seen.fingerprint_sha256
    );
    let chain = cs.get_str("PeerCertificate").unwrap();
    assert_eq!(der(&chain), der(&client_leaf.cert), "the chain as PEM");
    c.free().unwrap();

    // Without a certificate, and with one from a CA the server does not trust: that
    // ClientSocket ends with Security, says why, and the log says so once.
    for (who, cert) in [
        ("none", None),
        ("stranger", Some(pki::leaf(&stranger_ca, &["eve"]))),
    ] {
        let ended = Log::<(ERR, String)>::default();
        let e2 = ended.clone();
        server
            .set(
                "Feedback",
                Function::new(move |_s: &NetSocket, cs: &ClientSocket, st: NTC| {
                    // (The connection of the round before may end here too, with Okay.)
                    if st == NTC::DISCONNECTED && cs.error().unwrap() != ERR::Okay {
                        e2.push((
                            cs.error().unwrap(),
                            cs.error_detail().unwrap().unwrap_or_default(),
                        ));
                    }
                }),
            )
            .unwrap();
        let mut f = fields! { "SSLCACertificate" => ca.pem.as_str() };
        if let Some(l) = &cert {
            f.push(("SSLCertificate", l.cert.as_str().into()));
            f.push(("SSLPrivateKey", l.key.as_str().into()));
        }
        let got = Bytes::default();
        let c = tls_client(f, &got);
        assert!(!round_trip(c, "localhost", port, &got), "{who} let in");
        let r = wait_for(DEADLINE, || ended.len() == 1);
        assert_eq!(
            r,
            ERR::Okay,
            "{who}: the server's side ended: {:#?}",
            logcap::all()
        );
        let (err, detail) = ended.get().remove(0);
        assert_eq!(err, ERR::Security, "{who}");
        match who {
            "none" => assert!(
                detail.contains("the client sent no certificate and one is required"),
                "{detail}"
            ),
            _ => assert!(
                detail.contains("client certificate refused: unable to get local issuer"),
                "{detail}"
            ),
        }
        wait("the client ends too", || {
            c.state().unwrap() == NTC::DISCONNECTED
        });
        assert_eq!(
            c.error().unwrap(),
            ERR::Security,
            "{who}: the alert ends the client"
        );
        assert!(
            logcap::count(log::Level::Info, &detail) >= 1,
            "a log line with the reason: {:?}",
            logcap::all()
        );
        c.free().unwrap();
    }
}

#[test]
fn mutual_tls_optional_lets_in_a_client_without_a_certificate() {
    logcap::install();
    let ca = pki::ca("Server CA");
    let client_ca = pki::ca("Client CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&leaf.cert)
        .ssl_private_key(&leaf.key)
        .client_ca(&client_ca.pem)
        .client_auth(ClientAuth::Optional)
        .server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo())
        .build()
        .unwrap();
    assert_eq!(server.get_str("SSLClientAuth").unwrap(), "optional");
    let got = Bytes::default();
    let c = tls_client(fields! { "SSLCACertificate" => ca.pem.as_str() }, &got);
    assert!(round_trip(c, "localhost", server.port().unwrap(), &got));
    let cs = first_accepted(server);
    assert_eq!(cs.peer_certificate().unwrap(), None);
    assert!(cs.get("PeerSubject").unwrap().is_none());
}

#[test]
fn alpn_is_agreed_and_refused_without_overlap() {
    logcap::install();
    let ca = pki::ca("ALPN CA");
    let server = tls_server(
        &pki::leaf(&ca, &["localhost"]),
        fields! { "ALPN" => "h2, http/1.1" },
    );
    let port = server.port().unwrap();
    for (offer, want) in [
        (Some("http/1.1,h2"), Some("h2")), // the server's preference wins
        (Some("http/1.1"), Some("http/1.1")),
        (None, None), // a client that offers nothing gets no protocol, and is let in
    ] {
        let got = Bytes::default();
        let mut f = fields! { "SSLCACertificate" => ca.pem.as_str() };
        if let Some(o) = offer {
            f.push(("ALPN", o.into()));
        }
        let c = tls_client(f, &got);
        assert!(round_trip(c, "localhost", port, &got), "{offer:?}");
        assert_eq!(c.alpn_protocol().unwrap().as_deref(), want, "{offer:?}");
        assert_eq!(
            c.get("ALPNProtocol").unwrap().as_str().ok(),
            want,
            "the generic door reads the same"
        );
        assert_eq!(c.tls_info().unwrap().unwrap().alpn.as_deref(), want);
        c.free().unwrap();
    }
    // No overlap: RFC 7301's no_application_protocol alert ends the handshake.
    let got = Bytes::default();
    let c = tls_client(
        fields! { "SSLCACertificate" => ca.pem.as_str(), "ALPN" => "h3" },
        &got,
    );
    assert!(!round_trip(c, "localhost", port, &got));
    assert_eq!(c.error().unwrap(), ERR::Security);
    let detail = c.error_detail().unwrap().unwrap();
    assert!(detail.contains("NoApplicationProtocol"), "{detail}");
}

#[test]
fn sni_picks_the_identity_by_name_with_a_default() {
    logcap::install();
    let ca = pki::ca("SNI CA");
    let dir = tempfile::tempdir().unwrap();
    let a = pki::leaf(&ca, &["a.test"]);
    let w = pki::leaf(&ca, &["*.wild.test"]);
    let default = pki::leaf(&ca, &["default.test"]);
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&default.cert)
        .ssl_private_key(&default.key)
        .sni_identity(
            "A.Test",
            &pki::write(&dir, "a.pem", &a.cert),
            &pki::write(&dir, "a.key", &a.key),
        )
        .sni_identity(
            "*.wild.test",
            &pki::write(&dir, "w.pem", &w.cert),
            &pki::write(&dir, "w.key", &w.key),
        )
        .server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo())
        .build()
        .unwrap();
    let port = server.port().unwrap();
    for (name, subject) in [
        ("a.test", "CN=a.test"),
        ("x.wild.test", "CN=*.wild.test"),
        ("default.test", "CN=default.test"),
    ] {
        // Connect to the address; name the server apart from it.
        let got = Bytes::default();
        let c = tls_client(
            fields! { "SSLCACertificate" => ca.pem.as_str(), "ServerName" => name },
            &got,
        );
        assert!(round_trip(c, "127.0.0.1", port, &got), "{name}");
        assert_eq!(c.valid_cert().unwrap(), 0, "{name} verified by its name");
        assert_eq!(c.get_str("PeerSubject").unwrap(), subject, "{name}");
        c.free().unwrap();
    }
    // A name no identity has gets the default, which does not carry it: a hostname mismatch.
    let got = Bytes::default();
    let c = tls_client(
        fields! { "SSLCACertificate" => ca.pem.as_str(), "ServerName" => "other.test" },
        &got,
    );
    assert!(!round_trip(c, "127.0.0.1", port, &got));
    assert_eq!(c.valid_cert().unwrap(), SCV::HOSTNAME_MISMATCH);
    assert!(c
        .error_detail()
        .unwrap()
        .unwrap()
        .contains("hostname mismatch"));
}

#[test]
fn a_self_signed_certificate_given_as_the_ca_is_trusted() {
    logcap::install();
    let cert = openssl_style_self_signed(&["localhost"], false);
    let server = tls_server(&cert, vec![]);
    let port = server.port().unwrap();
    let got = Bytes::default();
    let c = tls_client(fields! { "SSLCACertificate" => cert.cert.as_str() }, &got);
    assert!(round_trip(c, "localhost", port, &got));
    assert_eq!(c.valid_cert().unwrap(), 0);
    // Not given: OpenSSL's verdict and words.
    let got = Bytes::default();
    let c = tls_client(vec![], &got);
    assert!(!round_trip(c, "localhost", port, &got));
    assert_eq!(c.valid_cert().unwrap(), SCV::DEPTH_ZERO_SELF_SIGNED_CERT);
    assert!(c
        .error_detail()
        .unwrap()
        .unwrap()
        .contains("self-signed certificate"));
    // Given, but for another name: trusted as a certificate, still checked for the name.
    let got = Bytes::default();
    let c = tls_client(fields! { "SSLCACertificate" => cert.cert.as_str() }, &got);
    assert!(!round_trip(c, "127.0.0.1", port, &got));
    assert_eq!(c.valid_cert().unwrap(), SCV::HOSTNAME_MISMATCH);
    // Given, but expired.
    let old = openssl_style_self_signed(&["localhost"], true);
    let server2 = tls_server(&old, vec![]);
    let got = Bytes::default();
    let c = tls_client(fields! { "SSLCACertificate" => old.cert.as_str() }, &got);
    assert!(!round_trip(c, "localhost", server2.port().unwrap(), &got));
    assert_eq!(c.valid_cert().unwrap(), SCV::CERT_HAS_EXPIRED);
}

#[test]
fn sessions_resume_unless_told_not_to() {
    logcap::install();
    let ca = pki::ca("Resume CA");
    let server = tls_server(&pki::leaf(&ca, &["localhost"]), vec![]);
    let port = server.port().unwrap();
    let resumed = |c: NetSocket| c.tls_info().unwrap().unwrap().resumed;
    let disconnect = |c: NetSocket| {
        c.ac_disable().ok();
        wait("closed", || c.state().unwrap() == NTC::DISCONNECTED);
    };
    // One object connecting twice: the second connection resumes.
    let got = Bytes::default();
    let c = tls_client(fields! { "SSLCACertificate" => ca.pem.as_str() }, &got);
    assert!(round_trip(c, "localhost", port, &got));
    assert!(!resumed(c), "nothing to resume the first time");
    disconnect(c);
    assert!(round_trip(c, "localhost", port, &got));
    assert!(resumed(c), "the same NetSocket resumes");
    assert_eq!(c.valid_cert().unwrap(), 0);
    // A resumed session says so, and carries the certificate its first handshake verified.
    let info = c.tls_info().unwrap().unwrap();
    assert!(info.to_string().contains("resumed"), "{info}");
    assert_eq!(
        info.peer.as_ref().map(|p| p.subject.as_str()),
        Some("CN=localhost"),
        "{info}"
    );
    c.free().unwrap();
    // Another object with the same trust resumes too.
    let got = Bytes::default();
    let c2 = tls_client(fields! { "SSLCACertificate" => ca.pem.as_str() }, &got);
    assert!(round_trip(c2, "localhost", port, &got));
    assert!(
        resumed(c2),
        "a new NetSocket with the same settings resumes"
    );
    c2.free().unwrap();
    // Told not to.
    let got = Bytes::default();
    let c3 = tls_client(
        fields! { "SSLCACertificate" => ca.pem.as_str(), "SSLNoResume" => 1 },
        &got,
    );
    assert!(round_trip(c3, "localhost", port, &got));
    assert!(!resumed(c3));
    disconnect(c3);
    assert!(round_trip(c3, "localhost", port, &got));
    assert!(!resumed(c3), "never, on any connection");
    // A session made without verification is never resumed by a client that verifies.
    let got = Bytes::default();
    let lax = tls_client(fields! { "Flags" => "SSL|SSL_NO_VERIFY" }, &got);
    assert!(round_trip(lax, "localhost", port, &got));
    let lax_first_code = lax.valid_cert().unwrap();
    disconnect(lax);
    assert!(round_trip(lax, "localhost", port, &got));
    assert!(resumed(lax));
    assert_eq!(
        lax.valid_cert().unwrap(),
        lax_first_code,
        "a resumed session keeps its first handshake's verdict"
    );
    assert_ne!(lax_first_code, 0, "the private CA is not a system root");
    let got = Bytes::default();
    let strict = tls_client(vec![], &got);
    assert!(!round_trip(strict, "localhost", port, &got));
    assert_eq!(strict.error().unwrap(), ERR::Security);
}

/// What a case is, its extra fields, and the error Init must give.
type Case<'a> = (&'a str, Vec<(&'a str, Value)>, ERR);

#[test]
fn bad_values_of_the_new_fields() {
    logcap::install();
    let ca = pki::ca("Fields CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let other = pki::leaf(&ca, &["localhost"]);
    let long = "x".repeat(300);
    let cases: Vec<Case> = vec![
        (
            "an ALPN name over 255 bytes",
            fields! { "ALPN" => long.as_str() },
            ERR::Args,
        ),
        (
            "an unknown SSLClientAuth",
            fields! { "SSLClientAuth" => "sometimes" },
            ERR::Args,
        ),
        (
            "client certificates without a client CA",
            fields! { "SSLClientAuth" => "require" },
            ERR::Args,
        ),
        (
            "an SNI entry without a certificate",
            fields! { "SSLIdentities" => "a.test=" },
            ERR::Args,
        ),
        (
            "an SNI entry without a name",
            fields! { "SSLIdentities" => "=cert.pem,key.pem" },
            ERR::Args,
        ),
        (
            "an SNI key that is not the certificate's",
            fields! { "SSLIdentities" => Value::Array(vec![Value::from(format!("a.test={},{}", leaf.cert, other.key))].into()) },
            ERR::Mismatch,
        ),
        (
            "a client CA file that does not exist",
            fields! { "SSLClientCA" => "/nonexistent/ca.pem" },
            ERR::FileNotFound,
        ),
    ];
    for (what, extra, want) in cases {
        let mut f = fields! {
            "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER|SSL",
            "SSLCertificate" => leaf.cert.as_str(), "SSLPrivateKey" => leaf.key.as_str(),
        };
        f.extend(extra);
        let e = create("NetSocket", f).unwrap_err();
        assert_eq!(e, want, "{what}");
    }
    // A client certificate whose key is not its own: refused at Init with Mismatch.
    let e = create(
        "NetSocket",
        fields! { "Flags" => "SSL", "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => other.key.as_str() },
    )
    .unwrap_err();
    assert_eq!(e, ERR::Mismatch);
}
