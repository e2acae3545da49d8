//! The network engine behind NetSocket, ClientSocket and NetClient, free of the object model:
//! addresses, name resolution off the loop, TCP connection and listener state, outgoing queues,
//! lingering closes and TLS sessions on rustls. It uses the kernel only for `ERR` and for the
//! loop's I/O registration.
//!
//! This is the engine behind the classes, and its API follows the crates it wraps (a
//! `Connection` holds a `mio::net::TcpStream`), so it changes when they do. Programs depend on
//! the facade crate `parasol`, which re-exports only the parts of this crate that carry no mio
//! type (addresses, TLS configuration and codes, the count of lingering closes).

#![warn(missing_docs)]

pub mod address;
pub mod conn;
pub mod linger;
pub mod queue;
pub mod resolve;
mod scratch;
pub mod socket;
mod sockio;
pub mod tls;
pub mod udp;

pub use address::{
    address_to_str, canonical_ip, host_to_long, host_to_short, long_to_host, short_to_host,
    str_to_address, IPAddress, IPADDR,
};
pub use conn::{Connection, Fill};
pub use queue::OutQueue;
pub use sockio::Transport;
