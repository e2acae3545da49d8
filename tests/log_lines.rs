//! What the runtime says when it drops or refuses something: a warning naming the count of
//! dropped bytes or the error, once. Its own binary: it installs a capturing logger.

mod common;

use common::logcap;
use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

#[test]
fn freeing_a_netsocket_before_its_connection_exists_says_what_was_dropped() {
    logcap::install();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // A host name resolves on a worker thread: no socket exists yet when Free comes.
    let c = NetSocket::create().build().unwrap();
    c.connect("localhost", port).unwrap();
    assert_eq!(c.ac_write(b"0123456789"), Ok(10));
    c.free().unwrap();
    assert_eq!(
        logcap::count(log::Level::Warn, "10 queued bytes dropped"),
        1,
        "{:#?}",
        logcap::all()
    );
}

#[test]
fn freeing_a_netsocket_while_tcp_connects_still_delivers() {
    logcap::install();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // An IP literal: the socket exists at once and its connect is under way.
    let c = NetSocket::create().build().unwrap();
    c.connect("127.0.0.1", port).unwrap();
    assert_eq!(c.state().unwrap(), NTC::CONNECTING);
    let data = pattern(200_000, 5);
    assert_eq!(c.ac_write(&data), Ok(data.len()));
    c.free().unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        peer.read_to_end(&mut got).map(|_| got)
    });
    wait("the peer reads to EOF", || reader.is_finished());
    assert!(reader.join().unwrap().unwrap() == data);
}

#[test]
fn an_incoming_error_is_logged_once_with_the_code() {
    logcap::install();
    let server = server(fields! {
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 8];
            let _ = c.ac_read(&mut b);
            ERR::BufferOverflow
        }),
    });
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    wait("accepted", || server.total_clients().unwrap() == 1);
    peer.write_all(b"a").unwrap();
    wait("closed", || server.total_clients().unwrap() == 0);
    peer.write_all(b"b").ok();
    assert_eq!(
        logcap::count(log::Level::Warn, "Incoming returned ERR::BufferOverflow"),
        1,
        "{:#?}",
        logcap::all()
    );
    server.free().unwrap();
}

#[test]
fn an_incoming_that_leaves_datagrams_says_so_once_and_they_stay_queued() {
    logcap::install();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let c = calls.clone();
    let rx = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::UDP | NSF::SERVER)
        .client_incoming(move |_s: &NetSocket| -> ERR {
            c.set(c.get() + 1);
            ERR::Okay
        })
        .build()
        .unwrap();
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for (i, d) in [&b"one"[..], b"two", b"three"].iter().enumerate() {
        peer.send_to(d, rx.local_addr().unwrap()).unwrap();
        wait("Incoming offered it", || calls.get() > i);
    }
    assert_eq!(
        logcap::count(log::Level::Warn, "without taking the datagram"),
        1,
        "{:#?}",
        logcap::all()
    );
    let mut buf = [0u8; 8];
    let mut got = Vec::new();
    while let Ok(Some((n, _))) = rx.recv_from(&mut buf) {
        got.push(buf[..n].to_vec());
    }
    assert_eq!(
        got,
        vec![b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]
    );
    rx.free().unwrap();
}

#[test]
fn log_all_logs_each_write_and_a_full_queue_is_logged_at_debug() {
    logcap::install();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let loud = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .flags(NSF::LOG_ALL)
        .build()
        .unwrap();
    assert_eq!(loud.ac_write(b"seventeen bytes!!"), Ok(17));
    assert_eq!(
        logcap::count(log::Level::Info, "Write 17 bytes: ERR::Okay, 17 taken"),
        1,
        "{:#?}",
        logcap::all()
    );
    // Without LOG_ALL a Write says nothing, unless the queue is full (debug).
    let quiet = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .msg_limit(8)
        .build()
        .unwrap();
    assert_eq!(
        quiet.ac_write_counted(b"twenty-three bytes here"),
        (ERR::BufferOverflow, 8)
    );
    assert_eq!(
        logcap::count(log::Level::Debug, "Write: queue full, 8 of 23 bytes taken"),
        1,
        "{:#?}",
        logcap::all()
    );
    assert_eq!(logcap::count(log::Level::Info, "Write 23 bytes"), 0);
    loud.free().unwrap();
    quiet.free().unwrap();
}
