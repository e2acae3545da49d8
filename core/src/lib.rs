//! The object kernel of the Parasol emulation: classes registered at run time, objects created by
//! class name and configured by field name, actions and methods invoked generically, callbacks,
//! and a single-threaded mio message loop, as Parasol's kernel documents them (the repository's
//! README lists where this one departs).
//!
//! ```
//! use parasol_core::prelude::*;
//! use parasol_core::field::{fd::*, FieldKind};
//!
//! #[derive(Default)]
//! struct Greeter { greeting: String }
//!
//! ClassBuilder::<Greeter>::new("DocGreeter")
//!     .field("Greeting", FieldKind::Str, FD_RI, |f| {
//!         f.get(|g| Value::from(g.greeting.as_str()))
//!          .set(|g, v| { g.greeting = v.as_str()?.to_owned(); Ok(()) })
//!     })
//!     .register()
//!     .unwrap();
//!
//! let g = create("DocGreeter", fields! { "Greeting" => "kia ora" }).unwrap();
//! assert_eq!(g.get_str("Greeting").unwrap(), "kia ora");
//! assert_eq!(g.set("Greeting", "hello"), Err(ERR::NoFieldAccess)); // set-before-Init only
//! g.free().unwrap();
//! assert_eq!(g.get("Greeting"), Err(ERR::NoMatchingObject));
//! ```

#![warn(missing_docs)]

pub mod ac;
pub mod action;
pub mod class;
pub mod context;
pub mod err;
pub mod fid;
pub mod field;
pub mod function;
mod handle;
pub mod hash;
pub mod log;
pub mod method;
pub mod msgloop;
pub mod object;
pub mod value;

pub use ac::AC;
pub use action::{
    action, action_ptr, direct_action, notify_subscribers, subscribe_action, unsubscribe_action,
    ActionArgs,
};
pub use class::{
    find_class, find_class_by_id, registered_classes, ClassBuilder, MetaClass, CCF, CLASSID,
};
pub use context::{current_context, ObjectScope};
pub use err::{Res, ERR};
pub use field::{FieldDef, FieldKind};
pub use function::Function;
pub use method::{call_by_name, call_method, ArgSpec, MethodSpec, Results};
pub use msgloop::{
    add_msg_handler, allocate_msg_id, cancel_timer, precise_time, process_messages, queue_action,
    remove_msg_handler, reset_quit, send_message, send_quit, set_timeout, subscribe_timer,
    update_timer, wait_until, LoopHandle, Loops, QueuedArgs, RemoteObject, TimerId, MSGID,
};
pub use object::{
    children, create, free_resource, init_object, new_object, new_object_of, set_owner, try_create,
    CreateError, ObjectBox, ObjectId, ObjectPtr, ScopedObject, NF,
};
pub use value::{StructValue, Value};

/// Everything a program using the kernel usually needs.
pub mod prelude {
    pub use crate::{
        create, fields, free_resource, init_object, new_object, process_messages, subscribe_timer,
        wait_until, ClassBuilder, Function, LoopHandle, ObjectId, QueuedArgs, RemoteObject, Res,
        ScopedObject, Value, AC, ERR,
    };
}
