//! The NetLookup class: forward and reverse name resolution through the replaceable resolver of
//! `parasol_net::resolve`, off the loop, with the answer delivered on the loop to Callback.
//!
//! Parasol's defects are not reproduced: AAAA answers are real addresses, an IPv4 reverse
//! lookup asks about the address given (not its byte-reversed twin), a reverse answer carries
//! the address, failures say what happened (HostNotFound, Retry, TimeOut …), the cache is
//! bounded and expires, and Free never waits for a lookup in flight.

use crate::callback_check;
use crate::constants::{NLF, NLF_TABLE};
use parasol_core::err::fail_with;
use parasol_core::field::fd::*;
use parasol_core::msgloop::{cancel_timer, set_timeout, LoopHandle, TimerId};
use parasol_core::{
    ArgSpec, ClassBuilder, FieldKind, Function, MetaClass, ObjectId, ObjectPtr, Res, Value, AC,
    CCF, ERR,
};
use parasol_net::resolve::{self, Caching, LookupFailure};
use parasol_net::IPAddress;
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The object data of a NetLookup.
#[derive(Default)]
pub(crate) struct NetLookupData {
    pub(crate) client_data: Value,
    pub(crate) flags: NLF,
    pub(crate) callback: Function,
    /// The name of the last answer (forward: the canonical name; reverse: the name found).
    pub(crate) host_name: Option<String>,
    /// The addresses of the last answer (reverse: the address asked about).
    pub(crate) addresses: Vec<IpAddr>,
    pub(crate) error_detail: Option<String>,
    /// Seconds a lookup may take before it is answered with TimeOut; 0 = no bound.
    pub(crate) timeout: f64,
    /// Lookups in flight, with their TimeOut timer.
    pending: HashMap<u64, Option<TimerId>>,
}

/// What a lookup delivers to the loop.
pub(crate) type Answer = Result<(String, Vec<IpAddr>), LookupFailure>;

/// Lookup numbers, unique in the process, so an answer can never reach the wrong lookup.
static NEXT_LOOKUP: AtomicU64 = AtomicU64::new(1);

/// The callback's arguments: `(NetLookup, ERR, HostName, Addresses)`; Parasol's script form
/// `(NetLookup, Error)` takes the first two.
pub(crate) const CALLBACK_FORM: &[parasol_core::function::ArgKind] = &[
    parasol_core::function::ArgKind::Object(Some("NetLookup")),
    parasol_core::function::ArgKind::Int,
    parasol_core::function::ArgKind::Str,
    parasol_core::function::ArgKind::Array,
];

