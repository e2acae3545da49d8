//! Hostile use of the ported parts: a datagram flood must not starve a TCP connection on the
//! same loop, and a flood of lookups must run on a bounded number of threads, all answered,
//! with the threads gone afterwards and a Free in the middle never waiting.

mod common;

use common::*;
use parasol::net::resolve::{self, FnResolver, Resolved};
use parasol::prelude::*;
use std::cell::Cell;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, UdpSocket};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_datagram_flood_does_not_starve_tcp_on_the_same_loop() {
    setup();
    let received = Rc::new(Cell::new(0usize));
    let r = received.clone();
    let udp = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::UDP | NSF::SERVER)
        .client_incoming(move |s: &NetSocket| -> ERR {
            let mut buf = [0u8; 2048];
            match s.recv_from(&mut buf) {
                Ok(Some(_)) => {
                    r.set(r.get() + 1);
                    ERR::Okay
                }
                Ok(None) => ERR::Okay,
                Err(e) => e,
            }
        })
        .build()
        .unwrap();
    let tcp = server(
        fields! { "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()) },
    );
    let target = udp.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flooders: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let s = UdpSocket::bind("127.0.0.1:0").unwrap();
                let mut sent = 0usize;
                // Bounded: at most 50,000 datagrams each, or until the TCP exchange is done.
                while sent < 50_000 && !stop.load(Ordering::Relaxed) {
                    let _ = s.send_to(&[0x55; 512], target);
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    // 1 MiB through the TCP echo while the flood runs.
    let data = pattern(1 << 20, 3);
    let mut peer = TcpStream::connect(("127.0.0.1", tcp.port().unwrap())).unwrap();
    let mut reader = peer.try_clone().unwrap();
    let want = data.len();
    let echo = std::thread::spawn(move || {
        let mut got = vec![0u8; want];
        reader.read_exact(&mut got).map(|_| got)
    });
    let writer = std::thread::spawn(move || peer.write_all(&data).map(|_| data));
    wait("the TCP echo under the flood", || echo.is_finished());
    let echoed = echo.join().unwrap().unwrap();
    let sent = writer.join().unwrap().unwrap();
    stop.store(true, Ordering::Relaxed);
    let flooded: usize = flooders.into_iter().map(|f| f.join().unwrap()).sum();
    assert_eq!(echoed, sent, "the TCP bytes came back intact");
    assert!(received.get() > 0, "datagrams were taken too");
    println!(
        "{flooded} datagrams sent, {} taken by Incoming during the exchange",
        received.get()
    );
    udp.free().unwrap();
    tcp.free().unwrap();
}

/// Threads of this process named by the resolver pool.
fn resolver_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .flatten()
                .filter(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .is_ok_and(|c| c.trim() == "parasol-resolve")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_flood_of_lookups_runs_on_bounded_threads_and_free_never_waits() {
    setup();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (run, pk) = (running.clone(), peak.clone());
    resolve::set_thread_resolver(Some(Arc::new(FnResolver::new(move |_h: &str| {
        let now = run.fetch_add(1, Ordering::SeqCst) + 1;
        pk.fetch_max(now, Ordering::SeqCst);
        std::thread::yield_now();
        run.fetch_sub(1, Ordering::SeqCst);
        Ok(vec![IpAddr::from([127, 0, 0, 1])])
    }))));
    let lookup = NetLookup::new().unwrap();
    lookup.set_flags(NLF::NO_CACHE).unwrap();
    let answered = Rc::new(Cell::new(0usize));
    let a = answered.clone();
    lookup
        .on_resolved(move |_l, r: Result<Resolved, ERR>| {
            assert!(r.is_ok());
            a.set(a.get() + 1);
        })
        .unwrap();
    for i in 0..2000 {
        lookup.resolve_name(&format!("host{i}.test")).unwrap();
    }
    assert!(
        resolver_threads() <= 8,
        "{} resolver threads",
        resolver_threads()
    );
    wait("every lookup answered", || answered.get() == 2000);
    assert!(
        peak.load(Ordering::SeqCst) <= 8,
        "peak {} resolver threads",
        peak.load(Ordering::SeqCst)
    );

    // Free while 500 lookups wait: it returns at once, and nothing is delivered afterwards.
    for i in 0..500 {
        lookup.resolve_name(&format!("late{i}.test")).unwrap();
    }
    let t = std::time::Instant::now();
    lookup.free().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "Free took {:?}",
        t.elapsed()
    );
    // The workers finish the queue and exit: the thread count comes back down.
    wait("resolver threads gone", || resolver_threads() == 0);
    assert_eq!(answered.get(), 2000, "no answer reached the freed object");
    resolve::set_thread_resolver(None);
}
