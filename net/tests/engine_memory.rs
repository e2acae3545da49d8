//! The engine without sockets: `Connection` (plain and over `TlsSession`) driven through a
//! memory transport that injects `WouldBlock` and short transfers at every step. Invariants:
//! every byte Write accepted reaches the peer, in order, before a graceful end (FIN, or TLS
//! close_notify then FIN); the queue never holds more than the limit; a truncated TLS stream
//! is `Disconnected`; a reset delivers a prefix and reports `Disconnected`; nothing stalls.
//!
//! Case counts: `PROPTEST_CASES` raises them for long local runs.

mod common;

use common::{edge_pair, pair, pattern, pki, MemEnd};
use parasol_core::ERR;
use parasol_net::tls::{load_server_config, ClientTemplate, ServerIdentity};
use parasol_net::{Connection, Fill};
use proptest::prelude::*;

type Conn = Connection<MemEnd>;

/// How a connection looks after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Open,
    Eof,
    Failed(ERR),
}

/// Events before a driver gives up: far more than any case needs, so hitting it means a stall.
const MAX_EVENTS: usize = 200_000;

/// One readiness event: flush what is queued, stage and read input (at most `chunk` bytes per
/// read) until nothing is left, then the end-of-event flush. Like the loop, it is level-driven
/// here: a driver calls it again until what it waits for happens.
fn event(c: &mut Conn, got: &mut Vec<u8>, chunk: usize) -> End {
    c.start_of_event();
    let mut end = match c.flush() {
        Err(e) => End::Failed(e),
        Ok(_) => End::Open,
    };
    let mut buf = vec![0u8; chunk];
    for _ in 0..64 {
        if end != End::Open {
            break;
        }
        match c.fill() {
            Fill::Data { drained } => {
                loop {
                    match c.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                        Err(ERR::Disconnected) if c.failure().is_none() => {
                            end = End::Eof;
                            break;
                        }
                        Err(e) => {
                            end = End::Failed(e);
                            break;
                        }
                    }
                }
                // As the loop's reader does: a short read said the kernel had no more, so
                // nothing is read again until the next edge.
                if drained {
                    break;
                }
            }
            Fill::Empty => break,
            Fill::Eof => end = End::Eof,
            Fill::Failed(e) => end = End::Failed(e),
        }
    }
    c.settle();
    match c.end_of_event() {
        Err(e) if end == End::Open => End::Failed(e),
        _ => end,
    }
}

fn tls_pair(cap: usize, sa: Vec<u8>, sb: Vec<u8>) -> (Conn, Conn) {
    let p = pki();
    let client = ClientTemplate::new(Some(&p.ca), true).unwrap();
    let server = load_server_config(&ServerIdentity {
        certificate: Some(p.cert.clone()),
        private_key: Some(p.key.clone()),
        password: None,
    })
    .unwrap();
    let (ea, eb) = pair(cap, sa, sb);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    a.start_tls(client.session("localhost").unwrap(), false)
        .unwrap();
    b.start_tls(server.session().unwrap(), false).unwrap();
    (a, b)
}

fn plain_pair(cap: usize, sa: Vec<u8>, sb: Vec<u8>) -> (Conn, Conn) {
    let (ea, eb) = pair(cap, sa, sb);
    (Connection::new(ea), Connection::new(eb))
}

/// Writes every buffer through `a` (retrying what BufferOverflow left, as a caller must),
/// driving both ends meanwhile. Returns what `a` accepted and what `b` received so far.
fn transfer(
    a: &mut Conn,
    b: &mut Conn,
    writes: &[usize],
    limit: usize,
    chunk: usize,
) -> (Vec<u8>, Vec<u8>) {
    let (mut accepted, mut got, mut a_got) = (Vec::new(), Vec::new(), Vec::new());
    let mut events = 0;
    for (i, &size) in writes.iter().enumerate() {
        let data = pattern(size, i as u64 + 1);
        let mut off = 0;
        loop {
            let can_send = !a.handshaking();
            let (e, n) = a.write(&data[off..], limit, can_send);
            assert!(n <= data.len() - off);
            accepted.extend_from_slice(&data[off..off + n]);
            off += n;
            assert!(
                a.out_len() <= limit,
                "queue {} over limit {limit}",
                a.out_len()
            );
            match e {
                ERR::Okay => {
                    assert_eq!(off, data.len(), "Okay means everything was taken");
                    break;
                }
                ERR::BufferOverflow => {
                    assert_eq!(event(a, &mut a_got, chunk), End::Open);
                    assert_eq!(event(b, &mut got, chunk), End::Open);
                    events += 1;
                    assert!(events < MAX_EVENTS, "stalled with {} queued", a.out_len());
                }
                other => panic!("Write failed: {other:?}"),
            }
        }
    }
    (accepted, got)
}

