//! TLS deployment features against real peers: ALPN, mutual TLS (both roles), SNI identities,
//! session resumption and the `openssl req -x509` one-liner certificate, with `openssl
//! s_server` / `openssl s_client` and python3's ssl module on the other end. Loopback only,
//! ephemeral ports; every peer process is killed when its handle drops.

mod common;

use common::pki::{self, Leaf};
use common::*;
use parasol::net::tls::{fingerprint, ClientAuth, PeerCertificate};
use parasol::prelude::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Peer processes

/// A peer process (openssl or python3). Its stdout and stderr lines arrive on one channel, read
/// by two threads, so our loop keeps running while it works. Killed on drop.
struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<String>,
    out: Vec<String>,
}

/// Sends each line `r` yields (lossy UTF-8, line ending removed) until EOF.
fn forward(r: impl Read + Send + 'static, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        let mut r = BufReader::new(r);
        let mut line = Vec::new();
        loop {
            line.clear();
            match r.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line)
                        .trim_end_matches(['\r', '\n'])
                        .to_owned();
                    if tx.send(text).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

impl Proc {
    fn spawn(program: &str, args: &[&str]) -> Proc {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} cannot start: {e}"));
        let (tx, rx) = mpsc::channel();
        forward(child.stdout.take().unwrap(), tx.clone());
        forward(child.stderr.take().unwrap(), tx);
        let stdin = child.stdin.take();
        Proc {
            child,
            stdin,
            rx,
            out: Vec::new(),
        }
    }

    /// Collects the lines printed so far.
    fn pump(&mut self) {
        while let Ok(l) = self.rx.try_recv() {
            self.out.push(l);
        }
    }

    /// A line printed so far contains `needle`.
    fn has(&mut self, needle: &str) -> bool {
        self.pump();
        self.out.iter().any(|l| l.contains(needle))
    }

    /// A line printed so far is exactly `line`.
    fn has_line(&mut self, line: &str) -> bool {
        self.pump();
        self.out.iter().any(|l| l == line)
    }

    /// Everything printed so far, stdout and stderr interleaved as they arrived.
    fn text(&mut self) -> String {
        self.pump();
        self.out.join("\n")
    }

    /// Drives our loop until a printed line contains `needle`.
    fn wait_text(&mut self, needle: &str) {
        let r = wait_for(DEADLINE, || self.has(needle));
        let text = self.text();
        assert_eq!(
            r,
            ERR::Okay,
            "timed out waiting for {needle:?}; the peer printed:\n{text}"
        );
    }

    /// Drives our loop until a printed line is exactly `line`.
    fn wait_line(&mut self, line: &str) {
        let r = wait_for(DEADLINE, || self.has_line(line));
        let text = self.text();
        assert_eq!(
            r,
            ERR::Okay,
            "timed out waiting for the line {line:?}; the peer printed:\n{text}"
        );
    }

    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Drives our loop until the process exits, then collects the rest of its output.
    fn wait_exit(&mut self) -> ExitStatus {
        let mut status = None;
        let r = wait_for(DEADLINE, || {
            status = self.child.try_wait().unwrap();
            status.is_some()
        });
        let text = self.text();
        assert_eq!(r, ERR::Okay, "the peer did not exit; it printed:\n{text}");
        // The reader threads end at the pipes' EOF, dropping their senders.
        let end = Instant::now() + Duration::from_secs(5);
        while let Ok(l) = self
            .rx
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            self.out.push(l);
        }
        status.unwrap()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server -accept 127.0.0.1:0 ARGS`, once it listens; returns it and its port.
fn s_server(args: &[&str]) -> (Proc, u16) {
    let mut all = vec!["s_server", "-accept", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut p = Proc::spawn("openssl", &all);
    let end = Instant::now() + DEADLINE;
    loop {
        let line =
            p.rx.recv_timeout(end.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("s_server did not start: {}", p.out.join("\n")));
        p.out.push(line.clone());
        if let Some(rest) = line.strip_prefix("ACCEPT ") {
            let port = rest.rsplit(':').next().unwrap().parse().unwrap();
            return (p, port);
        }
    }
}

/// `openssl s_client -connect 127.0.0.1:PORT ARGS`, its stdin open.
fn s_client(port: u16, args: &[&str]) -> Proc {
    let connect = format!("127.0.0.1:{port}");
    let mut all = vec!["s_client", "-connect", connect.as_str()];
    all.extend_from_slice(args);
    Proc::spawn("openssl", &all)
}

/// `openssl s_client` with stdin closed at once: it handshakes, prints the session, closes and
/// exits. Returns what it printed.
fn s_client_once(port: u16, args: &[&str]) -> String {
    let mut p = s_client(port, args);
    p.close_stdin();
    p.wait_exit();
    p.text()
}

/// SHA-256 fingerprint of a PEM certificate file, as `openssl x509` prints it.
fn openssl_fingerprint(path: &str) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"])
        .stderr(Stdio::null())
        .output()
        .expect("openssl x509");
    assert!(out.status.success(), "openssl x509 failed on {path}");
    let text = String::from_utf8(out.stdout).unwrap();
    // "sha256 Fingerprint=AB:CD:…" (OpenSSL 3) or "SHA256 Fingerprint=…" (1.1).
    text.trim()
        .split_once('=')
        .expect("a fingerprint line")
        .1
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Our side

/// What a server's Feedback saw of one ClientSocket at one state change.
#[derive(Clone, Debug)]
struct Seen {
    state: NTC,
    error: ERR,
    detail: Option<String>,
    alpn: Option<String>,
    peer: Option<PeerCertificate>,
    /// The PeerSubject field, through the generic door.
    subject_field: Option<String>,
    resumed: Option<bool>,
}

/// Server Feedback that records the ClientSocket's TLS facts at each state change.
fn server_feedback(log: &Log<Seen>) -> Function {
    let log = log.clone();
    Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
        log.push(Seen {
            state,
            error: c.error().unwrap_or(ERR::NoMatchingObject),
            detail: c.error_detail().ok().flatten(),
            alpn: c.alpn_protocol().ok().flatten(),
            peer: c.peer_certificate().ok().flatten(),
            subject_field: c.get_str("PeerSubject").ok(),
            resumed: c.tls_info().ok().flatten().map(|i| i.resumed),
        })
    })
}

/// Server Incoming that answers what it reads with "echo: " in front.
fn echo_prefixed() -> Function {
    Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
        let mut b = [0u8; 1024];
        let n = match c.ac_read(&mut b) {
            Ok(n) => n,
            Err(e) => return e,
        };
        if n == 0 {
            return ERR::Okay;
        }
        let mut reply = b"echo: ".to_vec();
        reply.extend_from_slice(&b[..n]);
        c.ac_write(&reply).err().map_or(ERR::Okay, ERR::from)
    })
}

/// A TLS server NetSocket (generic door) with `leaf` as its identity, the recorder and the echo,
/// plus `extra` fields.
fn tls_server(leaf: &Leaf, log: &Log<Seen>, extra: Vec<(&'static str, Value)>) -> NetSocket {
    let mut f = fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => server_feedback(log),
        "Incoming" => echo_prefixed(),
    };
    f.extend(extra);
    server(f)
}

/// Drives the loop until the recorder saw a DISCONNECTED; returns that entry.
fn wait_server_end(log: &Log<Seen>) -> Seen {
    wait("the ClientSocket ends", || {
        log.get().iter().any(|s| s.state == NTC::DISCONNECTED)
    });
    log.get()
        .into_iter()
        .find(|s| s.state == NTC::DISCONNECTED)
        .unwrap()
}

/// The recorder's CONNECTED entry, if any.
fn connected_entry(log: &Log<Seen>) -> Option<Seen> {
    log.get().into_iter().find(|s| s.state == NTC::CONNECTED)
}

fn clear(log: &Log<Seen>) {
    log.0.borrow_mut().clear();
}

/// Files for the usual setup: a server CA and its localhost leaf.
struct Files {
    dir: tempfile::TempDir,
    ca: pki::Ca,
    leaf: Leaf,
    ca_file: String,
    cert: String,
    key: String,
}

fn files(ca_name: &str) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca(ca_name);
    let leaf = pki::leaf(&ca, &["localhost"]);
    let ca_file = pki::write(&dir, "ca.pem", &ca.pem);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    Files {
        dir,
        ca,
        leaf,
        ca_file,
        cert,
        key,
    }
}

/// Writes a leaf's certificate and key as NAME.pem / NAME.key; returns both paths.
fn write_leaf(dir: &tempfile::TempDir, name: &str, leaf: &Leaf) -> (String, String) {
    (
        pki::write(dir, &format!("{name}.pem"), &leaf.cert),
        pki::write(dir, &format!("{name}.key"), &leaf.key),
    )
}

// ---------------------------------------------------------------------------------------------
// 1. ALPN

#[test]
fn alpn_both_ways() {
    setup();
    let f = files("ALPN CA");

    // Our client offers h2,http/1.1; s_server accepts only http/1.1.
    let (mut srv, port) = s_server(&[
        "-cert", &f.cert, "-key", &f.key, "-alpn", "http/1.1", "-naccept", "1",
    ]);
    let states = Log::default();
    let c = NetSocket::create()
        .address("localhost")
        .port(port)
        .flags(NSF::SSL)
        .ssl_ca_certificate(&f.ca.pem)
        .alpn(&["h2", "http/1.1"])
        .feedback(client_feedback(&states))
        .build()
        .unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.alpn_protocol().unwrap().as_deref(), Some("http/1.1"));
    assert_eq!(c.get_str("ALPNProtocol").unwrap(), "http/1.1");
    let info = c.tls_info().unwrap().expect("handshake done");
    assert_eq!(info.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(info.valid_cert, 0);
    srv.wait_text("ALPN protocols selected: http/1.1");
    assert!(
        srv.has_line("ALPN protocols advertised by the client: h2, http/1.1"),
        "s_server saw our offer, in our order: {}",
        srv.text()
    );
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::HANDSHAKING, NTC::CONNECTED]
    );
    c.free().unwrap();
    drop(srv);

    // s_client offers h2 to our server (h2,http/1.1).
    let log = Log::default();
    let server = tls_server(&f.leaf, &log, fields! { "ALPN" => "h2,http/1.1" });
    let port = server.port().unwrap();
    let mut cl = s_client(
        port,
        &[
            "-servername",
            "localhost",
            "-CAfile",
            &f.ca_file,
            "-verify_return_error",
            "-alpn",
            "h2",
        ],
    );
    cl.wait_line("ALPN protocol: h2");
    cl.send(b"ping\n");
    cl.wait_line("echo: ping");
    let connected = connected_entry(&log).expect("CONNECTED seen by the server");
    assert_eq!(connected.alpn.as_deref(), Some("h2"));
    assert_eq!(connected.error, ERR::Okay);
    cl.close_stdin();
    assert!(cl.wait_exit().success(), "{}", cl.text());
    let end = wait_server_end(&log);
    assert_eq!(end.error, ERR::Okay, "{end:?}");

    // s_client offers only h3: refused with no_application_protocol.
    clear(&log);
    let mut cl = s_client(
        port,
        &[
            "-servername",
            "localhost",
            "-CAfile",
            &f.ca_file,
            "-alpn",
            "h3",
        ],
    );
    let status = cl.wait_exit();
    let out = cl.text();
    assert!(!status.success(), "s_client should fail: {out}");
    assert!(
        out.contains("no application protocol"),
        "s_client shows the alert: {out}"
    );
    assert!(!out.contains("ALPN protocol: h3"), "{out}");
    let end = wait_server_end(&log);
    assert!(
        connected_entry(&log).is_none(),
        "never CONNECTED: {:?}",
        log.get()
    );
    assert_eq!(end.error, ERR::Security, "{end:?}");
    let detail = end.detail.unwrap_or_default();
    assert!(detail.contains("no ALPN protocol in common"), "{detail}");
    server.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 2. Mutual TLS: our server ↔ s_client

#[test]
fn mutual_tls_our_server_with_s_client() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let client_ca_file = pki::write(&f.dir, "clientca.pem", &client_ca.pem);
    let (cl_cert, cl_key) = write_leaf(&f.dir, "client", &pki::leaf(&client_ca, &["client"]));
    let other_ca = pki::ca("Other CA");
    let (bad_cert, bad_key) = write_leaf(&f.dir, "bad", &pki::leaf(&other_ca, &["client"]));

    let log = Log::default();
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&f.cert)
        .ssl_private_key(&f.key)
        .client_ca(&client_ca_file)
        .feedback(server_feedback(&log))
        .incoming(echo_prefixed())
        .build()
        .unwrap();
    let port = server.port().unwrap();
    let base = [
        "-servername",
        "localhost",
        "-CAfile",
        f.ca_file.as_str(),
        "-verify_return_error",
    ];

    // With a certificate from the client CA.
    let mut args = base.to_vec();
    args.extend_from_slice(&["-cert", &cl_cert, "-key", &cl_key]);
    let mut cl = s_client(port, &args);
    cl.wait_text("Verify return code: 0 (ok)");
    cl.send(b"ping\n");
    cl.wait_line("echo: ping");
    assert!(
        cl.has_line("CN = Client CA"),
        "the server named its client CA: {}",
        cl.text()
    );
    let connected = connected_entry(&log).expect("CONNECTED");
    let peer = connected.peer.expect("the client's certificate");
    assert!(peer.subject.contains("CN=client"), "{}", peer.subject);
    assert!(peer.issuer.contains("CN=Client CA"), "{}", peer.issuer);
    assert_eq!(
        connected.subject_field.as_deref(),
        Some(peer.subject.as_str())
    );
    assert_eq!(peer.fingerprint_sha256, openssl_fingerprint(&cl_cert));
    assert_eq!(fingerprint(&peer.der), peer.fingerprint_sha256);
    assert_eq!(connected.resumed, Some(false));
    cl.close_stdin();
    assert!(cl.wait_exit().success(), "{}", cl.text());
    assert_eq!(wait_server_end(&log).error, ERR::Okay);

    // Without a certificate.
    clear(&log);
    let mut cl = s_client(port, &base);
    let status = cl.wait_exit();
    let out = cl.text();
    assert!(!status.success(), "{out}");
    assert!(
        out.contains("alert certificate required"),
        "s_client shows the alert: {out}"
    );
    let end = wait_server_end(&log);
    assert!(connected_entry(&log).is_none(), "{:?}", log.get());
    assert_eq!(end.error, ERR::Security, "{end:?}");
    let detail = end.detail.unwrap_or_default();
    assert!(detail.contains("no certificate"), "{detail}");

    // With a certificate from another CA.
    clear(&log);
    let mut args = base.to_vec();
    args.extend_from_slice(&["-cert", &bad_cert, "-key", &bad_key]);
    let mut cl = s_client(port, &args);
    let status = cl.wait_exit();
    let out = cl.text();
    assert!(!status.success(), "{out}");
    assert!(
        out.contains("alert unknown ca"),
        "s_client shows the alert: {out}"
    );
    let end = wait_server_end(&log);
    assert!(connected_entry(&log).is_none(), "{:?}", log.get());
    assert_eq!(end.error, ERR::Security, "{end:?}");
    let detail = end.detail.unwrap_or_default();
    assert!(detail.contains("client certificate refused"), "{detail}");
    assert!(
        detail.contains("unable to get local issuer certificate"),
        "OpenSSL's words for a leaf of an unknown CA: {detail}"
    );

    // With an expired certificate from the client CA.
    clear(&log);
    let (ex_cert, ex_key) = write_leaf(&f.dir, "expired", &pki::expired(&client_ca, &["client"]));
    let mut args = base.to_vec();
    args.extend_from_slice(&["-cert", &ex_cert, "-key", &ex_key]);
    let mut cl = s_client(port, &args);
    let status = cl.wait_exit();
    let out = cl.text();
    assert!(!status.success(), "{out}");
    assert!(
        out.contains("alert certificate expired"),
        "s_client shows the alert: {out}"
    );
    let end = wait_server_end(&log);
    assert!(connected_entry(&log).is_none(), "{:?}", log.get());
    assert_eq!(end.error, ERR::Security, "{end:?}");
    let detail = end.detail.unwrap_or_default();
    assert!(
        detail.contains("client certificate refused: certificate has expired"),
        "{detail}"
    );
    server.free().unwrap();
}

/// A self-signed client certificate that is not the client CA. OpenSSL's s_server says
/// "verify error:num=18:self-signed certificate" for it, and the runtime's own table (and its
/// debug log of the refusal) say 18 too; ErrorDetail should use the same words.
#[test]
fn self_signed_client_certificate_is_named_as_openssl_names_it() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let client_ca_file = pki::write(&f.dir, "clientca.pem", &client_ca.pem);
    let (ss_cert, ss_key) = write_leaf(&f.dir, "ss", &pki::self_signed(&["client"]));
    let log = Log::default();
    let server = tls_server(
        &f.leaf,
        &log,
        fields! { "SSLClientCA" => client_ca_file.as_str() },
    );
    let mut cl = s_client(
        server.port().unwrap(),
        &[
            "-servername",
            "localhost",
            "-CAfile",
            &f.ca_file,
            "-cert",
            &ss_cert,
            "-key",
            &ss_key,
        ],
    );
    assert!(!cl.wait_exit().success(), "{}", cl.text());
    let end = wait_server_end(&log);
    assert_eq!(end.error, ERR::Security, "{end:?}");
    let detail = end.detail.unwrap_or_default();
    assert!(
        detail.contains("client certificate refused: self-signed certificate"),
        "{detail}"
    );
    server.free().unwrap();
}

/// SSLClientAuth optional: a client without a certificate is let in (no peer certificate), one
/// with an untrusted certificate is not, one with a trusted certificate shows it.
#[test]
fn optional_client_auth_with_s_client() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let client_ca_file = pki::write(&f.dir, "clientca.pem", &client_ca.pem);
    let (cl_cert, cl_key) = write_leaf(&f.dir, "client", &pki::leaf(&client_ca, &["client"]));
    let (bad_cert, bad_key) =
        write_leaf(&f.dir, "bad", &pki::leaf(&pki::ca("Other CA"), &["client"]));
    let log = Log::default();
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&f.cert)
        .ssl_private_key(&f.key)
        .client_ca(&client_ca_file)
        .client_auth(ClientAuth::Optional)
        .feedback(server_feedback(&log))
        .incoming(echo_prefixed())
        .build()
        .unwrap();
    assert_eq!(server.get_str("SSLClientAuth").unwrap(), "optional");
    let port = server.port().unwrap();
    let base = [
        "-servername",
        "localhost",
        "-CAfile",
        f.ca_file.as_str(),
        "-verify_return_error",
    ];

    for (cert, want_peer) in [(None, false), (Some((&cl_cert, &cl_key)), true)] {
        clear(&log);
        let mut args = base.to_vec();
        if let Some((c, k)) = cert {
            args.extend_from_slice(&["-cert", c, "-key", k]);
        }
        let mut cl = s_client(port, &args);
        cl.send(b"ping\n");
        cl.wait_line("echo: ping");
        let connected = connected_entry(&log).expect("CONNECTED");
        assert_eq!(connected.peer.is_some(), want_peer, "{connected:?}");
        cl.close_stdin();
        assert!(cl.wait_exit().success(), "{}", cl.text());
        assert_eq!(wait_server_end(&log).error, ERR::Okay);
    }

    clear(&log);
    let mut args = base.to_vec();
    args.extend_from_slice(&["-cert", &bad_cert, "-key", &bad_key]);
    let mut cl = s_client(port, &args);
    assert!(!cl.wait_exit().success(), "{}", cl.text());
    let end = wait_server_end(&log);
    assert!(connected_entry(&log).is_none(), "{:?}", log.get());
    assert_eq!(end.error, ERR::Security);
    assert!(
        end.detail
            .unwrap_or_default()
            .contains("client certificate refused"),
        "{:?}",
        log.get()
    );
    server.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 3. Mutual TLS: our client ↔ s_server -Verify

/// Our client (with `cert`, or none) to `s_server -Verify 1 -CAfile clientca.pem
/// -verify_return_error`. Returns the client, its states, what it received and the server.
fn client_to_verifying_s_server(
    f: &Files,
    client_ca_file: &str,
    cert: Option<(&str, &str)>,
) -> (NetSocket, Log<NTC>, Bytes, Proc) {
    let (srv, port) = s_server(&[
        "-cert",
        &f.cert,
        "-key",
        &f.key,
        "-Verify",
        "1",
        "-CAfile",
        client_ca_file,
        "-verify_return_error",
        "-naccept",
        "1",
    ]);
    let (states, got) = (Log::default(), Bytes::default());
    let mut b = NetSocket::create()
        .address("localhost")
        .port(port)
        .flags(NSF::SSL)
        .ssl_ca_certificate(&f.ca_file)
        .feedback(client_feedback(&states))
        .incoming(client_collect(&got));
    if let Some((c, k)) = cert {
        b = b.client_certificate(c, k);
    }
    (b.build().unwrap(), states, got, srv)
}

/// The client ended on the server's alert: DISCONNECTED, Security, and a detail that says so.
fn assert_refused_by_alert(c: NetSocket, states: &Log<NTC>, srv: &mut Proc) {
    wait("the server's refusal", || {
        c.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(c.error().unwrap(), ERR::Security, "{:?}", c.error_detail());
    let detail = c.error_detail().unwrap().unwrap_or_default();
    assert!(detail.contains("received fatal alert"), "{detail}");
    // TLS 1.3: our side may finish its handshake before the server judges our certificate.
    let s = states.get();
    assert_eq!(&s[..2], &[NTC::CONNECTING, NTC::HANDSHAKING], "{s:?}");
    assert_eq!(s.last(), Some(&NTC::DISCONNECTED), "{s:?}");
    assert!(!srv.has("subject=CN = client"), "{}", srv.text());
}

#[test]
fn mutual_tls_our_client_with_s_server() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let client_ca_file = pki::write(&f.dir, "clientca.pem", &client_ca.pem);
    let (cl_cert, cl_key) = write_leaf(&f.dir, "client", &pki::leaf(&client_ca, &["client"]));
    let (bad_cert, bad_key) =
        write_leaf(&f.dir, "bad", &pki::leaf(&pki::ca("Other CA"), &["client"]));

    // With the certificate: data both ways, s_server names our subject.
    let (c, states, got, mut srv) =
        client_to_verifying_s_server(&f, &client_ca_file, Some((&cl_cert, &cl_key)));
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    c.ac_write(b"from parasol\n").unwrap();
    srv.wait_line("from parasol");
    srv.send(b"from s_server\n");
    wait("s_server's line", || got.get() == b"from s_server\n");
    assert!(srv.has_line("subject=CN = client"), "{}", srv.text());
    assert!(!srv.has("verify error"), "{}", srv.text());
    assert_eq!(c.valid_cert().unwrap(), 0);
    assert_eq!(c.error().unwrap(), ERR::Okay);
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::HANDSHAKING, NTC::CONNECTED]
    );
    c.free().unwrap();
    drop(srv);

    // Without a certificate: certificate_required.
    let (c, states, _got, mut srv) = client_to_verifying_s_server(&f, &client_ca_file, None);
    assert_refused_by_alert(c, &states, &mut srv);
    let detail = c.error_detail().unwrap().unwrap_or_default();
    assert!(detail.contains("CertificateRequired"), "{detail}");
    srv.wait_text("peer did not return a certificate");
    c.free().unwrap();
    drop(srv);

    // With a certificate of another CA: unknown_ca.
    let (c, states, _got, mut srv) =
        client_to_verifying_s_server(&f, &client_ca_file, Some((&bad_cert, &bad_key)));
    assert_refused_by_alert(c, &states, &mut srv);
    let detail = c.error_detail().unwrap().unwrap_or_default();
    assert!(detail.contains("UnknownCA"), "{detail}");
    srv.wait_text("unable to get local issuer certificate");
    c.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 4. SNI

#[test]
fn sni_identities_on_our_server() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("SNI CA");
    let ca_file = pki::write(&dir, "ca.pem", &ca.pem);
    let default = pki::leaf(&ca, &["default"]);
    let (a_cert, a_key) = write_leaf(&dir, "a", &pki::leaf(&ca, &["a.test"]));
    let (b_cert, b_key) = write_leaf(&dir, "b", &pki::leaf(&ca, &["b.test"]));
    let (w_cert, w_key) = write_leaf(&dir, "w", &pki::leaf(&ca, &["*.w.test"]));
    let log = Log::default();
    let ids: Vec<Value> = vec![
        format!("a.test={a_cert},{a_key}").into(),
        format!("b.test={b_cert},{b_key}").into(),
        format!("*.w.test={w_cert},{w_key}").into(),
    ];
    let server = tls_server(
        &default,
        &log,
        vec![("SSLIdentities", Value::Array(ids.into()))],
    );
    let port = server.port().unwrap();
    let probe = |name: Option<&str>| {
        let mut args = vec!["-CAfile", ca_file.as_str(), "-verify_return_error"];
        match name {
            Some(n) => args.extend_from_slice(&["-servername", n, "-verify_hostname", n]),
            None => args.push("-noservername"),
        }
        s_client_once(port, &args)
    };
    for (name, subject) in [
        (Some("a.test"), "CN = a.test"),
        (Some("b.test"), "CN = b.test"),
        (Some("A.TEST"), "CN = a.test"),
        (Some("x.w.test"), "CN = *.w.test"),
        (None, "CN = default"),
    ] {
        let out = probe(name);
        assert!(
            out.contains(&format!("subject={subject}")),
            "{name:?} → {subject}: {out}"
        );
        assert!(
            out.contains("Verify return code: 0 (ok)"),
            "{name:?}: {out}"
        );
    }
    // A name no identity has: the default certificate (which then fails the name check).
    let out = s_client_once(
        port,
        &[
            "-CAfile",
            &ca_file,
            "-servername",
            "c.test",
            "-verify_hostname",
            "c.test",
        ],
    );
    assert!(out.contains("subject=CN = default"), "{out}");
    assert!(out.contains("hostname mismatch"), "{out}");
    server.free().unwrap();

    // The one-text form: entries separated by ';'.
    let server = tls_server(
        &default,
        &log,
        fields! { "SSLIdentities" => format!("a.test={a_cert},{a_key}; b.test={b_cert},{b_key}") },
    );
    let out = s_client_once(
        server.port().unwrap(),
        &[
            "-CAfile",
            &ca_file,
            "-servername",
            "b.test",
            "-verify_return_error",
        ],
    );
    assert!(out.contains("subject=CN = b.test"), "{out}");
    server.free().unwrap();
}

