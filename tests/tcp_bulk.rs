//! Bulk data: many concurrent clients through an echo server that follows the Retry
//! backpressure rule, verified by SHA-256; and an Outgoing pump writing a large stream to a std
//! peer (docs/NETSOCKET.md "Data path": Write / BufferOverflow, Incoming Retry, Outgoing).

mod common;

use common::peer::*;
use common::*;
use parasol::prelude::*;
use sha2::{Digest, Sha256};
use std::cell::{Cell, RefCell};
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Number of concurrent clients in the echo test.
const CLIENTS: usize = 200;
/// Bytes each client sends (and gets back).
const PER_CLIENT: usize = 1 << 20;
/// Bytes the Outgoing pump writes.
const PUMP_TOTAL: usize = 50 << 20;
/// Upper bound for the bulk phases (they take a few seconds when healthy).
const BULK_DEADLINE: Duration = Duration::from_secs(120);

/// What the echo server saw, checked at the end (a panic inside a callback would only be logged
/// and turned into Terminate, so violations are recorded instead).
#[derive(Default)]
struct EchoStats {
    echoed: Cell<usize>,
    retries: Cell<usize>,
    max_queue: Cell<usize>,
    violations: RefCell<Vec<String>>,
}

/// The echo of docs/NETSOCKET.md: read at most MsgLimit − OutQueueSize, write it all back, return
/// Retry when there is no room.
fn retry_echo(limit: Rc<Cell<usize>>, stats: Rc<EchoStats>) -> Function {
    let buf = RefCell::new(vec![0u8; 256 << 10]);
    Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
        let limit = limit.get();
        let mut buf = buf.borrow_mut();
        let queued = c.out_queue_size().unwrap();
        stats.max_queue.set(stats.max_queue.get().max(queued));
        if queued > limit {
            stats
                .violations
                .borrow_mut()
                .push(format!("{c}: OutQueueSize {queued} > MsgLimit {limit}"));
        }
        let mut room = limit.saturating_sub(queued);
        if room == 0 {
            stats.retries.set(stats.retries.get() + 1);
            return ERR::Retry;
        }
        while room > 0 {
            let want = room.min(buf.len());
            let n = match c.ac_read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return e,
            };
            let (e, taken) = c.ac_write_counted(&buf[..n]);
            if e != ERR::Okay || taken != n {
                stats.violations.borrow_mut().push(format!(
                    "{c}: Write of {n} bytes within the room took {taken}: {e:?}"
                ));
                return ERR::Terminate;
            }
            stats.echoed.set(stats.echoed.get() + n);
            room -= n;
        }
        let queued = c.out_queue_size().unwrap();
        stats.max_queue.set(stats.max_queue.get().max(queued));
        ERR::Okay
    })
}

/// One echo client's receiving side.
struct Receiver {
    hasher: Sha256,
    received: usize,
    want: [u8; 32],
    result: Option<Result<(), String>>,
}

