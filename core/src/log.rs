//! Parasol-style log context: lines about an object start with `[Name:UID]` (or `[Class:UID]`).
//! All logging goes through the `log` crate; binaries choose the sink (env_logger).

use crate::object::{ObjectId, ObjectPtr};
use std::fmt;

/// Displays as `[Name:UID]`, or `[Class:UID]` when the object has no name.
pub struct Ctx<'a>(&'a ObjectPtr);

/// The log prefix for an object.
pub fn ctx(ptr: &ObjectPtr) -> Ctx<'_> {
    Ctx(ptr)
}

impl fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.0.header;
        match h.name.borrow().as_deref() {
            Some(n) => write!(f, "[{}:{}]", n, h.id.uid()),
            None => write!(f, "[{}:{}]", h.class.name(), h.id.uid()),
        }
    }
}

/// Displays the log prefix for a handle (`[?:UID]` if the object is gone).
pub struct IdCtx(pub ObjectId);

impl fmt::Display for IdCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.ptr() {
            Ok(p) => Ctx(&p).fmt(f),
            Err(_) => write!(f, "[?:{}]", self.0.uid()),
        }
    }
}
