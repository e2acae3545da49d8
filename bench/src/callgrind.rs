//! Deterministic instruction counts of the kernel's hot operations and of one echo round trip
//! through the network engine, measured under valgrind's callgrind (as rustls's ci-bench does),
//! so a regression shows even on a noisy machine.
//!
//! `parasol-bench callgrind` runs this binary under callgrind once per operation with N
//! iterations and once with none, and prints (refs(N) − refs(0)) / N: instructions per operation.

use parasol::field::{fd::*, FieldKind};
use parasol::prelude::*;
use parasol::ArgSpec;
use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

/// The operations measured, by name.
pub const OPS: &[&str] = &[
    "set_int_by_name",
    "get_int_by_name",
    "set_int_by_id",
    "get_int_by_id",
    "action_dispatch",
    "method_by_id",
    "method_by_name",
    "idle_loop_cycle",
    "echo_round_trip_64b",
    "echo_round_trip_64b_mio",
    "echo_round_trip_64b_tokio",
];

/// Round trips measured per echo operation (each is a few thousand instructions plus system
/// calls, so fewer iterations than the kernel operations suffice).
const ECHO_ROUNDS: u64 = 200;

#[derive(Default)]
struct Probe {
    port: i32,
}

fn probe_object() -> ObjectId {
    let _ = ClassBuilder::<Probe>::new("CallgrindProbe")
        .field("Port", FieldKind::Int, FD_RW, |f| {
            f.get(|p| Value::Int(p.port)).set(|p, v| {
                p.port = v.to_i32()?;
                Ok(())
            })
        })
        .action(AC::Activate, |_, _| ERR::Okay)
        .method(
            "Sum",
            vec![
                ArgSpec::input("A", FieldKind::Int),
                ArgSpec::input("B", FieldKind::Int),
                ArgSpec::result("Result", FieldKind::Int),
            ],
            |_, v| {
                let (Ok(a), Ok(b)) = (v[0].to_i32(), v[1].to_i32()) else {
                    return ERR::Args;
                };
                v[2] = Value::Int(a.wrapping_add(b));
                ERR::Okay
            },
        )
        .register();
    create("CallgrindProbe", fields! { "Port" => 1 }).expect("probe object")
}

/// An echo server and a connected client on loopback; returns a closure doing one round trip.
fn echo_pair() -> impl FnMut() {
    parasol::init().expect("classes");
    let server = create(
        "NetSocket",
        fields! {
            "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER",
            "Incoming" => Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
                let mut b = [0u8; 256];
                match c.ac_read(&mut b) { Ok(n) => c.ac_write(&b[..n]).err().map_or(ERR::Okay, ERR::from), Err(e) => e }
            }),
        },
    )
    .expect("server");
    let port = server.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    let got = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let g = got.clone();
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .incoming(Function::new(move |s: &NetSocket| -> ERR {
            let mut b = [0u8; 256];
            match s.ac_read(&mut b) {
                Ok(n) => {
                    g.set(g.get() + n);
                    ERR::Okay
                }
                Err(e) => e,
            }
        }))
        .build()
        .expect("client");
    let _ = wait_until(Duration::from_secs(5), || {
        client.state() == Ok(NTC::CONNECTED)
    });
    let msg = [7u8; 64];
    move || {
        let want = got.get() + msg.len();
        client.ac_write(&msg).expect("write");
        let _ = wait_until(Duration::from_secs(5), || got.get() >= want);
    }
}

/// The same 64 B exchange on raw mio, the floor the object model is compared with: a listener,
/// the accepted stream and a client in one poll loop on one thread, Nagle off, edge-triggered
/// readiness; the server writes back what it read, the client reads until it has it all.
fn mio_echo_pair() -> impl FnMut() {
    use mio::net::{TcpListener, TcpStream};
    use mio::{Events, Interest, Poll, Token};
    use std::io::{ErrorKind, Read, Write};
    const SERVER: Token = Token(1);
    const CLIENT: Token = Token(2);
    let mut poll = Poll::new().expect("poll");
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().expect("address")).expect("listen");
    let addr = listener.local_addr().expect("local address");
    poll.registry()
        .register(&mut listener, Token(0), Interest::READABLE)
        .expect("register");
    let mut client = TcpStream::connect(addr).expect("connect");
    let mut events = Events::with_capacity(16);
    let mut server = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                poll.poll(&mut events, Some(Duration::from_secs(5)))
                    .expect("poll");
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    poll.registry()
        .register(&mut server, SERVER, Interest::READABLE)
        .expect("register");
    poll.registry()
        .register(&mut client, CLIENT, Interest::READABLE)
        .expect("register");
    let msg = [7u8; 64];
    move || {
        client.write_all(&msg).expect("write");
        let mut got = 0;
        let mut buf = [0u8; 256];
        while got < msg.len() {
            poll.poll(&mut events, Some(Duration::from_secs(5)))
                .expect("poll");
            for ev in events.iter() {
                let (sock, echo) = match ev.token() {
                    SERVER => (&mut server, true),
                    CLIENT => (&mut client, false),
                    _ => continue,
                };
                loop {
                    match sock.read(&mut buf) {
                        Ok(0) => panic!("peer closed"),
                        Ok(n) if echo => sock.write_all(&buf[..n]).expect("echo"),
                        Ok(n) => got += n,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => panic!("read: {e}"),
                    }
                }
            }
        }
    }
}