/// Ends `a` gracefully and reads `b` to its end.
fn close_and_drain(a: &mut Conn, b: &mut Conn, got: &mut Vec<u8>, chunk: usize) -> End {
    let mut sink = Vec::new();
    let mut events = 0;
    // A graceful close is of an established connection (a close during a TLS handshake is, for
    // the peer, a failed handshake).
    while a.handshaking() || b.handshaking() {
        assert_eq!(event(a, &mut sink, chunk), End::Open);
        assert_eq!(event(b, got, chunk), End::Open);
        events += 1;
        assert!(events < MAX_EVENTS, "handshake stalled");
    }
    while !a.close_write() {
        assert_eq!(event(b, got, chunk), End::Open);
        events += 1;
        assert!(events < MAX_EVENTS, "close_write stalled");
    }
    loop {
        let end = event(b, got, chunk);
        if end != End::Open {
            return end;
        }
        let _ = event(a, &mut sink, chunk);
        events += 1;
        assert!(events < MAX_EVENTS, "the peer never saw the end");
    }
}

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(n)
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn plain_bytes_accepted_are_bytes_delivered_before_fin(
        writes in prop::collection::vec(0usize..200_000, 1..6),
        limit in 1usize..400_000,
        cap in 1usize..150_000,
        chunk in 1usize..70_000,
        sa in prop::collection::vec(any::<u8>(), 0..80),
        sb in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let (mut a, mut b) = plain_pair(cap, sa, sb);
        let (accepted, mut got) = transfer(&mut a, &mut b, &writes, limit, chunk);
        prop_assert_eq!(accepted.len(), writes.iter().sum::<usize>());
        let end = close_and_drain(&mut a, &mut b, &mut got, chunk);
        prop_assert_eq!(end, End::Eof);
        prop_assert!(got == accepted, "delivered {} of {} bytes, or out of order", got.len(), accepted.len());
        prop_assert_eq!(&*a.socket_ref().sent.borrow(), &accepted);
    }

    #[test]
    fn tls_bytes_accepted_are_bytes_delivered_before_close_notify(
        writes in prop::collection::vec(0usize..300_000, 1..5),
        limit in 1usize..400_000,
        cap in 1usize..150_000,
        chunk in 1usize..70_000,
        sa in prop::collection::vec(any::<u8>(), 0..80),
        sb in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let (mut a, mut b) = tls_pair(cap, sa, sb);
        let (accepted, mut got) = transfer(&mut a, &mut b, &writes, limit, chunk);
        prop_assert_eq!(accepted.len(), writes.iter().sum::<usize>());
        let end = close_and_drain(&mut a, &mut b, &mut got, chunk);
        prop_assert_eq!(end, End::Eof, "close_notify then FIN is a graceful end");
        prop_assert!(got == accepted, "delivered {} of {} bytes, or out of order", got.len(), accepted.len());
    }

    #[test]
    fn tls_stream_cut_without_close_notify_is_disconnected_after_the_data(
        writes in prop::collection::vec(0usize..100_000, 1..4),
        cap in 1usize..150_000,
        chunk in 1usize..70_000,
        sa in prop::collection::vec(any::<u8>(), 0..40),
        sb in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let (mut a, mut b) = tls_pair(cap, sa, sb);
        let (accepted, mut got) = transfer(&mut a, &mut b, &writes, 1 << 20, chunk);
        // Everything reaches the kernel, then FIN without close_notify.
        let mut events = 0;
        while a.out_len() > 0 {
            let _ = event(&mut a, &mut Vec::new(), chunk);
            let _ = event(&mut b, &mut got, chunk);
            events += 1;
            prop_assert!(events < MAX_EVENTS);
        }
        a.socket().shutdown_write_raw();
        let end = loop {
            let end = event(&mut b, &mut got, chunk);
            if end != End::Open {
                break end;
            }
            events += 1;
            prop_assert!(events < MAX_EVENTS);
        };
        prop_assert_eq!(end, End::Failed(ERR::Disconnected), "truncation");
        prop_assert!(got == accepted, "every byte before the cut is delivered");
    }

    #[test]
    fn a_reset_delivers_a_prefix_and_reports_disconnected(
        tls in any::<bool>(),
        writes in prop::collection::vec(0usize..100_000, 1..4),
        cap in 1usize..150_000,
        chunk in 1usize..70_000,
        sa in prop::collection::vec(any::<u8>(), 0..40),
        sb in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let (mut a, mut b) = if tls { tls_pair(cap, sa, sb) } else { plain_pair(cap, sa, sb) };
        let (accepted, mut got) = transfer(&mut a, &mut b, &writes, 1 << 20, chunk);
        a.socket().reset();
        let mut events = 0;
        let end = loop {
            let end = event(&mut b, &mut got, chunk);
            if end != End::Open {
                break end;
            }
            events += 1;
            prop_assert!(events < MAX_EVENTS);
        };
        prop_assert_eq!(end, End::Failed(ERR::Disconnected));
        prop_assert!(accepted.starts_with(&got), "what arrived is a prefix of what was sent");
        // The sender learns of it too, and refuses further writes.
        let _ = event(&mut a, &mut Vec::new(), chunk);
        let (e, n) = a.write(b"more", 1 << 20, true);
        prop_assert!(e != ERR::Okay || n == 4, "{:?}", e);
    }
}

