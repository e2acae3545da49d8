//! # parasol
//!
//! Parasol's object system in Rust, with its network classes as first citizens: classes
//! registered at run time, objects created by class name with a map of fields, actions and
//! methods invoked generically, callbacks, and a single-threaded mio message loop; NetSocket,
//! ClientSocket, NetClient and NetLookup on top, with TLS on rustls and UDP.
//!
//! ```no_run
//! use parasol::prelude::*;
//! use std::time::Duration;
//!
//! parasol::init()?;                                   // registers the network classes
//! let server = create("NetSocket", fields! {
//!     "Port" => 0, "Flags" => "SERVER|MULTI_CONNECT",
//!     // echo() reads only what this client's queue can take and returns Retry when it is full:
//!     // a slow reader slows the sender instead of losing data (see ClientSocket::echo).
//!     "Incoming" => Function::new(|_server: &NetSocket, client: &ClientSocket| client.echo()),
//! })?;
//! let port = server.get("Port")?.to_int()? as u16;    // 0 binds an ephemeral port; read it back
//! let client = NetSocket::create().address("127.0.0.1").port(port).build()?;   // typed, same object
//! client.ac_write(b"hello")?;                         // queued until CONNECTED
//! wait_until(Duration::from_secs(1), || client.state() == Ok(NTC::CONNECTED)).to_result()?;
//! # Ok::<(), ERR>(())
//! ```
//!
//! The crates underneath: [`kernel`] (the object kernel, `parasol-core`), [`net`] (the parts
//! of the network engine a program uses, from `parasol-net`) and [`classes`] (the network
//! classes). Everything a program usually needs is in [`prelude`].
//!
//! A glob import of this crate or of its prelude shadows nothing a Rust program uses: no name
//! here is `core`, `std`, `alloc` or `log`, and the public API carries no mio type, so a mio
//! upgrade is not a breaking change (`tests/facade.rs` holds both to it).
//!
//! ## Features
//! - `aws-lc-rs` (default) or `ring`: the TLS crypto provider.
//! - `pkcs12`: PKCS#12 files and encrypted PKCS#8 keys as TLS identities (off by default; a
//!   build without it refuses them with NoSupport and a log line).
//!
//! ## Platforms
//! Unix (Linux first; the loop is mio's epoll/kqueue and sockets use Unix descriptor calls).

pub use parasol_classes as classes;
pub use parasol_core as kernel;

pub use parasol_classes::{
    set_ssl, ClientSocket, NetClient, NetLookup, NetSocket, NetSocketBuilder, TlsConfig, NLF, NSF,
    NTC,
};
// The kernel's items and modules, but not its `log` module, which would shadow the `log`
// crate in a program that glob-imports this one (it stays reachable as `kernel::log`).
pub use parasol_core::{
    ac, action, class, context, err, fid, field, function, hash, method, msgloop, object, value,
};
// (`action` names both a module and a function: the line above brings both.)
pub use parasol_core::{
    action_ptr, add_msg_handler, allocate_msg_id, call_by_name, call_method, cancel_timer,
    children, class_handle, create, current_context, fields, find_class, find_class_by_id,
    free_resource, init_object, new_object, new_object_of, notify_subscribers, precise_time,
    process_messages, queue_action, registered_classes, remove_msg_handler, reset_quit,
    send_message, send_quit, set_owner, set_timeout, subscribe_action, subscribe_timer, try_create,
    unsubscribe_action, update_timer, wait_until, ActionArgs, ArgSpec, ClassBuilder, CreateError,
    FieldDef, FieldKind, Function, LoopHandle, Loops, MetaClass, MethodSpec, ObjectBox, ObjectId,
    ObjectPtr, ObjectScope, QueuedArgs, RemoteObject, Res, Results, ScopedObject, StructValue,
    TimerId, Value, AC, CCF, CLASSID, ERR, MSGID, NF,
};
pub use parasol_net::{
    address_to_str, host_to_long, host_to_short, long_to_host, short_to_host, str_to_address,
    IPAddress, IPADDR,
};

/// The parts of the network engine a program uses: addresses and byte order, name resolution
/// (the replaceable resolver behind NetLookup and Connect), TLS configuration and certificate
/// codes, and the count of connections still closing after their objects were freed. The
/// engine's connection internals stay in `parasol-net`.
pub mod net {
    pub use parasol_net::{
        address, address_to_str, canonical_ip, host_to_long, host_to_short, long_to_host, resolve,
        short_to_host, str_to_address, tls, IPAddress, IPADDR,
    };

    /// Connections that finish closing gracefully after their objects were freed.
    pub mod linger {
        pub use parasol_net::linger::active;
    }
}

/// Registers the built-in classes (NetSocket, ClientSocket, NetClient, NetLookup). Call once before
/// creating objects by name; repeated calls are harmless.
///
/// # Errors
/// AddClass (logged) if another class already holds the id of one of them;
/// later calls return the first call's result.
pub fn init() -> Res<()> {
    parasol_classes::register_classes()
}

/// Everything a program using the runtime usually needs.
pub mod prelude {
    pub use parasol_classes::{ClientSocket, NetClient, NetLookup, NetSocket, NLF, NSF, NTC};
    pub use parasol_core::prelude::*;
    pub use parasol_core::{fields, queue_action, send_quit, Results, CLASSID};
    pub use parasol_net::IPAddress;
}
