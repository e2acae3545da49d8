//! Name resolution: a replaceable [`Resolver`] (the system's by default), a bounded cache whose
//! answers expire, and lookups that run on a small pool of worker threads so the loop never
//! waits for DNS.
//!
//! Which resolver answers is decided on the calling thread when a lookup starts: the thread's
//! own ([`set_thread_resolver`], i.e. per loop) if one is installed, else the process's
//! ([`set_process_resolver`]), else [`SystemResolver`]. Tests install a [`StaticResolver`] so
//! they never reach the system's DNS.
//!
//! ```
//! use parasol_net::resolve::{self, StaticResolver};
//! use std::net::{IpAddr, Ipv4Addr};
//! use std::sync::{Arc, OnceLock};
//!
//! let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 7));
//! resolve::set_thread_resolver(Some(Arc::new(StaticResolver::new().host("db.test", [ip]))));
//! let found = resolve::resolve_name_blocking("DB.test", resolve::Caching::Use).unwrap();
//! assert_eq!(found.addresses, vec![ip]);
//! assert_eq!(resolve::resolve_address_blocking(ip, resolve::Caching::Use).unwrap(), "db.test");
//! resolve::set_thread_resolver(None);
//! ```

mod cache;
mod fixed;
mod pool;
mod system;

pub use fixed::{FnResolver, StaticResolver};
pub use system::SystemResolver;

use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use parking_lot::RwLock;
use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// What a forward lookup found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The canonical name when the resolver reports one, else the name asked for.
    pub name: String,
    /// The addresses, in the resolver's order (never empty: no address is `HostNotFound`).
    pub addresses: Vec<IpAddr>,
}

/// A failed lookup: the code and what the resolver said (for ErrorDetail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupFailure {
    /// HostNotFound (no such name, or no address for it), Retry (a temporary failure: try
    /// again later), Failed (a permanent failure of the resolver), Memory, SystemCall, Args (a
    /// name the resolver refuses), BufferOverflow (a reverse name too long) or TimeOut.
    pub error: ERR,
    /// The resolver's reason, e.g. `"nosuch.invalid": Name or service not known`.
    pub detail: String,
}

impl LookupFailure {
    /// A failure with its code and reason.
    pub fn new(error: ERR, detail: impl Into<String>) -> LookupFailure {
        LookupFailure {
            error,
            detail: detail.into(),
        }
    }
}

/// Answers forward and reverse lookups. Called on resolver worker threads (and on the calling
/// thread for blocking lookups), so it is `Send + Sync`; it may block.
pub trait Resolver: Send + Sync + 'static {
    /// The addresses of `host` (never an IP literal: those are answered before a resolver is
    /// asked).
    ///
    /// # Errors
    /// A [`LookupFailure`] saying why there are none.
    fn resolve_name(&self, host: &str) -> Result<Resolved, LookupFailure>;

    /// The name of `ip`.
    ///
    /// # Errors
    /// A [`LookupFailure`]; the default answers HostNotFound (no reverse lookups).
    fn resolve_address(&self, ip: IpAddr) -> Result<String, LookupFailure> {
        Err(LookupFailure::new(
            ERR::HostNotFound,
            format!("{ip}: this resolver has no reverse lookups"),
        ))
    }
}

/// Whether a lookup may answer from the cache (NetLookup's `NLF::NO_CACHE` is `Bypass`).
/// A fresh answer is stored either way, so the next cached lookup sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caching {
    /// Answer from the cache when it holds an unexpired answer.
    Use,
    /// Always ask the resolver.
    Bypass,
}

/// A resolver as installed: `epoch` changes with every installation, and keys the cache, so
/// answers of a replaced resolver are never served for its successor.
#[derive(Clone)]
pub struct Installed {
    resolver: Arc<dyn Resolver>,
    epoch: u64,
}

static EPOCH: AtomicU64 = AtomicU64::new(1);
static PROCESS: RwLock<Option<Installed>> = RwLock::new(None);

thread_local! {
    static THREAD: RefCell<Option<Installed>> = const { RefCell::new(None) };
}

fn install(resolver: Arc<dyn Resolver>) -> Installed {
    Installed {
        resolver,
        epoch: EPOCH.fetch_add(1, Ordering::Relaxed),
    }
}

/// Installs the resolver every thread uses unless it has its own; `None` restores the system's.
pub fn set_process_resolver(resolver: Option<Arc<dyn Resolver>>) {
    *PROCESS.write() = resolver.map(install);
}

/// Installs this thread's (this loop's) resolver, which wins over the process's; `None`
/// removes it.
pub fn set_thread_resolver(resolver: Option<Arc<dyn Resolver>>) {
    THREAD.with(|t| *t.borrow_mut() = resolver.map(install));
}

/// The resolver a lookup started on this thread uses.
pub fn current() -> Installed {
    if let Some(own) = THREAD.with(|t| t.borrow().clone()) {
        return own;
    }
    if let Some(p) = PROCESS.read().clone() {
        return p;
    }
    // Epoch 0 is never issued by `install`, so the system resolver's answers are its own.
    static SYSTEM: OnceLock<Installed> = OnceLock::new();
    SYSTEM
        .get_or_init(|| Installed {
            resolver: Arc::new(SystemResolver),
            epoch: 0,
        })
        .clone()
}

