//! The context stack: which object's code is running now. New objects are owned by the current
//! context, callbacks run inside the context they were created in, log lines name it, and an
//! object's own code is exempt from field access rules.

use crate::object::{free_resource, ObjectId, ObjectPtr, NF};
use std::cell::Cell;

thread_local! {
    /// The top of the context stack; the rest of the stack lives in the guards, each holding
    /// the context it replaced (a switch costs two thread-local cell accesses, no allocation).
    static CURRENT: Cell<Option<ObjectId>> = const { Cell::new(None) };
}

/// The object whose code is running on this thread, or `None` at top level (the task).
pub fn current_context() -> Option<ObjectId> {
    CURRENT.with(Cell::get)
}

/// Runs with `ctx` as the current context (Parasol's `SwitchContext`) until dropped, which
/// restores the context it replaced. Guards are dropped in the reverse order of their creation
/// (they are scoped values).
pub(crate) struct ContextGuard {
    replaced: Option<ObjectId>,
}

impl ContextGuard {
    #[inline]
    pub(crate) fn push(ctx: Option<ObjectId>) -> ContextGuard {
        ContextGuard {
            replaced: CURRENT.with(|c| c.replace(ctx)),
        }
    }
}

impl Drop for ContextGuard {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.replaced));
    }
}

/// Marks an object busy while its code (an action, or a callback on its behalf) runs: the object
/// becomes the current context, and a free requested meanwhile is deferred until the outermost
/// scope ends (Parasol's `ActionDepth` + `COLLECT`). Network classes hold one around every
/// callback they invoke for an object, so "free yourself from your own callback" is safe.
pub struct ObjectScope {
    ptr: ObjectPtr,
    ctx: Option<ContextGuard>,
}

impl ObjectScope {
    /// Enters the object's scope.
    pub fn enter(ptr: &ObjectPtr) -> ObjectScope {
        ObjectScope::enter_owned(ptr.clone())
    }

    /// [`ObjectScope::enter`] keeping the caller's reference (read it back with
    /// [`ObjectScope::ptr`]) instead of taking another.
    #[inline]
    pub fn enter_owned(ptr: ObjectPtr) -> ObjectScope {
        let h = &ptr.header;
        h.depth.set(h.depth.get() + 1);
        let ctx = Some(ContextGuard::push(Some(h.id)));
        ObjectScope { ptr, ctx }
    }

    /// The object this scope holds.
    pub fn ptr(&self) -> &ObjectPtr {
        &self.ptr
    }
}

impl Drop for ObjectScope {
    #[inline]
    fn drop(&mut self) {
        // Leave the object's context first, so a deferred free runs in the caller's context.
        self.ctx.take();
        leave(&self.ptr);
    }
}

/// [`ObjectScope`] for a caller that holds the object itself for the whole scope (an action
/// call borrows its object): no reference count to take and give back.
pub(crate) struct BorrowedScope<'a> {
    ptr: &'a ObjectPtr,
    ctx: Option<ContextGuard>,
}

impl<'a> BorrowedScope<'a> {
    #[inline]
    pub(crate) fn enter(ptr: &'a ObjectPtr) -> BorrowedScope<'a> {
        let h = &ptr.header;
        h.depth.set(h.depth.get() + 1);
        BorrowedScope {
            ptr,
            ctx: Some(ContextGuard::push(Some(h.id))),
        }
    }
}

impl Drop for BorrowedScope<'_> {
    #[inline]
    fn drop(&mut self) {
        self.ctx.take();
        leave(self.ptr);
    }
}

/// Leaves one level of the object's scope; the outermost runs a free requested meanwhile.
#[inline]
fn leave(ptr: &ObjectPtr) {
    let h = &ptr.header;
    let depth = h.depth.get() - 1;
    h.depth.set(depth);
    if depth == 0 && h.has(NF::COLLECT) && !h.has(NF::FREE) {
        h.set_flag(NF::COLLECT, false);
        let _ = free_resource(h.id);
    }
}
