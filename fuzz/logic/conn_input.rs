//! Fuzz target `conn_input`: arbitrary bytes from a raw std TCP peer into a plain echo server
//! and into a TLS echo server (a self-signed identity made once with rcgen), both on 127.0.0.1
//! with ephemeral ports, living across inputs.
//!
//! Input: `mode` byte, then chunks (`len` byte + bytes) sent one by one with a loop pass after
//! each. Mode bits 0-1: 0 plain; 1 raw bytes into the TLS server (a broken handshake); 2 a real
//! TLS handshake, then the chunks as application data; 3 a real handshake, then the chunks raw
//! (corrupt records). Bits 2-3, how the peer ends: 0 FIN and wait for the rest, 1 close at
//! once, 2 reset (SO_LINGER 0), 3 FIN without waiting.
//!
//! Invariants: no panic, no hang (every wait has a deadline); the plain server and the TLS
//! session echo exactly what was sent; whatever arrives, the server releases the client, its
//! lists stay consistent, and it keeps serving (a fresh client gets its echo).

#[path = "common.rs"]
mod common;

use common::*;
use parasol::prelude::*;
use parasol::{ClientSocket, NetSocket};
use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

thread_local! {
    static PLAIN: Cell<Option<ObjectId>> = const { Cell::new(None) };
    static TLS: Cell<Option<ObjectId>> = const { Cell::new(None) };
}

fn echo_server(tls: bool) -> (ObjectId, u16) {
    let slot = if tls { &TLS } else { &PLAIN };
    let s = match slot.with(|s| s.get()).filter(|s| s.exists()) {
        Some(s) => s,
        None => {
            let id = identity();
            let mut f = fields! {
                "Address" => "127.0.0.1", "Port" => 0,
                "Flags" => if tls { "SERVER|MULTI_CONNECT|SSL" } else { "SERVER|MULTI_CONNECT" },
                "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
            };
            if tls {
                f.push(("SSLCertificate", id.cert_pem.as_str().into()));
                f.push(("SSLPrivateKey", id.key_pem.as_str().into()));
            }
            let s = create("NetSocket", f).expect("echo server");
            slot.with(|c| c.set(Some(s)));
            s
        }
    };
    let port = s.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    (s, port)
}

fn chunks(src: &mut Src) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !src.is_empty() && out.len() < 64 {
        out.push(src.bytes(254).to_vec());
    }
    out
}

/// A plain peer: sends every byte (the socket is non-blocking; the loop runs between tries)
/// and collects what comes back.
struct Raw {
    sock: TcpStream,
    got: Vec<u8>,
    closed: bool,
}

impl Raw {
    fn connect(port: u16) -> Raw {
        let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect to our server");
        sock.set_nonblocking(true).expect("non-blocking");
        let _ = sock.set_nodelay(true);
        Raw {
            sock,
            got: Vec::new(),
            closed: false,
        }
    }

    fn read(&mut self) {
        let mut buf = [0u8; 16384];
        while !self.closed {
            match self.sock.read(&mut buf) {
                Ok(0) => self.closed = true,
                Ok(n) => self.got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => self.closed = true,
            }
        }
    }

    fn step(&mut self) {
        let _ = process_messages(Some(Duration::ZERO));
        self.read();
    }

    /// False when the server closed before everything was sent.
    fn send(&mut self, mut data: &[u8], end: Instant) -> bool {
        while !data.is_empty() {
            match self.sock.write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return false,
            }
            self.step();
            assert!(
                Instant::now() < end,
                "sending {} bytes did not end",
                data.len()
            );
        }
        self.step();
        true
    }
}

fn finish_raw(mut peer: Raw, how: u8, expect_echo: Option<&[u8]>, end: Instant) {
    match how {
        0 => {
            let _ = peer.sock.shutdown(Shutdown::Write);
            while !peer.closed && Instant::now() < end {
                peer.step();
                std::thread::sleep(Duration::from_micros(100));
            }
            assert!(peer.closed, "the server did not close after our FIN");
            if let Some(sent) = expect_echo {
                assert_eq!(peer.got.len(), sent.len(), "echo length");
                assert!(peer.got == sent, "the echo differs from what was sent");
            }
        }
        1 => drop(peer),
        2 => {
            let _ = socket2::SockRef::from(&peer.sock).set_linger(Some(Duration::ZERO));
            drop(peer);
        }
        _ => {
            let _ = peer.sock.shutdown(Shutdown::Write);
            drop(peer);
        }
    }
}