/// Runs handlers only for ends that have a readiness edge, as the edge-triggered loop does,
/// until neither has one. Returns false if that takes absurdly long (a livelock).
fn drive_edges(a: &mut Conn, b: &mut Conn, got: &mut Vec<u8>, chunk: usize) -> bool {
    let mut sink = Vec::new();
    for _ in 0..MAX_EVENTS {
        let ea = a.socket().take_edge();
        let eb = b.socket().take_edge();
        if !ea && !eb {
            return true;
        }
        if ea {
            let _ = event(a, &mut sink, chunk);
        }
        if eb {
            let _ = event(b, got, chunk);
        }
    }
    false
}

proptest! {
    #![proptest_config(cases(48))]

    /// Nothing stays queued once the loop has nothing to report: every write made outside a
    /// handler (a timer, main code) or inside one is flushed by the edges it causes. A queue
    /// left behind here is a connection that stalls forever on a real edge-triggered loop.
    #[test]
    fn edge_triggered_driving_never_leaves_data_queued(
        tls in any::<bool>(),
        writes in prop::collection::vec((0usize..200_000, any::<bool>()), 1..6),
        limit in 1usize..400_000,
        cap in 1usize..150_000,
        chunk in 1usize..70_000,
        sa in prop::collection::vec(any::<u8>(), 0..40),
        sb in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let (ea, eb) = edge_pair(cap, sa, sb);
        let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
        if tls {
            let p = pki();
            let client = ClientTemplate::new(Some(&p.ca), true).unwrap();
            let server = load_server_config(&ServerIdentity {
                certificate: Some(p.cert.clone()),
                private_key: Some(p.key.clone()),
                password: None,
            })
            .unwrap();
            a.start_tls(client.session("localhost").unwrap(), false).unwrap();
            b.start_tls(server.session().unwrap(), false).unwrap();
        }
        // The loop runs each new connection's handler once (a recall) before waiting for edges.
        let (mut got, mut sink) = (Vec::new(), Vec::new());
        let _ = event(&mut a, &mut sink, chunk);
        let _ = event(&mut b, &mut got, chunk);
        prop_assert!(drive_edges(&mut a, &mut b, &mut got, chunk));
        prop_assert!(!a.handshaking() && !b.handshaking(), "the handshake stalled");
        let mut accepted = Vec::new();
        for (i, &(size, inside)) in writes.iter().enumerate() {
            let data = pattern(size, i as u64 + 7);
            let mut off = 0;
            while off < data.len() || size == 0 {
                if inside {
                    a.start_of_event();
                }
                let (e, n) = a.write(&data[off..], limit, true);
                if inside {
                    let _ = a.end_of_event();
                }
                prop_assert!(e == ERR::Okay || e == ERR::BufferOverflow, "{:?}", e);
                accepted.extend_from_slice(&data[off..off + n]);
                off += n;
                prop_assert!(drive_edges(&mut a, &mut b, &mut got, chunk));
                prop_assert_eq!(a.out_len(), 0, "queued data with no edge to send it: a stall");
                prop_assert_eq!(b.socket().pending(), 0, "received data with no edge to read it");
                prop_assert_eq!(b.staged_len(), 0);
                prop_assert!(got == accepted, "delivered {} of {} so far", got.len(), accepted.len());
                if size == 0 {
                    break;
                }
            }
        }
        prop_assert!(got == accepted, "delivered {} of {}", got.len(), accepted.len());
    }
}

