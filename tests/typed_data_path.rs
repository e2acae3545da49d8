//! Read and Write through the typed handles take a direct path to the class's routines (see
//! `classes/src/typed_io.rs`); these tests hold it to the generic door: the same bytes in the
//! same order, the same answers on a server socket, on an object being freed and on a freed
//! one, and subscribers hear the calls either way.

mod common;

use common::*;
use parasol::err::WriteError;
use parasol::prelude::*;
use parasol::subscribe_action;
use std::cell::RefCell;
use std::rc::Rc;

type Heard = Rc<RefCell<Vec<(ObjectId, AC, ERR)>>>;

fn recorder(heard: &Heard) -> Function {
    let heard = heard.clone();
    Function::new(move |o: ObjectId, ac: AC, e: ERR| heard.borrow_mut().push((o, ac, e)))
}

/// Reads what `cs` has staged until `want` bytes arrived, alternating the two doors.
fn read_alternating(cs: ClientSocket, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut typed = true;
    wait("the bytes", || {
        let mut buf = [0u8; 3];
        let n = if typed {
            cs.ac_read(&mut buf)
        } else {
            cs.id().ac_read(&mut buf)
        }
        .unwrap();
        typed = !typed;
        got.extend_from_slice(&buf[..n]);
        got.len() >= want
    });
    got
}

#[test]
fn both_doors_carry_the_same_bytes_in_order_and_subscribers_hear_the_typed_one() {
    setup();
    let (server, client, cs) = connected_pair();
    let heard: Heard = Rc::default();
    subscribe_action(client.id(), AC::Write, recorder(&heard)).unwrap();
    subscribe_action(cs.id(), AC::Read, recorder(&heard)).unwrap();

    assert_eq!(client.ac_write(b"typed "), Ok(6));
    assert_eq!(client.id().ac_write(b"generic "), Ok(8));
    assert_eq!(client.ac_write_counted(b"typed"), (ERR::Okay, 5));
    assert_eq!(read_alternating(cs, 19), b"typed generic typed");

    let heard = heard.borrow();
    let writes: Vec<_> = heard.iter().filter(|h| h.1 == AC::Write).collect();
    assert_eq!(
        writes.len(),
        3,
        "every Write heard, typed or not: {heard:?}"
    );
    assert!(writes
        .iter()
        .all(|h| h.0 == client.id() && h.2 == ERR::Okay));
    let reads: Vec<_> = heard.iter().filter(|h| h.1 == AC::Read).collect();
    assert!(
        reads.len() >= 7,
        "every Read heard (3 bytes each): {heard:?}"
    );
    assert!(reads.iter().all(|h| h.0 == cs.id() && h.2 == ERR::Okay));
    drop(heard);
    client.free().unwrap();
    server.free().unwrap();
}

#[test]
fn both_doors_answer_alike_on_a_server_socket_and_a_freed_one() {
    setup();
    let (server, client, cs) = connected_pair();
    let mut buf = [0u8; 8];
    // A server has no stream of its own.
    assert_eq!(server.ac_write_counted(b"x"), (ERR::NoSupport, 0));
    assert_eq!(
        server.ac_write_counted(b"x"),
        server.id().ac_write_counted(b"x")
    );
    assert_eq!(server.ac_read(&mut buf), Err(ERR::NoSupport));
    assert_eq!(server.ac_read(&mut buf), server.id().ac_read(&mut buf));

    client.free().unwrap();
    server.free().unwrap();
    for (typed, generic) in [
        (client.ac_read(&mut buf), client.id().ac_read(&mut buf)),
        (cs.ac_read(&mut buf), cs.id().ac_read(&mut buf)),
    ] {
        assert_eq!(typed, Err(ERR::NoMatchingObject));
        assert_eq!(typed, generic);
    }
    let gone = Err(WriteError {
        error: ERR::NoMatchingObject,
        written: 0,
    });
    assert_eq!(cs.ac_write(b"x"), gone);
    assert_eq!(cs.id().ac_write(b"x"), gone);
}

