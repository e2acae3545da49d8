//! The receiving side of the data path under random use, over real loopback sockets: a peer
//! writes random sizes (up to 2 MiB in all) and closes; our Incoming reads random amounts per
//! call (1 KiB to 300 KiB; 1 B pieces when it reads everything), sometimes leaves bytes for the
//! next cycle, sometimes returns Retry.
//! This drives the read sizes through all their states (growing to 256 KiB on a fast stream,
//! back to 64 KiB when bytes are left unread). Invariant: Incoming receives exactly the bytes
//! the peer sent, in order, before DISCONNECTED with Error Okay.

mod common;

use common::*;
use parasol::prelude::*;
use proptest::prelude::*;
use std::cell::RefCell;
use std::io::Write;
use std::net::TcpStream;
use std::rc::Rc;
use std::sync::Mutex;
use std::time::Duration;

static SERIAL: Mutex<()> = Mutex::new(());

/// What one Incoming call does, cycling through the plan's list.
#[derive(Clone, Copy, Debug)]
enum Call {
    /// Reads up to this many bytes once, then returns Okay (what is left comes again).
    Once(usize),
    /// Reads until nothing is left, in pieces of this size.
    All(usize),
    /// Reads up to this many bytes, then returns Retry.
    ThenRetry(usize),
}

/// Sizes per call are bounded below so that a case costs at most a few thousand loop cycles
/// (a call that takes 1 byte of 2 MiB and waits for the next cycle would take millions).
fn call() -> impl Strategy<Value = Call> {
    let size = prop_oneof![1024usize..65_536, 65_536usize..300_000];
    prop_oneof![
        size.clone().prop_map(Call::Once),
        prop_oneof![1usize..64, 64usize..300_000].prop_map(Call::All),
        size.prop_map(Call::ThenRetry),
    ]
}

fn run_case(writes: Vec<usize>, calls: Vec<Call>) -> Result<(), TestCaseError> {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    setup();
    let sent = pattern(writes.iter().sum(), writes.len() as u64);
    let got = Rc::new(RefCell::new(Vec::<u8>::new()));
    let ended = Rc::new(RefCell::new(None::<ERR>));
    let (g, e) = (got.clone(), ended.clone());
    let mut n = 0usize;
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER)
        .server_incoming(move |_s, c| {
            let step = calls[n % calls.len()];
            n += 1;
            let (size, all) = match step {
                Call::Once(s) | Call::ThenRetry(s) => (s, false),
                Call::All(s) => (s, true),
            };
            let mut buf = vec![0u8; size];
            loop {
                match c.ac_read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => g.borrow_mut().extend_from_slice(&buf[..k]),
                    Err(e) => return e,
                }
                if !all {
                    break;
                }
            }
            match step {
                Call::ThenRetry(_) => ERR::Retry,
                _ => ERR::Okay,
            }
        })
        .server_feedback(move |_s, c, state| {
            if state == NTC::DISCONNECTED {
                *e.borrow_mut() = c.error().ok();
            }
        })
        .build()
        .map_err(|e| TestCaseError::fail(format!("server: {e:?}")))?;
    let port = server.port().unwrap();
    let data = sent.clone();
    let writer = std::thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut off = 0;
        for w in writes {
            s.write_all(&data[off..off + w]).unwrap();
            off += w;
        }
        s.shutdown(std::net::Shutdown::Write).unwrap();
        // Stay open until the server has closed its side too (its close waits for ours).
        let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
    });
    let r = wait_until(Duration::from_secs(30), || ended.borrow().is_some());
    let _ = server.free();
    writer.join().unwrap();
    prop_assert_eq!(r, ERR::Okay, "the connection ended within the deadline");
    prop_assert_eq!(*ended.borrow(), Some(ERR::Okay));
    let got = got.borrow();
    prop_assert_eq!(got.len(), sent.len());
    prop_assert!(*got == sent, "every byte, in order");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn incoming_receives_every_byte_in_order(
        writes in prop::collection::vec(
            prop_oneof![1usize..100, 100usize..65_536, 65_536usize..=1 << 20],
            1..8,
        ).prop_filter("at most 2 MiB", |w| w.iter().sum::<usize>() <= 2 << 20),
        calls in prop::collection::vec(call(), 1..6),
    ) {
        run_case(writes, calls)?;
    }
}
