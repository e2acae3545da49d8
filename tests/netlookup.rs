//! NetLookup: forward and reverse lookups on both doors, the errors that say what happened, the
//! cache, TimeOut, Free while a lookup is in flight, and Connect resolving through the same
//! replaceable resolver. Every test installs its own resolver on its thread: nothing here asks
//! the system's DNS.

mod common;

use common::*;
use parasol::call_by_name;
use parasol::net::resolve::{self, FnResolver, Resolved, StaticResolver};
use parasol::prelude::*;
use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const V4: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));
const V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42));

fn with_map() {
    resolve::set_thread_resolver(Some(Arc::new(
        StaticResolver::new()
            .host("dual.test", [V4, V6])
            .host("svc.test", [IpAddr::V4(Ipv4Addr::LOCALHOST)]),
    )));
}

type Answers = Rc<RefCell<Vec<(ERR, Option<String>, Vec<IPAddress>)>>>;

/// A NetLookup created by name whose Callback, in Parasol's C form, records each answer.
fn generic_lookup(extra: Vec<(&str, Value)>) -> (ObjectId, Answers) {
    let answers: Answers = Rc::default();
    let a = answers.clone();
    let mut f = fields! {
        "Callback" => Function::new(move |_l: &NetLookup, e: ERR, name: &Value, addrs: &[Value]| {
            let ips = addrs.iter().filter_map(|v| v.downcast_ref::<IPAddress>().copied()).collect();
            let name = (!name.is_none()).then(|| name.to_string());
            a.borrow_mut().push((e, name, ips));
        }),
    };
    f.extend(extra);
    (create("NetLookup", f).unwrap(), answers)
}

#[test]
fn forward_lookup_on_the_generic_door_gives_real_ipv4_and_ipv6_addresses() {
    setup();
    with_map();
    let (l, answers) = generic_lookup(fields! {});
    assert_eq!(l.get("HostName"), Err(ERR::FieldNotSet), "before an answer");
    assert_eq!(l.get("Addresses"), Err(ERR::FieldNotSet));
    assert_eq!(
        call_by_name(l, "ResolveName", &fields! { "HostName" => "dual.test" }).0,
        ERR::Okay
    );
    wait("the answer", || !answers.borrow().is_empty());
    let (e, name, ips) = answers.borrow()[0].clone();
    assert_eq!(e, ERR::Okay);
    assert_eq!(name.as_deref(), Some("dual.test"));
    assert_eq!(
        ips,
        vec![IPAddress::from(V4), IPAddress::from(V6)],
        "the AAAA answer is the address itself (Parasol's was built from the sockaddr)"
    );
    assert_eq!(l.get("HostName").unwrap().to_string(), "dual.test");
    assert_eq!(
        l.get("Addresses").unwrap().to_string(),
        "127.0.0.9,2001:db8::42"
    );
    l.free().unwrap();
}

#[test]
fn reverse_lookup_asks_about_the_address_given_and_carries_it() {
    setup();
    // 127.0.0.9 byte-reversed is 9.0.0.127: a resolver that knows only the right one.
    with_map();
    let (l, answers) = generic_lookup(fields! {});
    assert_eq!(
        call_by_name(l, "ResolveAddress", &fields! { "Address" => "127.0.0.9" }).0,
        ERR::Okay
    );
    wait("the answer", || !answers.borrow().is_empty());
    assert_eq!(
        answers.borrow()[0],
        (
            ERR::Okay,
            Some("dual.test".into()),
            vec![IPAddress::from(V4)]
        )
    );
    assert_eq!(l.get("Addresses").unwrap().to_string(), "127.0.0.9");
    assert_eq!(
        call_by_name(l, "ResolveAddress", &fields! { "Address" => "dual.test" }).0,
        ERR::Args,
        "ResolveAddress takes an IP literal"
    );
    assert_eq!(
        call_by_name(l, "ResolveName", &fields! { "HostName" => "" }).0,
        ERR::NullArgs
    );
    l.free().unwrap();
}