#[test]
fn two_hundred_clients_echo_one_mib_each_with_retry_backpressure() {
    setup();
    let t0 = Instant::now();
    let limit = Rc::new(Cell::new(0));
    let stats = Rc::new(EchoStats::default());
    let fb = fb_log();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Backlog" => 256,
        "Feedback" => server_feedback(&fb),
        "Incoming" => retry_echo(limit.clone(), stats.clone()),
    });
    let msg_limit = server.get("MsgLimit").unwrap().to_int().unwrap() as usize;
    assert_eq!(msg_limit, 1_048_576, "MsgLimit default");
    limit.set(msg_limit);
    assert!(server.get("SocketLimit").unwrap().to_int().unwrap() as usize >= CLIENTS);
    let port = server.port().unwrap();

    let finished = Rc::new(Cell::new(0usize));
    let mut clients = Vec::with_capacity(CLIENTS);
    let mut receivers = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let data = pattern(PER_CLIENT, 1000 + i as u64);
        let want: [u8; 32] = Sha256::digest(&data).into();
        let rx = Rc::new(RefCell::new(Receiver {
            hasher: Sha256::new(),
            received: 0,
            want,
            result: None,
        }));
        let r = rx.clone();
        let fin = finished.clone();
        let incoming = Function::new(move |s: &NetSocket| -> ERR {
            let mut chunk = [0u8; 65536];
            let mut r = r.borrow_mut();
            loop {
                match s.ac_read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        r.hasher.update(&chunk[..n]);
                        r.received += n;
                    }
                    Err(e) => return e,
                }
            }
            if r.result.is_none() && r.received >= PER_CLIENT {
                let got: [u8; 32] = std::mem::take(&mut r.hasher).finalize().into();
                r.result = Some(if r.received != PER_CLIENT {
                    Err(format!("received {} bytes", r.received))
                } else if got != r.want {
                    Err("SHA-256 mismatch".into())
                } else {
                    Ok(())
                });
                fin.set(fin.get() + 1);
            }
            ERR::Okay
        });
        let c = NetSocket::from_id(
            create(
                "NetSocket",
                fields! { "Address" => "127.0.0.1", "Port" => port as i32, "Incoming" => incoming },
            )
            .unwrap(),
        )
        .unwrap();
        // Queued until connected; 1 MiB is exactly MsgLimit, so it is taken whole.
        assert_eq!(c.ac_write(&data), Ok(PER_CLIENT), "client {i}: Write");
        clients.push(c);
        receivers.push(rx);
    }
    let setup_time = t0.elapsed();

    let t1 = Instant::now();
    let r = wait_until(BULK_DEADLINE, || finished.get() == CLIENTS);
    let transfer = t1.elapsed();
    println!(
        "bulk echo: setup {setup_time:?}, transfer {transfer:?}; {} Retry returns, max \
         OutQueueSize {}, {} bytes echoed",
        stats.retries.get(),
        stats.max_queue.get(),
        stats.echoed.get()
    );
    assert_eq!(
        r,
        ERR::Okay,
        "only {} of {CLIENTS} clients got everything back in {BULK_DEADLINE:?}",
        finished.get()
    );
    let violations = stats.violations.borrow().clone();
    assert!(violations.is_empty(), "echo rule violated: {violations:?}");
    for (i, rx) in receivers.iter().enumerate() {
        let rx = rx.borrow();
        assert_eq!(rx.result, Some(Ok(())), "client {i}");
    }
    assert_eq!(stats.echoed.get(), CLIENTS * PER_CLIENT);
    assert!(stats.max_queue.get() <= msg_limit);
    assert_eq!(count_state(&fb, NTC::CONNECTED), CLIENTS);
    assert_eq!(count_state(&fb, NTC::DISCONNECTED), 0, "nobody dropped");
    assert_eq!(server.total_clients().unwrap(), 1);
    assert_eq!(
        server
            .clients()
            .next()
            .unwrap()
            .total_connections()
            .unwrap(),
        CLIENTS
    );
    for c in &clients {
        assert_eq!(c.state().unwrap(), NTC::CONNECTED);
        assert_eq!(c.out_queue_size().unwrap(), 0);
    }

    for c in clients {
        c.free().unwrap();
    }
    wait("server sees every client go", || {
        count_state(&fb, NTC::DISCONNECTED) == CLIENTS
    });
    assert_eq!(server.total_clients().unwrap(), 0);
    server.free().unwrap();
    println!("bulk echo total {:?}", t0.elapsed());
}

