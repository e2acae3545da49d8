//! What the door keeps per script: the signal flag that `processing.sleep` waits on, the depth
//! of `catch` (failed calls raise only inside it), the last error code raised, objects whose
//! Lua handles were collected and are waiting to be freed, and the script's options.
//!
//! One script runs per thread (the kernel's objects belong to their thread's loop), so this is
//! thread-local and needs no lock.

use parasol::{ObjectId, ERR};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

thread_local! {
    static SIGNALLED: Cell<bool> = const { Cell::new(false) };
    static CATCH_DEPTH: Cell<u32> = const { Cell::new(0) };
    static CAUGHT: Cell<ERR> = const { Cell::new(ERR::Okay) };
    static TO_FREE: RefCell<Vec<ObjectId>> = const { RefCell::new(Vec::new()) };
    static INCLUDED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    static IN_USE: Cell<bool> = const { Cell::new(false) };
}

/// Claims this thread's door state for a new script: false while another script on this
/// thread holds it (two would share one signal, one catch depth).
pub(crate) fn claim() -> bool {
    IN_USE.with(|u| !u.replace(true))
}

/// Gives the state back (the script ended).
pub(crate) fn release() {
    IN_USE.with(|u| u.set(false));
}

/// Raises the script's signal (`processing.signal()`).
pub(crate) fn signal() {
    SIGNALLED.with(|s| s.set(true));
}

/// True once signalled since the last [`clear_signal`].
pub(crate) fn signalled() -> bool {
    SIGNALLED.with(Cell::get)
}

/// `processing.sleep` clears the signal on entry, as Fluid does: a signal raised before the
/// sleep began is not the one it waits for.
pub(crate) fn clear_signal() {
    SIGNALLED.with(|s| s.set(false));
}

/// True inside `catch()` (at any depth, in any callback it leads to: the scope is dynamic).
pub(crate) fn in_catch() -> bool {
    CATCH_DEPTH.with(Cell::get) > 0
}

pub(crate) fn enter_catch() {
    CATCH_DEPTH.with(|d| d.set(d.get() + 1));
}

pub(crate) fn leave_catch() {
    CATCH_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
}

/// The code of the last error raised by `raise`, `check` or a failed call (Fluid's
/// CaughtError); Okay when the last error was a plain Lua error.
pub(crate) fn caught() -> ERR {
    CAUGHT.with(Cell::get)
}

pub(crate) fn set_caught(e: ERR) {
    CAUGHT.with(|c| c.set(e));
}

/// Queues an object whose owning Lua handle was collected. It is freed at the next safe point
/// ([`free_collected`]), not inside the collector: freeing runs callbacks (a socket's
/// DISCONNECTED), and a collector step is no place to run Lua.
pub(crate) fn queue_free(id: ObjectId) {
    TO_FREE.with(|q| q.borrow_mut().push(id));
}

/// Frees the objects whose handles were collected. Called where no Lua runs beneath: on
/// entering any door function, after each callback and on every cycle of a sleep.
pub(crate) fn free_collected() {
    loop {
        let batch = TO_FREE.with(|q| std::mem::take(&mut *q.borrow_mut()));
        if batch.is_empty() {
            return;
        }
        for id in batch {
            // An object the program freed by other means is already gone: nothing to do.
            let _ = id.free();
        }
    }
}

/// Marks an include as loaded; false when it already was.
pub(crate) fn mark_included(name: &str) -> bool {
    INCLUDED.with(|s| s.borrow_mut().insert(name.to_ascii_lowercase()))
}

/// Forgets everything: a new script on this thread starts clean.
pub(crate) fn reset() {
    clear_signal();
    CATCH_DEPTH.with(|d| d.set(0));
    set_caught(ERR::Okay);
    free_collected();
    INCLUDED.with(|s| s.borrow_mut().clear());
}
