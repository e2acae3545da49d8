//! Fuzz target `lookup_udp`: NetLookup and UDP NetSockets through the generic door with fuzzed
//! names, addresses, field values and datagrams. A resolver map is installed on the fuzzing
//! thread, so no name ever reaches the system's resolver; datagrams go only to loopback
//! addresses, and multicast only through the loopback interface, so nothing leaves the machine.
//!
//! Invariants: no panic; every asynchronous lookup is answered exactly once, with a code that
//! says what happened (Okay for a mapped name or a literal, HostNotFound otherwise); blocking
//! lookups agree with the map; a datagram sent to a loopback UDP socket arrives whole and
//! unchanged, or the send is refused with a code (never truncated).

#[path = "common.rs"]
mod common;

use common::*;
use parasol::call_by_name;
use parasol::net::resolve::{set_thread_resolver, StaticResolver};
use parasol::prelude::*;
use std::cell::{Cell, RefCell};
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const NAMES: &[&str] = &["db.test", "Svc.Test", "localhost", "a.b.c.test"];

fn map_answers(name: &str) -> bool {
    let key = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = name.trim().trim_start_matches('[').trim_end_matches(']');
    NAMES.iter().any(|n| n.to_ascii_lowercase() == key) || bare.parse::<IpAddr>().is_ok()
}

