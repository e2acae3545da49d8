//! Timers: subscriber timers with Parasol's semantics (`SubscribeTimer`) and one-shot timers for
//! class code. A deadline-ordered map drives the poll timeout, so an idle loop never ticks.

use crate::err::{Res, ERR};
use crate::function::Function;
use crate::object::ObjectId;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Identifies a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerId(pub(crate) u64);

pub(crate) enum TimerKind {
    /// Parasol timer: `callback(subscriber, elapsed_us, now_us)`, repeating; Terminate stops it.
    Subscriber {
        callback: Function,
        subscriber: Option<ObjectId>,
    },
    /// Class one-shot.
    Once(Rc<dyn Fn()>),
}

pub(crate) struct Timer {
    due: Instant,
    interval: Duration,
    last: Instant,
    kind: TimerKind,
}

#[derive(Default)]
pub(crate) struct Timers {
    next_id: u64,
    order: BTreeMap<(Instant, u64), ()>,
    all: HashMap<u64, Timer>,
}

/// The longest delay a timer, timeout or interval may have: about 31.7 years. Longer ones are
/// `OutOfRange` rather than a deadline the clock cannot represent (which would panic).
pub const MAX_DELAY: Duration = Duration::from_secs(1_000_000_000);

/// Converts seconds given by a caller (a field, a method argument, a script) into a delay.
/// Never panics.
///
/// # Errors
/// Args for NaN, infinite or negative seconds; OutOfRange for more than [`MAX_DELAY`] (logged).
///
/// ```
/// use parasol_core::msgloop::seconds_to_delay;
/// use parasol_core::ERR;
/// assert_eq!(seconds_to_delay(1.5), Ok(std::time::Duration::from_millis(1500)));
/// assert_eq!(seconds_to_delay(1e19), Err(ERR::OutOfRange));
/// assert_eq!(seconds_to_delay(f64::NAN), Err(ERR::Args));
/// ```
pub fn seconds_to_delay(secs: f64) -> Res<Duration> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(ERR::Args);
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if d <= MAX_DELAY => Ok(d),
        _ => {
            log::warn!("A delay of {secs} s is more than the limit of {MAX_DELAY:?}");
            Err(ERR::OutOfRange)
        }
    }
}

/// The instant `delay` after `now`, or `OutOfRange` past [`MAX_DELAY`].
pub(crate) fn deadline_after(now: Instant, delay: Duration) -> Res<Instant> {
    if delay > MAX_DELAY {
        return Err(ERR::OutOfRange);
    }
    now.checked_add(delay).ok_or(ERR::OutOfRange)
}

impl Timers {
    fn add(&mut self, delay: Duration, kind: TimerKind) -> Res<TimerId> {
        let now = Instant::now();
        let due = deadline_after(now, delay)?;
        self.next_id += 1;
        let id = self.next_id;
        self.order.insert((due, id), ());
        self.all.insert(
            id,
            Timer {
                due,
                interval: delay,
                last: now,
                kind,
            },
        );
        Ok(TimerId(id))
    }

    pub(crate) fn remove(&mut self, id: TimerId) -> bool {
        match self.all.remove(&id.0) {
            Some(t) => {
                self.order.remove(&(t.due, id.0));
                true
            }
            None => false,
        }
    }

    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.order.keys().next().map(|(t, _)| *t)
    }

    pub(crate) fn due_now(&self, now: Instant) -> Vec<u64> {
        self.order
            .range(..=(now, u64::MAX))
            .map(|((_, id), _)| *id)
            .collect()
    }

    pub(crate) fn remove_subscriber(&mut self, obj: ObjectId) {
        let ids: Vec<u64> = self
            .all
            .iter()
            .filter(|(_, t)| matches!(t.kind, TimerKind::Subscriber { subscriber: Some(s), .. } if s == obj))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.remove(TimerId(id));
        }
    }
}

