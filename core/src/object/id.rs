//! `ObjectId`: the cheap, copyable handle to an object on this thread.

use crate::err::{Res, ERR};
use crate::object::store;
use crate::object::ObjectPtr;
use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroI32;

/// A handle to an object owned by this thread's kernel. Copying it is free; it never keeps the
/// object alive and never frees it on drop. Every operation on a handle whose object was freed
/// returns `ERR::NoMatchingObject`; freed memory is never touched.
///
/// Handles are not `Send`: objects belong to the thread whose loop drives them. Use
/// [`crate::RemoteObject`] to reach an object from another thread.
#[derive(Clone, Copy)]
pub struct ObjectId {
    uid: NonZeroI32,
    slot: u32,
    _thread_bound: PhantomData<*const ()>,
}

impl ObjectId {
    pub(crate) fn new(uid: NonZeroI32, slot: u32) -> ObjectId {
        ObjectId {
            uid,
            slot,
            _thread_bound: PhantomData,
        }
    }

    /// The object's unique id (Parasol's UID), counting up from 500. A UID never names two live
    /// objects of a thread: after `i32::MAX` the counter starts again at 500 and skips UIDs still
    /// in use.
    #[inline]
    pub fn uid(self) -> i32 {
        self.uid.get()
    }

    #[inline]
    pub(crate) fn slot(self) -> u32 {
        self.slot
    }

    /// Finds a live object on this thread by UID.
    pub fn from_uid(uid: i32) -> Option<ObjectId> {
        store::find_uid(uid)
    }

    /// The object itself (a counted reference that stays valid memory even if the object is freed
    /// meanwhile).
    ///
    /// # Errors
    /// NoMatchingObject once the object is freed (the handle no longer resolves).
    #[inline]
    pub fn ptr(self) -> Res<ObjectPtr> {
        store::get(self).ok_or(ERR::NoMatchingObject)
    }

    /// The id of the object's class (typed handles check it).
    ///
    /// # Errors
    /// NoMatchingObject once the object is freed.
    #[inline]
    pub fn class_id(self) -> Res<crate::CLASSID> {
        store::class_id(self).ok_or(ERR::NoMatchingObject)
    }

    /// True while the object exists and is not being freed.
    pub fn exists(self) -> bool {
        store::get(self).is_some_and(|p| !p.header.is_freeing())
    }
}

impl PartialEq for ObjectId {
    fn eq(&self, other: &ObjectId) -> bool {
        self.uid == other.uid
    }
}
impl Eq for ObjectId {}

impl std::hash::Hash for ObjectId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uid.hash(state)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.uid)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.uid)
    }
}
