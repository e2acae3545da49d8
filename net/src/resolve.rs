//! Name resolution off the loop: each lookup runs `getaddrinfo` on a worker thread and hands the
//! result to a callback on that thread (the caller posts it back to its loop). IP literals never
//! reach the resolver.

use parasol_core::{Res, ERR};
use std::net::{SocketAddr, ToSocketAddrs};
use std::thread;

/// Resolves `host` with `port` on a worker thread; `done` runs on that thread with the addresses
/// (in the resolver's order) or `HostNotFound`. Failing to start a thread → `SystemCall`.
pub fn resolve_async(
    host: String,
    port: u16,
    done: impl FnOnce(Res<Vec<SocketAddr>>) + Send + 'static,
) -> Res<()> {
    thread::Builder::new()
        .name("parasol-resolve".into())
        .spawn(move || done(resolve_blocking(&host, port)))
        .map(|_| ())
        .map_err(|e| {
            log::error!("Cannot start a resolver thread: {e}");
            ERR::SystemCall
        })
}

/// Resolves `host` on the calling thread. No addresses or a lookup failure → `HostNotFound`.
pub fn resolve_blocking(host: &str, port: u16) -> Res<Vec<SocketAddr>> {
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let v: Vec<SocketAddr> = addrs.collect();
            if v.is_empty() {
                log::warn!("Host \"{host}\" resolved to no addresses");
                Err(ERR::HostNotFound)
            } else {
                Ok(v)
            }
        }
        Err(e) => {
            log::warn!("Host \"{host}\" did not resolve: {e}");
            Err(ERR::HostNotFound)
        }
    }
}