#[test]
fn close_write_waits_for_a_large_tls_queue_before_close_notify() {
    // The finding that started this suite: 300 KiB queued, then a graceful close at once.
    let (mut a, mut b) = tls_pair(16 * 1024, vec![], vec![]);
    let mut sink = Vec::new();
    while a.handshaking() || b.handshaking() {
        let _ = event(&mut a, &mut sink, 4096);
        let _ = event(&mut b, &mut sink, 4096);
    }
    let data = pattern(300 * 1024, 9);
    assert_eq!(a.write(&data, 1 << 20, true), (ERR::Okay, data.len()));
    assert!(a.out_len() > 64 * 1024, "more queued than rustls holds");
    let mut got = Vec::new();
    assert_eq!(close_and_drain(&mut a, &mut b, &mut got, 4096), End::Eof);
    assert_eq!(got.len(), data.len());
    assert!(got == data);
}

#[test]
fn writes_after_close_write_are_refused() {
    let (mut a, _b) = plain_pair(1 << 20, vec![], vec![]);
    assert!(a.close_write());
    assert_eq!(a.write(b"late", 1 << 20, true), (ERR::Disconnected, 0));
}

/// A connection abandoned while connecting (its address refused) gives back every byte
/// written meanwhile, in order, for the next address's connection; nothing was sent.
#[test]
fn unsent_bytes_of_an_abandoned_connection_can_be_taken_back() {
    let (mut a, b) = plain_pair(1 << 20, vec![], vec![]);
    assert_eq!(a.write(b"written ", usize::MAX, false), (ERR::Okay, 8));
    assert_eq!(
        a.write(b"while connecting", usize::MAX, false),
        (ERR::Okay, 16)
    );
    let mut unsent = a.take_unsent();
    let mut got = Vec::new();
    while !unsent.is_empty() {
        let n = unsent.front().len();
        got.extend_from_slice(unsent.front());
        unsent.consume(n);
    }
    assert_eq!(got, b"written while connecting");
    assert_eq!(a.out_len(), 0, "the abandoned connection keeps nothing");
    assert_eq!(b.socket_ref().pending(), 0, "nothing reached the peer");
}

#[test]
fn staged_bytes_are_counted_exactly_through_reads_settle_and_discard() {
    use parasol_net::Transport;
    let (ea, eb) = pair(1 << 20, vec![], vec![]);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    assert_eq!(a.write(b"0123456789", 1 << 20, true), (ERR::Okay, 10));
    assert_eq!(b.staged_len(), 0);
    assert_eq!(b.fill(), Fill::Data { drained: true });
    assert_eq!(b.staged_len(), 10);
    let mut buf = [0u8; 3];
    assert_eq!(b.read(&mut buf), Ok(3));
    assert_eq!(&buf, b"012");
    assert_eq!(b.staged_len(), 7);
    // Leftovers move out of the shared buffer and keep their count and order.
    b.settle();
    assert_eq!(b.staged_len(), 7);
    assert_eq!(b.fill(), Fill::Data { drained: false });
    let mut rest = [0u8; 16];
    assert_eq!(b.read(&mut rest), Ok(7));
    assert_eq!(&rest[..7], b"3456789");
    assert_eq!(b.staged_len(), 0);
    assert_eq!(b.read(&mut rest), Ok(0), "nothing left, nothing waiting");
    assert_eq!(b.fill(), Fill::Empty);
    // Discarding drops exactly what was staged.
    assert_eq!(a.write(b"abcdef", 1 << 20, true), (ERR::Okay, 6));
    assert_eq!(b.fill(), Fill::Data { drained: true });
    assert_eq!(b.read(&mut buf[..1]), Ok(1));
    assert_eq!(b.discard_staged(), 5);
    assert_eq!(b.staged_len(), 0);
    assert_eq!(b.fill(), Fill::Empty);
    assert!(!b.eof_seen());
    // The end: EOF once everything was read.
    a.socket().shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(b.fill(), Fill::Eof);
    assert!(b.eof_seen());
    assert_eq!(b.read(&mut buf), Err(ERR::Disconnected));
    assert_eq!(a.taken_total(), 16);
}