fn run_plain(parts: &[Vec<u8>], how: u8, end: Instant) {
    let (_, port) = echo_server(false);
    let mut peer = Raw::connect(port);
    let mut sent = Vec::new();
    for p in parts {
        if !peer.send(p, end) {
            panic!("the plain echo server closed while we were sending");
        }
        sent.extend_from_slice(p);
    }
    finish_raw(peer, how, Some(&sent), end);
}

fn run_tls_raw(parts: &[Vec<u8>], how: u8, end: Instant) {
    let (_, port) = echo_server(true);
    let mut peer = Raw::connect(port);
    for p in parts {
        if !peer.send(p, end) {
            break; // the server gave up on us: fine
        }
    }
    finish_raw(peer, how, None, end);
}

fn run_tls(parts: &[Vec<u8>], how: u8, raw_after: bool, end: Instant) {
    let (_, port) = echo_server(true);
    let mut peer = tlsc::Peer::connect(port).expect("connect to our TLS server");
    while peer.handshaking() && Instant::now() < end {
        peer.step();
    }
    assert!(
        !peer.conn.is_handshaking(),
        "the TLS handshake with our server did not complete: {:?} (closed {})",
        peer.failed,
        peer.closed
    );
    let mut sent = Vec::new();
    for p in parts {
        if raw_after {
            let _ = peer.sock.write_all(p);
        } else {
            let _ = peer.conn.writer().write_all(p);
            sent.extend_from_slice(p);
        }
        peer.step();
        if peer.closed {
            break;
        }
    }
    if !raw_after {
        // Everything sent comes back before we close.
        while peer.plain.len() < sent.len() && !peer.closed && Instant::now() < end {
            peer.step();
        }
        assert!(
            peer.plain == sent,
            "the TLS echo differs from what was sent"
        );
    }
    match how {
        0 => {
            peer.conn.send_close_notify();
            peer.flush();
            let _ = peer.sock.shutdown(Shutdown::Write);
            while !peer.closed && Instant::now() < end {
                peer.step();
                std::thread::sleep(Duration::from_micros(100));
            }
            assert!(
                peer.closed,
                "the TLS server did not close after close_notify + FIN"
            );
        }
        2 => {
            let _ = socket2::SockRef::from(&peer.sock).set_linger(Some(Duration::ZERO));
        }
        3 => {
            let _ = peer.sock.shutdown(Shutdown::Write);
        }
        _ => {}
    }
}

/// The server is alive, serves a fresh client, and lets every client go.
fn check_server(tls: bool, end: Instant) {
    let (server, port) = echo_server(tls);
    let ok = if tls {
        let mut peer = tlsc::Peer::connect(port).expect("connect");
        let _ = peer.conn.writer().write_all(b"ping");
        while peer.plain.len() < 4 && !peer.closed && peer.failed.is_none() && Instant::now() < end
        {
            peer.step();
        }
        peer.plain == b"ping"
    } else {
        let mut peer = Raw::connect(port);
        let _ = peer.sock.write_all(b"ping");
        while peer.got.len() < 4 && !peer.closed && Instant::now() < end {
            peer.step();
        }
        peer.got == b"ping"
    };
    assert!(ok, "the server no longer serves (tls {tls})");
    let released = pump_until(end.saturating_duration_since(Instant::now()), || {
        server.get("TotalClients").and_then(|v| v.to_int()) == Ok(0)
    });
    assert!(
        released,
        "the server still holds clients after they closed (tls {tls})"
    );
    if let Err(e) = check_server_lists(server) {
        panic!("server lists (tls {tls}): {e}");
    }
}

pub fn run(data: &[u8]) {
    setup();
    let panics_before = panics();
    let mut src = Src::new(data);
    let mode = src.u8();
    let parts = chunks(&mut src);
    let how = (mode >> 2) & 3;
    let end = Instant::now() + Duration::from_secs(5);
    let tls = mode & 3 != 0;
    echo_server(tls);
    match mode & 3 {
        0 => run_plain(&parts, how, end),
        1 => run_tls_raw(&parts, how, end),
        2 => run_tls(&parts, how, false, end),
        _ => run_tls(&parts, how, true, end),
    }
    check_server(tls, Instant::now() + Duration::from_secs(5));
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught inside the runtime"
    );
}
