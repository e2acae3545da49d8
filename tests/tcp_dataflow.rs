//! The data path: MsgLimit, backpressure with Retry, partial and empty reads in Incoming,
//! Terminate, and Free flushing queued data.

mod common;

use common::*;
use parasol::prelude::*;
use sha2::{Digest, Sha256};
use std::cell::Cell;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A raw client of an echo server is still answered (another client's failure did not touch it).
fn assert_still_echoed(good: &mut std::net::TcpStream) {
    good.write_all(b"ok").unwrap();
    let mut b = [0u8; 2];
    good.set_nonblocking(true).unwrap();
    let mut have = 0;
    wait("other client still served", || {
        if let Ok(n) = good.read(&mut b[have..]) {
            have += n;
        }
        have == 2
    });
    assert_eq!(&b, b"ok");
}

fn plain_client(extra: Vec<(&str, Value)>) -> NetSocket {
    NetSocket::from_id(create("NetSocket", extra).unwrap()).unwrap()
}

#[test]
fn msg_limit_overflow_reports_exact_result_and_loses_nothing() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let c = plain_client(fields! { "MsgLimit" => 1000 });
    // Before connecting everything is queued, so the limit applies exactly.
    assert_eq!(c.ac_write_counted(&pattern(600, 1)), (ERR::Okay, 600));
    assert_eq!(
        c.ac_write_counted(&pattern(600, 2)),
        (ERR::BufferOverflow, 400)
    );
    assert_eq!(c.out_queue_size().unwrap(), 1000);
    assert_eq!(c.ac_write_counted(b"x"), (ERR::BufferOverflow, 0));
    let mut expected = pattern(600, 1);
    expected.extend_from_slice(&pattern(600, 2)[..400]);

    c.connect("127.0.0.1", port).unwrap();
    let (mut s, _) = listener.accept().unwrap();
    wait("queue drained", || {
        c.state().unwrap() == NTC::CONNECTED && c.out_queue_size().unwrap() == 0
    });
    // Connected: fill the kernel's buffers with a peer that does not read, then overflow.
    let mut accepted = Vec::new();
    let mut seed = 10;
    loop {
        let chunk = pattern(700, seed);
        seed += 1;
        let (e, n) = c.ac_write_counted(&chunk);
        accepted.extend_from_slice(&chunk[..n]);
        assert!(
            c.out_queue_size().unwrap() <= 1000,
            "queue {} exceeds MsgLimit",
            c.out_queue_size().unwrap()
        );
        if e == ERR::BufferOverflow {
            assert!(n < chunk.len());
            break;
        }
        assert_eq!((e, n), (ERR::Okay, chunk.len()));
        assert!(seed < 100_000, "the kernel never refused data");
    }
    assert_eq!(
        c.state().unwrap(),
        NTC::CONNECTED,
        "overflow keeps the connection up"
    );
    expected.extend_from_slice(&accepted);
    // Now the peer reads everything: exactly the accepted bytes, in order.
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let want = expected.len();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::with_capacity(want);
        let mut b = vec![0u8; 65536];
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        while got.len() < want {
            let n = s.read(&mut b).unwrap();
            assert!(n > 0, "early EOF");
            got.extend_from_slice(&b[..n]);
        }
        flag.store(true, Ordering::SeqCst);
        got
    });
    wait("peer read all", || done.load(Ordering::SeqCst));
    let got = reader.join().unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "stream differs from the accepted bytes");
}

