//! The typed door without traps: getters of a freed object are errors (never a DISCONNECTED, 0
//! or Okay that reads like an answer), ClientSocket's peer, Error and ConnectTime typed,
//! Connect with and without a timeout, TLS set through typed builder setters, a Write whose
//! count survives BufferOverflow, and SetSSL with Parasol's arguments.

mod common;

use common::*;
use parasol::err::WriteError;
use parasol::prelude::*;
use std::io::Read;
use std::time::Duration;

#[test]
fn getters_of_a_freed_object_are_errors() {
    setup();
    let (server, client, cs) = connected_pair();
    let nc = cs.client().unwrap();
    client.free().unwrap();
    server.free().unwrap();
    assert_eq!(client.state().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.error().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.error_detail().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.port().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.out_queue_size().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.msg_limit().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.valid_cert().err(), Some(ERR::NoMatchingObject));
    assert_eq!(server.total_clients().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.state().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.error().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.error_detail().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.out_queue_size().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.msg_limit().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.connect_time().err(), Some(ERR::NoMatchingObject));
    assert_eq!(cs.peer_addr().err(), Some(ERR::NoMatchingObject));
    assert_eq!(nc.ip().err(), Some(ERR::NoMatchingObject));
    assert_eq!(nc.total_connections().err(), Some(ERR::NoMatchingObject));
    assert_eq!(client.echo(), ERR::NoMatchingObject);
    assert_eq!(
        client.ac_write(b"x"),
        Err(WriteError {
            error: ERR::NoMatchingObject,
            written: 0
        })
    );
}

#[test]
fn client_socket_peer_error_and_connect_time_are_typed() {
    setup();
    let before = Duration::from_micros(parasol::precise_time() as u64);
    let server = server(fields! {});
    let peer = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    wait("accepted", || server.total_clients() == Ok(1));
    let cs = first_accepted(server);
    assert_eq!(cs.peer_addr().unwrap(), peer.local_addr().unwrap());
    assert_eq!(cs.error(), Ok(ERR::Okay));
    let at = cs.connect_time().unwrap();
    let after = Duration::from_micros(parasol::precise_time() as u64);
    // Milliseconds on the loop's clock: within the window, to the millisecond.
    assert!(
        at + Duration::from_millis(1) >= before && at <= after,
        "{before:?} ≤ {at:?} ≤ {after:?}"
    );
    assert!(
        cs.connected_for().unwrap() <= after.saturating_sub(before) + Duration::from_millis(1000)
    );
    assert_eq!(
        cs.get("ConnectTime").unwrap().to_int().unwrap(),
        at.as_millis() as i64,
        "the field and the accessor agree"
    );
    drop(peer);
    wait("the peer's close", || cs.state() != Ok(NTC::CONNECTED));
    server.free().unwrap();
}

#[test]
fn connect_needs_no_timeout_and_connect_timeout_bounds_it() {
    setup();
    let server = server(fields! { "Flags" => "SERVER|MULTI_CONNECT" });
    let a = NetSocket::create().build().unwrap();
    a.connect("127.0.0.1", server.port().unwrap()).unwrap();
    wait("connected", || a.state() == Ok(NTC::CONNECTED));
    let b = NetSocket::create().build().unwrap();
    b.connect_timeout("127.0.0.1", server.port().unwrap(), Duration::from_secs(5))
        .unwrap();
    wait("connected", || b.state() == Ok(NTC::CONNECTED));
    a.free().unwrap();
    b.free().unwrap();
    server.free().unwrap();
}

#[test]
fn tls_through_the_typed_builder_setters() {
    setup();
    let ca = pki::ca("typed door CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::SSL)
        .ssl_certificate(&leaf.cert)
        .ssl_private_key(&leaf.key)
        .handshake_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::ZERO)
        .server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo())
        .build()
        .unwrap();
    let got = Bytes::default();
    let client = NetSocket::create()
        .address("localhost")
        .port(server.port().unwrap())
        .flags(NSF::SSL)
        .ssl_ca_certificate(&ca.pem)
        .incoming(client_collect(&got))
        .build()
        .unwrap();
    client.ac_write(b"over tls").unwrap();
    wait("the echo", || got.get() == b"over tls");
    assert_eq!(client.valid_cert(), Ok(0));
    assert_eq!(
        client
            .call_raw("SetSSL", &[("Command", "DisableSSL".into())])
            .0,
        ERR::NoSupport,
        "no downgrade of a TLS connection"
    );
    assert_eq!(server.get("HandshakeTimeout").unwrap().to_double(), Ok(5.0));
    let locked = NetSocket::create()
        .flags(NSF::SSL)
        .ssl_key_password("secret")
        .build()
        .unwrap();
    assert_eq!(locked.get_str("SSLKeyPassword").unwrap(), "********");
    client.free().unwrap();
    locked.free().unwrap();
    server.free().unwrap();
}

#[test]
fn a_write_that_overflows_keeps_the_count_of_what_it_took() {
    setup();
    // A listener nobody accepts from: the client's queue fills and stays full.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .msg_limit(1000)
        .build()
        .unwrap();
    let data = pattern(1500, 7);
    let taken = match client.ac_write(&data) {
        Err(WriteError {
            error: ERR::BufferOverflow,
            written,
        }) => written,
        other => panic!("expected a partial take, got {other:?}"),
    };
    assert_eq!(taken, 1000, "MsgLimit bytes were taken");
    assert_eq!(client.out_queue_size(), Ok(1000));
    // The rest goes once the queue drains: nothing lost, nothing sent twice.
    let (mut peer, _) = listener.accept().unwrap();
    let mut rest = &data[taken..];
    let mut received = Vec::new();
    peer.set_nonblocking(true).unwrap();
    wait("everything delivered", || {
        if !rest.is_empty() {
            match client.ac_write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) => rest = &rest[e.written..],
            }
        }
        let mut b = [0u8; 4096];
        if let Ok(n) = peer.read(&mut b) {
            received.extend_from_slice(&b[..n]);
        }
        received.len() == data.len()
    });
    assert_eq!(received, data);
    client.free().unwrap();
}

#[test]
fn set_ssl_takes_parasols_arguments() {
    setup();
    let server = server(fields! {});
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(server.port().unwrap())
        .build()
        .unwrap();
    wait("connected", || client.state() == Ok(NTC::CONNECTED));
    let call = |args: &[(&str, Value)]| client.call_raw("SetSSL", args).0;
    assert_eq!(call(&[]), ERR::NullArgs, "no Command");
    assert_eq!(call(&[("Command", "".into())]), ERR::NullArgs);
    assert_eq!(
        call(&[("Command", "enablessl".into())]),
        ERR::Args,
        "case-sensitive, as Parasol"
    );
    assert!(parasol::err::take_failure_detail()
        .unwrap()
        .contains("unknown command"));
    assert_eq!(
        call(&[("Command", "DisableSSL".into()), ("Value", "".into())]),
        ERR::Okay,
        "plaintext already"
    );
    let idle = NetSocket::create().build().unwrap();
    assert_eq!(
        idle.call_raw("SetSSL", &[("Command", "EnableSSL".into())])
            .0,
        ERR::InvalidState,
        "not connected"
    );
    idle.free().unwrap();
    client.free().unwrap();
    server.free().unwrap();
}
