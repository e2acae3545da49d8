//! I/O registration for classes (Parasol's `RegisterFD`, on edge-triggered mio).
//!
//! A class registers a socket once with the directions it cares about and a handler. Because
//! mio is edge-triggered, a handler must read or write until `WouldBlock`; when it deliberately
//! leaves data unread (a callback consumed only part), it calls [`io_recall`] and is called again
//! on the next cycle without waiting. Deregistering is safe inside a handler: tokens carry a
//! generation, so events already fetched for a removed registration are dropped.

use crate::err::{Res, ERR};
use mio::unix::SourceFd;
use mio::Token;
use std::fmt;
use std::os::fd::{AsFd, AsRawFd};
use std::rc::Rc;

bitflags::bitflags! {
    /// The directions a registration watches. The loop's own type, so the public API carries
    /// no mio type and a mio upgrade is not a breaking change.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Interest: u8 {
        /// Readable (and the peer's end of stream, errors).
        const READABLE = 1;
        /// Writable.
        const WRITABLE = 2;
    }
}

impl Interest {
    /// The mio interest; `None` for the empty set, which mio cannot express (deregister
    /// instead).
    fn to_mio(self) -> Option<mio::Interest> {
        match (
            self.contains(Interest::READABLE),
            self.contains(Interest::WRITABLE),
        ) {
            (true, true) => Some(mio::Interest::READABLE | mio::Interest::WRITABLE),
            (true, false) => Some(mio::Interest::READABLE),
            (false, true) => Some(mio::Interest::WRITABLE),
            (false, false) => None,
        }
    }
}

fn mio_interest(interest: Interest) -> Res<mio::Interest> {
    interest.to_mio().ok_or_else(|| {
        log::error!("Registering a socket for no direction (deregister it instead)");
        ERR::Args
    })
}

/// Readiness reported to an I/O handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ready {
    /// The socket may be read.
    pub readable: bool,
    /// The socket may be written.
    pub writable: bool,
    /// The peer closed its sending side (a hint; reads still decide).
    pub read_closed: bool,
    /// The socket can no longer be written (a hint).
    pub write_closed: bool,
    /// An error is pending on the socket (a hint; `take_error` tells which).
    pub error: bool,
    /// This call was requested by [`io_recall`], not by the OS.
    pub recalled: bool,
}

/// The handler invoked for a registration.
pub type IoHandler = Rc<dyn Fn(Ready)>;

/// Identifies one registration.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IoToken {
    pub(crate) index: u32,
    pub(crate) gen: u32,
}

impl IoToken {
    pub(crate) fn to_mio(self) -> Token {
        Token(self.index as usize | ((self.gen as usize) << 32))
    }

    pub(crate) fn from_mio(t: Token) -> IoToken {
        IoToken {
            index: t.0 as u32,
            gen: (t.0 >> 32) as u32,
        }
    }
}

impl fmt::Debug for IoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IoToken({}:{})", self.index, self.gen)
    }
}

pub(crate) struct IoEntry {
    pub(crate) gen: u32,
    pub(crate) handler: Option<IoHandler>,
    pub(crate) recall_pending: bool,
}

#[derive(Default)]
pub(crate) struct IoTable {
    pub(crate) entries: Vec<IoEntry>,
    free: Vec<u32>,
    pub(crate) recalls: Vec<IoToken>,
}

impl IoTable {
    fn insert(&mut self, handler: IoHandler) -> IoToken {
        match self.free.pop() {
            Some(i) => {
                let e = &mut self.entries[i as usize];
                e.gen = e.gen.wrapping_add(1) & 0x7fff_ffff;
                e.handler = Some(handler);
                e.recall_pending = false;
                IoToken {
                    index: i,
                    gen: e.gen,
                }
            }
            None => {
                self.entries.push(IoEntry {
                    gen: 0,
                    handler: Some(handler),
                    recall_pending: false,
                });
                IoToken {
                    index: (self.entries.len() - 1) as u32,
                    gen: 0,
                }
            }
        }
    }

    pub(crate) fn handler(&self, t: IoToken) -> Option<IoHandler> {
        self.entries
            .get(t.index as usize)
            .filter(|e| e.gen == t.gen)
            .and_then(|e| e.handler.clone())
    }

    fn remove(&mut self, t: IoToken) -> bool {
        match self.entries.get_mut(t.index as usize) {
            Some(e) if e.gen == t.gen && e.handler.is_some() => {
                e.handler = None;
                e.recall_pending = false;
                self.free.push(t.index);
                true
            }
            _ => false,
        }
    }
}

fn os_err(what: &str, e: std::io::Error) -> ERR {
    log::error!("{what} failed: {e}");
    ERR::SystemCall
}

/// Registers the descriptor of `source` (a socket, or anything pollable) for the given
/// directions; `handler` is called on readiness, edge-triggered. The registration does not own
/// the descriptor: deregister it before closing it.
///
/// # Errors
/// Args for an empty `interest`; SystemCall when the OS refuses (logged with its reason).
pub fn io_register(source: &impl AsFd, interest: Interest, handler: IoHandler) -> Res<IoToken> {
    let interest = mio_interest(interest)?;
    let fd = source.as_fd().as_raw_fd();
    super::with_state(|s| {
        let token = s.io.borrow_mut().insert(handler);
        match s
            .registry
            .register(&mut SourceFd(&fd), token.to_mio(), interest)
        {
            Ok(()) => Ok(token),
            Err(e) => {
                s.io.borrow_mut().remove(token);
                Err(os_err("Registering a socket", e))
            }
        }
    })?
}

/// Changes the directions a registration watches.
///
/// # Errors
/// Args for an empty `interest`; SystemCall when the OS refuses (logged with its reason).
pub fn io_reregister(token: IoToken, source: &impl AsFd, interest: Interest) -> Res<()> {
    let interest = mio_interest(interest)?;
    let fd = source.as_fd().as_raw_fd();
    super::with_state(|s| {
        s.registry
            .reregister(&mut SourceFd(&fd), token.to_mio(), interest)
            .map_err(|e| os_err("Re-registering a socket", e))
    })?
}

/// Removes a registration. Safe inside any handler; pending events for it are dropped.
pub fn io_deregister(token: IoToken, source: &impl AsFd) {
    let fd = source.as_fd().as_raw_fd();
    let _ = super::with_state(|s| {
        if s.io.borrow_mut().remove(token) {
            if let Err(e) = s.registry.deregister(&mut SourceFd(&fd)) {
                log::debug!("Deregistering a socket: {e}");
            }
        }
    });
}

/// Asks for the handler to be called again on the next cycle (Parasol's `RFD::RECALL`), e.g.
/// because a callback left data unread. The loop does not sleep while recalls are pending.
pub fn io_recall(token: IoToken) {
    let _ = super::with_state(|s| {
        let mut io = s.io.borrow_mut();
        if let Some(e) = io.entries.get_mut(token.index as usize) {
            if e.gen == token.gen && e.handler.is_some() && !e.recall_pending {
                e.recall_pending = true;
                io.recalls.push(token);
            }
        }
    });
}