#[test]
fn server_name_selects_s_server_sni_certificate() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("SNI CA");
    let (d_cert, d_key) = write_leaf(&dir, "default", &pki::leaf(&ca, &["default"]));
    let (a_cert, a_key) = write_leaf(&dir, "a", &pki::leaf(&ca, &["a.test"]));
    let (mut srv, port) = s_server(&[
        "-cert",
        &d_cert,
        "-key",
        &d_key,
        "-servername",
        "a.test",
        "-cert2",
        &a_cert,
        "-key2",
        &a_key,
        "-naccept",
        "2",
    ]);
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! {
                "Address" => "127.0.0.1", "Port" => port as i32, "Flags" => "SSL",
                "SSLCACertificate" => ca.pem.as_str(), "ServerName" => "a.test",
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(c.get_str("ServerName").unwrap(), "a.test");
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.valid_cert().unwrap(), 0);
    assert_eq!(c.get_str("PeerSubject").unwrap(), "CN=a.test");
    let peer = c.peer_certificate().unwrap().expect("a certificate");
    assert_eq!(peer.fingerprint_sha256, openssl_fingerprint(&a_cert));
    assert_eq!(
        c.get_str("PeerFingerprint").unwrap(),
        peer.fingerprint_sha256
    );
    assert!(
        c.get_str("PeerCertificate")
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----"),
        "PEM chain"
    );
    srv.wait_text("Hostname in TLS extension: \"a.test\"");
    assert!(srv.has("Switching server context"), "{}", srv.text());
    c.free().unwrap();

    // Another name: s_server keeps its default certificate, which fails our check of that name
    // (the name verified is ServerName, not the address).
    let c = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .flags(NSF::SSL)
        .ssl_ca_certificate(&ca.pem)
        .server_name("b.test")
        .build()
        .unwrap();
    wait("refused", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.error().unwrap(), ERR::Security);
    assert_eq!(c.valid_cert().unwrap(), 62, "hostname mismatch");
    let detail = c.error_detail().unwrap().unwrap_or_default();
    assert!(detail.contains("hostname mismatch"), "{detail}");
    c.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 5. Resumption

