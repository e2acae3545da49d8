//! `parasol demo`: a TLS echo server with an in-memory certificate, a few clients connecting by
//! the name `localhost` with verification on, every Feedback transition printed, and a summary.

use super::out::outln;
use super::{certs, fail, DemoArgs};
use parasol::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

const MESSAGE_SIZE: usize = 4096;

#[derive(Default)]
struct Tally {
    sent: usize,
    echoed: usize,
    intact: usize,
    round_trips: usize,
    done: usize,
    failed: usize,
}

fn message(client: usize, round: usize) -> Vec<u8> {
    (0..MESSAGE_SIZE)
        .map(|i| (i.wrapping_mul(31) ^ client.wrapping_mul(7) ^ round) as u8)
        .collect()
}

pub(crate) fn run(args: &DemoArgs) -> i32 {
    let started = Instant::now();
    let id = match certs::localhost() {
        Ok(id) => id,
        Err(e) => {
            eprintln!("parasol: generating a certificate: {e}");
            return 1;
        }
    };
    let server = create(
        "NetSocket",
        fields! {
            "Name" => "DemoServer",
            "Address" => "127.0.0.1",
            "Port" => 0,
            "Flags" => "SERVER|SSL|MULTI_CONNECT",
            "SSLCertificate" => id.cert_pem.as_str(),
            "SSLPrivateKey" => id.key_pem.as_str(),
            "Feedback" => Function::new(|_s: &NetSocket, c: &ClientSocket, state: NTC| {
                outln!("  server: client #{} {}", c.uid(), state);
            }),
            "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
        },
    );
    let server = match server.and_then(NetSocket::from_id) {
        Ok(s) => s,
        Err(e) => return fail("starting the TLS echo server", e),
    };
    let port = match server.port() {
        Ok(p) => p,
        Err(e) => return fail("starting the TLS echo server", e),
    };
    outln!("TLS echo server on 127.0.0.1:{port} (certificate generated in memory)");

    let tally = Rc::new(RefCell::new(Tally::default()));
    let rounds = args.round_trips.max(1);
    for n in 0..args.clients.max(1) {
        let pending = Rc::new(RefCell::new(Vec::<u8>::new()));
        let round = Rc::new(std::cell::Cell::new(0usize));
        let (t1, t2) = (tally.clone(), tally.clone());
        let (p, r) = (pending.clone(), round.clone());
        let client = create(
            "NetSocket",
            fields! {
                "Name" => format!("client{n}"),
                "Flags" => "SSL",
                "SSLCACertificate" => id.ca_pem.as_str(),
                "Feedback" => Function::new(move |s: &NetSocket, state: NTC| {
                    outln!("  client {n}: {state}");
                    let error = s.error().unwrap_or(ERR::NoMatchingObject);
                    if state == NTC::DISCONNECTED && error != ERR::Okay {
                        let valid_cert = s.valid_cert().unwrap_or(0);
                        eprintln!("  client {n}: {error:?} ({error}), ValidCert {valid_cert}");
                        t1.borrow_mut().failed += 1;
                    }
                }),
                "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
                    let mut buf = [0u8; 16384];
                    let got = match s.ac_read(&mut buf) { Ok(n) => n, Err(e) => return e };
                    let mut pending = p.borrow_mut();
                    pending.extend_from_slice(&buf[..got]);
                    let mut t = t2.borrow_mut();
                    t.echoed += got;
                    while pending.len() >= MESSAGE_SIZE {
                        let echoed: Vec<u8> = pending.drain(..MESSAGE_SIZE).collect();
                        if echoed == message(n, r.get()) {
                            t.intact += MESSAGE_SIZE;
                        }
                        t.round_trips += 1;
                        r.set(r.get() + 1);
                        if r.get() == rounds {
                            t.done += 1;
                            return ERR::Terminate;
                        }
                        let next = message(n, r.get());
                        t.sent += next.len();
                        if let Err(e) = s.ac_write(&next) {
                            return e.error;
                        }
                    }
                    ERR::Okay
                }),
            },
        );
        let client = match client.and_then(NetSocket::from_id) {
            Ok(c) => c,
            Err(e) => return fail("creating a client", e),
        };
        let first = message(n, 0);
        tally.borrow_mut().sent += first.len();
        if let Err(e) = client
            .ac_write(&first)
            .map_err(ERR::from)
            .and_then(|_| client.connect_timeout("localhost", port, Duration::from_secs(5)))
        {
            return fail("connecting", e);
        }
    }
    let clients = args.clients.max(1);
    let r = wait_until(Duration::from_secs(20), || {
        let t = tally.borrow();
        t.done + t.failed == clients
    });
    // Let the last goodbyes and DISCONNECTED feedbacks arrive.
    // Bounded: the tally below is what counts, late goodbyes or not.
    let _ = wait_until(Duration::from_secs(2), || server.total_clients() == Ok(0));
    let t = tally.borrow();
    let elapsed = started.elapsed();
    outln!(
        "summary: {} connections, {} round trips, {} bytes sent, {} bytes echoed, {} intact, {:.3} s",
        clients,
        t.round_trips,
        t.sent,
        t.echoed,
        t.intact,
        elapsed.as_secs_f64()
    );
    let ok = r == ERR::Okay
        && t.failed == 0
        && t.done == clients
        && t.intact == t.sent
        && t.echoed == t.sent;
    if ok {
        outln!("all {} bytes echoed intact", t.sent);
        0
    } else {
        eprintln!(
            "parasol: demo failed ({} of {clients} clients finished, {} failed)",
            t.done, t.failed
        );
        1
    }
}
