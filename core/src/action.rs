//! Actions: generic dispatch to a class's routine, `NoAction` when it has none, and action
//! subscriptions notified after the routine.

use crate::ac::AC;
use crate::err::ERR;
use crate::function::Function;
use crate::object::{ObjectId, ObjectPtr};
use crate::value::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A class's action routine.
pub type ActionFn = Arc<dyn Fn(&ObjectPtr, &mut ActionArgs<'_>) -> ERR + Send + Sync>;

/// Arguments of an action call (Parasol's `ac*` argument structs). Result fields are written by
/// the routine.
#[derive(Debug, Default)]
pub enum ActionArgs<'a> {
    /// For actions without arguments.
    #[default]
    None,
    /// `Read`: fill `buffer`; `result` = bytes read.
    Read {
        /// Destination.
        buffer: &'a mut [u8],
        /// Bytes read.
        result: usize,
    },
    /// `Write`: send `buffer`; `result` = bytes accepted.
    Write {
        /// Source.
        buffer: &'a [u8],
        /// Bytes accepted.
        result: usize,
    },
    /// `DataFeed`: data pushed at the object.
    DataFeed {
        /// Sender.
        object: Option<ObjectId>,
        /// Parasol `DATA` type (TEXT 1, RAW 2 …).
        datatype: i32,
        /// Payload.
        buffer: &'a [u8],
    },
    /// `SetKey`.
    SetKey {
        /// Key.
        key: &'a str,
        /// Value.
        value: &'a str,
    },
    /// `GetKey`: `value` is filled by the routine.
    GetKey {
        /// Key.
        key: &'a str,
        /// Result.
        value: String,
    },
}

/// Invokes an action on an object: `NoAction` if its class lacks the routine, otherwise the
/// routine's result; subscribers are notified afterwards. A panic in the routine is caught,
/// logged and returned as `ERR::Exception`.
pub fn action(obj: ObjectId, ac: AC, args: &mut ActionArgs<'_>) -> ERR {
    match obj.ptr() {
        Ok(ptr) => action_ptr(&ptr, ac, args),
        Err(e) => e,
    }
}

/// [`action`] on an already resolved object.
///
/// Two actions are lifecycle operations rather than class routines, so the generic door keeps
/// their guards: `Init` goes through [`crate::init_object`] (an initialised object →
/// `DoubleInit`, with a warning) and `Free` through [`crate::free_resource`]. Any other action
/// on an object that is being freed → `MarkedForDeletion`.
pub fn action_ptr(ptr: &ObjectPtr, ac: AC, args: &mut ActionArgs<'_>) -> ERR {
    if !ac.is_action() {
        return ERR::IllegalActionID;
    }
    match ac {
        AC::Init => return init_by_action(ptr),
        AC::Free => return ERR::from(crate::object::free_resource(ptr.header.id)),
        _ => {}
    }
    if ptr.header.is_freeing() {
        return crate::err::fail_with(
            ERR::MarkedForDeletion,
            format!(
                "{} {} while being freed",
                crate::log::ctx(ptr),
                ac.name().unwrap_or("?")
            ),
        );
    }
    // The class outlives the call (the object holds it), so the routine is borrowed, not cloned.
    let class = &ptr.header.class;
    let Some(routine) = &class.actions[ac.0 as usize] else {
        // Subscribers hear of every call, implemented or not (NoAction is reported as Okay).
        if ptr.header.notify_mask.get() & (1u64 << (ac.0 & 63)) != 0 {
            notify_subscribers(ptr, ac, ERR::NoAction);
        }
        return ERR::NoAction;
    };
    let _scope = crate::context::BorrowedScope::enter(ptr);
    let (Ok(result) | Err(result)) = catch_routine(ptr, ac, || routine(ptr, args));
    if result.0 & ERR::Notified.0 != 0 {
        return result.without_notified();
    }
    if ptr.header.notify_mask.get() & (1u64 << (ac.0 & 63)) != 0 {
        notify_subscribers(ptr, ac, result);
    }
    result
}

/// The typed door to an action whose routine the caller already knows (a typed handle's Read or
/// Write): runs `routine` under the rules of [`action_ptr`] — the object is the context, a free
/// requested meanwhile waits for the end, a panic is logged and becomes `Exception` — without
/// packing [`ActionArgs`] and dispatching through the class's table, which is most of the cost
/// of a small message.
///
/// Only for the plain case: `None` (nothing run) when the object is being freed or `ac` has
/// subscribers, so the caller takes the generic door, which refuses or notifies as documented.
/// `routine` must be what the class registered for `ac`, or the two doors would differ.
#[inline]
pub fn direct_action<R>(
    ptr: &ObjectPtr,
    ac: AC,
    routine: impl FnOnce(&ObjectPtr) -> R,
) -> Option<Result<R, ERR>> {
    let h = &ptr.header;
    if h.is_freeing() || h.notify_mask.get() & (1u64 << (ac.0 & 63)) != 0 {
        return None;
    }
    let _scope = crate::context::BorrowedScope::enter(ptr);
    Some(catch_routine(ptr, ac, || routine(ptr)))
}