#[test]
fn starttls_feeds_handshake_bytes_that_arrived_with_the_last_plaintext() {
    let p = pki();
    let client = ClientTemplate::new(Some(&p.ca), true).unwrap();
    let server = load_server_config(&ServerIdentity {
        certificate: Some(p.cert.clone()),
        private_key: Some(p.key.clone()),
        password: None,
    })
    .unwrap();
    let (ea, eb) = pair(1 << 20, vec![], vec![]);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    // A says STARTTLS in plaintext and starts TLS at once: its ClientHello follows the command
    // in the same stream, before B has read anything.
    assert_eq!(a.write(b"STARTTLS\n", 1 << 20, true), (ERR::Okay, 9));
    a.start_tls(client.session("localhost").unwrap(), true)
        .unwrap();
    assert!(a.flush().is_ok(), "the ClientHello is out");
    // B reads only the command; the ClientHello is staged behind it.
    assert!(matches!(b.fill(), Fill::Data { .. }));
    let mut cmd = [0u8; 9];
    assert_eq!(b.read(&mut cmd), Ok(9));
    assert_eq!(&cmd, b"STARTTLS\n");
    assert!(
        b.staged_len() > 0,
        "the ClientHello arrived with the command"
    );
    b.start_tls(server.session().unwrap(), true).unwrap();
    assert_eq!(b.staged_len(), 0, "the staged bytes went to TLS");
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        if !a.handshaking() && !b.handshaking() {
            break;
        }
        let _ = event(&mut a, &mut got_a, 4096);
        let _ = event(&mut b, &mut got_b, 4096);
    }
    assert!(
        !a.handshaking() && !b.handshaking(),
        "the handshake completed"
    );
    assert_eq!(a.write(b"secret", 1 << 20, true), (ERR::Okay, 6));
    for _ in 0..10 {
        let _ = event(&mut a, &mut got_a, 4096);
        let _ = event(&mut b, &mut got_b, 4096);
    }
    assert_eq!(got_b, b"secret");
    assert!(a.tls().is_some() && b.tls().is_some());
    assert!(
        !a.socket_ref()
            .sent
            .borrow()
            .windows(6)
            .any(|w| w == b"secret"),
        "encrypted on the wire"
    );
}

#[test]
fn tls_plaintext_is_counted_as_staged_until_read() {
    let (mut a, mut b) = tls_pair(1 << 20, vec![], vec![]);
    let mut sink = Vec::new();
    while a.handshaking() || b.handshaking() {
        let _ = event(&mut a, &mut sink, 4096);
        let _ = event(&mut b, &mut sink, 4096);
    }
    assert_eq!(a.write(b"0123456789", 1 << 20, true), (ERR::Okay, 10));
    assert_eq!(b.staged_len(), 0);
    assert!(matches!(b.fill(), Fill::Data { .. }));
    assert_eq!(b.staged_len(), 10);
    let mut buf = [0u8; 4];
    assert_eq!(b.read(&mut buf), Ok(4));
    assert_eq!(b.staged_len(), 6, "rustls still holds the rest");
    assert_eq!(
        b.fill(),
        Fill::Data { drained: false },
        "offered again without a read"
    );
    assert_eq!(b.discard_staged(), 6);
    assert_eq!(b.staged_len(), 0);
    assert!(!b.eof_seen());
}

#[test]
fn reads_outside_an_event_reach_the_kernel_each_time() {
    // Read without Incoming (the Read action from main code): after a short read, the next Read
    // still asks the kernel; only within one readiness event is a short read taken as drained.
    let (ea, eb) = pair(1 << 20, vec![], vec![]);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    let mut buf = [0u8; 64];
    assert_eq!(a.write(b"first", 1 << 20, true), (ERR::Okay, 5));
    assert_eq!(b.read(&mut buf), Ok(5));
    assert_eq!(a.write(b"second", 1 << 20, true), (ERR::Okay, 6));
    assert_eq!(b.read(&mut buf), Ok(6));
    assert_eq!(&buf[..6], b"second");
    // The same over TLS: records that arrive later are read and decrypted by Read itself.
    let (mut a, mut b) = tls_pair(1 << 20, vec![], vec![]);
    let mut sink = Vec::new();
    while a.handshaking() || b.handshaking() {
        let _ = event(&mut a, &mut sink, 4096);
        let _ = event(&mut b, &mut sink, 4096);
    }
    assert_eq!(a.write(b"first", 1 << 20, true), (ERR::Okay, 5));
    assert_eq!(b.read(&mut buf), Ok(5));
    assert_eq!(a.write(b"second", 1 << 20, true), (ERR::Okay, 6));
    assert_eq!(b.read(&mut buf), Ok(6));
    assert_eq!(&buf[..6], b"second");
}

