//! The Disable action: on a client it shuts the connection both ways at once and discards the
//! queue (DISCONNECTED, the peer sees EOF, Write then fails with Disconnected); on a ClientSocket
//! the same for that client; on a server it stops accepting while existing clients keep working
//! (docs/NETSOCKET.md "Data path", Disable).

mod common;

use common::peer::*;
use common::*;
use parasol::prelude::*;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

const QUIET: Duration = Duration::from_millis(200);

fn new_client(states: &Log<NTC>, got: &Bytes) -> NetSocket {
    NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Feedback" => client_feedback(states), "Incoming" => client_collect(got) },
        )
        .unwrap(),
    )
    .unwrap()
}

/// Our client connected to a std listener; returns the client and the accepted peer
/// (non-blocking).
fn connected_pair(states: &Log<NTC>, got: &Bytes) -> (NetSocket, TcpStream) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = new_client(states, got);
    client.connect("127.0.0.1", port).unwrap();
    let mut peer = None;
    wait("accept and CONNECTED", || {
        if peer.is_none() {
            peer = listener.accept().ok().map(|(s, _)| s);
        }
        peer.is_some() && client.state().unwrap() == NTC::CONNECTED
    });
    let peer = peer.unwrap();
    peer.set_nonblocking(true).unwrap();
    (client, peer)
}

fn echo() -> Function {
    Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
        let mut b = [0u8; 4096];
        match c.ac_read(&mut b) {
            Ok(n) => {
                assert_eq!(c.ac_write(&b[..n]), Ok(n));
                ERR::Okay
            }
            Err(e) => e,
        }
    })
}

#[test]
fn disable_on_a_connected_client() {
    setup();
    let states = Log::default();
    let got = Bytes::default();
    let (client, mut peer) = connected_pair(&states, &got);
    peer.write_all(b"before").unwrap();
    wait("data before Disable", || got.len() == 6);
    assert_eq!(client.ac_write(b"up"), Ok(2));
    wait_peer_data("client's data before Disable", &mut peer, b"up");

    client.ac_disable().unwrap();
    assert_eq!(
        client.state().unwrap(),
        NTC::DISCONNECTED,
        "State right after Disable"
    );
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::CONNECTED, NTC::DISCONNECTED],
        "Feedback fired synchronously, once"
    );
    assert_eq!(
        client.error().unwrap(),
        ERR::Okay,
        "a local close leaves Error unchanged"
    );
    wait_peer_eof("peer of a disabled client", &mut peer);
    assert_eq!(
        client.ac_write(b"late").map_err(ERR::from),
        Err(ERR::Disconnected)
    );
    assert_eq!(client.ac_write_counted(b"late"), (ERR::Disconnected, 0));
    assert_eq!(client.out_queue_size().unwrap(), 0);

    // Data the peer sends now is not delivered.
    let _ = peer.write_all(b"after");
    settle(QUIET);
    assert_eq!(got.get(), b"before");
    assert_eq!(states.len(), 3, "no further Feedback: {:?}", states.get());
    // Disabling again is harmless and silent.
    let again = client.ac_disable();
    assert!(
        again.is_ok() || again == Err(ERR::Disconnected),
        "{again:?}"
    );
    assert_eq!(states.len(), 3);
    client.free().unwrap();
    assert_eq!(states.len(), 3, "no Feedback at Free");
}

#[test]
fn disable_discards_the_queue_but_not_what_the_kernel_has() {
    setup();
    let states = Log::default();
    let got = Bytes::default();
    let (client, mut peer) = connected_pair(&states, &got);
    // Fill the kernel buffers and the queue while the peer does not read.
    let data = pattern(8 << 20, 7);
    let mut taken = 0;
    loop {
        let (e, n) = client.ac_write_counted(&data[taken..(taken + 65536).min(data.len())]);
        taken += n;
        if e == ERR::BufferOverflow {
            break;
        }
        assert_eq!(e, ERR::Okay);
        assert!(
            taken < data.len(),
            "8 MiB was all taken: queue never filled"
        );
    }
    let queued = client.out_queue_size().unwrap();
    assert!(queued > 0, "something is queued");
    client.ac_disable().unwrap();
    assert_eq!(
        client.out_queue_size().unwrap(),
        0,
        "Disable discards the queue"
    );
    assert_eq!(states.get().last(), Some(&NTC::DISCONNECTED));

    // The peer gets exactly what had been handed to the kernel, then EOF.
    let mut received = Vec::new();
    let mut end = None;
    let r = wait_for(DEADLINE, || {
        match peer_poll(&mut peer) {
            PeerRead::Data(d) => received.extend_from_slice(&d),
            PeerRead::Nothing => {}
            other => end = Some(other),
        }
        end.is_some()
    });
    assert_eq!(r, ERR::Okay, "peer never saw the end");
    assert_eq!(end, Some(PeerRead::Eof));
    assert_eq!(
        received.len(),
        taken - queued,
        "taken {taken}, queued {queued}: the queue is dropped, the kernel's bytes delivered"
    );
    assert!(
        received == data[..received.len()],
        "delivered bytes are the stream's prefix"
    );
    client.free().unwrap();
}