#[test]
fn s_client_resumes_with_our_server() {
    setup();
    let f = files("Resume CA");
    let log = Log::default();
    let server = tls_server(&f.leaf, &log, Vec::new());
    let port = server.port().unwrap();
    for (version, flag) in [("TLSv1.3", "-tls1_3"), ("TLSv1.2", "-tls1_2")] {
        let sess = f.dir.path().join(format!("sess-{version}.pem"));
        let sess = sess.to_str().unwrap();
        let mut resumed = Vec::new();
        for (i, sess_arg) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
            clear(&log);
            let mut cl = s_client(
                port,
                &[
                    "-servername",
                    "localhost",
                    "-CAfile",
                    &f.ca_file,
                    "-verify_return_error",
                    flag,
                    sess_arg,
                    sess,
                ],
            );
            // TLS 1.3 tickets come before the echo: once it is printed, -sess_out has them.
            cl.send(b"ping\n");
            cl.wait_line("echo: ping");
            cl.close_stdin();
            assert!(cl.wait_exit().success(), "{}", cl.text());
            let out = cl.text();
            let want = if i == 0 {
                format!("New, {version}")
            } else {
                format!("Reused, {version}")
            };
            assert!(out.contains(&want), "{version} connection {i}: {out}");
            if i == 0 {
                assert!(
                    std::fs::metadata(sess)
                        .map(|m| m.len() > 0)
                        .unwrap_or(false),
                    "-sess_out wrote the session"
                );
            }
            resumed.push(connected_entry(&log).expect("CONNECTED").resumed);
            assert_eq!(wait_server_end(&log).error, ERR::Okay);
        }
        assert_eq!(
            resumed,
            vec![Some(false), Some(true)],
            "{version}, server side"
        );
    }
    server.free().unwrap();
}

