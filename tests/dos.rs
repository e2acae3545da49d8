//! Denial of service on loopback: silent connections and half-sent ClientHellos against a TLS
//! server's HandshakeTimeout, idle connections against IdleTimeout, and a good client served
//! while thousands of bad ones are held. Its own binary: it raises the descriptor limit and
//! counts descriptors.

mod common;

use common::pki;
use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::time::Duration;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Connects `n` raw clients in batches, driving the loop so the server accepts as they come.
fn flood(port: u16, n: usize, first_bytes: &[u8]) -> Vec<std::net::TcpStream> {
    let mut peers = Vec::with_capacity(n);
    while peers.len() < n {
        for _ in 0..100.min(n - peers.len()) {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            if !first_bytes.is_empty() {
                s.write_all(first_bytes).unwrap();
            }
            peers.push(s);
        }
        let _ = process_messages(Some(Duration::ZERO));
    }
    peers
}

/// The first bytes of a TLS ClientHello: a handshake record header announcing 512 bytes, and
/// the start of the message. The rest never comes.
const HALF_HELLO: &[u8] = &[
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
];

/// The tests of this binary count descriptors: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A TLS echo server (MULTI_CONNECT, no socket limit, a deep backlog) that records the Error of
/// every client it loses; `handshake_timeout` None keeps the default.
fn tls_server(leaf: &pki::Leaf, handshake_timeout: Option<f64>, lost: &Log<ERR>) -> NetSocket {
    let l = lost.clone();
    let mut f = fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "SocketLimit" => 100_000, "Backlog" => 1024,
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            if state == NTC::DISCONNECTED {
                l.push(ERR(c.get("Error").unwrap().to_i32().unwrap()));
            }
        }),
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
    };
    if let Some(t) = handshake_timeout {
        f.push(("HandshakeTimeout", Value::Double(t)));
    }
    server(f)
}

fn handshaking(server: NetSocket) -> usize {
    server
        .clients()
        .flat_map(|c| c.connections())
        .filter(|c| c.state().unwrap() == NTC::HANDSHAKING)
        .count()
}

/// Silent connections and half ClientHellos, `n` in all (four fifths silent).
fn bad_clients(port: u16, n: usize) -> Vec<std::net::TcpStream> {
    let mut bad = flood(port, n * 4 / 5, b"");
    bad.extend(flood(port, n - n * 4 / 5, HALF_HELLO));
    bad
}

#[test]
fn a_good_client_is_served_while_thousands_of_silent_ones_are_held() {
    let _serial = serial();
    setup();
    let limit = raise_fd_limit();
    // Each bad client costs two descriptors (ours and the server's); keep a margin.
    let n = if limit >= 6000 {
        2500
    } else {
        let n = (limit.saturating_sub(200) / 2) as usize;
        eprintln!("descriptor limit {limit}: flooding with {n} connections instead of 2,500");
        n
    };
    let ca = pki::ca("DoS CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let lost = Log::<ERR>::default();
    // The default HandshakeTimeout (10 s) holds them while the good client comes.
    let server = tls_server(&leaf, None, &lost);
    let bad = bad_clients(server.port().unwrap(), n);
    wait("every bad client accepted", || handshaking(server) == n);

    let got = Bytes::default();
    let good = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SSL", "SSLCACertificate" => ca.pem.as_str(), "Incoming" => client_collect(&got) },
        )
        .unwrap(),
    )
    .unwrap();
    good.connect_timeout(
        "localhost",
        server.port().unwrap(),
        std::time::Duration::from_secs_f64(10.0),
    )
    .unwrap();
    good.ac_write(b"served").unwrap();
    wait("the good client is served", || got.get() == b"served");
    assert_eq!(handshaking(server), n, "the bad ones are still held");
    assert!(lost.get().is_empty());
    drop(bad);
    good.free().unwrap();
    server.free().unwrap();
    wait("lingering closes end", || {
        parasol::net::linger::active() == 0
    });
}