#[test]
fn slow_reader_echo_with_retry_stays_within_msg_limit() {
    setup();
    const LIMIT: usize = 64 * 1024;
    const TOTAL: usize = 32 << 20;
    let max_queue = Rc::new(Cell::new(0usize));
    let mq = max_queue.clone();
    let server = server(fields! {
        "MsgLimit" => LIMIT,
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            let room = LIMIT - c.out_queue_size().unwrap();
            if room == 0 {
                return ERR::Retry;
            }
            let mut buf = vec![0u8; room];
            let n = match c.ac_read(&mut buf) { Ok(n) => n, Err(e) => return e };
            let (e, taken) = c.ac_write_counted(&buf[..n]);
            assert_eq!((e, taken), (ERR::Okay, n), "the echo never overflows");
            mq.set(mq.get().max(c.out_queue_size().unwrap()));
            ERR::Okay
        }),
    });
    let data = pattern(TOTAL, 99);
    let got = Bytes::default();
    let c = plain_client(fields! { "MsgLimit" => TOTAL + 1 });
    c.connect("127.0.0.1", server.port().unwrap()).unwrap();
    // Everything is written before anything is read.
    assert_eq!(c.ac_write_counted(&data), (ERR::Okay, TOTAL));
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    // Let the echo fill up against the non-reading client before reading starts.
    let _ = process_messages(Some(Duration::from_millis(200)));
    c.set("Incoming", client_collect(&got)).unwrap();
    let r = wait_until(Duration::from_secs(60), || got.len() >= TOTAL);
    assert_eq!(r, ERR::Okay, "echoed {} of {TOTAL}", got.len());
    assert_eq!(got.len(), TOTAL);
    assert_eq!(
        Sha256::digest(got.get()),
        Sha256::digest(&data),
        "every byte back, in order"
    );
    assert!(
        max_queue.get() <= LIMIT,
        "server queue peaked at {}",
        max_queue.get()
    );
    assert!(max_queue.get() > 0);
}

#[test]
fn incoming_reading_part_gets_the_rest_next_cycle() {
    setup();
    let got = Bytes::default();
    let calls = Rc::new(Cell::new(0));
    let (g, k) = (got.clone(), calls.clone());
    let server = server(fields! {
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            k.set(k.get() + 1);
            let mut b = [0u8; 10];
            let n = c.ac_read(&mut b).unwrap();
            assert!(n > 0, "Incoming is never called without data");
            g.extend(&b[..n]);
            ERR::Okay
        }),
    });
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    let data = pattern(1000, 5);
    peer.write_all(&data).unwrap();
    wait("all delivered in pieces", || got.len() == 1000);
    assert_eq!(got.get(), data);
    assert!(calls.get() >= 100, "{} calls", calls.get());
}

#[test]
fn incoming_reading_nothing_discards_the_data() {
    setup();
    let got = Bytes::default();
    let calls = Rc::new(Cell::new(0));
    let (g, k) = (got.clone(), calls.clone());
    let server = server(fields! {
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            k.set(k.get() + 1);
            if k.get() == 1 {
                return ERR::Okay; // reads nothing: these bytes are dropped
            }
            let mut b = [0u8; 100];
            let n = c.ac_read(&mut b).unwrap();
            g.extend(&b[..n]);
            ERR::Okay
        }),
    });
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    peer.write_all(b"dropped").unwrap();
    wait("first call", || calls.get() == 1);
    let _ = process_messages(Some(Duration::from_millis(20)));
    assert_eq!(calls.get(), 1, "discarded data is not offered again");
    peer.write_all(b"kept").unwrap();
    wait("second call", || got.get() == b"kept");
}

