//! TLS against a real peer: our client ↔ `openssl s_server`, `openssl s_client` ↔ our server.

mod common;

use common::pki;
use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;

#[test]
fn our_client_to_openssl_s_server() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let mut s_server = common::openssl::SServer::start(&cert, &key);
    let (port, rx) = (s_server.port, &s_server.lines);
    let (states, got) = (Log::default(), Bytes::default());
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SSL", "SSLCACertificate" => ca.pem.as_str(),
            "Feedback" => client_feedback(&states), "Incoming" => client_collect(&got) },
        )
        .unwrap(),
    )
    .unwrap();
    c.connect_timeout("localhost", port, std::time::Duration::from_secs_f64(10.0))
        .unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.valid_cert().unwrap(), 0);
    c.ac_write(b"hello openssl\n").unwrap();
    let mut seen = Vec::new();
    wait("s_server printed our line", || {
        while let Ok(l) = rx.try_recv() {
            seen.push(l);
        }
        seen.iter().any(|l| l == "hello openssl")
    });
    let mut stdin = s_server.child.stdin.take().unwrap();
    stdin.write_all(b"hello parasol\n").unwrap();
    stdin.flush().unwrap();
    wait("s_server's line arrives", || {
        got.get() == b"hello parasol\n"
    });
    drop(stdin);
    c.free().unwrap();
}

#[test]
fn openssl_s_client_to_our_server() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let ca_file = pki::write(&dir, "ca.pem", &ca.pem);
    let states = Log::<NTC>::default();
    let st = states.clone();
    let server = server(fields! {
        "Flags" => "SERVER|SSL",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| st.push(state)),
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 1024];
            let n = match c.ac_read(&mut b) { Ok(n) => n, Err(e) => return e };
            let mut reply = b"echo: ".to_vec();
            reply.extend_from_slice(&b[..n]);
            c.ac_write(&reply).err().map_or(ERR::Okay, ERR::from)
        }),
    });
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", server.port().unwrap()),
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
            "-CAfile",
            &ca_file,
            "-verify_return_error",
            "-quiet",
            "-no_ign_eof",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl is installed by .ci/run");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut b = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut b) {
            if n == 0 || tx.send(b[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    wait("handshake", || {
        states.get() == vec![NTC::HANDSHAKING, NTC::CONNECTED]
    });
    stdin.write_all(b"ping\n").unwrap();
    stdin.flush().unwrap();
    let mut got = Vec::new();
    wait("echo through s_client", || {
        while let Ok(b) = rx.try_recv() {
            got.extend_from_slice(&b);
        }
        got == b"echo: ping\n"
    });
    drop(stdin); // s_client closes the connection at stdin EOF
    wait("s_client left", || states.len() == 3);
    assert_eq!(states.get()[2], NTC::DISCONNECTED);
    let _ = child.kill();
    let status = child.wait().unwrap();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    assert!(
        !err.contains("verify error"),
        "s_client verification failed: {err} ({status})"
    );
}