/// Registers NetLookup. Called once by [`crate::register_classes`].
pub(crate) fn register() -> Res<Arc<MetaClass>> {
    ClassBuilder::<NetLookupData>::new("NetLookup")
        .version(1.0)
        .category(CCF::NETWORK)
        .doc("Resolves host names to addresses and addresses to names, off the loop.")
        .field("ClientData", FieldKind::Any, FD_RW, crate::client_data::field)
        .field("Flags", FieldKind::Int, FD_RW, |f| {
            f.get(|d| Value::Int(d.flags.0))
                .set(|d, v| {
                    d.flags = NLF(v.to_i32()?);
                    Ok(())
                })
                .flags(NLF_TABLE)
                .doc("NLF flags: NO_CACHE (always ask the resolver).")
        })
        .field("Callback", FieldKind::Function, FD_RW, |f| {
            f.get_obj(|o| {
                let d = o.try_data::<NetLookupData>()?;
                if d.callback.defined() {
                    Ok(d.callback.clone().into())
                } else {
                    Err(ERR::FieldNotSet)
                }
            })
            .set_obj(|o, v| {
                let func = v.to_function()?;
                callback_check::check_form("Callback", &func, CALLBACK_FORM)?;
                o.try_data_mut::<NetLookupData>()?.callback = func;
                Ok(())
            })
            .doc("Called on the loop with each answer: (NetLookup, ERR, HostName, Addresses); (NetLookup, Error) also fits.")
        })
        .field("HostName", FieldKind::Str, FD_READ, |f| {
            f.get_obj(|o| {
                let d = o.try_data::<NetLookupData>()?;
                d.host_name.as_deref().map(Value::from).ok_or(ERR::FieldNotSet)
            })
            .doc("The name of the last answer: the canonical name of a forward lookup, the name found by a reverse one.")
        })
        .field("Addresses", FieldKind::StructArray("IPAddress"), FD_READ, |f| {
            f.get_obj(|o| {
                let d = o.try_data::<NetLookupData>()?;
                if d.addresses.is_empty() {
                    Err(ERR::FieldNotSet)
                } else {
                    Ok(addresses_value(&d.addresses))
                }
            })
            .doc("The addresses of the last answer (IPv4 and IPv6); a reverse lookup's is the address asked about.")
        })
        .field("Timeout", FieldKind::Double, FD_RW, |f| {
            f.get(|d| Value::Double(d.timeout))
                .set(|d, v| {
                    d.timeout = crate::timeouts::timeout_field(v.to_double()?)?;
                    Ok(())
                })
                .doc("Extension: seconds an asynchronous lookup may take before it is answered with TimeOut; 0 = no bound (default).")
        })
        .field("ErrorDetail", FieldKind::Str, FD_READ, |f| {
            f.get(|d| d.error_detail.as_deref().map_or(Value::None, Value::from))
                .doc("Extension: what the resolver said about the last failure.")
        })
        .action(AC::Free, |o, _| {
            // Lookups in flight finish on their worker; their answers find no object and are
            // dropped. Nothing here waits for them.
            if let Ok(mut d) = o.try_data_mut::<NetLookupData>() {
                for timer in d.pending.drain().filter_map(|(_, t)| t) {
                    cancel_timer(timer);
                }
            }
            ERR::Okay
        })
        .method("ResolveName", vec![ArgSpec::input("HostName", FieldKind::Str)], |o, args| {
            let Ok(host) = host_arg(&args[0]) else { return ERR::NullArgs };
            start(o, Query::Name(host))
        })
        .method_doc("Resolves HostName off the loop; the answer arrives through Callback on the loop.")
        .method("ResolveAddress", vec![ArgSpec::input("Address", FieldKind::Str)], |o, args| {
            match address_arg(o, &args[0]) {
                Ok(ip) => start(o, Query::Address(ip)),
                Err(e) => e,
            }
        })
        .method_doc("Finds the name of Address (an IP literal) off the loop; the answer arrives through Callback.")
        .method("BlockingResolveName", vec![ArgSpec::input("HostName", FieldKind::Str)], |o, args| {
            let Ok(host) = host_arg(&args[0]) else { return ERR::NullArgs };
            let answer = blocking_name(o, &host);
            finish_blocking(o, answer)
        })
        .method_doc("Resolves HostName on the calling thread; Callback is called before it returns.")
        .method("BlockingResolveAddress", vec![ArgSpec::input("Address", FieldKind::Str)], |o, args| {
            match address_arg(o, &args[0]) {
                Ok(ip) => {
                    let answer = blocking_address(o, ip);
                    finish_blocking(o, answer)
                }
                Err(e) => e,
            }
        })
        .method_doc("Finds the name of Address on the calling thread; Callback is called before it returns.")
        .register()
}

/// The addresses as the generic door gives them: an array of IPAddress structures.
pub(crate) fn addresses_value(ips: &[IpAddr]) -> Value {
    let items: Vec<Value> = ips
        .iter()
        .map(|ip| Value::Struct(Rc::new(IPAddress::from(*ip))))
        .collect();
    Value::Array(items.into())
}

fn host_arg(v: &Value) -> Result<String, ERR> {
    match v.as_str() {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        _ => Err(ERR::NullArgs),
    }
}

fn address_arg(o: &ObjectPtr, v: &Value) -> Res<IpAddr> {
    let text = host_arg(v)?;
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().map_err(|_| {
        fail_with(
            ERR::Args,
            format!(
                "{} \"{text}\" is not an IP address (ResolveAddress takes a literal)",
                parasol_core::log::ctx(o)
            ),
        )
    })
}

fn caching(o: &ObjectPtr) -> Caching {
    let no_cache = o
        .try_data::<NetLookupData>()
        .is_ok_and(|d| d.flags.contains(NLF::NO_CACHE));
    if no_cache {
        Caching::Bypass
    } else {
        Caching::Use
    }
}

pub(crate) enum Query {
    Name(String),
    Address(IpAddr),
}