#[test]
fn script_form_callback_fits_and_a_wrong_one_is_refused_when_set() {
    setup();
    with_map();
    let errors = Rc::new(RefCell::new(Vec::new()));
    let e2 = errors.clone();
    let l = create(
        "NetLookup",
        fields! { "Callback" => Function::new(move |_l: ObjectId, e: ERR| e2.borrow_mut().push(e)) },
    )
    .unwrap();
    assert_eq!(
        call_by_name(l, "ResolveName", &fields! { "HostName" => "nosuch.test" }).0,
        ERR::Okay
    );
    wait("the failure", || !errors.borrow().is_empty());
    assert_eq!(errors.borrow()[0], ERR::HostNotFound);
    assert!(l
        .get("ErrorDetail")
        .unwrap()
        .to_string()
        .contains("nosuch.test"));
    assert_eq!(
        l.get("HostName"),
        Err(ERR::FieldNotSet),
        "a failure leaves no stale answer"
    );
    assert_eq!(
        l.set("Callback", Function::new(|_l: &NetLookup, _s: &str| ())),
        Err(ERR::Args),
        "(NetLookup, string) cannot take (NetLookup, int, …)"
    );
    let detail = parasol::err::take_failure_detail().unwrap();
    assert!(
        detail.contains("(NetLookup, int, string, array)"),
        "{detail}"
    );
    l.free().unwrap();
}

type Answered = Rc<RefCell<Vec<Result<Resolved, ERR>>>>;

/// A typed NetLookup whose callback records every answer.
fn typed_lookup() -> (NetLookup, Answered) {
    let lookup = NetLookup::new().unwrap();
    let got: Answered = Rc::default();
    let g = got.clone();
    lookup
        .on_resolved(move |_l, a| g.borrow_mut().push(a))
        .unwrap();
    (lookup, got)
}

#[test]
fn typed_door_answers_both_ways_and_blocking_forms_call_back_before_returning() {
    setup();
    with_map();
    let (lookup, got) = typed_lookup();
    let r = lookup.blocking_resolve_name("DUAL.test").unwrap();
    assert_eq!(r.addresses, vec![V4, V6]);
    assert_eq!(got.borrow().len(), 1, "called back before returning");
    assert_eq!(lookup.blocking_resolve_address(V6).unwrap(), "dual.test");
    assert_eq!(lookup.addresses().unwrap(), vec![V6]);
    assert_eq!(
        lookup.blocking_resolve_name("nosuch.test"),
        Err(ERR::HostNotFound)
    );
    assert!(parasol::err::take_failure_detail()
        .unwrap()
        .contains("nosuch.test"));
    assert_eq!(got.borrow().last(), Some(&Err(ERR::HostNotFound)));
    lookup.resolve_address(V4).unwrap();
    wait("the reverse answer", || got.borrow().len() == 4);
    assert_eq!(got.borrow()[3].as_ref().unwrap().name, "dual.test");
    lookup.free().unwrap();
    assert_eq!(lookup.host_name(), Err(ERR::NoMatchingObject));
    assert_eq!(lookup.resolve_name("dual.test"), Err(ERR::NoMatchingObject));
}

#[test]
fn resolver_failures_keep_their_codes_and_a_panic_is_a_failure_not_a_hang() {
    setup();
    resolve::set_thread_resolver(Some(Arc::new(FnResolver::new(|host: &str| match host {
        "busy.test" => Err(ERR::Retry),
        "boom.test" => panic!("resolver test panic"),
        _ => Err(ERR::HostNotFound),
    }))));
    let (lookup, got) = typed_lookup();
    lookup.resolve_name("busy.test").unwrap();
    wait("Retry", || got.borrow().len() == 1);
    lookup.resolve_name("boom.test").unwrap();
    wait("Failed", || got.borrow().len() == 2);
    assert_eq!(*got.borrow(), vec![Err(ERR::Retry), Err(ERR::Failed)]);
    assert!(lookup.error_detail().unwrap().unwrap().contains("panicked"));
    lookup.free().unwrap();
}

/// A resolver that holds every lookup until released, counting the questions.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    asked: AtomicUsize,
    answered: AtomicUsize,
}

impl Gate {
    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

impl resolve::Resolver for Gate {
    fn resolve_name(&self, host: &str) -> Result<Resolved, resolve::LookupFailure> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let open = self.open.lock().unwrap();
        let _open = self
            .cv
            .wait_timeout_while(open, Duration::from_secs(30), |o| !*o)
            .unwrap();
        self.answered.fetch_add(1, Ordering::SeqCst);
        Ok(Resolved {
            name: host.into(),
            addresses: vec![V4],
        })
    }
}

/// Runs the loop for a moment: long enough for a message posted just before to be handled
/// (used only to check that something does *not* happen).
fn drive_briefly() {
    let until = std::time::Instant::now() + Duration::from_millis(200);
    let _ = wait_for(Duration::from_secs(1), || {
        std::time::Instant::now() >= until
    });
}

