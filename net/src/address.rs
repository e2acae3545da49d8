//! `IPAddress` and the module functions around it (StrToAddress, AddressToStr, byte order).
//!
//! Layout as Parasol's: `Data: [u32; 4]`, `Type` (V4 = 0, V6 = 1) and `Port` (host order). An
//! IPv4 address lives in `Data[0]` in host order (127.0.0.1 is 0x7F000001); an IPv6 address is
//! the 16 bytes in network order.

use parasol_core::{Res, StructValue, ERR};
use std::any::Any;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Address family of an [`IPAddress`] (Parasol's `IPADDR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum IPADDR {
    /// IPv4.
    #[default]
    V4 = 0,
    /// IPv6.
    V6 = 1,
}

/// An IP address with port, laid out as Parasol's `IPAddress`.
///
/// ```
/// use parasol_net::{IPAddress, IPADDR};
/// let a = IPAddress::parse("127.0.0.1").unwrap();
/// assert_eq!((a.data[0], a.kind), (0x7F00_0001, IPADDR::V4));
/// assert_eq!(a.to_string(), "127.0.0.1");
/// let b: IPAddress = "::1".parse().unwrap();
/// assert_eq!(std::net::IpAddr::from(b), "::1".parse::<std::net::IpAddr>().unwrap());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct IPAddress {
    /// Address words (see the type documentation for the encoding).
    pub data: [u32; 4],
    /// Family (Parasol's `Type`).
    pub kind: IPADDR,
    /// Port in host order (Parasol's `Port`, formerly `Pad`); 0 when not applicable.
    pub port: u16,
}

impl IPAddress {
    /// Parses an IP literal (StrToAddress). Accepts dotted IPv4, IPv6 (optionally in brackets,
    /// IPv4-mapped forms included), and Parasol's special names: `localhost` (127.0.0.1), `*` and
    /// the empty string (IPv4 any).
    ///
    /// # Errors
    /// InvalidValue for anything else.
    pub fn parse(s: &str) -> Res<IPAddress> {
        let t = s.trim();
        if t.is_empty() || t == "*" {
            return Ok(IPAddress::from(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        }
        if t.eq_ignore_ascii_case("localhost") {
            return Ok(IPAddress::from(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        }
        let inner = t
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(t);
        inner
            .parse::<IpAddr>()
            .map(IPAddress::from)
            .map_err(|_| ERR::InvalidValue)
    }

    /// With a port.
    pub fn with_port(mut self, port: u16) -> IPAddress {
        self.port = port;
        self
    }

    /// The address as `std::net`.
    pub fn ip(&self) -> IpAddr {
        match self.kind {
            IPADDR::V4 => IpAddr::V4(Ipv4Addr::from(self.data[0])),
            IPADDR::V6 => {
                let mut b = [0u8; 16];
                for (i, w) in self.data.iter().enumerate() {
                    // Data words hold the raw network-order bytes, as Parasol's union does.
                    b[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
                }
                IpAddr::V6(Ipv6Addr::from(b))
            }
        }
    }

    /// Address and port as `std::net`.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.ip(), self.port)
    }
}

impl From<IpAddr> for IPAddress {
    fn from(ip: IpAddr) -> IPAddress {
        match ip {
            IpAddr::V4(v4) => IPAddress {
                data: [u32::from(v4), 0, 0, 0],
                kind: IPADDR::V4,
                port: 0,
            },
            IpAddr::V6(v6) => {
                let b = v6.octets();
                let mut data = [0u32; 4];
                for (i, w) in data.iter_mut().enumerate() {
                    *w = u32::from_ne_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]]);
                }
                IPAddress {
                    data,
                    kind: IPADDR::V6,
                    port: 0,
                }
            }
        }
    }
}

impl From<Ipv4Addr> for IPAddress {
    /// ```
    /// use parasol_net::{IPAddress, IPADDR};
    /// use std::net::Ipv4Addr;
    /// let a = IPAddress::from(Ipv4Addr::LOCALHOST);
    /// assert_eq!((a.data[0], a.kind), (0x7F00_0001, IPADDR::V4)); // host order, as Parasol
    /// ```
    fn from(ip: Ipv4Addr) -> IPAddress {
        IPAddress::from(IpAddr::V4(ip))
    }
}

impl From<Ipv6Addr> for IPAddress {
    fn from(ip: Ipv6Addr) -> IPAddress {
        IPAddress::from(IpAddr::V6(ip))
    }
}

impl From<SocketAddr> for IPAddress {
    fn from(sa: SocketAddr) -> IPAddress {
        IPAddress::from(sa.ip()).with_port(sa.port())
    }
}

impl From<IPAddress> for IpAddr {
    fn from(a: IPAddress) -> IpAddr {
        a.ip()
    }
}

impl From<IPAddress> for SocketAddr {
    fn from(a: IPAddress) -> SocketAddr {
        a.socket_addr()
    }
}

impl std::str::FromStr for IPAddress {
    type Err = ERR;
    fn from_str(s: &str) -> Res<IPAddress> {
        IPAddress::parse(s)
    }
}

impl fmt::Display for IPAddress {
    /// The address text (AddressToStr): dotted IPv4, compressed IPv6 (`::1`, `::ffff:1.2.3.4`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ip())
    }
}