#[test]
fn outgoing_pump_streams_fifty_mib_to_a_std_peer() {
    setup();
    let t0 = Instant::now();
    let data = Rc::new(pattern(PUMP_TOTAL, 42));
    let want: [u8; 32] = Sha256::digest(&*data).into();

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let peer = std::thread::spawn(move || {
        let result = (|| -> std::io::Result<(usize, [u8; 32])> {
            let (mut s, _) = listener.accept()?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            let mut h = Sha256::new();
            let mut total = 0;
            let mut buf = vec![0u8; 256 << 10];
            loop {
                let n = s.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
                total += n;
            }
            Ok((total, h.finalize().into()))
        })();
        let _ = tx.send(result.map_err(|e| e.to_string()));
    });

    let offset = Rc::new(Cell::new(0usize));
    let calls = Rc::new(Cell::new(0usize));
    let empty_calls = Rc::new(Cell::new(0usize));
    let overflows = Rc::new(Cell::new(0usize));
    let errors: Log<String> = Log::default();
    let (d, off, n_calls, n_empty, n_over, errs) = (
        data.clone(),
        offset.clone(),
        calls.clone(),
        empty_calls.clone(),
        overflows.clone(),
        errors.clone(),
    );
    let outgoing = Function::new(move |s: &NetSocket| -> ERR {
        n_calls.set(n_calls.get() + 1);
        if s.state().unwrap() != NTC::CONNECTED || s.out_queue_size().unwrap() != 0 {
            errs.push(format!(
                "Outgoing called in state {:?} with {} bytes queued",
                s.state().unwrap(),
                s.out_queue_size().unwrap()
            ));
        }
        if off.get() == d.len() {
            n_empty.set(n_empty.get() + 1);
            return ERR::Okay; // done: write nothing, which ends the pumping
        }
        while off.get() < d.len() {
            let start = off.get();
            let end = (start + (64 << 10)).min(d.len());
            let (e, taken) = s.ac_write_counted(&d[start..end]);
            off.set(start + taken);
            match e {
                ERR::Okay => {
                    if taken != end - start {
                        errs.push(format!("Okay but took {taken} of {}", end - start));
                    }
                }
                ERR::BufferOverflow => {
                    n_over.set(n_over.get() + 1);
                    break; // the queue is full: wait for the next call
                }
                e => {
                    errs.push(format!("Write: {e:?}"));
                    return e;
                }
            }
        }
        ERR::Okay
    });
    let states = Log::default();
    let client = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Feedback" => client_feedback(&states), "Outgoing" => outgoing },
        )
        .unwrap(),
    )
    .unwrap();
    client.connect("127.0.0.1", port).unwrap();

    let t1 = Instant::now();
    let r = wait_until(BULK_DEADLINE, || {
        empty_calls.get() >= 1 && client.out_queue_size().unwrap() == 0
    });
    let pump_time = t1.elapsed();
    assert_eq!(
        r,
        ERR::Okay,
        "pump did not finish: offset {} of {PUMP_TOTAL}, {} calls, errors {:?}, state {:?}",
        offset.get(),
        calls.get(),
        errors.get(),
        client.state().unwrap()
    );
    assert!(errors.get().is_empty(), "{:?}", errors.get());
    assert_eq!(offset.get(), PUMP_TOTAL);
    assert!(
        overflows.get() > 0,
        "the queue never filled: the test did not pump"
    );
    let calls_at_end = calls.get();
    settle(Duration::from_millis(300));
    assert_eq!(
        empty_calls.get(),
        1,
        "one call that writes nothing ends the pumping"
    );
    assert_eq!(
        calls.get(),
        calls_at_end,
        "Outgoing called again after writing nothing"
    );
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::CONNECTED]);

    client.free().unwrap();
    let mut result = None;
    let _ = wait_for(Duration::from_secs(60), || {
        result = rx.try_recv().ok();
        result.is_some()
    });
    let (total, got) = result.expect("peer thread finished").expect("peer read");
    peer.join().expect("peer thread");
    println!(
        "outgoing pump: {} calls, {} overflows, pump {pump_time:?}, total {:?}",
        calls_at_end,
        overflows.get(),
        t0.elapsed()
    );
    assert_eq!(total, PUMP_TOTAL, "bytes received by the peer");
    assert_eq!(got, want, "SHA-256 of the stream");
}

