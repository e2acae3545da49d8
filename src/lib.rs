//! # parasol
//!
//! Parasol's object system in Rust, with its network classes as first citizens: classes
//! registered at run time, objects created by class name with a map of fields, actions and
//! methods invoked generically, callbacks, and a single-threaded mio message loop; NetSocket,
//! ClientSocket and NetClient on top, with TLS on rustls.
//!
//! ```no_run
//! use parasol::prelude::*;
//! use std::time::Duration;
//!
//! parasol::init()?;                                   // registers NetSocket, ClientSocket, NetClient
//! let server = create("NetSocket", fields! {
//!     "Port" => 0, "Flags" => "SERVER|MULTI_CONNECT",
//!     // echo() reads only what this client's queue can take and returns Retry when it is full:
//!     // a slow reader slows the sender instead of losing data (see ClientSocket::echo).
//!     "Incoming" => Function::new(|_server: &NetSocket, client: &ClientSocket| client.echo()),
//! })?;
//! let port = server.get("Port")?.to_int()? as u16;    // 0 binds an ephemeral port; read it back
//! let client = NetSocket::create().address("127.0.0.1").port(port).build()?;   // typed, same object
//! client.ac_write(b"hello")?;                         // queued until CONNECTED
//! wait_until(Duration::from_secs(1), || client.state() == NTC::CONNECTED);
//! # Ok::<(), ERR>(())
//! ```
//!
//! The crates underneath: [`core`] (the kernel), [`net`] (the network engine) and [`classes`]
//! (the network classes). Everything a program usually needs is in [`prelude`].

pub use parasol_classes as classes;
pub use parasol_core as core;
pub use parasol_net as net;

pub use parasol_classes::{
    set_ssl, ClientSocket, NetClient, NetSocket, NetSocketBuilder, NSF, NTC,
};
pub use parasol_core::*;
pub use parasol_net::{
    address_to_str, host_to_long, host_to_short, long_to_host, short_to_host, str_to_address,
    IPAddress, IPADDR,
};

/// Registers the built-in classes (NetSocket, ClientSocket, NetClient). Call once before
/// creating objects by name; repeated calls are harmless.
pub fn init() -> Res<()> {
    parasol_classes::register_classes()
}

/// Everything a program using the runtime usually needs.
pub mod prelude {
    pub use parasol_classes::{ClientSocket, NetClient, NetSocket, NSF, NTC};
    pub use parasol_core::prelude::*;
    pub use parasol_core::{fields, queue_action, send_quit, Results, CLASSID};
    pub use parasol_net::IPAddress;
}