/// Runs one due timer (called by the loop with no borrow held).
pub(crate) fn fire(id: u64, now: Instant) {
    enum Call {
        Sub(Function, Option<ObjectId>, i64),
        Once(Rc<dyn Fn()>),
    }
    let call = super::with_state(|s| {
        let mut timers = s.timers.borrow_mut();
        let t = timers.all.get_mut(&id)?;
        if t.due > now {
            return None;
        }
        let call = match &t.kind {
            TimerKind::Subscriber {
                callback,
                subscriber,
            } => {
                let elapsed = now.duration_since(t.last).as_micros() as i64;
                Call::Sub(callback.clone(), *subscriber, elapsed)
            }
            TimerKind::Once(f) => Call::Once(f.clone()),
        };
        let old_due = t.due;
        if let Call::Once(_) = call {
            timers.remove(TimerId(id));
        } else {
            // No burst catch-up: a late timer is rescheduled from now (Parasol's clamp).
            t.last = now;
            t.due = old_due.checked_add(t.interval).unwrap_or(now).max(now);
            let due = t.due;
            timers.order.remove(&(old_due, id));
            timers.order.insert((due, id), ());
        }
        Some(call)
    })
    .ok()
    .flatten();
    match call {
        Some(Call::Once(f)) => f(),
        Some(Call::Sub(cb, subscriber, elapsed)) => {
            if subscriber.is_some_and(|s| !s.exists()) {
                let _ = super::with_state(|s| s.timers.borrow_mut().remove(TimerId(id)));
                return;
            }
            let now_us = super::precise_time();
            let args = [
                subscriber.map_or(Value::None, Value::Object),
                Value::Int64(elapsed),
                Value::Int64(now_us),
            ];
            if cb.call(&args) == ERR::Terminate {
                let _ = super::with_state(|s| s.timers.borrow_mut().remove(TimerId(id)));
            }
        }
        None => {}
    }
}

/// Calls `callback(subscriber, elapsed_us, now_us)` every `interval` seconds (Parasol's
/// `SubscribeTimer`); the subscriber is the current context. The callback returning
/// `ERR::Terminate` unsubscribes.
///
/// # Errors
/// NullArgs for a zero interval or an undefined callback; Args for a negative or non-finite
/// interval; OutOfRange for one longer than [`MAX_DELAY`]; SystemCall if this thread's loop cannot
/// be created (logged).
///
/// ```
/// use parasol_core::prelude::*;
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// let n = Rc::new(Cell::new(0));
/// let c = n.clone();
/// subscribe_timer(0.001, Function::new(move || { c.set(c.get() + 1); if c.get() == 3 { ERR::Terminate } else { ERR::Okay } })).unwrap();
/// assert_eq!(wait_until(Duration::from_secs(5), || n.get() == 3), ERR::Okay);
/// ```
pub fn subscribe_timer(interval_secs: f64, callback: Function) -> Res<TimerId> {
    if interval_secs == 0.0 || !callback.defined() {
        return Err(ERR::NullArgs);
    }
    let delay = seconds_to_delay(interval_secs)?;
    let subscriber = crate::context::current_context();
    super::with_state(|s| {
        s.timers.borrow_mut().add(
            delay,
            TimerKind::Subscriber {
                callback,
                subscriber,
            },
        )
    })?
}

/// Changes a timer's interval (restarting it from now); 0 removes it.
///
/// # Errors
/// Search for an unknown (or already removed) timer; Args for a negative or non-finite interval;
/// OutOfRange for one longer than [`MAX_DELAY`]; SystemCall if this thread's loop cannot be created
/// (logged).
pub fn update_timer(id: TimerId, interval_secs: f64) -> Res<()> {
    let interval = seconds_to_delay(interval_secs)?;
    super::with_state(|s| {
        let mut timers = s.timers.borrow_mut();
        if interval_secs == 0.0 {
            return if timers.remove(id) {
                Ok(())
            } else {
                Err(ERR::Search)
            };
        }
        let Some(t) = timers.all.get_mut(&id.0) else {
            return Err(ERR::Search);
        };
        let old = t.due;
        t.interval = interval;
        t.due = deadline_after(Instant::now(), interval)?;
        let due = t.due;
        timers.order.remove(&(old, id.0));
        timers.order.insert((due, id.0), ());
        Ok(())
    })?
}

/// Runs `f` once after `delay` (for class code: connect timeouts, linger bounds, retries).
///
/// # Errors
/// OutOfRange for a delay longer than [`MAX_DELAY`]; SystemCall if this thread's loop cannot be
/// created (logged).
pub fn set_timeout(delay: Duration, f: Rc<dyn Fn()>) -> Res<TimerId> {
    super::with_state(|s| s.timers.borrow_mut().add(delay, TimerKind::Once(f)))?
}

/// Cancels a timer; returns whether it existed.
pub fn cancel_timer(id: TimerId) -> bool {
    super::with_state(|s| s.timers.borrow_mut().remove(id)).unwrap_or(false)
}
