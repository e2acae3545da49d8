//! The network module: class registration and Parasol's module functions.

use parasol_core::{Res, ERR};
use std::sync::OnceLock;

/// Registers NetSocket, ClientSocket, NetClient and NetLookup (once per process; later calls return the
/// first result). Creating a class by name requires this to have run.
///
/// # Errors
/// AddClass if another class already holds one of these names or ids (every later call
/// returns the same).
pub fn register_classes() -> Res<()> {
    static DONE: OnceLock<Result<(), ERR>> = OnceLock::new();
    *DONE.get_or_init(|| {
        crate::netsocket::register()?;
        crate::clientsocket::register()?;
        crate::netclient::register()?;
        crate::netlookup::register()?;
        Ok(())
    })
}

pub use parasol_net::{
    address_to_str, host_to_long, host_to_short, long_to_host, short_to_host, str_to_address,
    IPAddress, IPADDR,
};
