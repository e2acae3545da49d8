//! Fuzz target `flags_lookup`: flag and lookup strings through the fields that take them
//! (NetSocket `Flags`, a lookup field and an ERR field of a small class of ours, the read-only
//! `State`), the table functions behind them, and the other by-name lookups: `AC::from_name`,
//! `ERR::from_name`, class and field names (`fieldhash`), integer parsing.
//!
//! Invariants: no panic; a string the field takes gives the value `parse_flags`/`parse_lookup`
//! give, and the text form of a value of known bits parses back to it; an unknown name is
//! `InvalidValue` with a log line naming the word; a read-only field is `NoFieldAccess` whatever
//! the string; a name found by any lookup matches the name asked for (case-insensitively).

#[path = "common.rs"]
mod common;

use common::*;
use parasol::classes::constants::{NSF_TABLE, NTC_TABLE};
use parasol::kernel::field::{
    fd::*, flags_to_string, lookup_name, lookup_to_string, parse_flags, parse_lookup, FieldKind,
};
use parasol::kernel::hash::{fieldhash, strhash, strihash};
use parasol::kernel::value::parse_int;
use parasol::prelude::*;
use std::sync::Once;

const NSF_KNOWN: i64 = 0xff;

#[derive(Default)]
struct Lookups {
    state: i32,
    err: i32,
    mask: i64,
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let r = ClassBuilder::<Lookups>::new("FuzzLookups")
            .field("Mode", FieldKind::Int, FD_RW, |f| {
                f.get(|d| Value::Int(d.state))
                    .set(|d, v| {
                        d.state = v.to_i32()?;
                        Ok(())
                    })
                    .lookup(NTC_TABLE)
            })
            .field("Status", FieldKind::Error, FD_RW, |f| {
                f.get(|d| Value::Int(d.err)).set(|d, v| {
                    d.err = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Mask", FieldKind::Int64, FD_RW, |f| {
                f.get(|d| Value::Int64(d.mask))
                    .set(|d, v| {
                        d.mask = v.to_int()?;
                        Ok(())
                    })
                    .flags(NSF_TABLE)
            })
            .register();
        if let Err(e) = r {
            assert_eq!(e, ERR::AddClass, "FuzzLookups registration");
        }
    });
}

/// `f` must fail with `want` and say why: a refusal records its detail (the unknown word,
/// the field), which the caller shows; the library logs it at debug only.
fn expect_logged(what: &str, got: Result<(), ERR>, want: ERR) -> String {
    assert_eq!(got, Err(want), "{what}");
    parasol::err::take_failure_detail()
        .unwrap_or_else(|| panic!("{what}: {want:?} without a recorded detail"))
}

fn check_flags_field(obj: ObjectId, s: &str, current: i64) {
    let _ = obj.set("Flags", Value::Int(current as i32));
    // As the kernel does: the field's present value is used only when the text starts with an
    // operator that combines with it.
    let current = if s.trim_start().starts_with(['!', '&']) {
        current
    } else {
        0
    };
    let expected = parse_flags(NSF_TABLE, s, current);
    parasol::err::clear_failure_detail();
    let got = obj.set("Flags", s);
    match expected {
        Ok(v) => match i32::try_from(v) {
            Ok(v32) => {
                assert_eq!(got, Ok(()), "Flags {s:?} parses to {v} but set refused it");
                let now = obj.get("Flags").and_then(|v| v.to_int());
                assert_eq!(now, Ok(v32 as i64), "Flags {s:?}");
                // The text form names the known bits; it parses back to them.
                let text = obj.get_str("Flags").expect("Flags as text");
                assert_eq!(
                    parse_flags(NSF_TABLE, &text, 0),
                    Ok(v & NSF_KNOWN),
                    "Flags {s:?} = {v:#x} reads back as {text:?}"
                );
            }
            Err(_) => {
                expect_logged(&format!("Flags {s:?}"), got, ERR::OutOfRange);
            }
        },
        Err(e) => {
            let detail = expect_logged(&format!("Flags {s:?}"), got, e);
            if e == ERR::InvalidValue {
                assert!(
                    detail.contains("Flags") || detail.contains("flag"),
                    "Flags {s:?}: the detail does not name the field: {detail:?}"
                );
            }
        }
    }
}

