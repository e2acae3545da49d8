//! SYNCHRONOUS mode: Connect, Write and Read block on the socket (Parasol declared the flag and
//! never implemented it).

mod common;

use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

fn sync_client() -> NetSocket {
    NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SYNCHRONOUS", "MsgLimit" => 8 << 20 },
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn connect_write_read_block() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = vec![0u8; 4 << 20];
        s.read_exact(&mut got).unwrap();
        s.write_all(b"thanks").unwrap();
        got
    });
    let c = sync_client();
    c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(5.0))
        .unwrap();
    assert_eq!(
        c.state().unwrap(),
        NTC::CONNECTED,
        "Connect returns once connected"
    );
    let data = pattern(4 << 20, 11);
    assert_eq!(c.ac_write(&data), Ok(data.len()));
    assert_eq!(
        c.out_queue_size().unwrap(),
        0,
        "Write returns once everything reached the kernel"
    );
    let mut b = [0u8; 6];
    let mut have = 0;
    while have < 6 {
        let n = c.ac_read(&mut b[have..]).unwrap();
        assert!(n > 0, "a synchronous Read waits for data");
        have += n;
    }
    assert_eq!(&b, b"thanks");
    assert!(peer.join().unwrap() == data);
}

#[test]
fn connect_failure_is_returned() {
    setup();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = sync_client();
    assert_eq!(
        c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(5.0)),
        Err(ERR::ConnectionRefused)
    );
    assert_eq!(c.state().unwrap(), NTC::DISCONNECTED);
    // An empty resolver map: the name is not found without asking the system's DNS.
    parasol::net::resolve::set_thread_resolver(Some(std::sync::Arc::new(
        parasol::net::resolve::StaticResolver::new(),
    )));
    assert_eq!(
        c.connect_timeout(
            "no-such-host.invalid",
            80,
            std::time::Duration::from_secs_f64(5.0)
        ),
        Err(ERR::HostNotFound)
    );
}

#[test]
fn read_times_out_with_the_connect_timeout() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let c = sync_client();
    c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(0.3))
        .unwrap();
    let _peer = listener.accept().unwrap();
    let started = std::time::Instant::now();
    let mut b = [0u8; 4];
    assert_eq!(c.ac_read(&mut b), Err(ERR::TimeOut));
    assert!(started.elapsed() >= Duration::from_millis(250));
}