impl Installed {
    /// A forward lookup on the calling thread: literals at once, then the cache (unless
    /// bypassed), then the resolver; a panicking resolver is a `Failed` lookup.
    ///
    /// # Errors
    /// The resolver's [`LookupFailure`]; Args for an empty name.
    pub fn resolve_name(&self, host: &str, caching: Caching) -> Result<Resolved, LookupFailure> {
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(LookupFailure::new(ERR::Args, "an empty host name"));
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Resolved {
                name: host.to_owned(),
                addresses: vec![ip],
            });
        }
        let key = host.to_ascii_lowercase();
        if caching == Caching::Use {
            if let Some(hit) = cache::names().get(self.epoch, &key) {
                return Ok(hit);
            }
        }
        let answer = guarded(host, || self.resolver.resolve_name(host)).and_then(|r| {
            if r.addresses.is_empty() {
                Err(LookupFailure::new(
                    ERR::HostNotFound,
                    format!("\"{host}\" resolved to no addresses"),
                ))
            } else {
                Ok(r)
            }
        });
        match &answer {
            Ok(r) => cache::names().put(self.epoch, key, r.clone()),
            Err(f) => log::debug!("{}", f.detail),
        }
        answer
    }

    /// A reverse lookup on the calling thread, cached like forward ones.
    ///
    /// # Errors
    /// The resolver's [`LookupFailure`].
    pub fn resolve_address(&self, ip: IpAddr, caching: Caching) -> Result<String, LookupFailure> {
        let ip = canonical(ip);
        if caching == Caching::Use {
            if let Some(hit) = cache::reverse().get(self.epoch, &ip) {
                return Ok(hit);
            }
        }
        let answer = guarded(&ip.to_string(), || self.resolver.resolve_address(ip));
        match &answer {
            Ok(name) => cache::reverse().put(self.epoch, ip, name.clone()),
            Err(f) => log::debug!("{}", f.detail),
        }
        answer
    }
}

/// An IPv4-mapped IPv6 address is the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Runs a resolver call, turning a panic into a `Failed` lookup (a resolver is user code, and
/// a worker that died would leave its caller waiting forever).
fn guarded<T>(
    what: &str,
    f: impl FnOnce() -> Result<T, LookupFailure>,
) -> Result<T, LookupFailure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(LookupFailure::new(
            ERR::Failed,
            format!("the resolver panicked looking up \"{what}\""),
        ))
    })
}

/// Resolves `host` on a resolver worker with the resolver current on this thread; `done` runs
/// on the worker with the answer (the caller posts it back to its loop).
///
/// # Errors
/// SystemCall if no worker thread can be started (logged); lookup failures go to `done`.
pub fn resolve_name_async(
    host: String,
    caching: Caching,
    done: impl FnOnce(Result<Resolved, LookupFailure>) + Send + 'static,
) -> Res<()> {
    let installed = current();
    pool::submit(Box::new(move || {
        done(installed.resolve_name(&host, caching))
    }))
}

/// Reverse-resolves `ip` on a resolver worker; see [`resolve_name_async`].
///
/// # Errors
/// SystemCall if no worker thread can be started (logged).
pub fn resolve_address_async(
    ip: IpAddr,
    caching: Caching,
    done: impl FnOnce(Result<String, LookupFailure>) + Send + 'static,
) -> Res<()> {
    let installed = current();
    pool::submit(Box::new(move || {
        done(installed.resolve_address(ip, caching))
    }))
}

/// Resolves `host` on the calling thread with the current resolver.
///
/// # Errors
/// The lookup's code, with its reason recorded for `take_failure_detail`.
pub fn resolve_name_blocking(host: &str, caching: Caching) -> Res<Resolved> {
    current()
        .resolve_name(host, caching)
        .map_err(|f| fail_with(f.error, f.detail))
}

/// Reverse-resolves `ip` on the calling thread with the current resolver.
///
/// # Errors
/// The lookup's code, with its reason recorded for `take_failure_detail`.
pub fn resolve_address_blocking(ip: IpAddr, caching: Caching) -> Res<String> {
    current()
        .resolve_address(ip, caching)
        .map_err(|f| fail_with(f.error, f.detail))
}

/// Connect's lookup: the addresses of `host` with `port`, on a worker (cache allowed).
///
/// # Errors
/// SystemCall if no worker thread can be started (logged); lookup failures go to `done`.
pub fn resolve_async(
    host: String,
    port: u16,
    done: impl FnOnce(Result<Vec<SocketAddr>, LookupFailure>) + Send + 'static,
) -> Res<()> {
    resolve_name_async(host, Caching::Use, move |r| {
        done(r.map(|r| with_port(&r.addresses, port)))
    })
}

/// Connect's lookup on the calling thread (SYNCHRONOUS sockets).
///
/// # Errors
/// The lookup's code, with its reason recorded for `take_failure_detail`.
pub fn resolve_blocking(host: &str, port: u16) -> Res<Vec<SocketAddr>> {
    resolve_name_blocking(host, Caching::Use).map(|r| with_port(&r.addresses, port))
}

fn with_port(ips: &[IpAddr], port: u16) -> Vec<SocketAddr> {
    ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect()
}

/// Empties the lookup cache (every resolver's answers).
pub fn clear_cache() {
    cache::names().clear();
    cache::reverse().clear();
}

/// How many answers the cache holds (forward and reverse), for tests and diagnostics.
pub fn cached_answers() -> usize {
    cache::names().len() + cache::reverse().len()
}