fn check_lookup_field(obj: ObjectId, s: &str) {
    let expected = parse_lookup(NTC_TABLE, s);
    parasol::err::clear_failure_detail();
    let got = obj.set("Mode", s);
    match expected {
        Ok(v) => match i32::try_from(v) {
            Ok(v32) => {
                assert_eq!(got, Ok(()), "Mode {s:?} = {v}");
                assert_eq!(obj.get("Mode"), Ok(Value::Int(v32)), "Mode {s:?}");
                let text = obj.get_str("Mode").expect("Mode as text");
                assert_eq!(
                    parse_lookup(NTC_TABLE, &text),
                    Ok(v),
                    "Mode {s:?} → {text:?}"
                );
            }
            Err(_) => {
                expect_logged(&format!("Mode {s:?}"), got, ERR::OutOfRange);
            }
        },
        Err(e) => {
            expect_logged(&format!("Mode {s:?}"), got, e);
        }
    }
    // An Int64 flags field: the full 64-bit result is kept.
    let got = obj.set("Mask", s);
    match parse_flags(
        NSF_TABLE,
        s,
        obj.get("Mask").and_then(|v| v.to_int()).unwrap_or(0),
    ) {
        Ok(_) => assert_eq!(got, Ok(()), "Mask {s:?}"),
        Err(e) => assert_eq!(got, Err(e), "Mask {s:?}"),
    }
    // An ERR field takes ERR names or numbers.
    let got = obj.set("Status", s);
    let want = match ERR::from_name(s.trim()) {
        Some(e) => Ok(e.0 as i64),
        None => Value::from(s).to_i32().map(|n| n as i64),
    };
    match want {
        Ok(n) => {
            assert_eq!(got, Ok(()), "Status {s:?}");
            assert_eq!(obj.get("Status").and_then(|v| v.to_int()), Ok(n));
        }
        Err(_) => assert!(got.is_err(), "Status {s:?} accepted"),
    }
}

fn check_names(s: &str) {
    if let Some(a) = AC::from_name(s) {
        assert!(a.is_action(), "AC::from_name({s:?}) = {a:?}");
        let n = a.name().expect("action name");
        let bare = s.get(2..).unwrap_or("");
        assert!(
            n.eq_ignore_ascii_case(s)
                || (s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("ac"))
                    && n.eq_ignore_ascii_case(bare)),
            "AC::from_name({s:?}) = {n}"
        );
        assert_eq!(AC::from_name(n), Some(a));
    }
    if let Some(e) = ERR::from_name(s) {
        assert_eq!(ERR::from_name(&s.to_ascii_uppercase()), Some(e));
        let _ = e.message();
    }
    let _ = (strhash(s), strihash(s), fieldhash(s));
    if let Some(c) = parasol::find_class(s) {
        assert!(
            c.name().eq_ignore_ascii_case(s),
            "find_class({s:?}) = {}",
            c.name()
        );
    }
    for class in ["NetSocket", "ClientSocket", "NetClient"] {
        let c = parasol::find_class(class).expect("registered");
        if let Some(f) = c.field_by_name(s) {
            assert!(
                f.name().eq_ignore_ascii_case(s),
                "{class}.{s:?} found {}",
                f.name()
            );
            assert_eq!(f.id(), fieldhash(s));
        }
        if let Some(m) = c.method(s) {
            let bare = s.strip_prefix("mt").unwrap_or(s);
            assert!(
                m.name().eq_ignore_ascii_case(s) || m.name().eq_ignore_ascii_case(bare),
                "{class} method {s:?} found {}",
                m.name()
            );
        }
    }
    if let Some(n) = parse_int(s) {
        assert_eq!(parse_int(&n.to_string()), Some(n));
        assert_eq!(Value::from(s).to_int(), Ok(n));
    }
    let _ = Value::from(s).to_double();
    let _ = lookup_name(NSF_TABLE, s);
}

pub fn run(data: &[u8]) {
    setup();
    register();
    let panics_before = panics();
    let mut src = Src::new(data);
    let current = (src.u8() as i64) & NSF_KNOWN;
    let rest = src.rest();
    let s = String::from_utf8_lossy(rest).into_owned();

    check_names(&s);
    for cur in [0, current] {
        let _ = parse_flags(NSF_TABLE, &s, cur);
    }
    if let Ok(v) = parse_lookup(NTC_TABLE, &s) {
        let _ = lookup_to_string(NTC_TABLE, v);
    }
    if let Ok(v) = parse_flags(NSF_TABLE, &s, 0) {
        if (0..=NSF_KNOWN).contains(&v) {
            assert_eq!(
                parse_flags(NSF_TABLE, &flags_to_string(NSF_TABLE, v), 0),
                Ok(v)
            );
        }
    }

    let count = parasol::kernel::object::object_count();
    let sock = new_object("NetSocket").expect("NetSocket");
    check_flags_field(sock, &s, current);
    // State is read-only: refused before the string is looked at.
    parasol::err::clear_failure_detail();
    let _ = expect_logged("State", sock.set("State", s.as_str()), ERR::NoFieldAccess);
    // Unknown field names are refused with a log line.
    if parasol::find_class("NetSocket")
        .expect("NetSocket")
        .field_by_name(&s)
        .is_none()
    {
        parasol::err::clear_failure_detail();
        let _ = expect_logged(
            "unknown field",
            sock.get(&s).map(|_| ()),
            ERR::UnsupportedField,
        );
    }
    let _ = sock.get_str(&s);
    sock.free().expect("free");

    let obj = new_object("FuzzLookups").expect("FuzzLookups");
    check_lookup_field(obj, &s);
    // Any name through the by-name door on an object that has no network side.
    let _ = obj.call_raw(&s, &[]);
    let _ = obj.free();

    // A NetSocket that is a plain client without an address: Init by name does not connect.
    let client = new_object("NetSocket").expect("NetSocket");
    let _ = client.call_raw(&s, &[]);
    let _ = client.free();
    pump(1);
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
