//! The system's resolver: `getaddrinfo` and `getnameinfo` (through `dns-lookup`), with each
//! failure given the code that says what happened, and `localhost` answered without asking.

use super::{LookupFailure, Resolved, Resolver};
use dns_lookup::{AddrInfoHints, LookupError, LookupErrorKind};
use parasol_core::ERR;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `getaddrinfo`/`getnameinfo` as the host is configured (`/etc/hosts`, DNS …). `localhost`,
/// `localhost.` and names under `.localhost` are `127.0.0.1` then `::1` (RFC 6761), and
/// `127.0.0.1` and `::1` are `localhost`, without a system call.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemResolver;

const LOOPBACK: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

fn is_localhost(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost")
}

impl Resolver for SystemResolver {
    fn resolve_name(&self, host: &str) -> Result<Resolved, LookupFailure> {
        if is_localhost(host) {
            return Ok(Resolved {
                name: host.to_owned(),
                addresses: LOOPBACK.to_vec(),
            });
        }
        let hints = AddrInfoHints {
            flags: libc::AI_CANONNAME,
            socktype: libc::SOCK_STREAM,
            ..AddrInfoHints::default()
        };
        let found = dns_lookup::getaddrinfo(Some(host), None, Some(hints))
            .map_err(|e| failure(host, &e))?;
        let mut name = None;
        let mut addresses = Vec::new();
        for info in found {
            let info =
                info.map_err(|e| LookupFailure::new(ERR::SystemCall, format!("\"{host}\": {e}")))?;
            if name.is_none() {
                name = info.canonname.filter(|n| !n.is_empty());
            }
            let ip = info.sockaddr.ip();
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
        Ok(Resolved {
            name: name.unwrap_or_else(|| host.to_owned()),
            addresses,
        })
    }

    fn resolve_address(&self, ip: IpAddr) -> Result<String, LookupFailure> {
        if LOOPBACK.contains(&ip) {
            return Ok("localhost".to_owned());
        }
        dns_lookup::getnameinfo(&(ip, 0).into(), libc::NI_NAMEREQD)
            .map(|(name, _)| name)
            .map_err(|e| failure(&ip.to_string(), &e))
    }
}

/// The code for a resolver error: what Parasol's BlockingResolve* report, except that a name
/// that does not exist is HostNotFound rather than Failed.
fn failure(what: &str, e: &LookupError) -> LookupFailure {
    let error = match e.kind() {
        // Matched by number first: not every platform's crate build names it.
        _ if e.error_num() == libc::EAI_OVERFLOW => ERR::BufferOverflow,
        LookupErrorKind::NoName | LookupErrorKind::NoData => ERR::HostNotFound,
        LookupErrorKind::Again => ERR::Retry,
        LookupErrorKind::Memory => ERR::Memory,
        LookupErrorKind::System | LookupErrorKind::IO => ERR::SystemCall,
        LookupErrorKind::Badflags
        | LookupErrorKind::Family
        | LookupErrorKind::Socktype
        | LookupErrorKind::Service => ERR::Args,
        LookupErrorKind::Fail | LookupErrorKind::Unknown => ERR::Failed,
    };
    let reason = std::io::Error::from(LookupError::new(e.error_num()));
    LookupFailure::new(error, format!("\"{what}\": {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_is_answered_without_asking() {
        for name in ["localhost", "LocalHost.", "app.localhost"] {
            let r = SystemResolver.resolve_name(name).unwrap();
            assert_eq!(r.addresses, LOOPBACK.to_vec(), "{name}");
        }
        assert_eq!(
            SystemResolver.resolve_address(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            Ok("localhost".into())
        );
    }

    #[test]
    fn resolver_errors_say_what_happened() {
        let code = |n| failure("x", &LookupError::new(n)).error;
        assert_eq!(code(libc::EAI_NONAME), ERR::HostNotFound);
        assert_eq!(code(libc::EAI_NODATA), ERR::HostNotFound);
        assert_eq!(code(libc::EAI_AGAIN), ERR::Retry);
        assert_eq!(code(libc::EAI_FAIL), ERR::Failed);
        assert_eq!(code(libc::EAI_MEMORY), ERR::Memory);
        assert_eq!(code(libc::EAI_SYSTEM), ERR::SystemCall);
        assert_eq!(code(libc::EAI_OVERFLOW), ERR::BufferOverflow);
        assert_eq!(code(libc::EAI_FAMILY), ERR::Args);
        let f = failure("nosuch.test", &LookupError::new(libc::EAI_NONAME));
        assert!(f.detail.starts_with("\"nosuch.test\": "), "{}", f.detail);
    }
}
