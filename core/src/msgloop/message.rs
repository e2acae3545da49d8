//! The loop's message queue: the one thing other threads may touch. Senders push under a
//! parking_lot mutex and wake the loop through mio's `Waker`.

use crate::ac::AC;
use crate::err::{Res, ERR};
use crate::object::ObjectId;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Message types with Parasol's `MSGID` numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MSGID(pub i32);

#[allow(missing_docs)]
impl MSGID {
    pub const ACTION: MSGID = MSGID(99);
    pub const FREE: MSGID = MSGID(98);
    pub const QUIT: MSGID = MSGID(1000);
    /// First id handed out by [`allocate_msg_id`].
    pub const USER_BASE: MSGID = MSGID(10000);
}

static NEXT_MSG_ID: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(10000);

/// A unique message type for custom messages (Parasol's `AllocateID(IDTYPE::MESSAGE)`).
pub fn allocate_msg_id() -> MSGID {
    MSGID(NEXT_MSG_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// Arguments of an action queued from any thread (owned, so they can cross threads).
#[derive(Clone, Debug, Default)]
pub enum QueuedArgs {
    /// No arguments.
    #[default]
    None,
    /// `Write` with these bytes.
    Write(Vec<u8>),
    /// `DataFeed` with a datatype and bytes.
    DataFeed(i32, Vec<u8>),
}

pub(crate) enum Message {
    Quit,
    Action { uid: i32, ac: AC, args: QueuedArgs },
    User { msg_type: MSGID, data: Vec<u8> },
    Call(Box<dyn FnOnce() + Send>),
}

pub(crate) struct Shared {
    pub(crate) queue: Mutex<VecDeque<Message>>,
    /// Set when something was queued, so the loop checks the mutex only when there is work.
    pub(crate) queued: AtomicBool,
    pub(crate) waker: mio::Waker,
}

impl Shared {
    /// Takes everything queued (empty without locking when nothing was queued).
    pub(crate) fn take(&self) -> VecDeque<Message> {
        if !self.queued.swap(false, Ordering::Acquire) {
            return VecDeque::new();
        }
        std::mem::take(&mut *self.queue.lock())
    }

    /// True when messages wait.
    pub(crate) fn pending(&self) -> bool {
        self.queued.load(Ordering::Acquire)
    }

    fn push(&self, m: Message) -> Res<()> {
        let was_empty = {
            let mut q = self.queue.lock();
            let was_empty = q.is_empty();
            q.push_back(m);
            self.queued.store(true, Ordering::Release);
            was_empty
        };
        // A non-empty queue means a wake is already pending for the loop.
        if was_empty {
            self.waker.wake().map_err(|e| {
                log::error!("Cannot wake the message loop: {e}");
                ERR::SystemCall
            })?;
        }
        Ok(())
    }
}

/// A handle on one thread's message loop, usable from any thread (`Send + Sync`, cheap to clone).
/// Everything it sends is handled on the loop's thread, in order, and wakes a sleeping loop.
///
/// ```
/// use parasol_core::prelude::*;
/// use std::time::Duration;
/// let handle = LoopHandle::current().unwrap();
/// std::thread::spawn(move || handle.quit()).join().unwrap();
/// assert_eq!(process_messages(None), ERR::Terminate);
/// ```
#[derive(Clone)]
pub struct LoopHandle(pub(crate) Arc<Shared>);

impl LoopHandle {
    /// The handle of this thread's loop (created on first use).
    ///
    /// # Errors
    /// SystemCall if this thread's loop cannot be created (logged with the OS error).
    pub fn current() -> Res<LoopHandle> {
        super::with_state(|s| LoopHandle(s.shared.clone()))
    }

    /// Posts a custom message; handlers added with [`crate::add_msg_handler`] receive it.
    ///
    /// # Errors
    /// Args for a `msg_type` of 0 or less; SystemCall if the loop cannot be woken (logged).
    pub fn send_message(&self, msg_type: MSGID, data: Vec<u8>) -> Res<()> {
        if msg_type.0 <= 0 {
            return Err(ERR::Args);
        }
        self.0.push(Message::User { msg_type, data })
    }

    /// Queues an action on an object of that loop, by UID (Parasol's `QueueAction`). A UID that
    /// no longer exists when the message is handled is skipped silently, as in Parasol.
    ///
    /// # Errors
    /// OutOfRange if `ac` is not an action id; SystemCall if the loop cannot be woken (logged).
    pub fn queue_action(&self, uid: i32, ac: AC, args: QueuedArgs) -> Res<()> {
        if !ac.is_action() {
            return Err(ERR::OutOfRange);
        }
        self.0.push(Message::Action { uid, ac, args })
    }

    /// Runs a closure on the loop's thread during its next cycle.
    ///
    /// # Errors
    /// SystemCall if the loop cannot be woken (logged).
    pub fn post(&self, f: impl FnOnce() + Send + 'static) -> Res<()> {
        self.0.push(Message::Call(Box::new(f)))
    }

    /// Sends the quit message: the loop's `process_messages` returns `Terminate` from then on.
    pub fn quit(&self) {
        let _ = self.0.push(Message::Quit);
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoopHandle")
    }
}

/// An object reachable from any thread: its UID plus its loop. Actions sent through it run on the
/// object's own thread.
#[derive(Clone, Debug)]
pub struct RemoteObject {
    uid: i32,
    handle: LoopHandle,
}

impl RemoteObject {
    /// A remote reference to `obj`, owned by this thread's loop.
    ///
    /// # Errors
    /// SystemCall if this thread's loop cannot be created (logged with the OS error).
    pub fn new(obj: ObjectId) -> Res<RemoteObject> {
        Ok(RemoteObject {
            uid: obj.uid(),
            handle: LoopHandle::current()?,
        })
    }

    /// The object's UID.
    pub fn uid(&self) -> i32 {
        self.uid
    }

    /// Queues an action on the object.
    ///
    /// # Errors
    /// What [`LoopHandle::queue_action`] returns: OutOfRange if `ac` is not an action id;
    /// SystemCall if the loop cannot be woken (logged).
    pub fn queue_action(&self, ac: AC, args: QueuedArgs) -> Res<()> {
        self.handle.queue_action(self.uid, ac, args)
    }

    /// Queues a `Write` of `data` on the object.
    ///
    /// # Errors
    /// SystemCall if the loop cannot be woken (logged).
    pub fn queue_write(&self, data: Vec<u8>) -> Res<()> {
        self.queue_action(AC::Write, QueuedArgs::Write(data))
    }

    /// The object's loop.
    pub fn loop_handle(&self) -> &LoopHandle {
        &self.handle
    }
}