/// Mutual TLS with resumption: s_client resumes with its client certificate's session, and the
/// ClientSocket still knows who the client is (or, as documented, nothing; never another).
#[test]
fn s_client_resumes_a_mutual_tls_session_with_our_server() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let (cl_cert, cl_key) = write_leaf(&f.dir, "client", &pki::leaf(&client_ca, &["client"]));
    let log = Log::default();
    let server = tls_server(
        &f.leaf,
        &log,
        fields! { "SSLClientCA" => client_ca.pem.as_str() },
    );
    let port = server.port().unwrap();
    let sess = f.dir.path().join("sess.pem");
    let sess = sess.to_str().unwrap();
    let fp = openssl_fingerprint(&cl_cert);
    for (i, sess_arg) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
        clear(&log);
        let mut cl = s_client(
            port,
            &[
                "-servername",
                "localhost",
                "-CAfile",
                &f.ca_file,
                "-verify_return_error",
                "-cert",
                &cl_cert,
                "-key",
                &cl_key,
                sess_arg,
                sess,
            ],
        );
        cl.send(b"ping\n");
        cl.wait_line("echo: ping");
        cl.close_stdin();
        assert!(cl.wait_exit().success(), "{}", cl.text());
        assert_eq!(cl.has("Reused, TLSv1.3"), i == 1, "{}", cl.text());
        let connected = connected_entry(&log).expect("CONNECTED");
        assert_eq!(connected.resumed, Some(i == 1));
        let shown = connected.peer.map(|p| p.fingerprint_sha256);
        if i == 0 {
            assert_eq!(shown.as_deref(), Some(fp.as_str()));
        } else {
            assert!(
                shown.is_none() || shown.as_deref() == Some(fp.as_str()),
                "{shown:?}"
            );
        }
        assert_eq!(wait_server_end(&log).error, ERR::Okay);
    }
    server.free().unwrap();
}