/// Starts an asynchronous lookup: a worker asks the resolver, the answer is posted to this loop.
fn start(o: &ObjectPtr, query: Query) -> ERR {
    let handle = match LoopHandle::current() {
        Ok(h) => h,
        Err(e) => return e,
    };
    let lookup = NEXT_LOOKUP.fetch_add(1, Ordering::Relaxed);
    let uid = o.id().uid();
    let post = move |answer: Answer| {
        let _ = handle.post(move || {
            if let Some(id) = ObjectId::from_uid(uid) {
                deliver(id, lookup, answer);
            }
        });
    };
    let caching = caching(o);
    let started = match query {
        Query::Name(host) => resolve::resolve_name_async(host, caching, move |r| {
            post(r.map(|r| (r.name, r.addresses)))
        }),
        Query::Address(ip) => resolve::resolve_address_async(ip, caching, move |r| {
            post(r.map(|name| (name, vec![ip])))
        }),
    };
    if let Err(e) = started {
        return e;
    }
    let timeout = o
        .try_data::<NetLookupData>()
        .map(|d| d.timeout)
        .unwrap_or(0.0);
    let timer = bound(o.id(), lookup, timeout);
    if let Ok(mut d) = o.try_data_mut::<NetLookupData>() {
        d.pending.insert(lookup, timer);
    }
    ERR::Okay
}

/// The TimeOut timer of one lookup (none when Timeout is 0).
fn bound(id: ObjectId, lookup: u64, timeout: f64) -> Option<TimerId> {
    if timeout <= 0.0 {
        return None;
    }
    let delay = parasol_core::msgloop::seconds_to_delay(timeout).ok()?;
    set_timeout(
        delay,
        Rc::new(move || {
            let late = LookupFailure::new(
                ERR::TimeOut,
                format!("no answer from the resolver within {timeout} s"),
            );
            deliver(id, lookup, Err(late));
        }),
    )
    .ok()
}

/// Records an answer and calls Callback, once per lookup: whichever of the answer and its
/// TimeOut comes second is dropped.
fn deliver(id: ObjectId, lookup: u64, answer: Answer) {
    let Ok(ptr) = id.ptr() else { return };
    let callback = {
        let Ok(mut d) = ptr.try_data_mut::<NetLookupData>() else {
            return;
        };
        let Some(timer) = d.pending.remove(&lookup) else {
            return;
        };
        if let Some(t) = timer {
            cancel_timer(t);
        }
        d.callback.clone()
    };
    let (err, name, addresses) = record(&ptr, answer);
    call_back(&callback, id, err, name, &addresses);
}

/// Calls Callback (when set) with `(NetLookup, ERR, HostName, Addresses)`; its return value
/// means nothing (Parasol's prototype returns void).
fn call_back(f: &Function, id: ObjectId, err: ERR, name: Option<String>, addresses: &[IpAddr]) {
    if f.defined() {
        let args = [
            Value::Object(id),
            Value::Int(err.0),
            name.map_or(Value::None, Value::Str),
            addresses_value(addresses),
        ];
        let _ = f.call(&args);
    }
}

/// Stores an answer in the fields (a failure clears them: no stale answer outlives it);
/// returns what the callback is given.
fn record(ptr: &ObjectPtr, answer: Answer) -> (ERR, Option<String>, Vec<IpAddr>) {
    let Ok(mut d) = ptr.try_data_mut::<NetLookupData>() else {
        return (ERR::NoMatchingObject, None, Vec::new());
    };
    match answer {
        Ok((name, addresses)) => {
            d.host_name = Some(name.clone());
            d.addresses = addresses.clone();
            d.error_detail = None;
            (ERR::Okay, Some(name), addresses)
        }
        Err(f) => {
            log::debug!("{} {}", parasol_core::log::ctx(ptr), f.detail);
            d.error_detail = Some(f.detail);
            d.host_name = None;
            d.addresses.clear();
            (f.error, None, Vec::new())
        }
    }
}

fn blocking_name(o: &ObjectPtr, host: &str) -> Answer {
    resolve::current()
        .resolve_name(host, caching(o))
        .map(|r| (r.name, r.addresses))
}

fn blocking_address(o: &ObjectPtr, ip: IpAddr) -> Answer {
    resolve::current()
        .resolve_address(ip, caching(o))
        .map(|name| (name, vec![ip]))
}

/// A blocking lookup's end: fields set, Callback called, the code returned (its reason kept
/// for `take_failure_detail`).
fn finish_blocking(o: &ObjectPtr, answer: Answer) -> ERR {
    let detail = answer.as_ref().err().map(|f| f.detail.clone());
    let callback = o
        .try_data::<NetLookupData>()
        .map(|d| d.callback.clone())
        .unwrap_or_default();
    let (err, name, addresses) = record(o, answer);
    call_back(&callback, o.id(), err, name, &addresses);
    match detail {
        Some(d) => fail_with(err, d),
        None => err,
    }
}
