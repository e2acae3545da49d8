//! Fuzz target `generic_door`: the by-name door on live objects. The input is decoded into at
//! most 64 operations — create objects of any class by name, set and get fields by arbitrary
//! name with arbitrary values, Init, actions and methods by id or by name with arbitrary named
//! arguments, subscriptions, Free — applied in any order to a fixture that is alive and connected
//! (a server NetSocket on 127.0.0.1 port 0, a client NetSocket connected to it, the server's
//! ClientSocket and NetClient), plus a small class of our own (`FuzzProbe`). Callbacks given as
//! values may themselves run operations (re-entrancy). The loop is driven between operations.
//!
//! Invariants: no panic (a panic the runtime catches counts too), no hang; after every
//! operation the NetClient and ClientSocket lists of every server end and match their totals;
//! at the end, freeing everything works and `object_count()` returns to its starting value.
//!
//! Network safety: nothing may leave the machine. Every value written to NetSocket `Address`
//! (field or Connect argument) is replaced by a loopback literal, every `Port` by 0 or a port of
//! ours, certificate paths by files of ours, and a server about to Init without an address is
//! given 127.0.0.1. `SYNCHRONOUS` is stripped: with both ends on this thread a blocking Read or
//! TLS Connect waits for a peer that can only run once it returns (a harness deadlock, not a
//! runtime bug). `UDP` and `BROADCAST` are stripped too: SendTo and multicast membership take
//! destinations this target does not filter (the `lookup_udp` target covers UDP, loopback
//! only). A resolver map is installed on the fuzzing thread, so a NetLookup created by a fuzzed
//! class name never asks the system's resolver.

#[path = "common.rs"]
mod common;

use common::*;
use parasol::classes::constants::NSF_TABLE;
use parasol::kernel::field::{fd::*, parse_flags, FieldDef, FieldKind};
use parasol::kernel::hash::fieldhash;
use parasol::kernel::object::object_count;
use parasol::prelude::*;
use parasol::{ActionArgs, ArgSpec, ClientSocket, IPAddress, MetaClass, NetSocket};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Once};
use std::time::Duration;

const MAX_OPS: usize = 64;
const MAX_TOTAL_OPS: usize = 160;
const MAX_DEPTH: usize = 2;
const MAX_OBJECTS: usize = 48;
const SYNCHRONOUS: i64 = 0x10;
/// Flags this target never lets a NetSocket keep: SYNCHRONOUS, BROADCAST and UDP (see above).
const STRIPPED: i64 = SYNCHRONOUS | 0x40 | 0x80;
const SERVER: i64 = 0x01;

const CLASSES: &[&str] = &[
    "NetSocket",
    "ClientSocket",
    "NetClient",
    "FuzzProbe",
    "netsocket",
    "NETCLIENT",
    "fuzzprobe",
    "MetaClass",
    "",
    "NoSuchClass",
    "Net Socket",
    "NetSocket\0",
];

const FIELDS: &[&str] = &[
    // NetSocket
    "Address",
    "Backlog",
    "ClientData",
    "ClientLimit",
    "Clients",
    "Error",
    "Feedback",
    "Flags",
    "Handle",
    "HandshakeTimeout",
    "IdleTimeout",
    "Incoming",
    "MsgLimit",
    "OutQueueSize",
    "Outgoing",
    "Port",
    "SocketLimit",
    "State",
    "TotalClients",
    "ValidCert",
    "SSLCertificate",
    "SSLPrivateKey",
    "SSLKeyPassword",
    "SSLCACertificate",
    // ClientSocket / NetClient
    "Client",
    "Next",
    "Prev",
    "ConnectTime",
    "IP",
    "Connections",
    "TotalConnections",
    // system
    "Name",
    "Owner",
    "ID",
    "Class",
    "ClassID",
    // FuzzProbe
    "Int",
    "Int64",
    "Double",
    "Text",
    "Bytes",
    "Object",
    "Callback",
    "Any",
    "Setup",
    "Secret",
    "Count",
    "Mode",
    // spellings
    "port",
    "PORT",
    "flags",
    "sslCertificate",
    "clientdata",
    "pORT",
    "",
    "Nonsense",
    "Ünïcödé",
];

const CALLS: &[&str] = &[
    "Connect",
    "mtConnect",
    "GetLocalIPAddress",
    "DisconnectClient",
    "DisconnectSocket",
    "SetSSL",
    "ShutdownWrite",
    "Write",
    "acWrite",
    "Read",
    "Init",
    "acInit",
    "Free",
    "Disable",
    "Activate",
    "DataFeed",
    "SetKey",
    "GetKey",
    "Enable",
    "Clear",
    "Echo",
    "Sum",
    "Call",
    "FreeSelf",
    "Pump",
    "Spawn",
    "connect",
    "WRITE",
    "mt",
    "ac",
    "",
    "mtconnect",
];

const ARGS: &[&str] = &[
    "Address", "Port", "Timeout", "Buffer", "Length", "Client", "Socket", "Object", "Datatype",
    "Key", "Value", "Result", "A", "B", "C", "Total", "Callback", "Arg", "Class", "address",
    "Bogus",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "0x10",
    "  42  ",
    "99999999999999999999",
    "1.5",
    "NaN",
    "inf",
    "SERVER|MULTI_CONNECT",
    "SSL|SSL_NO_VERIFY",
    "~SERVER",
    "!LogAll",
    "&SSL",
    "MultiConnect|Bogus",
    "|||",
    "Okay",
    "TimeOut",
    "Connected",
    "Disconnected",
    "Multistate",
    "127.0.0.1",
    "::1",
    "ü",
    "日本語",
    "\u{0}",
    "\u{202e}rtl",
    "a very long string that goes on beyond thirty characters for the Name field",
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "fail",
];