/// Connects `c` to s_server on `port` (the first time, `c` connected at Init) with `version`, makes one round
/// trip (so the server's tickets were read) and closes; returns (resumed, fingerprint of the
/// peer certificate shown, ValidCert).
fn round_trip(
    c: NetSocket,
    version: &str,
    port: u16,
    srv: &mut Proc,
    got: &Bytes,
    n: usize,
) -> (bool, Option<String>, i32) {
    if n > 0 {
        c.connect("localhost", port).unwrap();
    }
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    let line = format!("hello {n}");
    c.ac_write(format!("{line}\n").as_bytes()).unwrap();
    srv.wait_line(&line);
    let want = format!("reply {n}\n");
    srv.send(want.as_bytes());
    wait("s_server's reply", || got.get().ends_with(want.as_bytes()));
    let info = c.tls_info().unwrap().expect("handshake done");
    assert_eq!(info.version, version);
    assert_eq!(
        info.peer.as_ref().map(|p| &p.fingerprint_sha256),
        c.peer_certificate()
            .unwrap()
            .as_ref()
            .map(|p| &p.fingerprint_sha256)
    );
    let r = (
        info.resumed,
        info.peer.map(|p| p.fingerprint_sha256),
        c.valid_cert().unwrap(),
    );
    c.shutdown_write().unwrap();
    wait("closed", || c.state().unwrap() == NTC::DISCONNECTED);
    r
}

