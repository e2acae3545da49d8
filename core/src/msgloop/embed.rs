//! Driving this thread's loop from another event loop (tokio's `AsyncFd`, glib, …) instead of
//! blocking in [`process_messages`](super::process_messages).
//!
//! The loop's poll descriptor (epoll on Linux, kqueue elsewhere) becomes readable when one of
//! its sockets or its cross-thread waker has an event; [`next_timeout`] says when it has work
//! of its own (a due timer, queued messages, recalls, or events left over from a full poll).
//! A driver waits for either, then runs `process_messages(Some(Duration::ZERO))`:
//!
//! ```
//! use parasol_core::msgloop::{next_timeout, poll_descriptor};
//! use parasol_core::process_messages;
//! use std::time::Duration;
//!
//! let fd = poll_descriptor()?;          // register it with the host loop, readable interest
//! // … when the host loop reports `fd` readable, or after `next_timeout()` has elapsed:
//! process_messages(Some(Duration::ZERO));
//! assert!(next_timeout().is_none());    // nothing due: only I/O can wake it now
//! # Ok::<(), parasol_core::ERR>(())
//! ```
//!
//! `examples/tokio_embed.rs` in the repository runs a server this way inside a tokio runtime.

use crate::err::Res;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// The descriptor of this thread's poll instance (created on first use). It stays open, with
/// the same number, for the life of the thread; do not close it. Readable means
/// `process_messages(Some(Duration::ZERO))` has I/O to handle.
///
/// # Errors
/// SystemCall if the loop cannot be created (logged with the OS error).
pub fn poll_descriptor() -> Res<RawFd> {
    super::with_state(|s| s.registry.as_raw_fd())
}

/// How long the loop can wait before it has work that no descriptor will signal: `Some(ZERO)`
/// when messages or recalls are pending or the last poll filled its event buffer (more events
/// may be waiting), the time to the next timer, or `None` when only I/O can wake it.
pub fn next_timeout() -> Option<Duration> {
    super::with_state(|s| {
        if s.shared.pending() || !s.io.borrow().recalls.is_empty() || s.poll_was_full.get() {
            return Some(Duration::ZERO);
        }
        s.timers
            .borrow()
            .next_due()
            .map(|t| t.saturating_duration_since(Instant::now()))
    })
    .unwrap_or(None)
}