#[test]
fn disable_on_a_client_socket() {
    setup();
    let fb = fb_log();
    let server = server(fields! { "Feedback" => server_feedback(&fb), "Incoming" => echo() });
    let mut a = std_client_v4(1, server.port().unwrap());
    let mut b = std_client_v4(2, server.port().unwrap());
    wait("two CONNECTED", || fb.len() == 2);
    let cs = fb.get()[0].0;
    assert_eq!(
        cs.get_str("Address").unwrap(),
        a.local_addr().unwrap().to_string()
    );
    cs.ac_disable().unwrap();
    wait("DISCONNECTED", || fb.len() == 3);
    assert_eq!(fb.get()[2], (cs, NTC::DISCONNECTED));
    wait_peer_eof("peer of the disabled ClientSocket", &mut a);
    wait("ClientSocket released", || !cs.exists());
    assert!(cs.ac_write(b"x").is_err());
    assert_eq!(server.total_clients().unwrap(), 1);
    settle(QUIET);
    assert_eq!(fb.len(), 3);
    b.write_all(b"other").unwrap();
    wait_peer_data("other client unaffected", &mut b, b"other");
    server.free().unwrap();
}

#[test]
fn disable_on_a_server_stops_accepting_and_keeps_its_clients() {
    setup();
    let fb = fb_log();
    let server = server(fields! { "Feedback" => server_feedback(&fb), "Incoming" => echo() });
    let port = server.port().unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));

    let states = Log::default();
    let got = Bytes::default();
    let client = new_client(&states, &got);
    client.connect("127.0.0.1", port).unwrap();
    let mut raw = std_client_v4(2, port);
    wait("both CONNECTED", || {
        fb.len() == 2 && client.state().unwrap() == NTC::CONNECTED
    });

    server.ac_disable().unwrap();
    assert_eq!(server.get_str("State").unwrap(), "Multistate");

    // New connections are refused.
    let r = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
    assert!(r.is_err(), "connect to a disabled server succeeded");
    println!(
        "std connect to a disabled server: {:?}",
        r.err().map(|e| e.kind())
    );
    let late_states = Log::default();
    let late_got = Bytes::default();
    let late = new_client(&late_states, &late_got);
    late.connect("127.0.0.1", port).unwrap();
    wait("late client fails", || {
        late.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(late.error().unwrap(), ERR::ConnectionRefused);
    assert_eq!(late_states.get(), vec![NTC::CONNECTING, NTC::DISCONNECTED]);
    settle(QUIET);
    assert_eq!(fb.len(), 2, "no Feedback for refused connections");
    assert_eq!(server.total_clients().unwrap(), 2);

    // Existing clients keep working both ways.
    client.ac_write(b"ping").unwrap();
    wait("echo to our client", || got.len() == 4);
    assert_eq!(got.get(), b"ping");
    let ours = server
        .clients()
        .find(|c| nc_ip(*c) == std::net::IpAddr::from([127, 0, 0, 1]))
        .unwrap()
        .connections()
        .next()
        .unwrap();
    ours.ac_write(b"push").unwrap();
    wait("server-initiated data", || got.len() == 8);
    assert_eq!(got.get(), b"pingpush");
    raw.write_all(b"raw").unwrap();
    wait_peer_data("echo to the std client", &mut raw, b"raw");
    assert_eq!(client.state().unwrap(), NTC::CONNECTED);
    assert_eq!(fb.len(), 2, "existing clients were not disconnected");

    // Freeing the server still disconnects its clients.
    server.free().unwrap();
    assert_eq!(count_state(&fb, NTC::DISCONNECTED), 2);
    wait("our client sees the close", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    wait_peer_eof("std client after Free", &mut raw);
    client.free().unwrap();
    late.free().unwrap();
}

#[test]
fn disable_while_connecting_then_reconnect() {
    setup();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let states = Log::default();
    let got = Bytes::default();
    let client = new_client(&states, &got);
    client.connect("127.0.0.1", port).unwrap();
    assert_eq!(client.state().unwrap(), NTC::CONNECTING);
    client.ac_disable().unwrap();
    assert_eq!(client.state().unwrap(), NTC::DISCONNECTED);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::DISCONNECTED]);
    assert_eq!(
        client.ac_write(b"x").map_err(ERR::from),
        Err(ERR::Disconnected)
    );
    settle(QUIET);
    assert_eq!(
        states.len(),
        2,
        "no Feedback after Disable: {:?}",
        states.get()
    );
    // Whatever the kernel accepted for the abandoned attempt ends at once.
    if let Ok((mut s, _)) = listener.accept() {
        s.set_nonblocking(true).unwrap();
        let mut seen = None;
        wait("abandoned connection ends", || match peer_poll(&mut s) {
            PeerRead::Nothing => false,
            other => {
                seen = Some(other);
                true
            }
        });
        assert!(
            matches!(seen, Some(PeerRead::Eof) | Some(PeerRead::Error(_))),
            "{seen:?}"
        );
    }

    // The same NetSocket connects again.
    client.connect("127.0.0.1", port).unwrap();
    let mut peer = None;
    wait("reconnect", || {
        if peer.is_none() {
            peer = listener.accept().ok().map(|(s, _)| s);
        }
        peer.is_some() && client.state().unwrap() == NTC::CONNECTED
    });
    let mut peer = peer.unwrap();
    peer.set_nonblocking(true).unwrap();
    assert_eq!(client.ac_write(b"again"), Ok(5));
    wait_peer_data("data after reconnect", &mut peer, b"again");
    assert_eq!(
        states.get(),
        vec![
            NTC::CONNECTING,
            NTC::DISCONNECTED,
            NTC::CONNECTING,
            NTC::CONNECTED
        ]
    );
    client.free().unwrap();
    wait_peer_eof("after Free", &mut peer);
}