#[test]
fn an_object_being_freed_refuses_typed_reads_and_writes() {
    setup();
    let (server, client, cs) = connected_pair();
    let answers: Rc<RefCell<Vec<ERR>>> = Rc::default();
    for sock in [client.id(), cs.id()] {
        let a = answers.clone();
        subscribe_action(
            sock,
            AC::Free,
            Function::new(move |o: ObjectId, _ac: AC, _e: ERR| {
                let mut buf = [0u8; 4];
                let (read, write) = match NetSocket::from_id(o) {
                    Ok(n) => (n.ac_read(&mut buf), n.ac_write_counted(b"late").0),
                    Err(_) => {
                        let c = ClientSocket::from_id(o).unwrap();
                        (c.ac_read(&mut buf), c.ac_write_counted(b"late").0)
                    }
                };
                a.borrow_mut().push(read.err().unwrap_or(ERR::Okay));
                a.borrow_mut().push(write);
            }),
        )
        .unwrap();
    }
    client.free().unwrap();
    server.free().unwrap();
    assert_eq!(*answers.borrow(), vec![ERR::MarkedForDeletion; 4]);
}

#[test]
fn before_a_connection_read_finds_nothing_and_after_it_read_says_disconnected() {
    setup();
    let mut buf = [0u8; 8];
    let idle = NetSocket::create().build().unwrap();
    assert_eq!(
        idle.ac_read(&mut buf),
        Ok(0),
        "never connected: nothing yet"
    );
    assert_eq!(idle.id().ac_read(&mut buf), Ok(0));

    let (server, client, cs) = connected_pair();
    server.disconnect_socket(cs).unwrap();
    wait("the client sees the end", || {
        client.state() == Ok(NTC::DISCONNECTED)
    });
    assert_eq!(client.ac_read(&mut buf), Err(ERR::Disconnected));
    assert_eq!(client.id().ac_read(&mut buf), Err(ERR::Disconnected));
    for s in [idle, client, server] {
        s.free().unwrap();
    }
}

#[test]
fn without_incoming_read_alone_gets_every_byte() {
    setup();
    let server = server(fields! {});
    let data = pattern(512 << 10, 21);
    let sent = data.clone();
    let port = server.port().unwrap();
    let peer = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(&mut s, &sent).unwrap();
        s // kept open: no end of stream to wake the loop at the end
    });
    let cs = first_accepted(server);
    // Everything is sent before the application reads: the readiness edges have all come and
    // gone, and nobody reads from the loop, so only one read's worth is staged. Once the
    // application's Reads empty it, the socket must be looked at again, or the rest would stay
    // in the kernel with no further edge to announce it.
    wait("the peer sent everything", || peer.is_finished());
    let mut got = Vec::new();
    wait("every byte through Read", || {
        let mut buf = [0u8; 16 * 1024];
        let n = cs.ac_read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
        got.len() >= data.len()
    });
    assert!(got == data, "in order, nothing lost");
    drop(peer.join().unwrap());
    server.free().unwrap();
}

#[test]
fn without_incoming_the_end_read_by_read_still_ends_the_connection() {
    setup();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        std::io::Write::write_all(&mut s, b"last words").unwrap();
        // Dropped: the peer closes after writing.
    });
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .build()
        .unwrap();
    wait("the peer wrote and closed", || peer.is_finished());
    // Let the loop take every readiness edge there is before the application reads.
    assert_eq!(
        process_messages(Some(std::time::Duration::from_millis(50))),
        ERR::TimeOut
    );
    let mut got = Vec::new();
    let mut buf = [0u8; 4];
    let end = loop {
        match client.ac_read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    assert_eq!(
        (got.as_slice(), end),
        (&b"last words"[..], ERR::Disconnected)
    );
    // The Read that met the end has the loop look again: the state follows, with Feedback.
    wait("DISCONNECTED", || client.state() == Ok(NTC::DISCONNECTED));
    assert_eq!(client.error(), Ok(ERR::Okay));
    peer.join().unwrap();
    client.free().unwrap();
}