#[test]
fn terminate_from_incoming_flushes_then_closes() {
    setup();
    let states = Log::<NTC>::default();
    let st = states.clone();
    let server = server(fields! {
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| st.push(state)),
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 64];
            let _ = c.ac_read(&mut b);
            c.ac_write(&pattern(1 << 20, 3)).unwrap();
            ERR::Terminate
        }),
    });
    let (cstates, got) = (Log::default(), Bytes::default());
    let c = plain_client(
        fields! { "Feedback" => client_feedback(&cstates), "Incoming" => client_collect(&got) },
    );
    c.connect("127.0.0.1", server.port().unwrap()).unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    c.ac_write(b"bye please").unwrap();
    wait("client sees graceful close", || {
        c.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(
        got.get(),
        pattern(1 << 20, 3),
        "queued reply delivered before the close"
    );
    assert_eq!(c.error().unwrap(), ERR::Okay);
    assert_eq!(states.get(), vec![NTC::CONNECTED, NTC::DISCONNECTED]);
    wait("released", || server.total_clients().unwrap() == 0);
}

#[test]
fn terminate_from_client_incoming_clears_the_field() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let states = Log::default();
    let c = plain_client(fields! {
        "Feedback" => client_feedback(&states),
        "Incoming" => Function::new(|s: &NetSocket| -> ERR {
            let mut b = [0u8; 16];
            let _ = s.ac_read(&mut b);
            ERR::Terminate
        }),
    });
    c.connect("127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(b"hello").unwrap();
    wait("terminated", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(
        c.get("Incoming").unwrap(),
        Value::None,
        "Terminate clears Incoming"
    );
    assert_eq!(c.error().unwrap(), ERR::Okay, "a local close keeps Error");
    let mut b = [0u8; 1];
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // The peer sees an orderly close (EOF), not a reset.
    let done = Arc::new(AtomicBool::new(false));
    let f = done.clone();
    let t = std::thread::spawn(move || {
        let r = peer.read(&mut b).map_err(|e| e.kind());
        f.store(true, Ordering::SeqCst);
        r
    });
    wait("peer EOF", || done.load(Ordering::SeqCst));
    assert_eq!(t.join().unwrap(), Ok(0));
}

#[test]
fn panic_in_incoming_is_caught_and_closes_that_connection() {
    setup();
    let states = Log::<NTC>::default();
    let st = states.clone();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| st.push(state)),
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 16];
            let n = c.ac_read(&mut b).unwrap();
            if &b[..n] == b"boom" {
                panic!("deliberate panic in Incoming");
            }
            c.ac_write(&b[..n]).unwrap();
            ERR::Okay
        }),
    });
    let mut bad = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    let mut good = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    wait("both connected", || states.len() == 2);
    bad.write_all(b"boom").unwrap();
    wait("panicking client dropped", || {
        states.get().contains(&NTC::DISCONNECTED)
    });
    assert_still_echoed(&mut good);
}

#[test]
fn free_with_queued_data_still_delivers_it() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data = pattern(8 << 20, 42);
    let c = plain_client(fields! { "MsgLimit" => 16 << 20 });
    c.connect("127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.ac_write_counted(&data), (ERR::Okay, data.len()));
    assert!(
        c.out_queue_size().unwrap() > 0,
        "most of it is still queued"
    );
    c.free().unwrap();
    assert!(!c.exists());
    let done = Arc::new(AtomicBool::new(false));
    let f = done.clone();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        peer.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        peer.read_to_end(&mut got).unwrap();
        f.store(true, Ordering::SeqCst);
        got
    });
    wait("peer got everything and EOF", || {
        done.load(Ordering::SeqCst)
    });
    let got = reader.join().unwrap();
    assert_eq!(got.len(), data.len());
    assert!(got == data);
}

#[test]
fn incoming_returning_an_error_ends_that_connection_with_the_error() {
    setup();
    let ended: Log<ERR> = Log::default();
    let e = ended.clone();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            if state == NTC::DISCONNECTED {
                e.push(ERR(c.get("Error").unwrap().to_i32().unwrap()));
            }
        }),
        // Echoes, but a client that says "fail" gets the error a lossy echo would return.
        "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 16];
            let n = c.ac_read(&mut b).unwrap();
            if &b[..n] == b"fail" {
                c.ac_write(b"partial answer").unwrap();
                return ERR::BufferOverflow;
            }
            c.ac_write(&b[..n]).unwrap();
            ERR::Okay
        }),
    });
    let mut bad = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    let mut good = std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap();
    wait("both connected", || {
        server.total_clients().unwrap() == 1
            && server
                .clients()
                .next()
                .unwrap()
                .total_connections()
                .unwrap()
                == 2
    });
    bad.write_all(b"fail").unwrap();
    wait("the failing connection ends", || ended.len() == 1);
    assert_eq!(
        ended.get(),
        vec![ERR::BufferOverflow],
        "Error records the code"
    );
    // What was written before the error is still delivered, then an orderly close.
    let mut got = Vec::new();
    bad.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let reader =
        std::thread::spawn(move || bad.read_to_end(&mut got).map(|_| got).map_err(|e| e.kind()));
    wait("peer reads to EOF", || reader.is_finished());
    assert_eq!(reader.join().unwrap(), Ok(b"partial answer".to_vec()));
    // The other client is untouched.
    assert_still_echoed(&mut good);
}

