//! Several loops as one service: `Loops` starts them in order and a `ReusePort` server on each
//! shares one port, the kernel spreading connections among them (the group itself is tested in
//! `core/tests/loops.rs`).

use parasol::prelude::*;
use parasol::Loops;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const LOOPS: usize = 3;

/// An echo server on this loop sharing `port` (0: pick one and publish it), counting accepts.
fn shared_echo_server(port: &AtomicU16, accepted: Arc<AtomicUsize>) -> Res<NetSocket> {
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(port.load(Ordering::SeqCst))
        .flags(NSF::SERVER | NSF::MULTI_CONNECT)
        .reuse_port(true)
        .field(
            "Feedback",
            Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| {
                if state == NTC::CONNECTED {
                    accepted.fetch_add(1, Ordering::SeqCst);
                }
            }),
        )
        .field(
            "Incoming",
            Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
        )
        .build()?;
    let _ = port.compare_exchange(0, server.port()?, Ordering::SeqCst, Ordering::SeqCst);
    Ok(server)
}

fn echo_once(port: u16, msg: &[u8]) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    s.read_exact(&mut back).expect("echo");
    assert_eq!(back, msg);
}

#[test]
fn loops_share_one_port_and_each_serves_its_share() {
    parasol::init().unwrap();
    let port = Arc::new(AtomicU16::new(0));
    let counts: Arc<Vec<Arc<AtomicUsize>>> =
        Arc::new((0..LOOPS).map(|_| Arc::new(AtomicUsize::new(0))).collect());
    let (p, c) = (port.clone(), counts.clone());
    let loops = Loops::start(LOOPS, move |i| {
        // Loop 0 binds port 0; the later ones start after it and find its port published.
        assert!(i == 0 || p.load(Ordering::SeqCst) != 0);
        let server = shared_echo_server(&p, c[i].clone())?;
        Ok(move || {
            Loops::run_until_quit();
            server.free().unwrap();
        })
    })
    .unwrap();
    assert_eq!(loops.len(), LOOPS);
    let port = port.load(Ordering::SeqCst);
    for n in 0..60u32 {
        echo_once(port, format!("hello {n}").as_bytes());
    }
    loops.quit();
    loops.join().unwrap();
    let per_loop: Vec<usize> = counts.iter().map(|c| c.load(Ordering::SeqCst)).collect();
    assert_eq!(per_loop.iter().sum::<usize>(), 60, "{per_loop:?}");
    // The kernel hashes each connection to one listener: all 60 on one of three loops would
    // happen with probability 3 × 3^-60.
    assert!(
        per_loop.iter().filter(|&&n| n > 0).count() >= 2,
        "{per_loop:?}"
    );
}

#[test]
fn a_port_in_use_without_reuse_port_is_refused() {
    parasol::init().unwrap();
    let plain = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER)
        .build()
        .unwrap();
    let port = plain.port().unwrap();
    let shared = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .flags(NSF::SERVER)
        .reuse_port(true)
        .build();
    assert_eq!(shared.unwrap_err(), ERR::InUse);
    // Two that both ask may share it.
    let a = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER)
        .reuse_port(true)
        .build()
        .unwrap();
    let b = NetSocket::create()
        .address("127.0.0.1")
        .port(a.port().unwrap())
        .flags(NSF::SERVER)
        .reuse_port(true)
        .build()
        .unwrap();
    assert_eq!(b.get("ReusePort").unwrap().to_int().unwrap(), 1);
    for s in [plain, a, b] {
        s.free().unwrap();
    }
}
