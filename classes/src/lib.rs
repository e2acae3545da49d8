//! Parasol's network classes on the kernel: NetSocket (client and server, TCP and UDP),
//! ClientSocket, NetClient and NetLookup, with Parasol's documented behaviour and the
//! departures the repository's README lists. Call [`register_classes`] once (the facade's `parasol::init()` does) and create them
//! by name or through the typed handles.

#![warn(missing_docs)]

mod callback_check;
mod client;
mod client_data;
mod clientsocket;
pub mod constants;
mod data;
mod handles;
mod interop;
mod lookup_handle;
pub mod module;
mod netclient;
mod netlookup;
mod netsocket;
mod server;
mod ssl;
mod stream;
mod sync;
mod timeouts;
mod tls_setup;
mod typed_callbacks;
mod typed_io;
mod udp;
mod udp_handle;

pub use constants::{NLF, NSF, NTC};
pub use handles::{ClientSocket, NetClient, NetSocket, NetSocketBuilder};
pub use lookup_handle::NetLookup;
pub use module::register_classes;
pub use ssl::set_ssl;
pub use tls_setup::TlsConfig;
