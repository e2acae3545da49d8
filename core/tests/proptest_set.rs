//! Property tests: arbitrary field names, values and flag strings thrown at `set` never panic,
//! only produce documented errors, leave the field untouched on failure, and read back sensibly
//! on success.

mod common;

use common::{register_probe, PROBE, PROBE_FIELDS, PROBE_FLAGS};
use parasol_core::field::FieldKind;
use parasol_core::prelude::*;
use proptest::prelude::*;
use proptest::sample::select;
use std::rc::Rc;

/// Every field name the probe has, system fields included.
fn all_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = PROBE_FIELDS.iter().map(|(n, _)| *n).collect();
    v.extend(["Name", "Owner", "ID", "Class", "ClassID"]);
    v
}

/// A value description; objects and callbacks are made inside the test (they are thread-bound).
#[derive(Clone, Debug)]
enum Gen {
    None,
    Int(i32),
    Int64(i64),
    Double(f64),
    Str(String),
    Bytes(Vec<u8>),
    /// 0: the probe itself, 1: another live object, 2: a freed object.
    Object(u8),
    Function,
    Any,
}

fn name_strategy() -> impl Strategy<Value = String> {
    let real = select(all_names());
    prop_oneof![
        3 => real.clone().prop_map(str::to_string),
        2 => (real.clone(), any::<u64>()).prop_map(|(n, bits)| {
            // Random per-character case.
            n.chars()
                .enumerate()
                .map(|(i, c)| {
                    if bits >> (i % 64) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        }),
        1 => real.clone().prop_map(|n| n.to_ascii_uppercase()),
        1 => real.prop_map(|n| n.to_ascii_lowercase()),
        2 => ".{0,16}",
        1 => "[A-Za-z]{1,14}",
    ]
}

fn flag_word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(PROBE_FLAGS.iter().map(|d| d.name).collect::<Vec<_>>())
            .prop_map(str::to_string),
        1 => select(vec!["SERVER", "multi_connect", "ssl", "SSL_NO_VERIFY", "Disable_Server_Verify"])
            .prop_map(str::to_string),
        1 => "[A-Za-z_]{0,10}",
        1 => "-?[0-9]{1,11}",
        1 => "0x[0-9a-fA-F]{1,9}",
    ]
}

/// Flag-like strings: words joined by `|`, with Parasol's prefix operators and stray spaces.
fn flag_string() -> impl Strategy<Value = String> {
    (
        select(vec!["", "", "!", "&", "^", "~", "!~", " "]),
        prop::collection::vec((flag_word(), select(vec!["", " ", "!", "~"])), 0..5),
    )
        .prop_map(|(prefix, words)| {
            let body: Vec<String> = words
                .into_iter()
                .map(|(w, pre)| format!("{pre}{w}"))
                .collect();
            format!("{prefix}{}", body.join("|"))
        })
}

fn double_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-0.0),
        2 => -1e10..1e10f64,
    ]
}

fn value_strategy() -> impl Strategy<Value = Gen> {
    prop_oneof![
        1 => Just(Gen::None),
        3 => any::<i32>().prop_map(Gen::Int),
        1 => (-10i32..1000).prop_map(Gen::Int), // small numbers and UIDs
        2 => any::<i64>().prop_map(Gen::Int64),
        3 => double_strategy().prop_map(Gen::Double),
        2 => ".{0,24}".prop_map(Gen::Str),
        3 => flag_string().prop_map(Gen::Str),
        1 => select(vec!["Okay", "TimeOut", "timeout", "Connected", "Disconnected", "connecting"])
            .prop_map(|s| Gen::Str(s.to_string())),
        1 => "[ +-]?[0-9]{1,20}(\\.[0-9]{0,4})?([eE][+-]?[0-9]{1,3})? ?".prop_map(Gen::Str),
        2 => prop::collection::vec(any::<u8>(), 0..24).prop_map(Gen::Bytes),
        1 => (0u8..3).prop_map(Gen::Object),
        1 => Just(Gen::Function),
        1 => Just(Gen::Any),
    ]
}

