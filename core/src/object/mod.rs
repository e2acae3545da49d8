//! Objects: handles, the header, the per-thread store, the lifecycle and the generic interface.

mod api;
mod header;
mod id;
pub(crate) mod lifecycle;
pub(crate) mod store;

pub use header::{ObjectBox, ObjectPtr, NF};
pub use id::ObjectId;
pub use lifecycle::{
    children, create, free_resource, init_object, new_object, new_object_of, set_owner, try_create,
    CreateError, ScopedObject,
};
pub use store::count as object_count;
#[doc(hidden)]
pub use store::set_next_uid_for_tests;

pub(crate) use header::{new_box, Header};
