//! Name resolution with NetLookup, ported from Parasol: forward and reverse lookups on both
//! doors. The generic door is Parasol's shape (create by name, a Callback, methods by name);
//! the typed door is the same object with typed arguments and answers.
//!
//! Run: `cargo run --example lookup -- [NAME|ADDRESS …]` (default: `localhost 127.0.0.1`,
//! which are answered without asking the system's resolver). `tests/examples.rs` runs it with
//! a resolver map.

use parasol::prelude::*;
use parasol::{call_by_name, NetLookup};
use std::cell::{Cell, RefCell};
use std::net::IpAddr;
use std::rc::Rc;
use std::time::Duration;

/// Looks every query up on both doors; returns the lines to print.
pub fn run(queries: &[String]) -> Result<Vec<String>, ERR> {
    parasol::init()?;
    let lines = Rc::new(RefCell::new(Vec::new()));

    // The generic door, as a Parasol program writes it: the callback gets (NetLookup, ERR,
    // HostName, Addresses) on the loop once a resolver worker has the answer.
    let pending = Rc::new(Cell::new(0usize));
    let (p, out) = (pending.clone(), lines.clone());
    let lookup = create(
        "NetLookup",
        fields! {
            "Timeout" => 10.0,
            "Callback" => Function::new(move |_l: ObjectId, e: ERR, name: &Value, addresses: &[Value]| {
                p.set(p.get() - 1);
                let mut out = out.borrow_mut();
                if e != ERR::Okay {
                    out.push(format!("generic: {e:?} ({e})"));
                }
                for a in addresses {
                    out.push(format!("generic: {name} has address {a}"));
                }
            }),
        },
    )?;
    for q in queries {
        let (method, arg) = if q.parse::<IpAddr>().is_ok() {
            ("ResolveAddress", "Address")
        } else {
            ("ResolveName", "HostName")
        };
        call_by_name(lookup, method, &[(arg, q.as_str().into())])
            .0
            .to_result()?;
        pending.set(pending.get() + 1);
    }
    wait_until(Duration::from_secs(15), || pending.get() == 0).to_result()?;
    lookup.free()?;

    // The typed door: the blocking forms answer on this thread.
    let typed = NetLookup::new()?;
    for q in queries {
        let line = match q.parse::<IpAddr>() {
            Ok(ip) => match typed.blocking_resolve_address(ip) {
                Ok(name) => format!("typed: {ip} is {name}"),
                Err(e) => format!("typed: {ip}: {e:?} ({e})"),
            },
            Err(_) => match typed.blocking_resolve_name(q) {
                Ok(r) => format!("typed: {} has addresses {:?}", r.name, r.addresses),
                Err(e) => format!("typed: {q}: {e:?} ({e})"),
            },
        };
        lines.borrow_mut().push(line);
    }
    typed.free()?;
    let lines = lines.borrow().clone();
    Ok(lines)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for `run`
fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let mut queries: Vec<String> = std::env::args().skip(1).collect();
    if queries.is_empty() {
        queries = vec!["localhost".into(), "127.0.0.1".into()];
    }
    for line in run(&queries)? {
        println!("{line}");
    }
    Ok(())
}
