//! The message loop: one per thread, on mio. `process_messages` runs due timers, queued
//! messages and I/O readiness, and sleeps in `epoll_wait` until the next timer, message or
//! socket event: an idle loop costs nothing.

mod embed;
mod group;
mod io;
mod message;
mod timer;

pub use embed::{next_timeout, poll_descriptor};
pub use group::Loops;
pub use io::{
    io_deregister, io_recall, io_register, io_reregister, Interest, IoHandler, IoToken, Ready,
};
pub use message::{allocate_msg_id, LoopHandle, QueuedArgs, RemoteObject, MSGID};
pub use timer::{
    cancel_timer, seconds_to_delay, set_timeout, subscribe_timer, update_timer, TimerId, MAX_DELAY,
};

use crate::ac::AC;
use crate::action::ActionArgs;
use crate::err::{Res, ERR};
use crate::function::Function;
use crate::object::ObjectId;
use crate::value::Value;
use io::IoTable;
use message::{Message, Shared};
use once_cell::sync::Lazy;
use parking_lot::Mutex;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use timer::Timers;

const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);
const MAX_NESTING: u32 = 8;
const EVENT_CAPACITY: usize = 1024;

struct MsgHandler {
    id: u64,
    msg_type: MSGID,
    callback: Function,
}

pub(crate) struct LoopState {
    poll: RefCell<mio::Poll>,
    registry: mio::Registry,
    events: RefCell<Option<mio::Events>>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) io: RefCell<IoTable>,
    pub(crate) timers: RefCell<Timers>,
    handlers: RefCell<Vec<MsgHandler>>,
    next_handler: Cell<u64>,
    quit: Cell<bool>,
    nesting: Cell<u32>,
    /// The last poll returned a full event buffer: more events may be waiting (see embed).
    poll_was_full: Cell<bool>,
}

thread_local! {
    static STATE: RefCell<Option<Rc<LoopState>>> = const { RefCell::new(None) };
}

fn create_state() -> Res<Rc<LoopState>> {
    let fail = |what: &str, e: std::io::Error| {
        log::error!("Cannot create the message loop ({what}): {e}");
        ERR::SystemCall
    };
    let poll = mio::Poll::new().map_err(|e| fail("epoll", e))?;
    let registry = poll
        .registry()
        .try_clone()
        .map_err(|e| fail("registry", e))?;
    let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN).map_err(|e| fail("waker", e))?;
    Ok(Rc::new(LoopState {
        poll: RefCell::new(poll),
        registry,
        events: RefCell::new(Some(mio::Events::with_capacity(EVENT_CAPACITY))),
        shared: Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            queued: AtomicBool::new(false),
            waker,
        }),
        io: RefCell::new(IoTable::default()),
        timers: RefCell::new(Timers::default()),
        handlers: RefCell::new(Vec::new()),
        next_handler: Cell::new(0),
        quit: Cell::new(false),
        nesting: Cell::new(0),
        poll_was_full: Cell::new(false),
    }))
}

/// Runs `f` with this thread's loop state (created on first use). Callers keep borrows short
/// and never call handlers or callbacks inside `f`.
pub(crate) fn with_state<R>(f: impl FnOnce(&LoopState) -> R) -> Res<R> {
    let st = state()?;
    Ok(f(&st))
}

fn state() -> Res<Rc<LoopState>> {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        match &*s {
            Some(st) => Ok(st.clone()),
            None => {
                let st = create_state()?;
                *s = Some(st.clone());
                Ok(st)
            }
        }
    })
}

/// Called when an object is freed: drops its timers.
pub(crate) fn forget_object(id: ObjectId) {
    STATE.with(|s| {
        if let Some(st) = &*s.borrow() {
            st.timers.borrow_mut().remove_subscriber(id);
        }
    });
}

static EPOCH: Lazy<Instant> = Lazy::new(Instant::now);

/// Monotonic time in microseconds (Parasol's `PreciseTime`).
pub fn precise_time() -> i64 {
    EPOCH.elapsed().as_micros() as i64
}

enum Flow {
    Continue,
    /// A message handler asked the current `process_messages` to return.
    Break,
    /// The quit message arrived.
    Terminate,
}

/// Processes messages, timers and I/O (Parasol's `ProcessMessages`).
///
/// * `None`: until the quit message (`Terminate`) or a message handler returns `Terminate`
///   (`Okay`).
/// * `Some(d)`: for `d` at most; returns `TimeOut` when it elapses. `Some(Duration::ZERO)` does
///   one pass without sleeping and returns `Okay`.
///
/// Once the quit message has been processed, every call returns `Terminate` at once. Nesting
/// deeper than 8 → `Recursion`.
///
/// ```
/// use parasol_core::prelude::*;
/// use parasol_core::send_quit;
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay); // one pass, no sleep
/// assert_eq!(process_messages(Some(Duration::from_millis(5))), ERR::TimeOut); // idle
///
/// // A timer that quits the loop on its third tick: `None` runs until then.
/// let ticks = Rc::new(Cell::new(0));
/// let t = ticks.clone();
/// subscribe_timer(0.001, Function::new(move || {
///     t.set(t.get() + 1);
///     if t.get() == 3 {
///         send_quit().unwrap();
///     }
///     ERR::Okay
/// }))?;
/// assert_eq!(process_messages(None), ERR::Terminate);
/// assert_eq!(ticks.get(), 3);
/// # Ok::<(), ERR>(())
/// ```
pub fn process_messages(timeout: Option<Duration>) -> ERR {
    run(timeout, timeout == Some(Duration::ZERO), &mut || false)
}

