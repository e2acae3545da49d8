//! Fuzz target `address`: the address functions of `net/src/address.rs` (`str_to_address`,
//! `IPAddress::parse`, `address_to_str`, the byte-order helpers, `IPAddress` ⇄ `std::net`), the
//! NetSocket `Address` field, and Connect / Init / a server bind with the fuzzed text — the
//! last three only when the text is a loopback IP literal (as the runtime itself reads it), so
//! nothing is resolved by the system resolver and nothing leaves the machine.
//!
//! Invariants: no panic; parsing agrees with `std::net` (plus Parasol's `localhost`, `*` and
//! empty names) and gives `InvalidValue` otherwise; text forms parse back to the same address;
//! a Connect to a loopback literal ends CONNECTED or DISCONNECTED with an Error, within its
//! timeout; a server bound to a loopback literal reports that address.

#[path = "common.rs"]
mod common;

use common::*;
use parasol::prelude::*;
use parasol::{
    address_to_str, host_to_long, host_to_short, long_to_host, short_to_host, str_to_address,
    IPADDR,
};
use std::cell::Cell;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

thread_local! {
    static SERVER: Cell<Option<ObjectId>> = const { Cell::new(None) };
}

/// A plain server on 127.0.0.1 (ephemeral port) that lives across inputs.
fn server() -> (ObjectId, u16) {
    let s = match SERVER.with(|s| s.get()).filter(|s| s.exists()) {
        Some(s) => s,
        None => {
            let s = create(
                "NetSocket",
                fields! { "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER|MULTI_CONNECT" },
            )
            .expect("server");
            SERVER.with(|c| c.set(Some(s)));
            s
        }
    };
    let port = s.get("Port").and_then(|v| v.to_int()).expect("port") as u16;
    (s, port)
}

/// What the client code connects to for `address`: the text trimmed, brackets removed, parsed
/// as an IP literal. `Some` only for loopback literals.
fn loopback_literal(address: &str) -> Option<IpAddr> {
    let host = address.trim().trim_start_matches('[').trim_end_matches(']');
    let ip = host.parse::<IpAddr>().ok()?;
    // Belt and braces: only characters an IP literal has.
    let plain = address
        .chars()
        .all(|c| c.is_ascii_hexdigit() || ".:[] \t\n\r\x0b\x0c".contains(c));
    (plain && ip.is_loopback()).then_some(ip)
}

fn check_parse(s: &str, port: u16) {
    let parsed = IPAddress::parse(s);
    assert_eq!(str_to_address(s), parsed, "str_to_address({s:?})");
    let t = s.trim();
    let inner = t
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(t);
    let std_ip = inner.parse::<IpAddr>();
    let special = t.is_empty() || t == "*" || t.eq_ignore_ascii_case("localhost");
    match parsed {
        Ok(a) => {
            match std_ip {
                Ok(ip) => assert_eq!(a.ip(), ip, "{s:?}"),
                Err(_) => assert!(special, "{s:?} parsed to {a} but std::net refuses it"),
            }
            assert_eq!(a.port, 0);
            let text = address_to_str(&a);
            assert_eq!(IPAddress::parse(&text), Ok(a), "{s:?} → {text:?}");
            assert_eq!(format!("[{text}]").parse::<IPAddress>(), Ok(a));
            let with = a.with_port(port);
            assert_eq!(IPAddress::from(SocketAddr::from(with)), with);
        }
        Err(e) => {
            assert_eq!(e, ERR::InvalidValue, "{s:?}");
            assert!(std_ip.is_err() && !special, "{s:?} refused");
        }
    }
}

fn check_words(words: [u32; 4], v6: bool, port: u16) {
    let a = IPAddress {
        data: words,
        kind: if v6 { IPADDR::V6 } else { IPADDR::V4 },
        port,
    };
    let text = a.to_string();
    let b = IPAddress::parse(&text).expect("the text form of an address parses");
    assert_eq!(b.ip(), a.ip(), "{words:x?} → {text}");
    assert_eq!(
        IPAddress::from(a.socket_addr()).socket_addr(),
        a.socket_addr()
    );
    let _ = parasol::net::canonical_ip(a.ip());
    for w in words {
        assert_eq!(short_to_host(host_to_short(w)), w & 0xffff);
        assert_eq!(long_to_host(host_to_long(w)), w);
    }
}

