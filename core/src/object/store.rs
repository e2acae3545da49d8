//! The per-thread object store: a slab indexed by the handle's slot, plus a UID index.
//! UIDs come from one process-wide counter starting at 500 (Parasol's `glPrivateIDCounter`).
//!
//! The counter is an `i32`, as Parasol's OBJECTID. After `i32::MAX` it starts again at 500 (about
//! 2^31 objects later: a day of connection churn at full speed) and skips every UID still live on
//! the thread, so a UID never names two live objects of one thread and `ObjectId::from_uid`
//! never finds the wrong one. Objects of different threads never meet by UID: handles are
//! per-thread and a `RemoteObject` carries its loop.

use crate::object::{ObjectId, ObjectPtr};
use std::cell::RefCell;
use std::collections::HashMap;
use std::num::NonZeroI32;
use std::sync::atomic::{AtomicI32, Ordering};

/// The first UID handed out, and where the counter starts again after `i32::MAX`.
const FIRST_UID: i32 = 500;

static NEXT_UID: AtomicI32 = AtomicI32::new(FIRST_UID);

/// Takes the next UID from the process-wide counter, wrapping from `i32::MAX` to [`FIRST_UID`].
fn next_uid() -> NonZeroI32 {
    let step = |u: i32| {
        Some(if (FIRST_UID..i32::MAX).contains(&u) {
            u + 1
        } else {
            FIRST_UID
        })
    };
    let uid = match NEXT_UID.fetch_update(Ordering::Relaxed, Ordering::Relaxed, step) {
        Ok(u) | Err(u) => u,
    };
    // The counter only ever holds values in FIRST_UID..=i32::MAX.
    NonZeroI32::new(uid.max(FIRST_UID)).unwrap_or(NonZeroI32::MIN)
}

/// Moves the UID counter (tests of the wrap-around only; values below 500 start at 500).
#[doc(hidden)]
pub fn set_next_uid_for_tests(uid: i32) {
    NEXT_UID.store(uid.max(FIRST_UID), Ordering::Relaxed);
}

#[derive(Default)]
struct Store {
    slots: Vec<Option<ObjectPtr>>,
    free_slots: Vec<u32>,
    by_uid: HashMap<i32, u32>,
}

thread_local! {
    static STORE: RefCell<Store> = RefCell::new(Store::default());
}

/// Reserves a fresh handle: a new UID and a free slot.
pub(crate) fn reserve() -> ObjectId {
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        // Only after a wrap can a UID still be in use; skip those.
        let mut uid = next_uid();
        while s.by_uid.contains_key(&uid.get()) {
            uid = next_uid();
        }
        let slot = match s.free_slots.pop() {
            Some(slot) => slot,
            None => {
                s.slots.push(None);
                (s.slots.len() - 1) as u32
            }
        };
        s.by_uid.insert(uid.get(), slot);
        ObjectId::new(uid, slot)
    })
}

/// Puts the object in its reserved slot.
pub(crate) fn insert(ptr: ObjectPtr) {
    let id = ptr.header.id;
    STORE.with(|s| s.borrow_mut().slots[id.slot() as usize] = Some(ptr));
}

/// Removes the object; its handle stops resolving at once.
pub(crate) fn remove(id: ObjectId) -> Option<ObjectPtr> {
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        let slot = id.slot() as usize;
        let matches = s
            .slots
            .get(slot)
            .and_then(|p| p.as_ref())
            .is_some_and(|p| p.header.id == id);
        if !matches {
            // A reserved slot whose object was never inserted (construction failed).
            if s.by_uid.get(&id.uid()) == Some(&id.slot())
                && s.slots.get(slot).is_some_and(|p| p.is_none())
            {
                s.by_uid.remove(&id.uid());
                s.free_slots.push(id.slot());
            }
            return None;
        }
        let ptr = s.slots[slot].take();
        s.by_uid.remove(&id.uid());
        s.free_slots.push(id.slot());
        ptr
    })
}

/// Resolves a handle.
#[inline]
pub(crate) fn get(id: ObjectId) -> Option<ObjectPtr> {
    STORE.with(|s| {
        let s = s.borrow();
        match s.slots.get(id.slot() as usize) {
            Some(Some(p)) if p.header.id == id => Some(p.clone()),
            _ => None,
        }
    })
}

/// The class of a handle's object, without taking a reference to the object (typed handles check
/// it for every callback argument).
#[inline]
pub(crate) fn class_id(id: ObjectId) -> Option<crate::CLASSID> {
    STORE.with(|s| match s.borrow().slots.get(id.slot() as usize) {
        Some(Some(p)) if p.header.id == id => Some(p.header.class.id()),
        _ => None,
    })
}

/// Finds a live object by UID.
pub(crate) fn find_uid(uid: i32) -> Option<ObjectId> {
    STORE.with(|s| {
        let s = s.borrow();
        let slot = *s.by_uid.get(&uid)?;
        s.slots.get(slot as usize)?.as_ref().map(|p| p.header.id)
    })
}

/// Number of live objects on this thread.
pub fn count() -> usize {
    STORE.with(|s| s.borrow().by_uid.len())
}