#[test]
fn a_slow_resolver_meets_timeout_and_its_late_answer_is_dropped() {
    setup();
    let gate = Arc::new(Gate::default());
    resolve::set_thread_resolver(Some(gate.clone()));
    let (l, answers) = generic_lookup(fields! { "Timeout" => 0.2 });
    assert_eq!(
        call_by_name(l, "ResolveName", &fields! { "HostName" => "slow.test" }).0,
        ERR::Okay
    );
    wait("TimeOut", || !answers.borrow().is_empty());
    assert_eq!(answers.borrow()[0].0, ERR::TimeOut);
    gate.release();
    wait("the resolver's late answer", || {
        gate.answered.load(Ordering::SeqCst) == 1
    });
    // Posted to the loop as the resolver returned: give the loop a moment to (not) deliver it.
    drive_briefly();
    assert_eq!(
        answers.borrow().len(),
        1,
        "only the TimeOut: the late answer was dropped"
    );
    l.free().unwrap();
}

#[test]
fn free_does_not_wait_for_a_lookup_in_flight() {
    setup();
    let gate = Arc::new(Gate::default());
    resolve::set_thread_resolver(Some(gate.clone()));
    let lookup = NetLookup::new().unwrap();
    let called = Rc::new(RefCell::new(0));
    let c = called.clone();
    lookup
        .on_resolved(move |_l, _a| *c.borrow_mut() += 1)
        .unwrap();
    lookup.resolve_name("held.test").unwrap();
    wait_for(Duration::from_secs(10), || {
        gate.asked.load(Ordering::SeqCst) == 1
    })
    .to_result()
    .unwrap();
    // The resolver is still holding the lookup: Free returns without it.
    lookup.free().unwrap();
    gate.release();
    wait("the resolver's answer", || {
        gate.answered.load(Ordering::SeqCst) == 1
    });
    drive_briefly();
    assert_eq!(
        *called.borrow(),
        0,
        "the answer found no object and was dropped"
    );
}

#[test]
fn answers_are_cached_unless_no_cache_is_set() {
    setup();
    let asked = Arc::new(AtomicUsize::new(0));
    let a = asked.clone();
    resolve::set_thread_resolver(Some(Arc::new(FnResolver::new(move |_h: &str| {
        a.fetch_add(1, Ordering::SeqCst);
        Ok(vec![V4])
    }))));
    let lookup = NetLookup::new().unwrap();
    lookup.blocking_resolve_name("cached.test").unwrap();
    lookup.blocking_resolve_name("CACHED.test").unwrap();
    assert_eq!(
        asked.load(Ordering::SeqCst),
        1,
        "the second answer came from the cache"
    );
    lookup.set_flags(NLF::NO_CACHE).unwrap();
    lookup.blocking_resolve_name("cached.test").unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 2, "NO_CACHE asks again");
    assert_eq!(lookup.get("Flags").unwrap().to_string(), "1");
    lookup.set("Flags", "NO_CACHE").unwrap();
    // A replaced resolver never sees its predecessor's answers.
    resolve::set_thread_resolver(Some(Arc::new(StaticResolver::new())));
    lookup.set_flags(NLF::NIL).unwrap();
    assert_eq!(
        lookup.blocking_resolve_name("cached.test"),
        Err(ERR::HostNotFound)
    );
    lookup.free().unwrap();
}

#[test]
fn connect_resolves_names_through_the_installed_resolver() {
    setup();
    with_map();
    let server = server(fields! {});
    let client = NetSocket::create()
        .address("svc.test")
        .port(server.port().unwrap())
        .build()
        .unwrap();
    wait("CONNECTED", || client.state().unwrap() == NTC::CONNECTED);
    let lost = NetSocket::create()
        .address("nosuch.test")
        .port(server.port().unwrap())
        .build()
        .unwrap();
    wait("DISCONNECTED", || {
        lost.state().unwrap() == NTC::DISCONNECTED
    });
    assert_eq!(lost.error().unwrap(), ERR::HostNotFound);
    assert!(lost
        .error_detail()
        .unwrap()
        .unwrap()
        .contains("nosuch.test"));
    client.free().unwrap();
    lost.free().unwrap();
    server.free().unwrap();
}

#[test]
fn the_process_resolver_serves_threads_without_their_own() {
    setup();
    // This thread has its own; a new thread sees the process's.
    with_map();
    resolve::set_process_resolver(Some(Arc::new(
        StaticResolver::new().host("proc.test", [V4]),
    )));
    let other = std::thread::spawn(|| {
        (
            resolve::resolve_name_blocking("proc.test", resolve::Caching::Use).map(|r| r.addresses),
            resolve::resolve_name_blocking("dual.test", resolve::Caching::Use).is_err(),
        )
    })
    .join()
    .unwrap();
    resolve::set_process_resolver(None);
    assert_eq!(other, (Ok(vec![V4]), true));
    assert!(resolve::resolve_name_blocking("dual.test", resolve::Caching::Use).is_ok());
}