#[test]
fn our_client_resumes_with_s_server() {
    setup();
    // Resumption on (the default): the second Connect of the same NetSocket resumes. Each
    // version has a CA of its own: client sessions are shared per trust setting and kept by
    // server name (not port), and rustls offers a TLS 1.3 ticket in preference to a TLS 1.2
    // session, so tickets left by the TLS 1.3 s_server for "localhost" would be offered to the
    // TLS 1.2 one instead of its own session.
    for version in [None, Some("-tls1_2")] {
        let want = if version.is_some() {
            "TLSv1.2"
        } else {
            "TLSv1.3"
        };
        let f = files(&format!("Resume CA {want}"));
        let fp = Some(openssl_fingerprint(&f.cert));
        let mut args = vec!["-cert", &f.cert, "-key", &f.key, "-naccept", "2"];
        args.extend(version);
        let (mut srv, port) = s_server(&args);
        let got = Bytes::default();
        let c = NetSocket::create()
            .address("localhost")
            .port(port)
            .flags(NSF::SSL)
            .ssl_ca_certificate(&f.ca.pem)
            .incoming(client_collect(&got))
            .build()
            .unwrap();
        assert_eq!(
            round_trip(c, want, port, &mut srv, &got, 0),
            (false, fp.clone(), 0),
            "{want}"
        );
        let (resumed, peer, valid) = round_trip(c, want, port, &mut srv, &got, 1);
        assert!(
            resumed,
            "{want}: the second Connect of the same NetSocket resumes"
        );
        assert_eq!(
            valid, 0,
            "a resumed session keeps the first handshake's verdict"
        );
        // No certificate is sent on resumption; what the session shows (if anything) can only
        // be the first handshake's. (The API documents None here; rustls keeps the first chain.)
        assert!(peer.is_none() || peer == fp, "{want}: {peer:?}");
        srv.wait_text("Reused session-id");
        c.free().unwrap();
    }

    // SSLNoResume 1: full handshakes every time.
    let f = files("Resume CA");
    let fp = Some(openssl_fingerprint(&f.cert));
    let args = [
        "-cert",
        f.cert.as_str(),
        "-key",
        f.key.as_str(),
        "-naccept",
        "2",
    ];
    let want = "TLSv1.3";
    let (mut srv, port) = s_server(&args);
    let got = Bytes::default();
    let c = NetSocket::create()
        .address("localhost")
        .port(port)
        .flags(NSF::SSL)
        .ssl_ca_certificate(&f.ca.pem)
        .field("SSLNoResume", 1)
        .incoming(client_collect(&got))
        .build()
        .unwrap();
    assert_eq!(c.get("SSLNoResume").unwrap().to_int().unwrap(), 1);
    assert_eq!(
        round_trip(c, want, port, &mut srv, &got, 0),
        (false, fp.clone(), 0)
    );
    assert_eq!(round_trip(c, want, port, &mut srv, &got, 1), (false, fp, 0));
    srv.wait_exit();
    assert!(!srv.has("Reused session-id"), "{}", srv.text());
    c.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 6. The `openssl req -x509` one-liner

#[test]
fn openssl_one_liner_certificate() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem").to_string_lossy().into_owned();
    let cert = dir.path().join("c.pem").to_string_lossy().into_owned();
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let text = Command::new("openssl")
        .args(["x509", "-in", &cert, "-noout", "-text"])
        .output()
        .unwrap()
        .stdout;
    assert!(
        String::from_utf8_lossy(&text).contains("CA:TRUE"),
        "the one-liner makes a CA:TRUE certificate"
    );
    let s_args = [
        "-cert",
        cert.as_str(),
        "-key",
        key.as_str(),
        "-naccept",
        "1",
    ];

    // Trusted as is when it is one of SSLCACertificate's certificates.
    let (_srv, port) = s_server(&s_args);
    let c = NetSocket::create()
        .address("localhost")
        .port(port)
        .flags(NSF::SSL)
        .ssl_ca_certificate(&cert)
        .build()
        .unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.valid_cert().unwrap(), 0);
    assert_eq!(c.error().unwrap(), ERR::Okay);
    assert_eq!(
        c.get_str("PeerFingerprint").unwrap(),
        openssl_fingerprint(&cert)
    );
    c.free().unwrap();

    // Not trusted otherwise: 18, in OpenSSL's words.
    let (_srv, port) = s_server(&s_args);
    let c = NetSocket::create()
        .address("localhost")
        .port(port)
        .flags(NSF::SSL)
        .build()
        .unwrap();
    wait("refused", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.error().unwrap(), ERR::Security);
    assert_eq!(c.valid_cert().unwrap(), 18);
    let detail = c.error_detail().unwrap().unwrap_or_default();
    assert!(detail.contains("self-signed certificate"), "{detail}");
    c.free().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 7. python3's ssl module