/// Runs an action's routine; a panic is logged with the object and the action and becomes
/// `Exception` (both doors; the caller holds the object's scope).
#[inline]
fn catch_routine<R>(ptr: &ObjectPtr, ac: AC, routine: impl FnOnce() -> R) -> Result<R, ERR> {
    catch_unwind(AssertUnwindSafe(routine)).map_err(|panic| {
        log::error!(
            "{} panicked in action {}: {}",
            crate::log::ctx(ptr),
            ac.name().unwrap_or("?"),
            crate::function::panic_message(&panic)
        );
        ERR::Exception
    })
}

/// `Init` through the action door: an object is initialised once; a second Init is refused
/// (Parasol's `InitObject` only warns, which would let a class's Init run twice on a live object).
fn init_by_action(ptr: &ObjectPtr) -> ERR {
    if ptr.initialised() {
        return crate::err::fail_with(
            ERR::DoubleInit,
            format!("{} Init on an initialised object", crate::log::ctx(ptr)),
        );
    }
    ERR::from(crate::object::init_object(ptr.header.id))
}

struct Subscription {
    action: AC,
    callback: Function,
}

thread_local! {
    static SUBSCRIPTIONS: RefCell<HashMap<i32, Vec<Subscription>>> = RefCell::new(HashMap::new());
}

/// Subscribes `callback` to `ac` on `obj` (Parasol's `SubscribeAction`). After each call of that
/// action the callback receives `(object, action id, result)`. Methods cannot be subscribed
/// (`OutOfRange`); an undefined callback → `NullArgs`.
pub fn subscribe_action(obj: ObjectId, ac: AC, callback: Function) -> Result<(), ERR> {
    if !ac.is_action() {
        return Err(ERR::OutOfRange);
    }
    if !callback.defined() {
        return Err(ERR::NullArgs);
    }
    let ptr = obj.ptr()?;
    SUBSCRIPTIONS.with(|s| {
        s.borrow_mut()
            .entry(obj.uid())
            .or_default()
            .push(Subscription {
                action: ac,
                callback,
            })
    });
    let h = &ptr.header;
    h.notify_mask
        .set(h.notify_mask.get() | (1u64 << (ac.0 & 63)));
    Ok(())
}

/// Removes the current context's subscriptions to `ac` on `obj` (`AC::NIL`: all actions).
pub fn unsubscribe_action(obj: ObjectId, ac: AC) -> Result<(), ERR> {
    let ctx = crate::context::current_context();
    let ptr = obj.ptr()?;
    let mask = SUBSCRIPTIONS.with(|s| {
        let mut s = s.borrow_mut();
        let Some(list) = s.get_mut(&obj.uid()) else {
            return 0;
        };
        list.retain(|sub| !(sub.callback.context() == ctx && (ac == AC::NIL || sub.action == ac)));
        list.iter()
            .fold(0u64, |m, sub| m | (1u64 << (sub.action.0 & 63)))
    });
    ptr.header.notify_mask.set(mask);
    Ok(())
}

/// Notifies `ac`'s subscribers of `obj` (Parasol's `NotifySubscribers`); a class that calls this
/// itself returns `result | ERR::Notified` from its routine. `NoAction` is reported as `Okay`.
pub fn notify_subscribers(ptr: &ObjectPtr, ac: AC, result: ERR) {
    let callbacks: Vec<Function> = SUBSCRIPTIONS.with(|s| {
        s.borrow()
            .get(&ptr.header.id.uid())
            .map(|l| {
                l.iter()
                    .filter(|sub| sub.action == ac)
                    .map(|sub| sub.callback.clone())
                    .collect()
            })
            .unwrap_or_default()
    });
    let result = if result == ERR::NoAction {
        ERR::Okay
    } else {
        result
    };
    for cb in callbacks {
        // A subscriber's return value is ignored: it is told, it cannot veto.
        let _ = cb.call(&[
            Value::Object(ptr.header.id),
            Value::Int(ac.0),
            Value::Int(result.0),
        ]);
    }
}

/// Drops every subscription held on a freed object.
pub(crate) fn drop_subscriptions(uid: i32) {
    SUBSCRIPTIONS.with(|s| {
        s.borrow_mut().remove(&uid);
    });
}
