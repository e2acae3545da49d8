//! Resolvers that answer from the program: a map of names ([`StaticResolver`]) and a closure
//! ([`FnResolver`]). Tests use them so they never reach the system's DNS.

use super::{LookupFailure, Resolved, Resolver};
use parasol_core::ERR;
use std::collections::HashMap;
use std::net::IpAddr;

/// A fixed map of names to addresses, like a hosts file: names match without regard to case
/// (and a trailing dot); a name not in the map is HostNotFound; a reverse lookup answers the
/// first name (in insertion order) that holds the address.
///
/// ```
/// use parasol_net::resolve::{Resolver, StaticResolver};
/// let r = StaticResolver::new().host("api.test", ["127.0.0.2".parse().unwrap()]);
/// assert_eq!(r.resolve_name("API.test.").unwrap().addresses.len(), 1);
/// assert!(r.resolve_name("other.test").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StaticResolver {
    names: HashMap<String, Vec<IpAddr>>,
    order: Vec<String>,
}

fn key(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

impl StaticResolver {
    /// An empty map (every name is HostNotFound).
    pub fn new() -> StaticResolver {
        StaticResolver::default()
    }

    /// Adds (or replaces) `name`'s addresses, kept in the order given.
    pub fn host(mut self, name: &str, addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        let k = key(name);
        if !self.names.contains_key(&k) {
            self.order.push(k.clone());
        }
        self.names.insert(k, addresses.into_iter().collect());
        self
    }
}

impl Resolver for StaticResolver {
    fn resolve_name(&self, host: &str) -> Result<Resolved, LookupFailure> {
        match self.names.get(&key(host)) {
            Some(a) if !a.is_empty() => Ok(Resolved {
                name: host.to_owned(),
                addresses: a.clone(),
            }),
            _ => Err(LookupFailure::new(
                ERR::HostNotFound,
                format!("\"{host}\" is not in the resolver's map"),
            )),
        }
    }

    fn resolve_address(&self, ip: IpAddr) -> Result<String, LookupFailure> {
        self.order
            .iter()
            .find(|n| self.names[*n].contains(&ip))
            .cloned()
            .ok_or_else(|| {
                LookupFailure::new(
                    ERR::HostNotFound,
                    format!("{ip} is not in the resolver's map"),
                )
            })
    }
}

/// A closure as a forward-only resolver (reverse lookups are HostNotFound). The closure runs
/// on resolver workers and may block, which makes slow and failing resolvers easy to stage.
///
/// ```
/// use parasol_core::ERR;
/// use parasol_net::resolve::{FnResolver, Resolver};
/// let r = FnResolver::new(|host: &str| {
///     if host == "up.test" { Ok(vec!["127.0.0.3".parse().unwrap()]) } else { Err(ERR::Retry) }
/// });
/// assert!(r.resolve_name("up.test").is_ok());
/// assert_eq!(r.resolve_name("down.test").unwrap_err().error, ERR::Retry);
/// ```
pub struct FnResolver<F>(F);

impl<F> FnResolver<F>
where
    F: Fn(&str) -> Result<Vec<IpAddr>, ERR> + Send + Sync + 'static,
{
    /// Wraps `f`: it returns the addresses of a name, or the code of its failure.
    pub fn new(f: F) -> FnResolver<F> {
        FnResolver(f)
    }
}

impl<F> Resolver for FnResolver<F>
where
    F: Fn(&str) -> Result<Vec<IpAddr>, ERR> + Send + Sync + 'static,
{
    fn resolve_name(&self, host: &str) -> Result<Resolved, LookupFailure> {
        (self.0)(host)
            .map(|addresses| Resolved {
                name: host.to_owned(),
                addresses,
            })
            .map_err(|e| LookupFailure::new(e, format!("\"{host}\": the resolver answered {e:?}")))
    }
}
