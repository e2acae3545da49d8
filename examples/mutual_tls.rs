//! Mutual TLS with ALPN, both doors: a server that requires client certificates signed by its
//! client CA and speaks `h2` or `http/1.1`, and a client that presents its certificate, names
//! the server by SNI apart from the address it connects to, and reads what the handshake agreed.
//! Certificates come from a throw-away CA made at start (rcgen), so the example runs anywhere.
//!
//! Run: `cargo run --example mutual_tls`. `tests/examples.rs` runs it.

use parasol::net::tls::ClientAuth;
use parasol::prelude::*;
use std::time::Duration;

/// PEM text of a CA, and of certificates and keys it signed.
pub struct Pki {
    pub ca: String,
    pub server: (String, String),
    pub client: (String, String),
}

/// A CA that signs a certificate for `api.example.test` and one for the client `alice`.
pub fn make_pki() -> Result<Pki, rcgen::Error> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(DnType::CommonName, "Example CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate()?;
    let ca_pem = ca.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca, ca_key);
    let leaf = |name: &str| -> Result<(String, String), rcgen::Error> {
        let mut p = CertificateParams::new(vec![name.to_string()])?;
        p.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate()?;
        Ok((p.signed_by(&key, &issuer)?.pem(), key.serialize_pem()))
    };
    Ok(Pki {
        server: leaf("api.example.test")?,
        client: leaf("alice")?,
        ca: ca_pem,
    })
}

/// The server (typed door): requires a client certificate from `pki.ca`, accepts h2 or
/// http/1.1, and greets each client by its certificate's subject.
pub fn serve(pki: &Pki) -> Result<NetSocket, ERR> {
    parasol::init()?;
    NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&pki.server.0)
        .ssl_private_key(&pki.server.1)
        .client_ca(&pki.ca)
        .client_auth(ClientAuth::Require)
        .alpn(&["h2", "http/1.1"])
        .server_feedback(|_s: &NetSocket, c: &ClientSocket, state: NTC| {
            if state == NTC::CONNECTED {
                let who = c.peer_certificate().ok().flatten().map(|p| p.subject);
                let alpn = c.alpn_protocol().ok().flatten();
                let hello = format!(
                    "hello {}, over {}\n",
                    who.unwrap_or_default(),
                    alpn.unwrap_or_default()
                );
                let _ = c.ac_write(hello.as_bytes());
            }
        })
        .build()
}

/// The client (generic door): connects to 127.0.0.1 but names the server `api.example.test`,
/// presents alice's certificate, offers http/1.1; returns what it learnt, one line each.
pub fn visit(pki: &Pki, port: u16) -> Result<Vec<String>, ERR> {
    let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = got.clone();
    let sock = NetSocket::from_id(create(
        "NetSocket",
        fields! {
            "Flags" => "SSL",
            "SSLCACertificate" => pki.ca.as_str(),
            "SSLCertificate" => pki.client.0.as_str(),
            "SSLPrivateKey" => pki.client.1.as_str(),
            "ServerName" => "api.example.test",
            "ALPN" => "http/1.1",
            "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
                let mut buf = [0u8; 1024];
                match s.ac_read(&mut buf) {
                    Ok(n) => {
                        sink.borrow_mut().extend_from_slice(&buf[..n]);
                        ERR::Okay
                    }
                    Err(e) => e,
                }
            }),
        },
    )?)?;
    sock.connect_timeout("127.0.0.1", port, Duration::from_secs(10))?;
    wait_until(Duration::from_secs(10), || got.borrow().ends_with(b"\n")).to_result()?;
    let info = sock.tls_info()?.ok_or(ERR::Security)?;
    let mut lines = vec![
        format!("handshake: {info}"),
        format!("server certificate: {}", sock.get_str("PeerSubject")?),
        format!("ALPN: {}", sock.get_str("ALPNProtocol")?),
    ];
    lines.push(format!(
        "server says: {}",
        String::from_utf8_lossy(&got.borrow()).trim_end()
    ));
    sock.free()?;
    Ok(lines)
}

fn main() {
    let pki = make_pki().expect("certificates");
    let server = serve(&pki).expect("server");
    match visit(&pki, server.port().expect("port")) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => eprintln!("mutual_tls: {e:?} ({e})"),
    }
}
