//! A test class with one field of every kind, shared by `fields.rs` and `proptest_set.rs`.
//! Registered once per test binary (class names are process-global).

#![allow(dead_code)]

use parasol_core::field::{fd::*, FieldDef, FieldKind};
use parasol_core::prelude::*;
use std::sync::Once;

/// Class name of the probe.
pub const PROBE: &str = "TestFieldProbe";

/// Flags table: `DisableServerVerify` is an alias of `SSLNoVerify`.
pub const PROBE_FLAGS: &[FieldDef] = &[
    FieldDef::new("Server", 1),
    FieldDef::new("SSL", 2),
    FieldDef::new("SSLNoVerify", 4),
    FieldDef::new("DisableServerVerify", 4),
    FieldDef::new("MultiConnect", 8),
];

/// Lookup table.
pub const PROBE_STATE: &[FieldDef] = &[
    FieldDef::new("Disconnected", 0),
    FieldDef::new("Connecting", 1),
    FieldDef::new("Connected", 2),
    FieldDef::new("Disconnecting", 3),
];

#[derive(Default)]
pub struct Probe {
    pub port: i32,
    pub big: i64,
    pub ratio: f64,
    pub label: Option<String>,
    pub flags: i32,
    pub state: i32,
    pub target: Option<ObjectId>,
    pub feedback: Function,
    pub payload: Vec<u8>,
    pub client_data: Value,
    pub error: i32,
    pub backlog: i32,
    pub total: i32,
}

/// Field names with their kind and access, as declared.
pub const PROBE_FIELDS: &[(&str, &str)] = &[
    ("Port", "RW"),
    ("Big", "RW"),
    ("Ratio", "RW"),
    ("Label", "RW"),
    ("Flags", "RW"),
    ("State", "RW"),
    ("Target", "RW"),
    ("Feedback", "RW"),
    ("Payload", "RW"),
    ("ClientData", "RW"),
    ("Error", "RW"),
    ("Backlog", "RI"),
    ("TotalClients", "R"),
];

/// Registers the probe class (once per process).
///
/// * `Init` fails with `OutOfRange` when `Port` is negative.
/// * `Activate` (the class's own code) increments the read-only `TotalClients` and sets the
///   set-before-Init `Backlog` after Init, both through the generic `set`.
pub fn register_probe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        ClassBuilder::<Probe>::new(PROBE)
            .field("Port", FieldKind::Int, FD_RW, |f| {
                f.get(|p| Value::Int(p.port)).set(|p, v| {
                    p.port = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Big", FieldKind::Int64, FD_RW, |f| {
                f.get(|p| Value::Int64(p.big)).set(|p, v| {
                    p.big = v.to_int()?;
                    Ok(())
                })
            })
            .field("Ratio", FieldKind::Double, FD_RW, |f| {
                f.get(|p| Value::Double(p.ratio)).set(|p, v| {
                    p.ratio = v.to_double()?;
                    Ok(())
                })
            })
            .field("Label", FieldKind::Str, FD_RW, |f| {
                f.get(|p| p.label.as_deref().map_or(Value::None, Value::from))
                    .set(|p, v| {
                        p.label = match v {
                            Value::Str(s) => Some(s),
                            Value::None => None,
                            _ => return Err(ERR::FieldTypeMismatch),
                        };
                        Ok(())
                    })
            })
            .field("Flags", FieldKind::Int, FD_RW, |f| {
                f.flags(PROBE_FLAGS)
                    .get(|p| Value::Int(p.flags))
                    .set(|p, v| {
                        p.flags = v.to_i32()?;
                        Ok(())
                    })
            })
            .field("State", FieldKind::Int, FD_RW, |f| {
                f.lookup(PROBE_STATE)
                    .get(|p| Value::Int(p.state))
                    .set(|p, v| {
                        p.state = v.to_i32()?;
                        Ok(())
                    })
            })
            .field("Target", FieldKind::Object, FD_RW, |f| {
                f.get(|p| Value::from(p.target)).set(|p, v| {
                    p.target = match v {
                        Value::None => None,
                        other => Some(other.to_object()?),
                    };
                    Ok(())
                })
            })
            .field("Feedback", FieldKind::Function, FD_RW, |f| {
                f.get(|p| Value::from(p.feedback.clone())).set(|p, v| {
                    p.feedback = v.to_function()?;
                    Ok(())
                })
            })
            .field("Payload", FieldKind::Bytes, FD_RW, |f| {
                f.get(|p| Value::Bytes(p.payload.clone())).set(|p, v| {
                    p.payload = match v {
                        Value::None => Vec::new(),
                        other => other.as_bytes()?.to_vec(),
                    };
                    Ok(())
                })
            })
            .field("ClientData", FieldKind::Any, FD_RW, |f| {
                f.get(|p| p.client_data.clone()).set(|p, v| {
                    p.client_data = v;
                    Ok(())
                })
            })
            .field("Error", FieldKind::Error, FD_RW, |f| {
                f.get(|p| Value::Int(p.error)).set(|p, v| {
                    p.error = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Backlog", FieldKind::Int, FD_RI, |f| {
                f.get(|p| Value::Int(p.backlog)).set(|p, v| {
                    p.backlog = v.to_i32()?;
                    Ok(())
                })
            })
            .field("TotalClients", FieldKind::Int, FD_READ, |f| {
                f.get(|p| Value::Int(p.total)).set(|p, v| {
                    p.total = v.to_i32()?;
                    Ok(())
                })
            })
            .action(AC::Init, |obj, _| {
                if obj.data::<Probe>().port < 0 {
                    ERR::OutOfRange
                } else {
                    ERR::Okay
                }
            })
            .action(AC::Activate, |obj, _| {
                let id = obj.id();
                let total = obj.data::<Probe>().total;
                if let Err(e) = id.set("TotalClients", total + 1) {
                    return e;
                }
                if let Err(e) = id.set("Backlog", 99) {
                    return e;
                }
                ERR::Okay
            })
            .register()
            .expect("registering the probe class");
    });
}

/// A fresh, initialised probe.
pub fn probe() -> ObjectId {
    register_probe();
    create(PROBE, fields! {}).expect("creating a probe")
}