// ---------------------------------------------------------------------------------------------
// FuzzProbe: a small class of our own with one field of every kind and access, actions and
// methods that call back, free themselves or run the loop.

#[derive(Default)]
struct Probe {
    int: i32,
    int64: i64,
    dbl: f64,
    text: String,
    bytes: Vec<u8>,
    obj: Option<ObjectId>,
    callback: Function,
    any: Value,
    ip: Value,
    err: i32,
    flags: i32,
    mode: i32,
    setup: String,
    secret: i32,
    keys: Vec<(String, String)>,
}

const PROBE_FLAGS: &[FieldDef] = &[
    FieldDef::new("Red", 1),
    FieldDef::new("Green", 2),
    FieldDef::new("Blue", 4),
    FieldDef::new("Cyan", 6),
    FieldDef::new("All", 7),
];

const PROBE_MODES: &[FieldDef] = &[
    FieldDef::new("Off", 0),
    FieldDef::new("On", 1),
    FieldDef::new("Auto", 2),
    FieldDef::new("Automatic", 2),
];

fn register_probe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let r = ClassBuilder::<Probe>::new("FuzzProbe")
            .field("Int", FieldKind::Int, FD_RW, |f| {
                f.get(|d| Value::Int(d.int)).set(|d, v| {
                    d.int = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Int64", FieldKind::Int64, FD_RW, |f| {
                f.get(|d| Value::Int64(d.int64)).set(|d, v| {
                    d.int64 = v.to_int()?;
                    Ok(())
                })
            })
            .field("Double", FieldKind::Double, FD_RW, |f| {
                f.get(|d| Value::Double(d.dbl)).set(|d, v| {
                    d.dbl = v.to_double()?;
                    Ok(())
                })
            })
            .field("Text", FieldKind::Str, FD_RW, |f| {
                f.get(|d| Value::from(d.text.as_str())).set(|d, v| {
                    d.text = match v {
                        Value::None => String::new(),
                        v => v.as_str()?.to_owned(),
                    };
                    Ok(())
                })
            })
            .field("Bytes", FieldKind::Bytes, FD_RW, |f| {
                f.get(|d| Value::Bytes(d.bytes.clone())).set(|d, v| {
                    d.bytes = match v {
                        Value::None => Vec::new(),
                        v => v.as_bytes()?.to_vec(),
                    };
                    Ok(())
                })
            })
            .field("Object", FieldKind::Object, FD_RW, |f| {
                f.get(|d| d.obj.into()).set(|d, v| {
                    d.obj = match v {
                        Value::None => None,
                        v => Some(v.to_object()?),
                    };
                    Ok(())
                })
            })
            .field("Callback", FieldKind::Function, FD_RW, |f| {
                f.get(|d| d.callback.clone().into()).set(|d, v| {
                    d.callback = v.to_function()?;
                    Ok(())
                })
            })
            .field("Any", FieldKind::Any, FD_RW, |f| {
                f.get(|d| d.any.clone()).set(|d, v| {
                    d.any = v;
                    Ok(())
                })
            })
            .field("IP", FieldKind::Struct("IPAddress"), FD_RW, |f| {
                f.get(|d| d.ip.clone()).set(|d, v| {
                    d.ip = match v {
                        Value::Str(s) => Value::Struct(Rc::new(IPAddress::parse(&s)?)),
                        v => v,
                    };
                    Ok(())
                })
            })
            .field("Error", FieldKind::Error, FD_RW, |f| {
                f.get(|d| Value::Int(d.err)).set(|d, v| {
                    d.err = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Flags", FieldKind::Int, FD_RW, |f| {
                f.get(|d| Value::Int(d.flags))
                    .set(|d, v| {
                        d.flags = v.to_i32()?;
                        Ok(())
                    })
                    .flags(PROBE_FLAGS)
            })
            .field("Mode", FieldKind::Int, FD_RW, |f| {
                f.get(|d| Value::Int(d.mode))
                    .set(|d, v| {
                        d.mode = v.to_i32()?;
                        Ok(())
                    })
                    .lookup(PROBE_MODES)
            })
            .field("Setup", FieldKind::Str, FD_RI, |f| {
                f.get(|d| Value::from(d.setup.as_str())).set(|d, v| {
                    d.setup = v.to_string();
                    Ok(())
                })
            })
            .field("Secret", FieldKind::Int, FD_WRITE, |f| {
                f.get(|d| Value::Int(d.secret)).set(|d, v| {
                    d.secret = v.to_i32()?;
                    Ok(())
                })
            })
            .field("Count", FieldKind::Int, FD_READ, |f| {
                f.get(|d| Value::from(d.bytes.len()))
            })
            .action(AC::Init, |o, _| match o.try_data::<Probe>() {
                Ok(d) if d.setup == "fail" => ERR::Failed,
                Ok(_) => ERR::Okay,
                Err(e) => e,
            })
            .action(AC::Activate, |o, _| {
                let cb = match o.try_data::<Probe>() {
                    Ok(d) => d.callback.clone(),
                    Err(e) => return e,
                };
                cb.call(&[Value::Object(o.id())])
            })
            .action(AC::Write, |o, args| {
                let ActionArgs::Write { buffer, result } = args else {
                    return ERR::Args;
                };
                let Ok(mut d) = o.try_data_mut::<Probe>() else {
                    return ERR::InUse;
                };
                let room = (1usize << 16).saturating_sub(d.bytes.len());
                let n = buffer.len().min(room);
                d.bytes.extend_from_slice(&buffer[..n]);
                *result = n;
                if n < buffer.len() {
                    ERR::BufferOverflow
                } else {
                    ERR::Okay
                }
            })
            .action(AC::Read, |o, args| {
                let ActionArgs::Read { buffer, result } = args else {
                    return ERR::Args;
                };
                let Ok(mut d) = o.try_data_mut::<Probe>() else {
                    return ERR::InUse;
                };
                let n = buffer.len().min(d.bytes.len());
                buffer[..n].copy_from_slice(&d.bytes[..n]);
                d.bytes.drain(..n);
                *result = n;
                ERR::Okay
            })
            .action(AC::DataFeed, |o, args| {
                let ActionArgs::DataFeed { buffer, .. } = args else {
                    return ERR::Args;
                };
                let Ok(mut d) = o.try_data_mut::<Probe>() else {
                    return ERR::InUse;
                };
                if d.bytes.len() + buffer.len() > 1 << 16 {
                    return ERR::BufferOverflow;
                }
                d.bytes.extend_from_slice(buffer);
                ERR::Okay
            })
            .action(AC::SetKey, |o, args| {
                let ActionArgs::SetKey { key, value } = args else {
                    return ERR::Args;
                };
                let Ok(mut d) = o.try_data_mut::<Probe>() else {
                    return ERR::InUse;
                };
                if d.keys.len() >= 16 {
                    return ERR::ArrayFull;
                }
                d.keys.push((key.to_string(), value.to_string()));
                ERR::Okay
            })
            .action(AC::GetKey, |o, args| {
                let ActionArgs::GetKey { key, value } = args else {
                    return ERR::Args;
                };
                let Ok(d) = o.try_data::<Probe>() else {
                    return ERR::InUse;
                };
                match d.keys.iter().rev().find(|(k, _)| k == key) {
                    Some((_, v)) => {
                        *value = v.clone();
                        ERR::Okay
                    }
                    None => ERR::DoesNotExist,
                }
            })
            .method(
                "Echo",
                vec![
                    ArgSpec::input("Value", FieldKind::Any),
                    ArgSpec::result("Result", FieldKind::Any),
                ],
                |_, args| {
                    args[1] = args[0].clone();
                    ERR::Okay
                },
            )
            .method(
                "Sum",
                vec![
                    ArgSpec::input("A", FieldKind::Int),
                    ArgSpec::input("B", FieldKind::Int64),
                    ArgSpec::optional("C", FieldKind::Double),
                    ArgSpec::result("Total", FieldKind::Double),
                ],
                |_, args| {
                    let a = args[0].to_double().unwrap_or(0.0);
                    let b = args[1].to_double().unwrap_or(0.0);
                    let c = args[2].to_double().unwrap_or(0.0);
                    args[3] = Value::Double(a + b + c);
                    ERR::Okay
                },
            )
            .method(
                "Call",
                vec![
                    ArgSpec::input("Callback", FieldKind::Function),
                    ArgSpec::optional("Arg", FieldKind::Any),
                ],
                |o, args| {
                    let f = args[0].to_function().unwrap_or_default();
                    f.call(&[Value::Object(o.id()), args[1].clone()])
                },
            )
            .method("FreeSelf", vec![], |o, _| {
                ERR::from(parasol::free_resource(o.id()))
            })
            .method("Pump", vec![], |_, _| {
                process_messages(Some(Duration::ZERO))
            })
            .method(
                "Spawn",
                vec![
                    ArgSpec::input("Class", FieldKind::Str),
                    ArgSpec::result("Object", FieldKind::Object),
                ],
                |_, args| {
                    let class = args[0].as_str().unwrap_or("").to_owned();
                    match new_object(&class) {
                        Ok(o) => {
                            args[1] = Value::Object(o);
                            ERR::Okay
                        }
                        Err(e) => e,
                    }
                },
            )
            .register();
        if let Err(e) = r {
            assert_eq!(e, ERR::AddClass, "FuzzProbe registration");
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Per-input state (a thread-local: callbacks reach it too).

#[derive(Default)]
struct State {
    /// The objects operations pick from (at most MAX_OBJECTS).
    objs: Vec<ObjectId>,
    /// Every object seen, to free them all at the end.
    seen: Vec<ObjectId>,
    ports: Vec<i32>,
    ops: usize,
    cert_file: Option<String>,
    key_file: Option<String>,
    p12_file: Option<String>,
    missing_file: Option<String>,
}

thread_local! {
    static ST: RefCell<State> = RefCell::new(State::default());
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

fn objs() -> Vec<ObjectId> {
    ST.with(|s| s.borrow().objs.clone())
}

fn remember(o: ObjectId) {
    ST.with(|s| {
        let mut s = s.borrow_mut();
        if s.objs.len() < MAX_OBJECTS && !s.objs.contains(&o) {
            s.objs.push(o);
        }
        if !s.seen.contains(&o) {
            s.seen.push(o);
        }
    });
}

fn remember_value(v: &Value) {
    if let Value::Object(o) = v {
        remember(*o);
    }
}

fn pick_obj(src: &mut Src) -> Option<ObjectId> {
    let all = objs();
    if all.is_empty() {
        return None;
    }
    Some(all[src.below(all.len())])
}

fn class_of(o: ObjectId) -> Option<Arc<MetaClass>> {
    o.class().ok()
}

fn is_netsocket(c: &MetaClass) -> bool {
    c.name() == "NetSocket"
}

// ---------------------------------------------------------------------------------------------
// Network-safety filters.

fn hash_of(v: &Value) -> usize {
    let s = v.to_string();
    s.bytes().fold(5381usize, |h, b| {
        h.wrapping_mul(33).wrapping_add(b as usize)
    })
}

/// Any value that could become a host name is replaced by a loopback literal (or an empty or
/// undecodable one); callbacks, objects and structs stay (the field refuses them).
fn safe_address(v: Value) -> Value {
    match v {
        Value::None | Value::Function(_) | Value::Object(_) | Value::Struct(_) | Value::Any(_) => v,
        other => {
            let choices: [Value; 7] = [
                Value::from("127.0.0.1"),
                Value::from("::1"),
                Value::from("[::1]"),
                Value::from(" 127.0.0.1 "),
                Value::from(""),
                Value::Bytes(b"127.0.0.1".to_vec()),
                Value::Bytes(vec![0xff, 0xfe, b'1']),
            ];
            choices[hash_of(&other) % choices.len()].clone()
        }
    }
}

/// Any value that converts to a port number becomes 0, a port of ours, or an invalid number.
fn safe_port(v: Value) -> Value {
    match v.to_int() {
        Ok(n) => {
            let ports = ST.with(|s| s.borrow().ports.clone());
            let mut choices = vec![
                Value::Int(0),
                Value::Int(-1),
                Value::Int(65536),
                Value::Int64(1 << 40),
            ];
            choices.extend(ports.iter().map(|&p| Value::Int(p)));
            choices.extend(ports.iter().map(|&p| Value::from(format!(" {p} "))));
            choices[(n as u64 % choices.len() as u64) as usize].clone()
        }
        Err(_) => v,
    }
}

/// Certificate sources: PEM text passes; anything that would be read as a path becomes a file
/// of ours (or a path that does not exist), so nothing like /dev/stdin is ever opened.
fn safe_pem_source(v: Value) -> Value {
    let text = match &v {
        Value::Str(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Int(_) | Value::Int64(_) | Value::Double(_) => v.to_string(),
        _ => return v,
    };
    if text.contains("-----BEGIN") || text.is_empty() {
        return v;
    }
    let paths: Vec<Option<String>> = ST.with(|s| {
        let s = s.borrow();
        vec![
            s.cert_file.clone(),
            s.key_file.clone(),
            s.p12_file.clone(),
            s.missing_file.clone(),
        ]
    });
    let paths: Vec<String> = paths.into_iter().flatten().collect();
    if paths.is_empty() {
        return Value::from("-----BEGIN nothing");
    }
    Value::from(paths[hash_of(&v) % paths.len()].clone())
}

/// Flags lose the STRIPPED bits (see the module documentation).
fn strip_sync(table: Option<&'static [FieldDef]>, current: i64, v: Value) -> Value {
    let n = match (&v, table) {
        (Value::Str(s), Some(t)) => parse_flags(t, s, current).ok(),
        (Value::Bytes(_), _) => None,
        _ => v.to_int().ok(),
    };
    match n {
        Some(n) if n & STRIPPED != 0 => match i32::try_from(n & !STRIPPED) {
            Ok(m) => Value::Int(m),
            Err(_) => v,
        },
        _ => v,
    }
}

fn sanitize_field(class: &MetaClass, obj: Option<ObjectId>, field: &str, v: Value) -> Value {
    if !is_netsocket(class) {
        return v;
    }
    let Some(f) = class.field_by_name(field) else {
        return v;
    };
    sanitize_named(f.name(), f.table(), obj, v)
}

fn sanitize_named(
    name: &str,
    table: Option<&'static [FieldDef]>,
    obj: Option<ObjectId>,
    v: Value,
) -> Value {
    match name {
        "Address" => safe_address(v),
        "Port" => safe_port(v),
        "Flags" => {
            let current = obj
                .and_then(|o| o.get("Flags").ok())
                .and_then(|v| v.to_int().ok())
                .unwrap_or(0);
            strip_sync(table.or(Some(NSF_TABLE)), current, v)
        }
        "SSLCertificate" | "SSLPrivateKey" | "SSLCACertificate" => safe_pem_source(v),
        _ => v,
    }
}

/// Arguments of a call on a NetSocket: `Address` and `Port` are filtered (only Connect has them).
fn sanitize_args(class: &MetaClass, args: Vec<(String, Value)>) -> Vec<(String, Value)> {
    if !is_netsocket(class) {
        return args;
    }
    args.into_iter()
        .map(|(n, v)| {
            let v = if n.eq_ignore_ascii_case("Address") {
                safe_address(v)
            } else if n.eq_ignore_ascii_case("Port") {
                safe_port(v)
            } else {
                v
            };
            (n, v)
        })
        .collect()
}

/// Before every operation: a NetSocket that is not initialised loses the STRIPPED flags, and one that
/// would listen without an address listens on 127.0.0.1 (not on every interface).
fn sanitize_pending() {
    for o in objs() {
        let Some(c) = class_of(o) else { continue };
        if !is_netsocket(&c) || o.initialised() || !o.exists() {
            continue;
        }
        let flags = o
            .get("Flags")
            .ok()
            .and_then(|v| v.to_int().ok())
            .unwrap_or(0);
        if flags & STRIPPED != 0 {
            let _ = o.set("Flags", Value::Int((flags & !STRIPPED) as i32));
        }
        if flags & SERVER != 0 {
            let addr = o.get("Address").unwrap_or_default();
            if addr.is_none() || addr.to_string().trim().is_empty() {
                let _ = o.set("Address", "127.0.0.1");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Values.

fn function(src: &mut Src) -> Function {
    match src.u8() % 8 {
        0 => Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()),
        1 => Function::new(|s: &NetSocket| -> ERR {
            let mut buf = [0u8; 4096];
            loop {
                match s.ac_read(&mut buf) {
                    Ok(0) => return ERR::Okay,
                    Ok(_) => {}
                    Err(e) => return e,
                }
            }
        }),
        2 => {
            let any = ERR(src.u32() as i32);
            let e = src.pick(&[
                ERR::Okay,
                ERR::Terminate,
                ERR::Retry,
                ERR::Failed,
                ERR::NothingDone,
                ERR::BufferOverflow,
                any,
            ]);
            Function::raw(move |_| e)
        }
        3 | 4 => {
            let script = src.bytes(40).to_vec();
            let e = src.pick(&[ERR::Okay, ERR::Terminate, ERR::Retry]);
            Function::raw(move |args| {
                for a in args {
                    remember_value(a);
                }
                run_nested(&script, args);
                e
            })
        }
        5 => {
            let which = src.u8() as usize;
            Function::raw(move |args| {
                let objs: Vec<ObjectId> = args.iter().filter_map(|a| a.to_object().ok()).collect();
                if let Some(&o) = objs.get(which % objs.len().max(1)) {
                    let _ = o.free();
                }
                ERR::Okay
            })
        }
        6 => {
            let data = src.bytes(64).to_vec();
            Function::raw(move |args| {
                let mut last = ERR::Okay;
                for a in args {
                    if let Ok(o) = a.to_object() {
                        let mut buf = [0u8; 512];
                        let _ = o.ac_read(&mut buf);
                        last = o.ac_write_counted(&data).0;
                    }
                }
                last
            })
        }
        _ => Function::default(),
    }
}

fn value(src: &mut Src) -> Value {
    match src.u8() % 14 {
        0 => Value::None,
        1 => Value::Int(src.int() as i32),
        2 => Value::Int64(src.int()),
        3 => Value::Double(src.double()),
        4 => Value::from(src.pick(STRINGS)),
        5 => Value::Str(src.string(24)),
        6 => Value::Bytes(src.bytes(64).to_vec()),
        7 => match pick_obj(src) {
            Some(o) => Value::Object(o),
            None => Value::None,
        },
        8 => Value::Function(function(src)),
        9 => Value::Struct(Rc::new(
            IPAddress::parse(src.pick(&["127.0.0.1", "::1", "0.0.0.0"])).unwrap_or_default(),
        )),
        10 => Value::Any(Rc::new(src.u8())),
        11 => {
            let n = src.int();
            Value::Str(if src.bool() {
                format!("{n}")
            } else {
                format!("0x{:x}", n)
            })
        }
        12 => {
            let n = (src.u8() as usize % 16) * 256 + 1;
            Value::Bytes(vec![src.u8(); n])
        }
        _ => Value::from(src.pick(FIELDS)),
    }
}

fn pick_name(src: &mut Src, dict: &[&str]) -> String {
    if src.u8().is_multiple_of(8) {
        src.string(16)
    } else {
        src.pick(dict).to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Operations.

/// `PARASOL_FUZZ_TRACE=1` prints every operation and its result (to read what an input does).
fn trace(what: std::fmt::Arguments) {
    thread_local! {
        static ON: bool = std::env::var_os("PARASOL_FUZZ_TRACE").is_some();
    }
    if ON.with(|on| *on) {
        let depth = DEPTH.with(|d| d.get());
        eprintln!("{}{what}", "    ".repeat(depth));
    }
}

fn budget_left() -> bool {
    ST.with(|s| {
        let mut s = s.borrow_mut();
        s.ops += 1;
        s.ops <= MAX_TOTAL_OPS
    })
}

fn run_nested(script: &[u8], args: &[Value]) {
    let depth = DEPTH.with(|d| d.get());
    if depth >= MAX_DEPTH {
        return;
    }
    DEPTH.with(|d| d.set(depth + 1));
    for a in args {
        remember_value(a);
    }
    let mut src = Src::new(script);
    while !src.is_empty() && budget_left() {
        op(&mut src);
    }
    DEPTH.with(|d| d.set(depth));
}

fn action_args<'a, 'd: 'a>(
    ac: AC,
    src: &mut Src<'d>,
    buf: &'a mut Vec<u8>,
    key: &'a str,
    val: &'a str,
) -> ActionArgs<'a> {
    if src.u8().is_multiple_of(8) {
        return ActionArgs::None; // the wrong shape for most actions
    }
    match ac {
        AC::Read => {
            buf.resize(src.below(4097), 0);
            ActionArgs::Read {
                buffer: buf.as_mut_slice(),
                result: 0,
            }
        }
        AC::Write => ActionArgs::Write {
            buffer: src.bytes(256),
            result: 0,
        },
        AC::DataFeed => ActionArgs::DataFeed {
            object: pick_obj(src),
            datatype: src.int() as i32,
            buffer: src.bytes(128),
        },
        AC::SetKey => ActionArgs::SetKey { key, value: val },
        AC::GetKey => ActionArgs::GetKey {
            key,
            value: String::new(),
        },
        _ => ActionArgs::None,
    }
}

fn call_args(src: &mut Src) -> Vec<(String, Value)> {
    let n = src.below(4);
    (0..n)
        .map(|_| {
            let name = pick_name(src, ARGS);
            let v = match name.to_ascii_lowercase().as_str() {
                "length" if src.bool() => Value::Int(src.below(2048) as i32),
                _ => value(src),
            };
            let v = clamp_length(&name, v);
            (name, v)
        })
        .collect()
}

/// Read lengths between 1 MiB and the runtime's 64 MiB limit are legal but only slow the
/// fuzzer down (a zeroed buffer per call): they are cut to 1 MiB.
fn clamp_length(name: &str, v: Value) -> Value {
    if name.eq_ignore_ascii_case("Length") {
        if let Ok(n) = v.to_int() {
            if n > 1 << 20 && n <= 64 << 20 {
                return Value::Int(1 << 20);
            }
        }
    }
    v
}

fn op(src: &mut Src) {
    sanitize_pending();
    match src.u8() % 16 {
        0 => {
            let class = pick_name(src, CLASSES);
            let r = new_object(&class);
            trace(format_args!("new_object({class:?}) = {r:?}"));
            if let Ok(o) = r {
                remember(o);
            }
        }
        1 => {
            let class = pick_name(src, CLASSES);
            let n = src.below(5);
            let mut fields: Vec<(String, Value)> = (0..n)
                .map(|_| (pick_name(src, FIELDS), value(src)))
                .collect();
            if let Some(c) = parasol::find_class(&class) {
                fields = fields
                    .into_iter()
                    .map(|(f, v)| {
                        let v = sanitize_field(&c, None, &f, v);
                        (f, v)
                    })
                    .collect();
                if is_netsocket(&c) {
                    // A server created in one go must not listen on every interface: an
                    // address that is missing, empty or None becomes 127.0.0.1.
                    let is_address =
                        |f: &str| c.field_by_name(f).is_some_and(|f| f.name() == "Address");
                    for (f, v) in fields.iter_mut() {
                        if is_address(f) && v.to_string().trim().is_empty() {
                            *v = Value::from("127.0.0.1");
                        }
                    }
                    if !fields.iter().any(|(f, _)| is_address(f)) {
                        fields.push(("Address".to_string(), Value::from("127.0.0.1")));
                    }
                }
            }
            let r = create(&class, fields.iter().map(|(f, v)| (f.as_str(), v.clone())));
            trace(format_args!("create({class:?}, {fields:?}) = {r:?}"));
            if let Ok(o) = r {
                remember(o);
            }
        }
        2 => {
            let Some(o) = pick_obj(src) else { return };
            let field = pick_name(src, FIELDS);
            let mut v = value(src);
            if let Some(c) = class_of(o) {
                v = sanitize_field(&c, Some(o), &field, v);
            }
            let shown = format!("{v:?}");
            let r = o.set(&field, v);
            trace(format_args!("{o}.set({field:?}, {shown}) = {r:?}"));
        }
        3 => {
            let Some(o) = pick_obj(src) else { return };
            let field = pick_name(src, FIELDS);
            if src.bool() {
                let r = o.get(&field);
                trace(format_args!("{o}.get({field:?}) = {r:?}"));
                if let Ok(v) = r {
                    remember_value(&v);
                    let _ = v.to_string();
                }
            } else {
                let r = o.get_str(&field);
                trace(format_args!("{o}.get_str({field:?}) = {r:?}"));
            }
        }
        4 => {
            let Some(o) = pick_obj(src) else { return };
            let r = o.init();
            trace(format_args!("{o}.init() = {r:?}"));
        }
        5 => {
            let Some(o) = pick_obj(src) else { return };
            let ac = AC(src.u8() as i32 % 52 - 1);
            let mut buf = Vec::new();
            let key = src.string(8);
            let val = src.string(8);
            let mut args = action_args(ac, src, &mut buf, &key, &val);
            let r = o.action(ac, &mut args);
            trace(format_args!("{o}.action({ac:?}, {args:?}) = {r:?}"));
        }
        6 => {
            let Some(o) = pick_obj(src) else { return };
            let call = pick_name(src, CALLS);
            let mut args = call_args(src);
            if let Some(c) = class_of(o) {
                args = sanitize_args(&c, args);
            }
            let named: Vec<(&str, Value)> =
                args.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
            let (r, results) = o.call_raw(&call, &named);
            trace(format_args!(
                "{o}.call({call:?}, {named:?}) = {r:?} {results:?}"
            ));
            for (_, v) in &results.0 {
                remember_value(v);
                let _ = v.to_string();
            }
        }
        7 => {
            let Some(o) = pick_obj(src) else { return };
            let id = AC(-(src.u8() as i32 % 12));
            let n = src.below(5);
            let mut vals: Vec<Value> = (0..n).map(|_| value(src)).collect();
            if let Some(c) = class_of(o) {
                if is_netsocket(&c) {
                    if let Some(m) = c.method_by_id(id) {
                        for (spec, v) in m.args().iter().zip(vals.iter_mut()) {
                            *v = sanitize_named(spec.name, None, None, std::mem::take(v));
                        }
                    }
                }
            }
            let r = o.method(id, &mut vals);
            trace(format_args!("{o}.method({id:?}) = {r:?} {vals:?}"));
            for v in &vals {
                remember_value(v);
            }
        }
        8 => {
            let Some(o) = pick_obj(src) else { return };
            let r = o.free();
            trace(format_args!("{o}.free() = {r:?}"));
        }
        9 => {
            if src.bool() {
                pump(1 + src.below(3));
            } else {
                let ms = src.below(4) as u64;
                let _ = wait_until(Duration::from_millis(ms), || false);
            }
        }
        10 => {
            let Some(o) = pick_obj(src) else { return };
            let ac = AC(src.u8() as i32 % 52 - 1);
            let f = function(src);
            let r = o.subscribe(ac, f);
            trace(format_args!("{o}.subscribe({ac:?}) = {r:?}"));
        }
        11 => {
            let Some(o) = pick_obj(src) else { return };
            let field = pick_name(src, FIELDS);
            let fid = fieldhash(&field);
            let mut v = value(src);
            if let Some(c) = class_of(o) {
                if is_netsocket(&c) {
                    if let Some(f) = c.field_by_id(fid) {
                        v = sanitize_named(f.name(), f.table(), Some(o), v);
                    }
                }
            }
            let shown = format!("{v:?}");
            let r = o.set_id(fid, v);
            trace(format_args!("{o}.set_id({field:?}, {shown}) = {r:?}"));
        }
        12 => {
            let Some(o) = pick_obj(src) else { return };
            if src.bool() {
                let data = src.bytes(512);
                let r = o.ac_write_counted(data);
                trace(format_args!("{o}.ac_write({} bytes) = {r:?}", data.len()));
            } else {
                let mut buf = vec![0u8; src.below(4097)];
                let r = o.ac_read(&mut buf);
                trace(format_args!("{o}.ac_read({}) = {r:?}", buf.len()));
            }
        }
        13 => {
            let Some(o) = pick_obj(src) else { return };
            let owner = if src.bool() { pick_obj(src) } else { None };
            let r = parasol::set_owner(o, owner);
            trace(format_args!("set_owner({o}, {owner:?}) = {r:?}"));
        }
        14 => {
            let Some(o) = pick_obj(src) else { return };
            let ac = src.pick(&[
                AC::Disable,
                AC::Activate,
                AC::Enable,
                AC::Init,
                AC::Free,
                AC::Clear,
                AC::Flush,
                AC::Reset,
            ]);
            let r = o.act(ac);
            trace(format_args!("{o}.act({ac:?}) = {r:?}"));
        }
        _ => {
            // A well-formed call of one of the network methods (deeper than random arguments).
            let Some(o) = pick_obj(src) else { return };
            let target = pick_obj(src);
            let ports = ST.with(|s| s.borrow().ports.clone());
            let port = ports
                .get(src.below(ports.len().max(1)))
                .copied()
                .unwrap_or(0);
            let (call, args): (&str, Vec<(&str, Value)>) = match src.u8() % 9 {
                0 => (
                    "Connect",
                    vec![
                        ("Address", Value::from(src.pick(&["127.0.0.1", "::1"]))),
                        ("Port", Value::Int(port)),
                        ("Timeout", Value::Double(src.double())),
                    ],
                ),
                1 => (
                    "Write",
                    vec![("Buffer", Value::Bytes(src.bytes(200).to_vec()))],
                ),
                2 => ("Read", vec![("Length", Value::Int(src.below(4097) as i32))]),
                3 => ("DisconnectClient", vec![("Client", target.into())]),
                4 => ("DisconnectSocket", vec![("Socket", target.into())]),
                5 => ("SetSSL", vec![]),
                6 => ("ShutdownWrite", vec![]),
                7 => ("GetLocalIPAddress", vec![]),
                _ => ("Disable", vec![]),
            };
            let (r, results) = o.call_raw(call, &args);
            trace(format_args!(
                "{o}.call({call:?}, {args:?}) = {r:?} {results:?}"
            ));
            for (_, v) in &results.0 {
                remember_value(v);
                let _ = v.to_string();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture and invariants.

fn servers() -> Vec<ObjectId> {
    objs()
        .into_iter()
        .filter(|&o| {
            o.exists()
                && o.initialised()
                && class_of(o).is_some_and(|c| is_netsocket(&c))
                && o.get("Flags")
                    .ok()
                    .and_then(|v| v.to_int().ok())
                    .is_some_and(|f| f & SERVER != 0)
        })
        .collect()
}

fn check_lists(when: &str) {
    for s in servers() {
        if let Err(e) = check_server_lists(s) {
            panic!("server {s} {when}: {e}");
        }
    }
}

fn write_files(dir: &std::path::Path) {
    let id = identity();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let p12 = dir.join("id.p12");
    let _ = std::fs::write(&cert, &id.cert_pem);
    let _ = std::fs::write(&key, &id.key_pem);
    let _ = std::fs::write(&p12, b"\x30\x03\x02\x01\x03");
    ST.with(|s| {
        let mut s = s.borrow_mut();
        s.cert_file = Some(cert.to_string_lossy().into_owned());
        s.key_file = Some(key.to_string_lossy().into_owned());
        s.p12_file = Some(p12.to_string_lossy().into_owned());
        s.missing_file = Some(dir.join("missing.pem").to_string_lossy().into_owned());
    });
}

/// Runs one input.
pub fn run(data: &[u8]) {
    setup();
    register_probe();
    // No name ever reaches the system's resolver (a fuzzed class name can create a NetLookup,
    // and a fuzzed Connect could pass a name): an empty map answers HostNotFound to all.
    thread_local! {
        static NO_DNS: Cell<bool> = const { Cell::new(false) };
    }
    if !NO_DNS.with(|n| n.replace(true)) {
        parasol::net::resolve::set_thread_resolver(Some(std::sync::Arc::new(
            parasol::net::resolve::StaticResolver::new(),
        )));
    }
    let panics_before = panics();
    static FD_BASE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let fds_before = *FD_BASE.get_or_init(open_fds);
    let start_count = object_count();
    let first_uid = new_object("FuzzProbe").expect("probe");
    first_uid.free().expect("free probe");
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path());

    let mut src = Src::new(data);
    let tls = src.u8() & 3 == 3;
    let id = identity();
    let echo = Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo());
    let server = create(
        "NetSocket",
        fields! {
            "Address" => "127.0.0.1", "Port" => 0,
            "Flags" => if tls { "SERVER|MULTI_CONNECT|SSL" } else { "SERVER|MULTI_CONNECT" },
            "SSLCertificate" => id.cert_pem.as_str(), "SSLPrivateKey" => id.key_pem.as_str(),
            "Incoming" => echo,
        },
    )
    .expect("fixture server");
    let port = server
        .get("Port")
        .and_then(|v| v.to_i32())
        .expect("server port");
    let client = create(
        "NetSocket",
        fields! {
            "Address" => "127.0.0.1", "Port" => port,
            "Flags" => if tls { "SSL|SSL_NO_VERIFY" } else { "" },
            "Incoming" => function(&mut Src::new(&[1])),
        },
    )
    .expect("fixture client");
    ST.with(|s| {
        let mut s = s.borrow_mut();
        s.objs = vec![server, client];
        s.seen = vec![server, client];
        s.ports = vec![port];
        s.ops = 0;
    });
    let connected = pump_until(Duration::from_secs(5), || {
        client.get("State").ok() == Some(Value::Int(3))
            && server
                .get("Clients")
                .ok()
                .and_then(|nc| nc.to_object().ok())
                .and_then(|nc| nc.get("Connections").ok())
                .and_then(|cs| cs.to_object().ok())
                .is_some_and(|cs| cs.get("State").ok() == Some(Value::Int(3)))
    });
    assert!(connected, "the fixture client did not connect (tls {tls})");
    let nc = server.get("Clients").unwrap().to_object().unwrap();
    let cs = nc.get("Connections").unwrap().to_object().unwrap();
    remember(cs);
    remember(nc);
    let _ = client.ac_write(b"hello");

    let mut n = 0;
    while !src.is_empty() && n < MAX_OPS && budget_left() {
        op(&mut src);
        let _ = process_messages(Some(Duration::ZERO));
        check_lists("after an operation");
        n += 1;
    }
    pump(2);
    check_lists("at the end");

    // Free everything, newest first, then let deferred frees and closes run. Callbacks that run
    // meanwhile (Free subscribers, Feedback) may create objects: repeat until none is left.
    for _ in 0..16 {
        let live: Vec<ObjectId> = ST
            .with(|s| s.borrow().seen.clone())
            .into_iter()
            .filter(|o| o.exists())
            .collect();
        if live.is_empty() {
            break;
        }
        for &o in live.iter().rev() {
            let _ = o.free();
        }
        pump(1);
    }
    let back = pump_until(Duration::from_secs(5), || {
        for o in ST.with(|s| s.borrow().seen.clone()) {
            if o.exists() {
                let _ = o.free();
            }
        }
        object_count() == start_count
    });
    ST.with(|s| *s.borrow_mut() = State::default());
    if !back {
        let last = new_object("FuzzProbe").expect("probe");
        let _ = last.free();
        let live: Vec<String> = (first_uid.uid()..last.uid())
            .filter_map(ObjectId::from_uid)
            .map(|o| {
                format!(
                    "{o} {} owner {:?}",
                    o.class().map(|c| c.name().to_string()).unwrap_or_default(),
                    o.owner()
                )
            })
            .collect();
        panic!(
            "object_count() is {} after freeing everything, was {start_count}; live: {live:?}",
            object_count()
        );
    }
    drop(dir);
    assert_eq!(
        panics(),
        panics_before,
        "a panic was caught inside the runtime"
    );
    // Descriptors, against the first input's count: a leak per input shows up as steady growth
    // (lingering closes may keep some for a few seconds, so only gross growth is reported).
    let fds = open_fds();
    assert!(
        fds <= fds_before + 1024,
        "open descriptors grew from {fds_before} to {fds}"
    );
}