thread_local! {
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

fn install_resolver() {
    if !INSTALLED.with(|i| i.replace(true)) {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let map = NAMES
            .iter()
            .fold(StaticResolver::new(), |r, n| r.host(n, [ip]));
        set_thread_resolver(Some(Arc::new(map)));
    }
}

fn lookups(src: &mut Src) {
    let answers: Rc<RefCell<Vec<i32>>> = Rc::default();
    let a = answers.clone();
    let flags = src.pick(&["", "NO_CACHE", "NoCache", "1"]);
    let Ok(l) = create(
        "NetLookup",
        fields! {
            "Flags" => flags,
            "Callback" => Function::new(move |_l: ObjectId, e: ERR| a.borrow_mut().push(e.0)),
        },
    ) else {
        panic!("NetLookup with flags {flags:?} was refused");
    };
    let mut expected = 0;
    for _ in 0..(src.u8() % 6) {
        let text = if src.bool() {
            src.pick(NAMES).to_string()
        } else {
            src.string(80)
        };
        match src.u8() % 5 {
            0 => {
                let e = call_by_name(l, "ResolveName", &[("HostName", text.as_str().into())]).0;
                if text.trim().is_empty() {
                    assert_eq!(e, ERR::NullArgs, "ResolveName({text:?})");
                } else {
                    assert_eq!(e, ERR::Okay, "ResolveName({text:?})");
                    expected += 1;
                }
            }
            1 => {
                let e = call_by_name(l, "ResolveAddress", &[("Address", text.as_str().into())]).0;
                let literal = text
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok();
                match e {
                    ERR::Okay => {
                        assert!(literal, "ResolveAddress({text:?}) took a non-literal");
                        expected += 1;
                    }
                    ERR::Args | ERR::NullArgs => {
                        assert!(!literal, "ResolveAddress({text:?}) refused a literal")
                    }
                    other => panic!("ResolveAddress({text:?}) = {other:?}"),
                }
            }
            2 => {
                let e = call_by_name(
                    l,
                    "BlockingResolveName",
                    &[("HostName", text.as_str().into())],
                )
                .0;
                expected += usize::from(!text.trim().is_empty());
                if text.trim().is_empty() {
                    assert_eq!(e, ERR::NullArgs);
                } else if map_answers(&text) {
                    assert_eq!(e, ERR::Okay, "BlockingResolveName({text:?})");
                } else {
                    assert!(
                        matches!(e, ERR::HostNotFound | ERR::Args),
                        "BlockingResolveName({text:?}) = {e:?}"
                    );
                }
            }
            3 => {
                let field = src.pick(&[
                    "Timeout",
                    "Flags",
                    "ClientData",
                    "HostName",
                    "Addresses",
                    "Callback",
                ]);
                let _ = l.set(field, text.as_str());
                let _ = l.get(field);
                let _ = l.get_str(field);
            }
            _ => {
                let _ = l.get("Addresses").map(|v| v.to_string());
                let _ = l.get("ErrorDetail");
            }
        }
    }
    // A Timeout set above bounds the wait; without one the map answers at once.
    let done = pump_until(Duration::from_secs(5), || {
        answers.borrow().len() >= expected
    });
    assert!(
        done,
        "{} of {expected} lookups answered",
        answers.borrow().len()
    );
    for code in answers.borrow().iter() {
        assert!(
            [ERR::Okay, ERR::HostNotFound, ERR::Args, ERR::TimeOut].contains(&ERR(*code)),
            "a lookup answered {:?}",
            ERR(*code)
        );
    }
    l.free().expect("free the NetLookup");
}

fn datagrams(src: &mut Src) {
    let max = 1 + src.u16() as i32 % 2000;
    let Ok(rx) = create(
        "NetSocket",
        fields! { "Address" => "127.0.0.1", "Port" => 0, "Flags" => "UDP|SERVER", "MulticastInterface" => "127.0.0.1" },
    ) else {
        panic!("a loopback UDP server was refused");
    };
    let port = rx.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    let tx = match create(
        "NetSocket",
        fields! { "Flags" => "UDP", "MaxPacketSize" => max, "MulticastInterface" => "127.0.0.1" },
    ) {
        Ok(t) => t,
        Err(e) => panic!("a UDP client with MaxPacketSize {max} was refused: {e:?}"),
    };
    let data = src.bytes(2500).to_vec();
    let dest = SocketAddr::new("127.0.0.1".parse().unwrap(), port).to_string();
    let (e, r) = call_by_name(
        tx,
        "SendTo",
        &[
            ("Dest", dest.as_str().into()),
            ("Data", data.clone().into()),
        ],
    );
    match e {
        ERR::Okay => {
            assert_eq!(
                r.get("BytesSent").and_then(|v| v.to_int().ok()),
                Some(data.len() as i64)
            );
            let size = 1 + src.u16() as i64 % 3000;
            let mut got = None;
            let arrived = pump_until(Duration::from_secs(5), || {
                let (e, r) = call_by_name(rx, "RecvFrom", &[("BufferSize", size.into())]);
                match e {
                    ERR::Okay if r.get("BytesRead").and_then(|v| v.to_int().ok()) == Some(0) => {
                        false
                    }
                    ERR::Okay => {
                        got = r
                            .get("Buffer")
                            .and_then(|b| b.as_bytes().ok().map(|b| b.to_vec()));
                        true
                    }
                    ERR::BufferOverflow => {
                        assert!(
                            (size as usize) < data.len(),
                            "BufferOverflow for a datagram that fits"
                        );
                        // Still queued: a big enough buffer takes it whole.
                        let (e, r) = call_by_name(rx, "RecvFrom", &[("BufferSize", 65535.into())]);
                        assert_eq!(e, ERR::Okay);
                        got = r
                            .get("Buffer")
                            .and_then(|b| b.as_bytes().ok().map(|b| b.to_vec()));
                        true
                    }
                    other => panic!("RecvFrom = {other:?}"),
                }
            });
            assert!(
                arrived,
                "a loopback datagram of {} bytes did not arrive",
                data.len()
            );
            assert_eq!(
                got.unwrap_or_default(),
                data,
                "the datagram arrived changed"
            );
        }
        ERR::NullArgs => assert!(data.is_empty()),
        ERR::DataSize => assert!(data.len() > max as usize),
        other => panic!("SendTo of {} bytes (max {max}) = {other:?}", data.len()),
    }
    // Fuzzed method arguments; destinations only where they are loopback.
    for _ in 0..(src.u8() % 4) {
        let text = src.string(60);
        match src.u8() % 4 {
            0 => {
                let loopback = text
                    .parse::<SocketAddr>()
                    .is_ok_and(|a| a.ip().is_loopback() || a.ip().to_canonical().is_loopback());
                if loopback {
                    let _ = call_by_name(
                        tx,
                        "SendTo",
                        &[
                            ("Dest", text.as_str().into()),
                            ("Data", b"x".to_vec().into()),
                        ],
                    );
                }
            }
            1 => {
                let _ = call_by_name(rx, "RecvFrom", &[("BufferSize", src.int().into())]);
            }
            2 => {
                // Membership goes through MulticastInterface 127.0.0.1: loopback only.
                let _ = call_by_name(rx, "JoinMulticastGroup", &[("Group", text.as_str().into())]);
                let _ = call_by_name(
                    rx,
                    "LeaveMulticastGroup",
                    &[("Group", text.as_str().into())],
                );
            }
            _ => {
                let _ = call_by_name(tx, "SetSSL", &[("Command", text.as_str().into())]);
                let _ = call_by_name(
                    tx,
                    "Connect",
                    &[("Address", "127.0.0.1".into()), ("Port", 9.into())],
                );
            }
        }
    }
    tx.free().expect("free the client");
    rx.free().expect("free the server");
}

pub fn run(data: &[u8]) {
    setup();
    install_resolver();
    let panics_before = panics();
    let mut src = Src::new(data);
    if src.bool() {
        lookups(&mut src);
        datagrams(&mut src);
    } else {
        datagrams(&mut src);
        lookups(&mut src);
    }
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught: {}",
        last_line()
    );
}