fn check_field(s: &str, raw: &[u8]) {
    let sock = new_object("NetSocket").expect("NetSocket");
    assert_eq!(sock.set("Address", s), Ok(()), "Address {s:?}");
    let want = if s.is_empty() {
        Value::None
    } else {
        Value::from(s)
    };
    assert_eq!(sock.get("Address"), Ok(want), "Address {s:?}");
    let got = sock.set("Address", Value::Bytes(raw.to_vec()));
    match std::str::from_utf8(raw) {
        Ok(_) => assert_eq!(got, Ok(())),
        Err(_) => assert_eq!(got, Err(ERR::FieldTypeMismatch)),
    }
    sock.free().expect("free");
}

fn settle(client: ObjectId) -> (i64, i64) {
    let state = || client.get("State").and_then(|v| v.to_int()).unwrap_or(-1);
    let done = pump_until(Duration::from_secs(3), || matches!(state(), 0 | 3));
    assert!(
        done,
        "Connect did not end within its timeout (state {})",
        state()
    );
    let err = client.get("Error").and_then(|v| v.to_int()).unwrap_or(-1);
    (state(), err)
}

fn check_connect(s: &str, ip: IpAddr, port: u16, by_init: bool) {
    let client = if by_init {
        match create(
            "NetSocket",
            fields! { "Address" => s, "Port" => port as i32 },
        ) {
            Ok(c) => c,
            Err(e) => panic!("Init with Address {s:?} (a loopback literal): {e:?}"),
        }
    } else {
        let c = create("NetSocket", fields! {}).expect("client");
        let r = c.call(
            "Connect",
            &[
                ("Address", Value::from(s)),
                ("Port", Value::Int(port as i32)),
                ("Timeout", Value::Double(2.0)),
            ],
        );
        assert_eq!(r.map(|_| ()), Ok(()), "Connect {s:?}");
        c
    };
    let (state, err) = settle(client);
    if ip == IpAddr::from([127, 0, 0, 1]) {
        assert_eq!(state, 3, "Connect {s:?} to our own server (Error {err})");
        let local = client
            .call("GetLocalIPAddress", &[])
            .expect("local address");
        let a = local.get("Address").expect("Address result");
        let a = a.downcast_ref::<IPAddress>().expect("IPAddress");
        assert!(a.ip().is_loopback() && a.port != 0, "local address {a}");
    } else if state == 0 {
        assert_ne!(err, 0, "Connect {s:?} failed without an Error");
    }
    client.free().expect("free client");
}

fn check_bind(s: &str) {
    let Ok(a) = IPAddress::parse(s) else { return };
    if !a.ip().is_loopback() {
        return;
    }
    match create(
        "NetSocket",
        fields! { "Address" => s, "Port" => 0, "Flags" => "SERVER" },
    ) {
        Ok(srv) => {
            let local = srv.call("GetLocalIPAddress", &[]).expect("local address");
            let got = local.get("Address").expect("Address result");
            let got = got.downcast_ref::<IPAddress>().expect("IPAddress");
            assert_eq!(got.ip(), a.ip(), "server bound to {s:?}");
            srv.free().expect("free server");
        }
        // 127.x.y.z beyond 127.0.0.1 may not be bindable on every system; ::1 may be missing.
        Err(e) => assert!(
            matches!(e, ERR::SystemCall | ERR::InUse | ERR::PermissionDenied),
            "bind {s:?}: {e:?}"
        ),
    }
}

pub fn run(data: &[u8]) {
    setup();
    let panics_before = panics();
    let mut src = Src::new(data);
    let mode = src.u8();
    let port = src.u16();
    let words = [src.u32(), src.u32(), src.u32(), src.u32()];
    let raw = src.rest();
    let s = String::from_utf8_lossy(raw).into_owned();

    check_parse(&s, port);
    check_words(words, mode & 1 == 1, port);
    let (_, server_port) = server();
    let count = parasol::kernel::object::object_count();
    check_field(&s, raw);
    if let Some(ip) = loopback_literal(&s) {
        check_connect(&s, ip, server_port, mode & 2 == 2);
    }
    if mode & 4 == 4 {
        check_bind(&s);
    }
    // The server survives and serves; the accepted connections go away.
    let (srv, _) = server();
    let ended = pump_until(Duration::from_secs(3), || {
        srv.get("TotalClients").and_then(|v| v.to_int()) == Ok(0)
    });
    assert!(
        ended,
        "the server still holds clients after they were freed"
    );
    if let Err(e) = check_server_lists(srv) {
        panic!("server lists: {e}");
    }
    assert_eq!(
        parasol::kernel::object::object_count(),
        count,
        "objects left"
    );
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught inside the runtime"
    );
}