#[test]
fn retry_echo_never_queues_more_than_msg_limit_for_a_slow_reader() {
    setup();
    const LIMIT: usize = 64 << 10;
    const TOTAL: usize = 32 << 20;
    let limit = Rc::new(Cell::new(LIMIT));
    let stats = Rc::new(EchoStats::default());
    let server = server(fields! {
        "MsgLimit" => LIMIT as i32,
        "Incoming" => retry_echo(limit, stats.clone()),
    });
    assert_eq!(
        server.get("MsgLimit").unwrap().to_int().unwrap(),
        LIMIT as i64
    );
    let data = pattern(TOTAL, 9);
    let want: [u8; 32] = Sha256::digest(&data).into();

    // A std peer with a writer thread and a reader thread (blocking, with timeouts; the two
    // descriptors share one file description, so both are blocking). The reader only starts
    // when told to.
    let conn = std_connect_with_buffers(
        std::net::IpAddr::from([127, 0, 0, 1]),
        std::net::SocketAddr::from(([127, 0, 0, 1], server.port().unwrap())),
        Some(64 << 10),
    );
    conn.set_nonblocking(false).unwrap();
    conn.set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer_side = conn.try_clone().unwrap();
    let mut reader_side = conn;
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        writer_side.write_all(&data).map_err(|e| e.to_string())
    });
    let (start_tx, start_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let r = (|| -> Result<[u8; 32], String> {
            start_rx
                .recv_timeout(BULK_DEADLINE)
                .map_err(|e| e.to_string())?;
            let mut h = Sha256::new();
            let mut received = 0;
            let mut buf = vec![0u8; 256 << 10];
            while received < TOTAL {
                let n = reader_side
                    .read(&mut buf)
                    .map_err(|e| format!("after {received} bytes: {e}"))?;
                if n == 0 {
                    return Err(format!("EOF after {received} bytes"));
                }
                h.update(&buf[..n]);
                received += n;
            }
            if received != TOTAL {
                return Err(format!("received {received}"));
            }
            Ok(h.finalize().into())
        })();
        let _ = done_tx.send(r);
    });

    // Phase 1: nobody reads the echo. The server must hit Retry and stop reading rather than
    // queue more than MsgLimit.
    let r = wait_until(BULK_DEADLINE, || stats.retries.get() > 0);
    assert_eq!(r, ERR::Okay, "the echo never had to return Retry");
    settle(Duration::from_millis(400));
    // Kernel buffers may still grow a little while stalled, but the server must not go on
    // reading the stream: what it echoed is bounded by the sockets' buffers plus MsgLimit.
    let echoed_while_stalled = stats.echoed.get();
    assert!(
        echoed_while_stalled < TOTAL / 2,
        "the server kept reading while its client did not ({echoed_while_stalled} of {TOTAL})"
    );
    assert!(
        stats.max_queue.get() <= LIMIT,
        "max queue {}",
        stats.max_queue.get()
    );
    assert!(!writer.is_finished(), "the writer was not slowed down");

    // Phase 2: read everything back.
    start_tx.send(()).unwrap();
    let mut result = None;
    let r = wait_for(BULK_DEADLINE, || {
        result = done_rx.try_recv().ok();
        result.is_some()
    });
    assert_eq!(r, ERR::Okay, "reader thread did not finish");
    let got = result.unwrap().expect("reader");
    assert_eq!(got, want, "SHA-256 of the echo");
    wait("writer thread", || writer.is_finished());
    writer.join().unwrap().expect("writer");
    reader.join().unwrap();
    let violations = stats.violations.borrow().clone();
    assert!(violations.is_empty(), "echo rule violated: {violations:?}");
    assert!(stats.max_queue.get() <= LIMIT);
    assert_eq!(stats.echoed.get(), TOTAL);
    println!(
        "slow reader: {} Retry returns, max OutQueueSize {} (MsgLimit {LIMIT})",
        stats.retries.get(),
        stats.max_queue.get()
    );
    server.free().unwrap();
}
