//! The typed handle of NetLookup: lookups with typed arguments and answers, and a callback the
//! compiler checks.

use crate::constants::NLF;
use crate::netlookup::NetLookupData;
use parasol_core::{class_handle, create, fields, Function, Res, Value, AC, ERR};
use parasol_net::resolve::Resolved;
use parasol_net::IPAddress;
use std::net::IpAddr;
use std::time::Duration;

class_handle! {
    /// A NetLookup: resolves names to addresses and addresses to names without blocking the
    /// loop (a resolver worker asks; the answer arrives on the loop), or on the calling thread
    /// with the `blocking_*` forms. The resolver is the one `parasol_net::resolve` has
    /// installed (the system's unless replaced), so tests can answer from a map.
    ///
    /// ```
    /// use parasol_classes::NetLookup;
    /// use parasol_core::prelude::*;
    /// use parasol_net::resolve::{set_thread_resolver, StaticResolver};
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use std::sync::Arc;
    /// use std::time::Duration;
    ///
    /// let db = "127.0.0.9".parse().unwrap();
    /// set_thread_resolver(Some(Arc::new(StaticResolver::new().host("db.test", [db]))));
    /// let lookup = NetLookup::new()?;
    /// let answers = Rc::new(RefCell::new(Vec::new()));
    /// let seen = answers.clone();
    /// lookup.on_resolved(move |_l, answer| seen.borrow_mut().push(answer))?;
    /// lookup.resolve_name("db.test")?;
    /// wait_until(Duration::from_secs(10), || !answers.borrow().is_empty()).to_result()?;
    /// assert_eq!(answers.borrow()[0].as_ref().unwrap().addresses, vec![db]);
    /// assert_eq!(lookup.blocking_resolve_address(db)?, "db.test");
    /// lookup.free()?;
    /// set_thread_resolver(None);
    /// # Ok::<(), ERR>(())
    /// ```
    pub struct NetLookup = "NetLookup";
}

impl NetLookup {
    /// Creates a NetLookup with no flags and no callback.
    ///
    /// # Errors
    /// What `create("NetLookup", …)` returns.
    pub fn new() -> Res<NetLookup> {
        crate::register_classes()?;
        create("NetLookup", fields! {}).map(NetLookup::from_id_unchecked)
    }

    /// Sets `Flags` (e.g. `NLF::NO_CACHE`).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn set_flags(self, flags: NLF) -> Res<()> {
        self.set("Flags", flags)
    }

    /// Sets `Timeout`: an asynchronous lookup not answered within `timeout` is answered with
    /// `ERR::TimeOut` (its late answer is dropped). `Duration::ZERO`: no bound (the default).
    ///
    /// # Errors
    /// OutOfRange beyond `msgloop::MAX_DELAY`; NoMatchingObject once freed.
    pub fn set_timeout(self, timeout: Duration) -> Res<()> {
        self.set("Timeout", timeout.as_secs_f64())
    }

    /// Sets the callback: called on the loop with each answer, `Ok` with the name and
    /// addresses, or the code of the failure (HostNotFound, Retry, TimeOut …; the reason is in
    /// [`NetLookup::error_detail`]). `FnMut`: an answer that arrives while it runs (a blocking
    /// lookup made inside it) is delivered, in order, when it returns.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn on_resolved(
        self,
        f: impl FnMut(&NetLookup, Result<Resolved, ERR>) + 'static,
    ) -> Res<()> {
        let d = crate::typed_callbacks::Deferring::new(f);
        let func = Function::new(
            move |l: &NetLookup, e: ERR, name: &Value, addresses: &[Value]| {
                let answer = if e.is_ok() {
                    Ok(Resolved {
                        name: name.to_string(),
                        addresses: addresses
                            .iter()
                            .filter_map(|a| a.downcast_ref::<IPAddress>().map(|a| IpAddr::from(*a)))
                            .collect(),
                    })
                } else {
                    Err(e)
                };
                d.call((*l, answer), |f, (l, answer)| f(&l, answer));
            },
        );
        self.set("Callback", func)
    }

    /// `ResolveName`: starts a lookup of `host`; the answer arrives through the callback.
    ///
    /// # Errors
    /// NullArgs for an empty name; SystemCall if no resolver worker can start; NoMatchingObject
    /// once freed.
    pub fn resolve_name(self, host: &str) -> Res<()> {
        self.method(AC(-1), &mut [Value::from(host)]).to_result()
    }

    /// `ResolveAddress`: starts a reverse lookup of `ip`; the answer arrives through the
    /// callback, its addresses holding `ip`.
    ///
    /// # Errors
    /// SystemCall if no resolver worker can start; NoMatchingObject once freed.
    pub fn resolve_address(self, ip: IpAddr) -> Res<()> {
        self.method(AC(-2), &mut [Value::Str(ip.to_string())])
            .to_result()
    }

    /// `BlockingResolveName`: resolves `host` on this thread (the callback is called too).
    ///
    /// # Errors
    /// HostNotFound, Retry, Failed … as the resolver answers (reason in
    /// `take_failure_detail`); NullArgs for an empty name; NoMatchingObject once freed.
    pub fn blocking_resolve_name(self, host: &str) -> Res<Resolved> {
        self.method(AC(-3), &mut [Value::from(host)]).to_result()?;
        self.answer()
            .map(|(name, addresses)| Resolved { name, addresses })
    }

    /// `BlockingResolveAddress`: the name of `ip`, found on this thread (the callback is
    /// called too).
    ///
    /// # Errors
    /// As [`NetLookup::blocking_resolve_name`].
    pub fn blocking_resolve_address(self, ip: IpAddr) -> Res<String> {
        self.method(AC(-4), &mut [Value::Str(ip.to_string())])
            .to_result()?;
        self.answer().map(|(name, _)| name)
    }

    /// The name of the last answer (`HostName`); `None` before one, or after a failure.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn host_name(self) -> Res<Option<String>> {
        self.with_data(|d| d.host_name.clone())
    }

    /// The addresses of the last answer (`Addresses`); empty before one, or after a failure.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn addresses(self) -> Res<Vec<IpAddr>> {
        self.with_data(|d| d.addresses.clone())
    }

    /// What the resolver said about the last failure (`ErrorDetail`, an extension).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn error_detail(self) -> Res<Option<String>> {
        self.with_data(|d| d.error_detail.clone())
    }

    fn answer(self) -> Res<(String, Vec<IpAddr>)> {
        self.with_data(|d| (d.host_name.clone().unwrap_or_default(), d.addresses.clone()))
    }

    fn with_data<R>(self, f: impl FnOnce(&NetLookupData) -> R) -> Res<R> {
        let ptr = self.id().ptr()?;
        let d = ptr.try_data::<NetLookupData>()?;
        Ok(f(&d))
    }
}
