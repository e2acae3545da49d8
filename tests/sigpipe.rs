//! SIGPIPE left at its default (as in a C or C++ host that embeds the runtime): no write path
//! may raise it. Each case injects the fault that makes a send fail with EPIPE — our own
//! sending side shut under a full queue — on the plain queue (`writev`), on TLS records, and on
//! a lingering close after Free. Before the fix the process died of SIGPIPE here.
//!
//! This binary changes the process-wide SIGPIPE disposition, so it holds only these tests.

mod common;

use common::pki;
use common::*;
use parasol::prelude::*;
use std::net::TcpListener;

fn default_sigpipe() {
    // SAFETY: restoring a signal's default disposition has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn shut_write(fd: i32) {
    // SAFETY: shutdown(2) on a descriptor this test's socket owns; no memory is involved.
    assert_eq!(unsafe { libc::shutdown(fd, libc::SHUT_WR) }, 0);
}

/// Writes until part of the data waits in the queue (the peer does not read).
fn fill_queue(s: NetSocket) {
    let chunk = vec![7u8; 256 * 1024];
    wait("a queue the kernel refuses", || {
        let _ = s.ac_write_counted(&chunk);
        s.out_queue_size().unwrap() > 0
    });
}

/// A std peer that accepts and never reads.
fn silent_peer() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

#[test]
fn plain_queue_flush_on_a_shut_socket_is_an_error_not_a_signal() {
    setup();
    default_sigpipe();
    let (listener, port) = silent_peer();
    let states = Log::default();
    let c = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .feedback(client_feedback(&states))
        .build()
        .unwrap();
    let _peer = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    fill_queue(c);
    shut_write(c.get("Handle").unwrap().to_i32().unwrap());
    // The next flush (writev of the queue) meets EPIPE.
    let _ = c.ac_write_counted(b"more");
    wait("the failure is reported", || {
        c.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(c.error().unwrap(), ERR::Disconnected);
    c.free().unwrap();
}

#[test]
fn tls_records_on_a_shut_socket_are_an_error_not_a_signal() {
    setup();
    default_sigpipe();
    let ca = pki::ca("Sigpipe CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    // A TLS server whose client never reads what it is sent back: no Incoming reads at all.
    let server = server(fields! {
        "Flags" => "SERVER|SSL",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
    });
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SSL", "SSLCACertificate" => ca.pem.as_str() },
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
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    fill_queue(c);
    shut_write(c.get("Handle").unwrap().to_i32().unwrap());
    let _ = c.ac_write_counted(b"more");
    wait("the failure is reported", || {
        c.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(c.error().unwrap(), ERR::Disconnected);
    c.free().unwrap();
    server.free().unwrap();
}

#[test]
fn lingering_close_on_a_shut_socket_ends_without_a_signal() {
    setup();
    default_sigpipe();
    let (listener, port) = silent_peer();
    let c = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .build()
        .unwrap();
    let peer = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    fill_queue(c);
    let fd = c.get("Handle").unwrap().to_i32().unwrap();
    let before = parasol::net::linger::active();
    // Free keeps the descriptor to flush the queue; the fault comes while it lingers.
    c.free().unwrap();
    assert_eq!(parasol::net::linger::active(), before + 1);
    shut_write(fd);
    drop(peer); // its reset ends the wait for an EOF that will not come otherwise
    wait("the lingering close gives up", || {
        parasol::net::linger::active() == before
    });
}
