//! The typed callback setters: signatures checked by the compiler, FnMut state, the role check,
//! and what happens when a callback is reached again while it runs (a nested loop inside it).

mod common;

use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

fn server(build: impl FnOnce(parasol::NetSocketBuilder) -> parasol::NetSocketBuilder) -> NetSocket {
    build(
        NetSocket::create()
            .address("127.0.0.1")
            .port(0)
            .flags(NSF::SERVER | NSF::MULTI_CONNECT),
    )
    .build()
    .unwrap()
}

#[test]
fn fnmut_callbacks_keep_state_in_the_closure() {
    setup();
    let (tx, rx) = mpsc::channel();
    let mut calls = 0u32; // moved into the closure: no Rc<Cell>
    let srv = server(|b| {
        b.server_incoming(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            calls += 1;
            tx.send(calls).unwrap();
            c.echo()
        })
    });
    let mut peer = TcpStream::connect(("127.0.0.1", srv.port().unwrap())).unwrap();
    peer.write_all(b"ping").unwrap();
    let mut back = [0u8; 4];
    let reader = std::thread::spawn(move || {
        peer.read_exact(&mut back).unwrap();
        back
    });
    wait("the echo", || reader.is_finished());
    assert_eq!(&reader.join().unwrap(), b"ping");
    let counts: Vec<u32> = rx.try_iter().collect();
    assert!(!counts.is_empty());
    assert_eq!(counts, (1..=counts.len() as u32).collect::<Vec<_>>());

    // A client's Feedback sees CONNECTING, CONNECTED, then DISCONNECTED when the server goes.
    let (tx, rx) = mpsc::channel();
    let mut last = None;
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(srv.port().unwrap())
        .client_feedback(move |_s: &NetSocket, state: NTC| {
            assert_ne!(last, Some(state), "a state is reported once");
            last = Some(state);
            tx.send(state).unwrap();
        })
        .build()
        .unwrap();
    wait("connected", || client.state().unwrap() == NTC::CONNECTED);
    srv.free().unwrap();
    wait("disconnected", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    let states: Vec<NTC> = rx.try_iter().collect();
    assert_eq!(states, [NTC::CONNECTING, NTC::CONNECTED, NTC::DISCONNECTED]);
    client.free().unwrap();
}

#[test]
fn a_callback_of_the_other_role_is_refused() {
    setup();
    let before = parasol::kernel::object::object_count();
    let client_with_server_form = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo())
        .build();
    assert_eq!(client_with_server_form.unwrap_err(), ERR::Args);
    // Init refuses it first (the generic door's check), naming both forms.
    let detail = parasol::err::take_failure_detail().expect("a detail");
    assert!(
        detail.contains("called with (NetSocket)") && detail.contains("(NetSocket, ClientSocket)"),
        "{detail}"
    );
    let server_with_client_form = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER)
        .client_feedback(|_s: &NetSocket, _state: NTC| {})
        .build();
    assert_eq!(server_with_client_form.unwrap_err(), ERR::Args);
    assert_eq!(
        parasol::kernel::object::object_count(),
        before,
        "the refused sockets were freed"
    );

    let srv = server(|b| b);
    assert_eq!(
        srv.set_client_incoming(|_s: &NetSocket| ERR::Okay),
        Err(ERR::Args)
    );
    let detail = parasol::err::take_failure_detail().expect("a detail");
    assert!(detail.contains("use the server_* form"), "{detail}");
    assert_eq!(
        srv.set_server_incoming(|_s: &NetSocket, c: &ClientSocket| c.echo()),
        Ok(())
    );
    srv.free().unwrap();
}

/// Incoming drives the loop itself (as SYNCHRONOUS code does): the other connection's data
/// arrives in the nested loop, the FnMut cannot be entered twice, so that connection gets Retry
/// and is offered again — both echoes complete, nothing is lost.
#[test]
fn a_reentered_incoming_retries_instead_of_losing_data() {
    setup();
    let mut nested_runs = 0u32;
    let srv = server(|b| {
        b.server_incoming(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            if nested_runs < 4 {
                nested_runs += 1;
                // Other sockets become ready in here and reach this closure again.
                let _ = process_messages(Some(Duration::from_millis(50)));
            }
            c.echo()
        })
    });
    let port = srv.port().unwrap();
    let peers: Vec<_> = (0..3)
        .map(|i| {
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                let msg = format!("peer {i} says hello");
                s.write_all(msg.as_bytes()).unwrap();
                let mut back = vec![0u8; msg.len()];
                s.read_exact(&mut back).unwrap();
                String::from_utf8(back).unwrap() == msg
            })
        })
        .collect();
    wait("every echo", || peers.iter().all(|p| p.is_finished()));
    for p in peers {
        assert!(p.join().unwrap(), "an echo came back intact");
    }
    srv.free().unwrap();
}

/// Feedback drives the loop itself: another connection ends meanwhile, its DISCONNECTED
/// reaches the closure while it runs, and is delivered right after the running call returns.
#[test]
fn a_reentered_feedback_is_delivered_after_the_running_call() {
    use std::cell::Cell;
    use std::rc::Rc;
    setup();
    let (tx, rx) = mpsc::channel();
    let (close_b, close_b_rx) = mpsc::channel::<()>();
    // B's ClientSocket, known once B is accepted; A's CONNECTED waits, nested, for B to end.
    let b_sock: Rc<Cell<Option<ClientSocket>>> = Rc::default();
    let b_seen = b_sock.clone();
    let mut running = false;
    let srv = server(|b| {
        b.server_feedback(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            assert!(!running, "the FnMut is never entered twice");
            running = true;
            tx.send((c.id(), state)).unwrap();
            if let Some(b) = b_seen.get().filter(|b| *b != *c && state == NTC::CONNECTED) {
                close_b.send(()).unwrap(); // the peer thread closes B now
                let _ = wait_until(Duration::from_secs(10), || b.state() != Ok(NTC::CONNECTED));
            }
            running = false;
        })
    });
    let port = srv.port().unwrap();
    let peer_b = TcpStream::connect(("127.0.0.1", port)).unwrap();
    b_sock.set(Some(first_accepted(srv)));
    let b_id = b_sock.get().unwrap().id();
    let closer = std::thread::spawn(move || {
        close_b_rx.recv().unwrap();
        drop(peer_b);
    });
    let _peer_a = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut events = Vec::new();
    wait("B's end reported", || {
        events.extend(rx.try_iter());
        events.contains(&(b_id, NTC::DISCONNECTED))
    });
    closer.join().unwrap();
    // B's end happened inside A's CONNECTED call and was delivered after it, in order.
    let a_connected = events
        .iter()
        .position(|&(id, state)| id != b_id && state == NTC::CONNECTED)
        .expect("A connected");
    let b_ended = events
        .iter()
        .position(|&e| e == (b_id, NTC::DISCONNECTED))
        .unwrap();
    assert!(a_connected < b_ended, "{events:?}");
    srv.free().unwrap();
}
