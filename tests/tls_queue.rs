//! Queued data over TLS: every graceful close (DisconnectSocket, Incoming returning Terminate,
//! Free, ShutdownWrite) delivers every byte Write accepted before close_notify, from either
//! side, however much rustls holds at once; and Outgoing keeps pumping when the records written
//! at the end of a readiness event empty the queue.

mod common;

use common::pki::{self, Leaf};
use common::*;
use parasol::prelude::*;
use sha2::{Digest, Sha256};

/// Much more than rustls buffers (about 64 KiB), less than MsgLimit: one Write takes it all.
const SIZE: usize = 300 * 1024;

#[derive(Clone, Copy, Debug)]
enum Close {
    DisconnectSocket,
    Terminate,
    Free,
    ShutdownWrite,
}

const ALL: [Close; 4] = [
    Close::DisconnectSocket,
    Close::Terminate,
    Close::Free,
    Close::ShutdownWrite,
];

fn identity() -> (pki::Ca, Leaf) {
    let ca = pki::ca("Queue CA");
    let leaf = pki::leaf(&ca, &["localhost", "127.0.0.1"]);
    (ca, leaf)
}

fn sha(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

/// Our TLS client (not connected yet) trusting `ca`, with `extra` fields.
fn tls_client(ca: &pki::Ca, extra: Vec<(&str, Value)>) -> NetSocket {
    let mut f = fields! { "Flags" => "SSL", "SSLCACertificate" => ca.pem.as_str() };
    f.extend(extra);
    NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap()
}

/// A server-side Incoming that appends everything it reads to `got`.
fn server_collect(got: &Bytes) -> Function {
    let got = got.clone();
    Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
        let mut b = vec![0u8; 65536];
        loop {
            match c.ac_read(&mut b) {
                Ok(0) => return ERR::Okay,
                Ok(n) => got.extend(&b[..n]),
                Err(e) => return e,
            }
        }
    })
}

/// The server writes SIZE bytes to its client, then closes the way `close` says.
fn server_writes_then_closes(close: Close) {
    let (ca, leaf) = identity();
    let data = pattern(SIZE, 7);
    let sent = data.clone();
    let accepted: Log<ClientSocket> = Log::default();
    let acc = accepted.clone();
    let server = server(fields! {
        "Flags" => "SERVER|SSL",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, st: NTC| {
            if st == NTC::CONNECTED { acc.push(*c) }
        }),
        // Terminate: the client's "go" makes the server write everything and return Terminate.
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 16];
            let _ = c.ac_read(&mut b);
            assert_eq!(c.ac_write(&sent), Ok(SIZE));
            ERR::Terminate
        }),
    });
    let (states, got) = (Log::default(), Bytes::default());
    let client = tls_client(
        &ca,
        fields! { "Feedback" => client_feedback(&states),
        "Incoming" => client_collect(&got) },
    );
    client
        .connect_timeout(
            "localhost",
            server.port().unwrap(),
            std::time::Duration::from_secs_f64(10.0),
        )
        .unwrap();
    wait("server-side CONNECTED", || accepted.len() == 1);
    let c = accepted.get()[0];
    match close {
        Close::Terminate => {
            client.ac_write(b"go").unwrap();
        }
        other => {
            small_send_buffer(c.id());
            assert_eq!(c.ac_write(&data), Ok(SIZE));
            assert!(
                c.out_queue_size().unwrap() > 0,
                "the test needs data still queued"
            );
            match other {
                Close::DisconnectSocket => server.disconnect_socket(c).unwrap(),
                Close::Free => c.free().unwrap(),
                Close::ShutdownWrite => c.shutdown_write().unwrap(),
                Close::Terminate => unreachable!(),
            }
        }
    }
    wait("client DISCONNECTED", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(got.len(), SIZE, "{close:?}: bytes received");
    assert_eq!(sha(&got.get()), sha(&data), "{close:?}: content");
    assert_eq!(
        client.error().unwrap(),
        ERR::Okay,
        "{close:?}: close_notify then FIN"
    );
    client.free().unwrap();
    server.free().unwrap();
    wait("lingering closes end", || {
        parasol::net::linger::active() == 0
    });
}

/// Our TLS client writes SIZE bytes, then closes the way `close` says; the server collects.
fn client_writes_then_closes(close: Close) {
    let (ca, leaf) = identity();
    let data = pattern(SIZE, 11);
    let got = Bytes::default();
    let g = got.clone();
    let ended: Log<ERR> = Log::default();
    let e = ended.clone();
    let server = server(fields! {
        "Flags" => "SERVER|SSL",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, st: NTC| {
            if st == NTC::DISCONNECTED {
                e.push(ERR(c.get("Error").unwrap().to_i32().unwrap()));
            }
        }),
        "Incoming" => server_collect(&g),
    });
    let sent = data.clone();
    let states = Log::default();
    let client = tls_client(
        &ca,
        fields! { "Feedback" => client_feedback(&states),
        // Terminate: the server's greeting makes the client write everything and end.
        "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
            let mut b = [0u8; 16];
            let _ = s.ac_read(&mut b);
            assert_eq!(s.ac_write(&sent), Ok(SIZE));
            ERR::Terminate
        }) },
    );
    client
        .connect_timeout(
            "localhost",
            server.port().unwrap(),
            std::time::Duration::from_secs_f64(10.0),
        )
        .unwrap();
    wait("client CONNECTED", || {
        client.state().unwrap() == NTC::CONNECTED
    });
    match close {
        Close::Terminate => {
            wait("server-side client", || {
                server.total_clients().unwrap() == 1
            });
            let c = server
                .clients()
                .next()
                .unwrap()
                .connections()
                .next()
                .unwrap();
            wait("server-side CONNECTED", || {
                c.state().unwrap() == NTC::CONNECTED
            });
            c.ac_write(b"go").unwrap();
        }
        other => {
            small_send_buffer(client.id());
            assert_eq!(client.ac_write(&data), Ok(SIZE));
            assert!(
                client.out_queue_size().unwrap() > 0,
                "the test needs data still queued"
            );
            match other {
                Close::Free => client.free().unwrap(),
                Close::ShutdownWrite => client.shutdown_write().unwrap(),
                Close::DisconnectSocket | Close::Terminate => unreachable!(),
            }
        }
    }
    wait("server-side DISCONNECTED", || ended.len() == 1);
    assert_eq!(got.len(), SIZE, "{close:?}: bytes received");
    assert_eq!(sha(&got.get()), sha(&data), "{close:?}: content");
    assert_eq!(
        ended.get(),
        vec![ERR::Okay],
        "{close:?}: close_notify then FIN"
    );
    let _ = client.free();
    server.free().unwrap();
    wait("lingering closes end", || {
        parasol::net::linger::active() == 0
    });
}

