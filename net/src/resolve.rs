//! Name resolution off the loop: each lookup runs `getaddrinfo` on a worker thread and hands the
//! result to a callback on that thread (the caller posts it back to its loop). IP literals never
//! reach the resolver.

use parasol_core::err::fail_with;
use parasol_core::{Res, ERR};
use std::net::{SocketAddr, ToSocketAddrs};
use std::thread;

/// A failed lookup: the code and what the resolver said (for ErrorDetail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupFailure {
    /// `HostNotFound`.
    pub error: ERR,
    /// The resolver's reason, e.g. `"nosuch.invalid": failed to lookup address information`.
    pub detail: String,
}

/// Resolves `host` with `port` on a worker thread; `done` runs on that thread with the addresses
/// (in the resolver's order) or the failure. Failing to start a thread → `SystemCall`.
///
/// # Errors
/// SystemCall if the worker thread cannot be started (logged); lookup failures go to `done`, not to
/// the caller.
pub fn resolve_async(
    host: String,
    port: u16,
    done: impl FnOnce(Result<Vec<SocketAddr>, LookupFailure>) + Send + 'static,
) -> Res<()> {
    thread::Builder::new()
        .name("parasol-resolve".into())
        .spawn(move || done(lookup(&host, port)))
        .map(|_| ())
        .map_err(|e| {
            log::error!("Cannot start a resolver thread: {e}");
            ERR::SystemCall
        })
}

/// Resolves `host` on the calling thread. No addresses or a lookup failure → `HostNotFound`,
/// with the resolver's reason recorded for `take_failure_detail`.
///
/// # Errors
/// HostNotFound when the name does not resolve or resolves to nothing.
pub fn resolve_blocking(host: &str, port: u16) -> Res<Vec<SocketAddr>> {
    lookup(host, port).map_err(|f| fail_with(f.error, f.detail))
}

fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, LookupFailure> {
    let failure = |detail: String| {
        log::debug!("{detail}");
        LookupFailure {
            error: ERR::HostNotFound,
            detail,
        }
    };
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let v: Vec<SocketAddr> = addrs.collect();
            if v.is_empty() {
                Err(failure(format!("\"{host}\" resolved to no addresses")))
            } else {
                Ok(v)
            }
        }
        Err(e) => Err(failure(format!("\"{host}\" did not resolve: {e}"))),
    }
}