/// The objects a generated value may refer to.
struct World {
    probe: ObjectId,
    other: ObjectId,
    freed: ObjectId,
}

impl World {
    fn new(initialised: bool) -> World {
        register_probe();
        let probe = new_object(PROBE).unwrap();
        if initialised {
            init_object(probe).unwrap();
        }
        let other = create(PROBE, fields! {}).unwrap();
        let freed = create(PROBE, fields! {}).unwrap();
        freed.free().unwrap();
        World {
            probe,
            other,
            freed,
        }
    }

    fn value(&self, g: &Gen) -> Value {
        match g {
            Gen::None => Value::None,
            Gen::Int(i) => Value::Int(*i),
            Gen::Int64(i) => Value::Int64(*i),
            Gen::Double(d) => Value::Double(*d),
            Gen::Str(s) => Value::Str(s.clone()),
            Gen::Bytes(b) => Value::Bytes(b.clone()),
            Gen::Object(0) => Value::Object(self.probe),
            Gen::Object(1) => Value::Object(self.other),
            Gen::Object(_) => Value::Object(self.freed),
            Gen::Function => Value::Function(Function::new(|| ERR::Okay)),
            Gen::Any => Value::Any(Rc::new(42u32)),
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.probe.free();
        let _ = self.other.free();
    }
}

/// Equality that treats NaN as equal to itself.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

const DOCUMENTED: &[ERR] = &[
    ERR::UnsupportedField,
    ERR::NoFieldAccess,
    ERR::FieldTypeMismatch,
    ERR::InvalidValue,
    ERR::OutOfRange,
    ERR::NoMatchingObject,
];

/// Checks one `set` against the rules; returns a description of the violation, if any.
fn check_set(w: &World, name: &str, g: &Gen) -> Result<(), TestCaseError> {
    let o = w.probe;
    let class = o.class().unwrap();
    let field = class.field_by_name(name);
    let before = o.get(name);
    let input = w.value(g);
    let result = o.set(name, input.clone());

    let Some(field) = field else {
        prop_assert_eq!(
            result,
            Err(ERR::UnsupportedField),
            "unknown name {:?}",
            name
        );
        prop_assert_eq!(before, Err(ERR::UnsupportedField));
        return Ok(());
    };
    let fname = field.name().to_string();
    prop_assert!(before.is_ok(), "{} unreadable before: {:?}", fname, before);
    let before = before.unwrap();

    if let Err(e) = result {
        let allowed = DOCUMENTED.contains(&e) || (fname == "Owner" && e == ERR::Recursion);
        prop_assert!(
            allowed,
            "set {}={:?} gave undocumented {:?}",
            fname,
            input,
            e
        );
        prop_assert_ne!(e, ERR::UnsupportedField, "{} exists", fname);
        // A failed set leaves the field alone.
        let after = o.get(name).unwrap();
        prop_assert!(
            same(&before, &after),
            "{} changed on error: {:?} → {:?}",
            fname,
            before,
            after
        );
        return Ok(());
    }

    // Fields nobody may write from outside.
    let initialised = o.initialised();
    prop_assert!(
        !matches!(fname.as_str(), "ID" | "Class" | "ClassID" | "TotalClients"),
        "read-only {} was written",
        fname
    );
    prop_assert!(
        !(fname == "Backlog" && initialised),
        "RI Backlog written after Init"
    );

    let after = o.get(name);
    prop_assert!(after.is_ok(), "{} unreadable after set: {:?}", fname, after);
    let after = after.unwrap();
    prop_assert!(o.get_str(name).is_ok(), "get_str {} failed", fname);

    match (fname.as_str(), field.kind()) {
        ("Flags", _) => {
            let Value::Int(v) = after else {
                return Err(TestCaseError::fail(format!("Flags read {after:?}")));
            };
            // The names read back set the same known bits.
            let text = o.get_str("Flags").unwrap();
            let check = create(PROBE, fields! { "Flags" => text.clone() });
            prop_assert!(check.is_ok(), "Flags text {:?} not accepted back", text);
            let check = check.unwrap();
            prop_assert_eq!(
                check.get("Flags").unwrap(),
                Value::Int(v & 0xf),
                "via {:?}",
                text
            );
            check.free().unwrap();
        }
        ("State", _) => {
            let Value::Int(v) = after else {
                return Err(TestCaseError::fail(format!("State read {after:?}")));
            };
            let text = o.get_str("State").unwrap();
            if (0..=3).contains(&v) {
                prop_assert!(
                    text.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{}",
                    text
                );
            } else {
                prop_assert_eq!(text, v.to_string());
            }
        }
        ("Name", _) => match &input {
            Value::Str(s) => {
                let expect: String = s.chars().take(30).collect();
                prop_assert_eq!(after, Value::Str(expect));
            }
            Value::None => prop_assert_eq!(after, Value::None),
            Value::Int(_) | Value::Int64(_) | Value::Double(_) => {
                let expect: String = input.to_string().chars().take(30).collect();
                prop_assert_eq!(after, Value::Str(expect));
            }
            _ => {}
        },
        ("Owner", _) => match after {
            Value::None => {}
            Value::Object(owner) => {
                prop_assert!(owner.exists());
                prop_assert_ne!(owner, o);
                prop_assert!(owner.children().contains(&o));
            }
            other => return Err(TestCaseError::fail(format!("Owner read {other:?}"))),
        },
        (_, FieldKind::Int) | (_, FieldKind::Error) => {
            let Value::Int(v) = after else {
                return Err(TestCaseError::fail(format!("{fname} read {after:?}")));
            };
            match &input {
                Value::Int(i) => prop_assert_eq!(v, *i),
                Value::Int64(i) => prop_assert_eq!(v as i64, *i),
                Value::Double(d) => prop_assert_eq!(v as f64, d.round()),
                _ => {}
            }
        }
        (_, FieldKind::Int64) => {
            let Value::Int64(v) = after else {
                return Err(TestCaseError::fail(format!("{fname} read {after:?}")));
            };
            match &input {
                Value::Int(i) => prop_assert_eq!(v, *i as i64),
                Value::Int64(i) => prop_assert_eq!(v, *i),
                _ => {}
            }
        }
        (_, FieldKind::Double) => {
            let Value::Double(v) = after else {
                return Err(TestCaseError::fail(format!("{fname} read {after:?}")));
            };
            match &input {
                Value::Double(d) => prop_assert!(same(&Value::Double(v), &Value::Double(*d))),
                Value::Int(i) => prop_assert_eq!(v, *i as f64),
                Value::Int64(i) => prop_assert_eq!(v, *i as f64),
                _ => {}
            }
        }
        (_, FieldKind::Str) => match &input {
            Value::Str(s) => prop_assert_eq!(after, Value::Str(s.clone())),
            Value::None => prop_assert_eq!(after, Value::None),
            Value::Int(_) | Value::Int64(_) | Value::Double(_) => {
                prop_assert_eq!(after, Value::Str(input.to_string()))
            }
            Value::Bytes(b) => prop_assert_eq!(after.as_bytes().unwrap(), &b[..]),
            other => return Err(TestCaseError::fail(format!("{fname} accepted {other:?}"))),
        },
        (_, FieldKind::Bytes) => match &input {
            Value::Bytes(b) => prop_assert_eq!(after, Value::Bytes(b.clone())),
            Value::Str(s) => prop_assert_eq!(after, Value::Bytes(s.as_bytes().to_vec())),
            Value::None => prop_assert_eq!(after, Value::Bytes(vec![])),
            other => return Err(TestCaseError::fail(format!("{fname} accepted {other:?}"))),
        },
        (_, FieldKind::Object) => match (&input, &after) {
            (Value::Object(a), Value::Object(b)) => prop_assert_eq!(a, b),
            (Value::Int(_) | Value::Int64(_), Value::Object(b)) => {
                prop_assert_eq!(input.to_int().unwrap(), b.uid() as i64)
            }
            (Value::None, Value::None) => {}
            _ => {
                return Err(TestCaseError::fail(format!(
                    "{fname}: {input:?} read {after:?}"
                )))
            }
        },
        (_, FieldKind::Function) => match (&input, &after) {
            (Value::Function(a), Value::Function(b)) => prop_assert_eq!(a, b),
            (Value::None, Value::None) => {}
            _ => {
                return Err(TestCaseError::fail(format!(
                    "{fname}: {input:?} read {after:?}"
                )))
            }
        },
        (_, FieldKind::Any) => {
            prop_assert!(
                same(&after, &input),
                "{}: {:?} read {:?}",
                fname,
                input,
                after
            )
        }
        (_, kind) => return Err(TestCaseError::fail(format!("unexpected kind {kind:?}"))),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_sets_never_panic_and_report_documented_errors(
        initialised in any::<bool>(),
        ops in prop::collection::vec((name_strategy(), value_strategy()), 1..8),
    ) {
        let w = World::new(initialised);
        for (name, g) in &ops {
            check_set(&w, name, g)?;
            // By id as well: the same rules through the field hash.
            let id = parasol_core::hash::fieldhash(name);
            let by_id = w.probe.set_id(id, w.value(g));
            if let Err(e) = by_id {
                prop_assert!(
                    DOCUMENTED.contains(&e) || e == ERR::Recursion,
                    "set_id {:?} gave {:?}", name, e
                );
            }
        }
        prop_assert!(w.probe.exists());
    }

    #[test]
    fn arbitrary_flag_strings(text in flag_string(), start in 0i32..16) {
        let w = World::new(true);
        let o = w.probe;
        o.set("Flags", start).unwrap();
        match o.set("Flags", text.as_str()) {
            Ok(()) => {
                let Value::Int(_) = o.get("Flags").unwrap() else {
                    return Err(TestCaseError::fail("Flags not an int"));
                };
                prop_assert!(o.get_str("Flags").is_ok());
            }
            Err(e) => {
                prop_assert!(e == ERR::InvalidValue || e == ERR::OutOfRange, "{:?} for {:?}", e, text);
                prop_assert_eq!(o.get("Flags").unwrap(), Value::Int(start));
            }
        }
    }

    /// Strings made only of known flag names (any case, optional underscores) set exactly the
    /// OR of their bits; a leading `!` ORs them with the current value.
    #[test]
    fn known_flag_names_set_their_bits(
        picks in prop::collection::vec((0usize..PROBE_FLAGS.len(), any::<u64>(), any::<bool>()), 1..5),
        or_with_current in any::<bool>(),
        start in 0i32..16,
    ) {
        let w = World::new(true);
        let o = w.probe;
        o.set("Flags", start).unwrap();
        let mut expect = 0i64;
        let mut words = Vec::new();
        for (i, case_bits, underscore) in picks {
            let def = PROBE_FLAGS[i];
            expect |= def.value;
            let mut word: String = def
                .name
                .chars()
                .enumerate()
                .map(|(k, c)| if case_bits >> (k % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            if underscore && word.len() > 2 {
                word.insert(1, '_');
            }
            words.push(word);
        }
        let text = format!("{}{}", if or_with_current { "!" } else { "" }, words.join("|"));
        o.set("Flags", text.as_str()).unwrap();
        let want = if or_with_current { expect | start as i64 } else { expect };
        prop_assert_eq!(o.get("Flags").unwrap(), Value::Int(want as i32), "{}", text);
    }
}