const PY_CLIENT: &str = r#"
import socket, ssl, sys
port, ca, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(['h2'])
with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
    with ctx.wrap_socket(s, server_hostname='localhost') as t:
        print('ALPN', t.selected_alpn_protocol(), flush=True)
        t.sendall(b'ping')
        data = b''
        while len(data) < len(b'echo: ping'):
            chunk = t.recv(100)
            if not chunk:
                break
            data += chunk
        print('ECHO', data.decode(), flush=True)
"#;

#[test]
fn python_ssl_client_mutual_tls_and_alpn() {
    setup();
    let f = files("Server CA");
    let client_ca = pki::ca("Client CA");
    let (cl_cert, cl_key) =
        write_leaf(&f.dir, "client", &pki::leaf(&client_ca, &["python-client"]));
    let log = Log::default();
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL | NSF::MULTI_CONNECT)
        .ssl_certificate(&f.leaf.cert)
        .ssl_private_key(&f.leaf.key)
        .client_ca(&client_ca.pem)
        .client_auth(ClientAuth::Require)
        .alpn(&["h2", "http/1.1"])
        .feedback(server_feedback(&log))
        .incoming(echo_prefixed())
        .build()
        .unwrap();
    let port = server.port().unwrap().to_string();
    let mut py = Proc::spawn(
        "python3",
        &["-c", PY_CLIENT, &port, &f.ca_file, &cl_cert, &cl_key],
    );
    py.close_stdin();
    let status = py.wait_exit();
    let out = py.text();
    assert!(status.success(), "python3 failed: {out}");
    assert!(out.lines().any(|l| l == "ALPN h2"), "{out}");
    assert!(out.lines().any(|l| l == "ECHO echo: ping"), "{out}");
    let connected = connected_entry(&log).expect("CONNECTED");
    assert_eq!(connected.alpn.as_deref(), Some("h2"));
    let peer = connected.peer.expect("python's certificate");
    assert!(
        peer.subject.contains("CN=python-client"),
        "{}",
        peer.subject
    );
    assert_eq!(peer.fingerprint_sha256, openssl_fingerprint(&cl_cert));
    wait_server_end(&log);
    server.free().unwrap();
}