#[test]
fn server_side_graceful_closes_deliver_everything_before_close_notify() {
    setup();
    for close in ALL {
        server_writes_then_closes(close);
    }
}

#[test]
fn client_side_graceful_closes_deliver_everything_before_close_notify() {
    setup();
    // A client NetSocket has no DisconnectSocket (and Disable discards by contract).
    for close in [Close::Terminate, Close::Free, Close::ShutdownWrite] {
        client_writes_then_closes(close);
    }
}

/// An Outgoing callback that writes 64 KiB per call until `total` bytes were written.
fn pump(total: usize, seed: u64) -> (Function, std::rc::Rc<std::cell::Cell<usize>>) {
    let data = pattern(total, seed);
    let written = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let w = written.clone();
    let f = Function::new(move |s: ObjectId| -> ERR {
        let at = w.get();
        if at == total {
            return ERR::Okay; // writes nothing: pumping ends
        }
        let end = (at + 65536).min(total);
        let (e, n) = s.ac_write_counted(&data[at..end]);
        assert!(e == ERR::Okay || e == ERR::BufferOverflow, "{e:?}");
        w.set(at + n);
        ERR::Okay
    });
    (f, written)
}

#[test]
fn outgoing_keeps_pumping_over_tls_in_both_directions() {
    setup();
    const TOTAL: usize = 4 << 20;
    let (ca, leaf) = identity();

    // Client → server: the client's Outgoing.
    let got = Bytes::default();
    let g = got.clone();
    let server = server(fields! {
        "Flags" => "SERVER|SSL|MULTI_CONNECT",
        "SSLCertificate" => leaf.cert.as_str(),
        "SSLPrivateKey" => leaf.key.as_str(),
        "Incoming" => server_collect(&g),
    });
    let (outgoing, written) = pump(TOTAL, 21);
    let client = tls_client(
        &ca,
        fields! { "Outgoing" => Function::new(move |s: &NetSocket| outgoing.call(&[Value::Object(s.id())])) },
    );
    client
        .connect_timeout(
            "localhost",
            server.port().unwrap(),
            std::time::Duration::from_secs_f64(10.0),
        )
        .unwrap();
    let r = wait_for(DEADLINE, || got.len() == TOTAL);
    assert_eq!(
        r,
        ERR::Okay,
        "got {} written {} state {:?} queue {}",
        got.len(),
        written.get(),
        client.state().unwrap(),
        client.out_queue_size().unwrap()
    );
    assert_eq!(written.get(), TOTAL);
    assert_eq!(sha(&got.get()), sha(&pattern(TOTAL, 21)));
    client.free().unwrap();
    wait("the first client's server side goes", || {
        server.total_clients().unwrap() == 0
    });

    // Server → client: a ClientSocket's Outgoing, set once it is CONNECTED.
    let got2 = Bytes::default();
    let client2 = tls_client(&ca, fields! { "Incoming" => client_collect(&got2) });
    client2
        .connect_timeout(
            "localhost",
            server.port().unwrap(),
            std::time::Duration::from_secs_f64(10.0),
        )
        .unwrap();
    wait("server-side socket", || {
        server
            .clients()
            .flat_map(|c| c.connections())
            .any(|c| c.state().unwrap() == NTC::CONNECTED)
    });
    let c = server
        .clients()
        .flat_map(|c| c.connections())
        .find(|c| c.state().unwrap() == NTC::CONNECTED)
        .unwrap();
    let (outgoing2, written2) = pump(TOTAL, 22);
    c.set(
        "Outgoing",
        Function::new(move |_s: &NetSocket, c: &ClientSocket| {
            outgoing2.call(&[Value::Object(c.id())])
        }),
    )
    .unwrap();
    let r = wait_for(DEADLINE, || got2.len() == TOTAL);
    assert_eq!(
        r,
        ERR::Okay,
        "got {} written {} state {:?} queue {}",
        got2.len(),
        written2.get(),
        c.state().unwrap(),
        c.out_queue_size().unwrap()
    );
    assert_eq!(written2.get(), TOTAL);
    assert_eq!(sha(&got2.get()), sha(&pattern(TOTAL, 22)));
    client2.free().unwrap();
    server.free().unwrap();
}
