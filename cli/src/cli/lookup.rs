//! `parasol lookup NAME|ADDRESS`: what NetLookup returns, one `ADDRESS  NAME` line per address,
//! like `getent hosts`. A name is resolved forward, an IP address in reverse; `--hosts FILE`
//! answers from a hosts-format file instead of the system's resolver.

use super::out::outln;
use super::{fail, LookupArgs};
use parasol::net::resolve::{self, StaticResolver};
use parasol::prelude::*;
use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Exit status when the name or address is not found (as getent's "key not found").
const NOT_FOUND: i32 = 2;

pub(crate) fn run(args: &LookupArgs) -> i32 {
    if let Some(path) = &args.hosts {
        match hosts_file(path) {
            Ok(r) => resolve::set_process_resolver(Some(Arc::new(r))),
            Err(e) => {
                eprintln!("parasol: {path}: {e}");
                return 1;
            }
        }
    }
    let lookup = match NetLookup::new() {
        Ok(l) => l,
        Err(e) => return fail("creating a NetLookup", e),
    };
    let answer: Rc<RefCell<Option<Result<resolve::Resolved, ERR>>>> = Rc::default();
    let a = answer.clone();
    let started = lookup
        .on_resolved(move |_l, r| *a.borrow_mut() = Some(r))
        .and_then(|_| match Duration::try_from_secs_f64(args.timeout) {
            Ok(t) => lookup.set_timeout(t),
            Err(_) => Err(ERR::OutOfRange),
        })
        .and_then(|_| {
            let query = args.query.trim();
            match query
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
            {
                Ok(ip) => lookup.resolve_address(ip),
                Err(_) => lookup.resolve_name(query),
            }
        });
    if let Err(e) = started {
        return fail(&format!("lookup {}", args.query), e);
    }
    // The NetLookup's Timeout bounds the wait; this bound only guards against a loop failure.
    let _ = wait_until(Duration::from_secs_f64(args.timeout + 5.0), || {
        answer.borrow().is_some()
    });
    let result = answer.borrow_mut().take();
    match result {
        Some(Ok(r)) => {
            for ip in &r.addresses {
                outln!("{:<15} {}", ip.to_string(), r.name);
            }
            0
        }
        Some(Err(e)) => {
            let detail = lookup.error_detail().ok().flatten();
            super::fail_with_detail(&format!("lookup {}", args.query), e, detail);
            if matches!(e, ERR::HostNotFound) {
                NOT_FOUND
            } else {
                1
            }
        }
        None => fail(&format!("lookup {}", args.query), ERR::TimeOut),
    }
}

/// A hosts-format file as a resolver: `ADDRESS NAME [ALIAS …]` per line, `#` comments.
fn hosts_file(path: &str) -> Result<StaticResolver, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut names: Vec<(String, Vec<IpAddr>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        let ip: IpAddr = first
            .parse()
            .map_err(|_| format!("line {}: \"{first}\" is not an IP address", n + 1))?;
        for name in words {
            match names.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                Some((_, ips)) => ips.push(ip),
                None => names.push((name.to_owned(), vec![ip])),
            }
        }
    }
    Ok(names
        .into_iter()
        .fold(StaticResolver::new(), |r, (name, ips)| r.host(&name, ips)))
}
