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
];

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

/// Runs `op` `n` times (the child side, under callgrind).
pub fn run_op(op: &str, n: u64) {
    let o = probe_object();
    let fid = parasol::hash::fieldhash("Port");
    let named = [("A", Value::Int(2)), ("B", Value::Int(3))];
    let mut args = [Value::Int(2), Value::Int(3), Value::None];
    let mut echo = (op == "echo_round_trip_64b").then(echo_pair);
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
            "echo_round_trip_64b" => (echo.as_mut().expect("echo"))(),
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
    for op in OPS {
        let n = if *op == "echo_round_trip_64b" {
            200
        } else {
            20_000
        };
        match (refs(&exe, op, 0), refs(&exe, op, n)) {
            (Some(base), Some(total)) => {
                println!(
                    "{:<24} {:>14.1}",
                    op,
                    (total.saturating_sub(base)) as f64 / n as f64
                )
            }
            _ => {
                println!("{:<24} {:>14}", op, "valgrind missing");
                ok = false;
            }
        }
    }
    ok
}