/// Processes messages until `cond` returns true (`Okay`), `timeout` elapses (`TimeOut`) or the
/// quit message arrives (`Terminate`). `cond` is checked before the first cycle and after every
/// cycle, so it may inspect any object. This is the way to wait for something without sleeping.
///
/// ```
/// use parasol_core::prelude::*;
/// use std::time::Duration;
/// assert_eq!(wait_until(Duration::from_millis(20), || false), ERR::TimeOut);
/// assert_eq!(wait_until(Duration::from_millis(20), || true), ERR::Okay);
/// ```
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> ERR {
    if cond() {
        return ERR::Okay;
    }
    run(Some(timeout), false, &mut cond)
}

/// Runs cycles for `timeout` at most (`None`: until told to stop); `single_pass`: one cycle
/// without sleeping.
fn run(timeout: Option<Duration>, single_pass: bool, cond: &mut dyn FnMut() -> bool) -> ERR {
    let state = match state() {
        Ok(s) => s,
        Err(e) => return e,
    };
    if state.quit.get() {
        return ERR::Terminate;
    }
    if state.nesting.get() >= MAX_NESTING {
        return ERR::Recursion;
    }
    state.nesting.set(state.nesting.get() + 1);
    // A timeout too long for the clock is no deadline at all. The time left is read from the
    // clock once per cycle (after it, for the deadline check and the next cycle's wait alike);
    // before the first cycle it is the whole timeout.
    let deadline = match single_pass {
        true => None,
        false => timeout.and_then(|t| Instant::now().checked_add(t)),
    };
    let mut left = deadline.and(timeout);
    let result = loop {
        let wait = if single_pass {
            Some(Duration::ZERO)
        } else {
            left
        };
        match cycle(&state, wait) {
            Flow::Terminate => break ERR::Terminate,
            Flow::Break => break ERR::Okay,
            Flow::Continue => {}
        }
        if cond() {
            break ERR::Okay;
        }
        if single_pass {
            break ERR::Okay;
        }
        if let Some(d) = deadline {
            let now = Instant::now();
            if now >= d {
                break ERR::TimeOut;
            }
            left = Some(d - now);
        }
    };
    state.nesting.set(state.nesting.get() - 1);
    result
}

fn cycle(state: &LoopState, max_wait: Option<Duration>) -> Flow {
    // Timers: the clock is read only when some timer exists.
    let (due, now) = {
        let timers = state.timers.borrow();
        match timers.next_due() {
            None => (Vec::new(), None),
            Some(_) => {
                let now = Instant::now();
                (timers.due_now(now), Some(now))
            }
        }
    };
    let fired = !due.is_empty();
    if let Some(now) = now {
        for id in due {
            timer::fire(id, now);
        }
    }

    let had_messages = state.shared.pending();
    if had_messages {
        match dispatch_messages(state) {
            Flow::Continue => {}
            other => return other,
        }
    }

    // After timers or messages ran, only look for I/O without sleeping, so a caller waiting on a
    // condition those callbacks changed sees it at once.
    let mut wait = max_wait;
    let busy =
        fired || had_messages || !state.io.borrow().recalls.is_empty() || state.shared.pending();
    if busy {
        wait = Some(Duration::ZERO);
    }
    if let Some(next) = state.timers.borrow().next_due() {
        let until = next.saturating_duration_since(Instant::now());
        wait = Some(wait.map_or(until, |w| w.min(until)));
    }

    // Take the event buffer out so a nested process_messages (from a callback) gets its own.
    let mut events = state
        .events
        .borrow_mut()
        .take()
        .unwrap_or_else(|| mio::Events::with_capacity(EVENT_CAPACITY));
    let polled = state.poll.borrow_mut().poll(&mut events, wait);
    if let Err(e) = polled {
        if e.kind() != std::io::ErrorKind::Interrupted {
            log::error!("epoll_wait failed: {e}");
        }
    }
    let mut polled_events = 0;
    for event in events.iter() {
        polled_events += 1;
        if event.token() == WAKER_TOKEN {
            continue;
        }
        let token = IoToken::from_mio(event.token());
        let ready = Ready {
            readable: event.is_readable(),
            writable: event.is_writable(),
            read_closed: event.is_read_closed(),
            write_closed: event.is_write_closed(),
            error: event.is_error(),
            recalled: false,
        };
        dispatch_io(state, token, ready);
    }
    *state.events.borrow_mut() = Some(events);
    state.poll_was_full.set(polled_events >= EVENT_CAPACITY);

    let recalls = std::mem::take(&mut state.io.borrow_mut().recalls);
    for token in recalls {
        let still_pending = {
            let mut io = state.io.borrow_mut();
            match io.entries.get_mut(token.index as usize) {
                Some(e) if e.gen == token.gen && e.recall_pending => {
                    e.recall_pending = false;
                    true
                }
                _ => false,
            }
        };
        if still_pending {
            dispatch_io(
                state,
                token,
                Ready {
                    recalled: true,
                    ..Ready::default()
                },
            );
        }
    }
    Flow::Continue
}