/// The same 64 B exchange on tokio's current-thread runtime, written as a tokio user would: the
/// server is a spawned task echoing with `read` and `write_all` (as the bench's `tokio-ct` server),
/// the client writes and reads inside `block_on`, so both ends run on one thread as ours do.
fn tokio_echo_pair() -> impl FnMut() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let rt = crate::servers::tokio_echo::runtime(None).expect("tokio runtime");
    let mut client = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            let (s, _) = listener.accept().await.expect("accept");
            let _ = s.set_nodelay(true);
            crate::servers::tokio_echo::echo_connection(s, 256).await;
        });
        let c = TcpStream::connect(addr).await.expect("connect");
        let _ = c.set_nodelay(true);
        c
    });
    let msg = [7u8; 64];
    move || {
        rt.block_on(async {
            client.write_all(&msg).await.expect("write");
            let mut got = 0;
            let mut buf = [0u8; 256];
            while got < msg.len() {
                match client.read(&mut buf).await {
                    Ok(0) => panic!("peer closed"),
                    Ok(n) => got += n,
                    Err(e) => panic!("read: {e}"),
                }
            }
        })
    }
}

/// Runs `op` `n` times (the child side, under callgrind).
pub fn run_op(op: &str, n: u64) {
    let o = probe_object();
    let fid = parasol::hash::fieldhash("Port");
    let named = [("A", Value::Int(2)), ("B", Value::Int(3))];
    let mut args = [Value::Int(2), Value::Int(3), Value::None];
    let mut echo: Option<Box<dyn FnMut()>> = match op {
        "echo_round_trip_64b" => Some(Box::new(echo_pair())),
        "echo_round_trip_64b_mio" => Some(Box::new(mio_echo_pair())),
        "echo_round_trip_64b_tokio" => Some(Box::new(tokio_echo_pair())),
        _ => None,
    };
    if let Some(e) = echo.as_mut() {
        e(); // warm up: first-use allocations are not part of a round trip
    }
    for i in 0..n {
        match op {
            "set_int_by_name" => o.set(black_box("Port"), black_box(i as i32)).expect("set"),
            "get_int_by_name" => drop(black_box(o.get(black_box("Port")))),
            "set_int_by_id" => o.set_id(black_box(fid), black_box(i as i32)).expect("set"),
            "get_int_by_id" => drop(black_box(o.get_id(black_box(fid)))),
            "action_dispatch" => o.act(black_box(AC::Activate)).expect("action"),
            "method_by_id" => drop(black_box(o.method(black_box(AC(-1)), &mut args))),
            "method_by_name" => drop(black_box(o.call(black_box("Sum"), &named))),
            "idle_loop_cycle" => drop(black_box(process_messages(Some(Duration::ZERO)))),
            "echo_round_trip_64b" | "echo_round_trip_64b_mio" | "echo_round_trip_64b_tokio" => {
                (echo.as_mut().expect("echo"))()
            }
            other => panic!("unknown operation {other}"),
        }
    }
}

/// Instructions counted by callgrind for `op` × `n`, or `None` when valgrind is missing.
fn refs(exe: &str, op: &str, n: u64) -> Option<u64> {
    let out = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            exe,
            "callgrind-op",
            op,
            &n.to_string(),
        ])
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':')
        .next()?
        .trim()
        .replace(',', "")
        .parse()
        .ok()
}

/// Prints instructions per operation for every operation.
pub fn report() -> bool {
    let exe = std::env::current_exe().expect("own path");
    let exe = exe.to_string_lossy();
    println!("\nInstructions per operation (valgrind --tool=callgrind; deterministic)");
    println!("{:<24} {:>14}", "operation", "instructions");
    let mut ok = true;
    let mut per_op = std::collections::HashMap::new();
    for op in OPS {
        let n = if op.starts_with("echo_round_trip") {
            ECHO_ROUNDS
        } else {
            20_000
        };
        match (refs(&exe, op, 0), refs(&exe, op, n)) {
            (Some(base), Some(total)) => {
                let each = (total.saturating_sub(base)) as f64 / n as f64;
                per_op.insert(*op, each);
                println!("{:<24} {:>14.1}", op, each)
            }
            _ => {
                println!("{:<24} {:>14}", op, "valgrind missing");
                ok = false;
            }
        }
    }
    if let Some(ours) = per_op.get("echo_round_trip_64b") {
        for (peer, name) in [
            ("echo_round_trip_64b_mio", "raw mio"),
            ("echo_round_trip_64b_tokio", "tokio current-thread"),
        ] {
            if let Some(theirs) = per_op.get(peer) {
                println!(
                    "64 B echo round trip: ours ÷ {name} = {:.2}× the instructions (user space; the system calls are alike)",
                    ours / theirs
                );
            }
        }
    }
    ok
}