#[test]
fn handshake_timeout_closes_silent_and_half_open_clients() {
    let _serial = serial();
    setup();
    let ca = pki::ca("DoS CA 2");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let lost = Log::<ERR>::default();
    let server = tls_server(&leaf, Some(1.0), &lost);
    let fds_before = open_fds();
    let n = 300;
    let mut bad = bad_clients(server.port().unwrap(), n);
    wait("every bad client accepted", || {
        handshaking(server) + lost.len() == n
    });
    // Each is closed with TimeOut once it has spent the bound in its handshake.
    assert_eq!(
        wait_for(Duration::from_secs(20), || lost.len() == n),
        ERR::Okay,
        "{} of {n} timed out",
        lost.len()
    );
    assert!(
        lost.get().iter().all(|e| *e == ERR::TimeOut),
        "{:?}",
        lost.get()
    );
    // The bad peers see their connection closed, and are sent nothing.
    for s in bad.iter_mut().step_by(7) {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut b = [0u8; 64];
        match s.read(&mut b) {
            Ok(0) | Err(_) => {}
            Ok(n) => panic!("a silent peer was sent {n} bytes"),
        }
    }
    drop(bad);
    wait("descriptors back to where they were", || {
        parasol::net::linger::active() == 0 && open_fds() <= fds_before
    });
    server.free().unwrap();
}

#[test]
fn idle_timeout_closes_quiet_connections_and_spares_busy_ones() {
    let _serial = serial();
    setup();
    let ended = Log::<(i32, ERR)>::default();
    let e = ended.clone();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT", "IdleTimeout" => 0.3,
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            if state == NTC::DISCONNECTED {
                e.push((c.uid(), ERR(c.get("Error").unwrap().to_i32().unwrap())));
            }
        }),
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
    });
    // A quiet raw peer and a busy NetSocket that writes every 50 ms for a second.
    let mut quiet = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    let got = Bytes::default();
    let busy = NetSocket::create()
        .address("127.0.0.1")
        .port(server.port().unwrap())
        .incoming(client_collect(&got))
        .build()
        .unwrap();
    let writes = std::rc::Rc::new(std::cell::Cell::new(0));
    let w = writes.clone();
    subscribe_timer(
        0.05,
        Function::new(move || {
            if busy.state().unwrap() == NTC::CONNECTED {
                busy.ac_write(b".").unwrap();
                w.set(w.get() + 1);
            }
            if w.get() == 20 {
                ERR::Terminate
            } else {
                ERR::Okay
            }
        }),
    )
    .unwrap();
    wait("the quiet one is closed", || ended.len() == 1);
    assert_eq!(ended.get()[0].1, ERR::TimeOut);
    quiet
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut b = [0u8; 8];
    assert_eq!(quiet.read(&mut b).unwrap(), 0, "a graceful close: EOF");
    wait("the busy one wrote for a second", || writes.get() == 20);
    assert_eq!(ended.len(), 1, "the busy one was never idle for 0.3 s");
    wait("the busy one is closed once it is quiet", || {
        ended.len() == 2
    });
    assert_eq!(ended.get()[1].1, ERR::TimeOut);
    wait("it sees the close", || {
        busy.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(got.len(), 20, "everything echoed before the close");
    assert_eq!(
        busy.error().unwrap(),
        ERR::Okay,
        "for the client, a graceful close by the peer"
    );
    busy.free().unwrap();
    server.free().unwrap();
}

#[test]
fn a_client_idle_timeout_closes_the_client() {
    let _serial = serial();
    setup();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let states = Log::default();
    let c = NetSocket::create()
        .field("IdleTimeout", 0.2)
        .feedback(client_feedback(&states))
        .build()
        .unwrap();
    c.connect("127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    wait("closed for idleness", || {
        c.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(c.error().unwrap(), ERR::TimeOut);
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::CONNECTED, NTC::DISCONNECTED]
    );
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = [0u8; 1];
    assert_eq!(peer.read(&mut b).unwrap(), 0);
    // Bad values are refused.
    assert_eq!(c.set("IdleTimeout", -1.0), Err(ERR::Args));
    assert_eq!(c.set("IdleTimeout", 1e19), Err(ERR::OutOfRange));
    assert_eq!(c.set("HandshakeTimeout", f64::NAN), Err(ERR::Args));
    c.free().unwrap();
}