#[test]
fn incoming_passing_on_the_end_that_read_reported_is_a_normal_close() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Bytes::default();
    // client_collect reads until Read fails and returns that error (Disconnected at EOF).
    let c = plain_client(fields! { "Incoming" => client_collect(&got) });
    c.connect("127.0.0.1", port).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    peer.write_all(b"last words").unwrap();
    drop(peer);
    wait("closed", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(got.get(), b"last words");
    assert_eq!(
        c.error().unwrap(),
        ERR::Okay,
        "a graceful close, not the callback's Disconnected"
    );
}

#[test]
fn free_delivers_everything_to_a_peer_that_keeps_sending_while_it_reads_slowly() {
    // The lingering close must not close the descriptor right after FIN: bytes the peer sends
    // into a closed socket make the kernel answer with a reset, which destroys whatever the
    // peer had not read yet.
    setup();
    let server = server(fields! { "MsgLimit" => 8 << 20 });
    // Small kernel buffers on the peer, so most of the data waits in our queue.
    let peer = common::peer::std_connect_with_buffers(
        std::net::IpAddr::from([127, 0, 0, 1]),
        std::net::SocketAddr::from(([127, 0, 0, 1], server.port().unwrap())),
        Some(16 * 1024),
    );
    peer.set_nonblocking(false).unwrap();
    wait("accepted", || server.total_clients().unwrap() == 1);
    let c = server
        .clients()
        .next()
        .unwrap()
        .connections()
        .next()
        .unwrap();
    small_send_buffer(c.id());
    let data = pattern(3 << 20, 17);
    assert_eq!(c.ac_write(&data), Ok(data.len()));
    assert!(c.out_queue_size().unwrap() > 0);
    c.free().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let mut writer = peer.try_clone().unwrap();
    let stop = done.clone();
    let chatter = std::thread::spawn(move || {
        let chunk = [b'z'; 1024];
        while !stop.load(Ordering::SeqCst) {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = writer.shutdown(std::net::Shutdown::Write);
    });
    let flag = done.clone();
    let total = data.len();
    let reader = std::thread::spawn(move || {
        let mut peer = peer;
        peer.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let r = loop {
            match peer.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e.kind()),
            }
            // Slow: the queue outlives the Free by far, and near the end the reader stalls
            // long enough for a close that does not wait for it to destroy the tail.
            let pause = if got.len() + 64 * 1024 >= total && got.len() < total - 32 * 1024 {
                Duration::from_millis(300)
            } else {
                Duration::from_micros(200)
            };
            std::thread::sleep(pause);
        };
        flag.store(true, Ordering::SeqCst);
        (got, r)
    });
    wait("the peer reads to the end", || reader.is_finished());
    let (got, r) = reader.join().unwrap();
    chatter.join().unwrap();
    assert_eq!(r, Ok(()), "a clean EOF, not a reset");
    assert_eq!(got.len(), data.len());
    assert!(Sha256::digest(&got) == Sha256::digest(&data));
    wait("the lingering close ends", || {
        parasol::net::linger::active() == 0
    });
}

/// Bytes written while a client connects survive the refusal of its first address: the next
/// address's connection sends them. They used to go down with the refused socket. A resolver
/// map gives the name two loopback addresses, the first of which nothing listens on.
#[test]
fn bytes_written_while_connecting_survive_a_refused_first_address() {
    use parasol::net::resolve::{set_thread_resolver, StaticResolver};
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let refused: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    set_thread_resolver(Some(std::sync::Arc::new(
        StaticResolver::new().host("two.test", [refused, listener.local_addr().unwrap().ip()]),
    )));
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    let client = NetSocket::create()
        .address("two.test")
        .port(port)
        .build()
        .unwrap();
    client.ac_write(b"written before the connection").unwrap();
    wait("connected", || client.state().unwrap() == NTC::CONNECTED);
    client.ac_write(b", and after").unwrap();
    client.shutdown_write().unwrap();
    wait("queue sent", || client.out_queue_size().unwrap() == 0);
    client.free().unwrap();
    set_thread_resolver(None);
    assert_eq!(
        peer.join().unwrap(),
        b"written before the connection, and after"
    );
}