impl StructValue for IPAddress {
    fn struct_name(&self) -> &'static str {
        "IPAddress"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Parasol's `StrToAddress`.
///
/// # Errors
/// What [`IPAddress::parse`] returns: InvalidValue for text that is not an IP literal, `localhost`,
/// `*` or empty.
pub fn str_to_address(s: &str) -> Res<IPAddress> {
    IPAddress::parse(s)
}

/// Parasol's `AddressToStr`.
pub fn address_to_str(a: &IPAddress) -> String {
    a.to_string()
}

/// `htons` (the argument is truncated to 16 bits, as Parasol does).
pub fn host_to_short(v: u32) -> u32 {
    (v as u16).to_be() as u32
}

/// `htonl`.
pub fn host_to_long(v: u32) -> u32 {
    v.to_be()
}

/// `ntohs` (truncated to 16 bits).
pub fn short_to_host(v: u32) -> u32 {
    u16::from_be(v as u16) as u32
}

/// `ntohl`.
pub fn long_to_host(v: u32) -> u32 {
    u32::from_be(v)
}

/// The canonical form of a peer address for grouping clients: an IPv4-mapped IPv6 address is
/// its IPv4 address (so dual-stack servers see IPv4 clients as themselves).
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_host_order() {
        let a = IPAddress::parse("127.0.0.1").unwrap();
        assert_eq!(a.data, [0x7F00_0001, 0, 0, 0]);
        assert_eq!(IPAddress::parse("localhost").unwrap(), a);
        assert_eq!(IPAddress::parse("*").unwrap().data[0], 0);
    }

    #[test]
    fn v6_network_bytes() {
        let a = IPAddress::parse("::1").unwrap();
        assert_eq!(a.kind, IPADDR::V6);
        let bytes: Vec<u8> = a.data.iter().flat_map(|w| w.to_ne_bytes()).collect();
        assert_eq!(bytes[15], 1);
        assert!(bytes[..15].iter().all(|&b| b == 0));
        assert_eq!(a.to_string(), "::1");
        assert_eq!(
            IPAddress::parse("[::ffff:1.2.3.4]").unwrap().to_string(),
            "::ffff:1.2.3.4"
        );
    }

    #[test]
    fn bad_input() {
        assert_eq!(IPAddress::parse("example.com"), Err(ERR::InvalidValue));
        assert_eq!(IPAddress::parse("1.2.3"), Err(ERR::InvalidValue));
        assert_eq!(IPAddress::parse("::g"), Err(ERR::InvalidValue));
    }

    #[test]
    fn round_trip_std() {
        for s in ["10.1.2.3:80", "[fe80::1]:443", "[::ffff:127.0.0.1]:1"] {
            let sa: SocketAddr = s.parse().unwrap();
            assert_eq!(SocketAddr::from(IPAddress::from(sa)), sa);
        }
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn byte_order() {
        assert_eq!(host_to_short(0x1234), 0x3412);
        assert_eq!(short_to_host(host_to_short(0xABCD)), 0xABCD);
        assert_eq!(long_to_host(host_to_long(0x0102_0304)), 0x0102_0304);
        assert_eq!(host_to_short(0x1_0001), 0x0100);
    }

    #[test]
    fn canonical() {
        let mapped: IpAddr = "::ffff:127.0.0.2".parse().unwrap();
        assert_eq!(canonical_ip(mapped), "127.0.0.2".parse::<IpAddr>().unwrap());
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(canonical_ip(v6), v6);
    }
}