fn dispatch_io(state: &LoopState, token: IoToken, ready: Ready) {
    let Some(handler) = state.io.borrow().handler(token) else {
        return;
    };
    if let Err(p) = catch_unwind(AssertUnwindSafe(|| handler(ready))) {
        log::error!(
            "I/O handler panicked: {}",
            crate::function::panic_message(&p)
        );
    }
}

fn dispatch_messages(state: &LoopState) -> Flow {
    let batch: VecDeque<Message> = state.shared.take();
    let mut flow = Flow::Continue;
    for msg in batch {
        match msg {
            Message::Quit => {
                state.quit.set(true);
                flow = Flow::Terminate;
            }
            Message::Action { uid, ac, args } => run_queued_action(uid, ac, args),
            Message::Call(f) => {
                if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
                    log::error!(
                        "Posted call panicked: {}",
                        crate::function::panic_message(&p)
                    );
                }
            }
            Message::User { msg_type, data } => {
                let handlers: Vec<Function> = state
                    .handlers
                    .borrow()
                    .iter()
                    .filter(|h| h.msg_type == msg_type || h.msg_type.0 == 0)
                    .map(|h| h.callback.clone())
                    .collect();
                let args = [Value::Int(msg_type.0), Value::Bytes(data)];
                for h in handlers {
                    match h.call(&args) {
                        ERR::Okay => break,
                        ERR::Terminate => {
                            if matches!(flow, Flow::Continue) {
                                flow = Flow::Break;
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    flow
}

fn run_queued_action(uid: i32, ac: AC, args: QueuedArgs) {
    let Some(obj) = ObjectId::from_uid(uid) else {
        return;
    };
    let err = match &args {
        QueuedArgs::None => obj.action(ac, &mut ActionArgs::None),
        QueuedArgs::Write(data) => obj.action(
            ac,
            &mut ActionArgs::Write {
                buffer: data,
                result: 0,
            },
        ),
        QueuedArgs::DataFeed(datatype, data) => obj.action(
            ac,
            &mut ActionArgs::DataFeed {
                object: None,
                datatype: *datatype,
                buffer: data,
            },
        ),
    };
    if err.is_err() {
        log::warn!("{} queued {:?} failed: {err:?}", crate::log::IdCtx(obj), ac);
    }
}

/// Adds a handler for custom messages of `msg_type` (`MSGID(0)`: every type). The callback
/// receives `(type, data bytes)`; returning `Okay` consumes the message, `Terminate` also makes
/// the current `process_messages` return `Okay`, anything else passes it to the next handler.
///
/// # Errors
/// NullArgs for an undefined callback; SystemCall if this thread's loop cannot be created (logged).
pub fn add_msg_handler(msg_type: MSGID, callback: Function) -> Res<u64> {
    if !callback.defined() {
        return Err(ERR::NullArgs);
    }
    with_state(|s| {
        let id = s.next_handler.get() + 1;
        s.next_handler.set(id);
        s.handlers.borrow_mut().push(MsgHandler {
            id,
            msg_type,
            callback,
        });
        id
    })
}

/// Removes a message handler.
pub fn remove_msg_handler(id: u64) {
    let _ = with_state(|s| s.handlers.borrow_mut().retain(|h| h.id != id));
}

/// Posts a custom message to this thread's loop.
///
/// # Errors
/// Args for a `msg_type` of 0 or less; SystemCall if this thread's loop cannot be created or woken
/// (logged).
pub fn send_message(msg_type: MSGID, data: Vec<u8>) -> Res<()> {
    LoopHandle::current()?.send_message(msg_type, data)
}

/// Queues an action on an object of this thread, run during the next cycle.
///
/// # Errors
/// NoMatchingObject if `obj` is gone; OutOfRange if `ac` is not an action id; SystemCall if this
/// thread's loop cannot be created or woken (logged).
pub fn queue_action(obj: ObjectId, ac: AC, args: QueuedArgs) -> Res<()> {
    obj.ptr()?;
    LoopHandle::current()?.queue_action(obj.uid(), ac, args)
}

/// Sends the quit message to this thread's loop.
///
/// # Errors
/// SystemCall if this thread's loop cannot be created (logged).
pub fn send_quit() -> Res<()> {
    LoopHandle::current()?.quit();
    Ok(())
}

/// Clears a processed quit, so `process_messages` runs again on this thread (Parasol keeps the
/// task stopping for good; this is for programs that run several phases).
pub fn reset_quit() {
    let _ = with_state(|s| s.quit.set(false));
}