#[test]
fn a_reset_is_reported_by_the_next_write_or_read_itself() {
    let (ea, eb) = pair(1 << 20, vec![], vec![]);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    assert_eq!(a.write(b"before", 1 << 20, true), (ERR::Okay, 6));
    a.socket().reset();
    // No event in between: the calls themselves meet the reset.
    assert_eq!(a.write(b"after", 1 << 20, true), (ERR::Disconnected, 0));
    assert_eq!(a.failure(), Some(ERR::Disconnected));
    let mut buf = [0u8; 16];
    assert_eq!(b.read(&mut buf), Err(ERR::Disconnected));
    assert_eq!(b.failure(), Some(ERR::Disconnected));
}

#[test]
fn starttls_sends_plaintext_still_queued_before_the_handshake() {
    let p = pki();
    let client = ClientTemplate::new(Some(&p.ca), true).unwrap();
    let server = load_server_config(&ServerIdentity {
        certificate: Some(p.cert.clone()),
        private_key: Some(p.key.clone()),
        password: None,
    })
    .unwrap();
    // A tiny kernel buffer: most of the plaintext is still in our queue when TLS starts.
    let (ea, eb) = pair(64, vec![], vec![]);
    let (mut a, mut b) = (Connection::new(ea), Connection::new(eb));
    let plain = pattern(1000, 3);
    assert_eq!(a.write(&plain, 1 << 20, true), (ERR::Okay, 1000));
    assert!(a.out_len() > 0, "the test needs plaintext still queued");
    let queued = a.out_len();
    a.start_tls(client.session("localhost").unwrap(), true)
        .unwrap();
    assert_eq!(
        a.out_len(),
        queued,
        "still counted as queued, now ahead of TLS"
    );
    // B reads the plaintext as plaintext, then starts TLS on what follows it.
    let mut got = Vec::new();
    let mut sink = Vec::new();
    for _ in 0..10_000 {
        if got.len() >= plain.len() {
            break;
        }
        let _ = event(&mut a, &mut sink, 4096);
        let mut buf = vec![0u8; plain.len() - got.len()];
        if let Ok(n) = b.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    assert!(got == plain, "the plaintext arrived first and intact");
    b.start_tls(server.session().unwrap(), true).unwrap();
    for _ in 0..10_000 {
        if !a.handshaking() && !b.handshaking() {
            break;
        }
        let _ = event(&mut a, &mut sink, 4096);
        let _ = event(&mut b, &mut sink, 4096);
    }
    assert!(
        !a.handshaking() && !b.handshaking(),
        "the handshake completed after the plaintext"
    );
    assert_eq!(a.write(b"secret", 1 << 20, true), (ERR::Okay, 6));
    let mut secret = Vec::new();
    for _ in 0..1000 {
        let _ = event(&mut a, &mut sink, 4096);
        let _ = event(&mut b, &mut secret, 4096);
        if secret.len() >= 6 {
            break;
        }
    }
    assert_eq!(secret, b"secret");
}

#[test]
fn a_reset_under_a_queue_is_reported_by_the_flush() {
    for tls in [false, true] {
        let (mut a, mut b) = if tls {
            tls_pair(4096, vec![], vec![])
        } else {
            plain_pair(4096, vec![], vec![])
        };
        let mut sink = Vec::new();
        while a.handshaking() || b.handshaking() {
            let _ = event(&mut a, &mut sink, 4096);
            let _ = event(&mut b, &mut sink, 4096);
        }
        assert_eq!(a.write(&pattern(50_000, 1), 1 << 20, true).0, ERR::Okay);
        assert!(a.out_len() > 0, "queued behind a full kernel buffer");
        a.socket().reset();
        assert_eq!(a.flush(), Err(ERR::Disconnected), "tls {tls}");
        assert_eq!(a.failure(), Some(ERR::Disconnected));
    }
}
