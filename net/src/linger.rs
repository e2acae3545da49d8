//! Graceful closes that outlive their object: when a socket is closed locally (Free, Terminate)
//! with data still queued, the loop keeps the descriptor until the queue is sent, then sends FIN
//! (and TLS close_notify) and waits for the peer's EOF before closing, so the peer never gets a
//! reset that could destroy data it has not read yet. A bound (10 s by default) ends the wait.

use crate::conn::Connection;
use parasol_core::msgloop::{
    cancel_timer, io_deregister, io_register, set_timeout, Interest, Ready, TimerId,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How long a closing connection may wait for its queue to drain and the peer to close.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(10);

thread_local! {
    static ACTIVE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Connections of this thread still closing (flushing or waiting for the peer's EOF).
pub fn active() -> usize {
    ACTIVE.with(|a| a.get())
}

struct Lingering {
    conn: Option<Connection>,
    token: Option<parasol_core::msgloop::IoToken>,
    timer: Option<TimerId>,
}

impl Lingering {
    /// Makes progress; returns true when the connection can be closed.
    fn step(&mut self) -> bool {
        let Some(conn) = self.conn.as_mut() else {
            return true;
        };
        if conn.failure().is_some() {
            return true;
        }
        if !conn.close_write() {
            return false;
        }
        conn.drain_input() || conn.eof_seen()
    }

    fn finish(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            ACTIVE.with(|a| a.set(a.get() - 1));
            if let Some(t) = self.token.take() {
                io_deregister(t, conn.socket());
            }
            log::debug!(
                "Closed socket after lingering ({} bytes unsent)",
                conn.out_len()
            );
        }
        if let Some(t) = self.timer.take() {
            cancel_timer(t);
        }
    }
}

/// Closes `conn` gracefully: everything queued is sent first, then FIN; the descriptor is
/// closed when the peer's EOF arrives or `bound` passes. The connection must not be registered
/// with the loop any more (the caller deregistered it). Returns at once.
pub fn close_gracefully(conn: Connection, bound: Duration) {
    ACTIVE.with(|a| a.set(a.get() + 1));
    let state = Rc::new(RefCell::new(Lingering {
        conn: Some(conn),
        token: None,
        timer: None,
    }));
    if state.borrow_mut().step() {
        state.borrow_mut().finish();
        return;
    }
    let handler_state = state.clone();
    let handler = Rc::new(move |_ready: Ready| {
        let mut s = handler_state.borrow_mut();
        if s.step() {
            s.finish();
        }
    });
    let registered = {
        let mut s = state.borrow_mut();
        let conn = s.conn.as_mut().expect("lingering connection");
        io_register(
            conn.socket(),
            Interest::READABLE | Interest::WRITABLE,
            handler,
        )
    };
    match registered {
        Ok(token) => state.borrow_mut().token = Some(token),
        Err(_) => {
            state.borrow_mut().finish();
            return;
        }
    }
    let timer_state = state.clone();
    let timer = set_timeout(
        bound,
        Rc::new(move || {
            let mut s = timer_state.borrow_mut();
            s.timer = None;
            if s.conn.is_some() {
                log::warn!("Closing a socket whose peer did not finish within the linger bound");
            }
            s.finish();
        }),
    );
    if let Ok(t) = timer {
        state.borrow_mut().timer = Some(t);
    }
}
