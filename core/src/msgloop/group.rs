//! Several loops, one per thread, run as one service ([`Loops`]).
//!
//! The kernel's objects belong to the thread that created them, so a program that outgrows one
//! core runs N loops on N threads, each with its own objects, and joins them only through
//! messages ([`LoopHandle::post`], [`crate::RemoteObject`]). Nothing is shared on the
//! per-message path: a loop touches another's queue only when it posts to it.

use super::message::LoopHandle;
use super::{process_messages, reset_quit};
use crate::err::{Res, ERR};
use std::sync::mpsc;
use std::thread::JoinHandle;

/// A group of message loops on threads of their own.
///
/// [`Loops::start`] calls `setup(i)` on loop `i`'s thread, loops in index order, each after the
/// previous one returned (so loop 0 can bind port 0 and the others learn the port it got).
/// `setup` creates that loop's objects and returns the rest of the thread's life, a closure run
/// right after on the same thread; [`Loops::run_until_quit`] is the usual body. When every setup
/// succeeded `start` returns; if one fails, the loops already started are told to quit and
/// joined, and its error is returned.
///
/// ```
/// use parasol_core::prelude::*;
/// use parasol_core::Loops;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let started = Arc::new(AtomicUsize::new(0));
/// let s = started.clone();
/// let loops = Loops::start(3, move |_i| {
///     // Create this loop's objects here (they stay on this thread).
///     s.fetch_add(1, Ordering::SeqCst);
///     Ok(|| {
///         Loops::run_until_quit();
///         // Free or close this loop's objects here, with the loop still usable.
///     })
/// })?;
/// assert_eq!(started.load(Ordering::SeqCst), 3);
/// loops.handle(1).unwrap().post(|| println!("runs on loop 1"))?;
/// loops.quit();
/// loops.join()?;
/// # Ok::<(), ERR>(())
/// ```
#[derive(Debug)]
pub struct Loops {
    handles: Vec<LoopHandle>,
    threads: Vec<JoinHandle<()>>,
}

impl Loops {
    /// Starts `n` loops (see the type's documentation).
    ///
    /// # Errors
    /// Args for `n` = 0; the first error a `setup` returns (Exception if one panicked);
    /// SystemCall if a thread or its loop cannot be created (logged).
    pub fn start<S, B>(n: usize, setup: S) -> Res<Loops>
    where
        S: Fn(usize) -> Res<B> + Send + Sync + 'static,
        B: FnOnce() + 'static,
    {
        if n == 0 {
            return Err(crate::err::fail_with(
                ERR::Args,
                "Loops::start needs at least one loop",
            ));
        }
        let setup = std::sync::Arc::new(setup);
        let mut loops = Loops {
            handles: Vec::with_capacity(n),
            threads: Vec::with_capacity(n),
        };
        for i in 0..n {
            let (tx, rx) = mpsc::sync_channel::<Res<LoopHandle>>(1);
            let setup = setup.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("parasol-loop-{i}"))
                .spawn(move || {
                    let body = LoopHandle::current().and_then(|h| setup(i).map(|body| (h, body)));
                    drop(setup);
                    match body {
                        Ok((handle, body)) => {
                            let _ = tx.send(Ok(handle));
                            body();
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
            let thread = match spawned {
                Ok(t) => t,
                Err(e) => {
                    log::error!("Cannot start loop thread {i}: {e}");
                    loops.abandon();
                    return Err(ERR::SystemCall);
                }
            };
            // A setup that panicked drops the sender without sending.
            let started = rx.recv().unwrap_or(Err(ERR::Exception));
            loops.threads.push(thread);
            match started {
                Ok(handle) => loops.handles.push(handle),
                Err(e) => {
                    // The caller gets the error; the setup reported its own detail.
                    log::debug!("Loop {i} failed to start: {e:?}");
                    loops.abandon();
                    return Err(e);
                }
            }
        }
        Ok(loops)
    }

    /// Runs this thread's loop until the quit message ([`Loops::quit`], [`LoopHandle::quit`] or
    /// [`crate::send_quit`]), then clears the quit so the thread can still wait for its own
    /// closes (e.g. with [`crate::wait_until`]).
    pub fn run_until_quit() {
        while process_messages(None) != ERR::Terminate {}
        reset_quit();
    }

    /// The number of loops.
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// Always false: a group has at least one loop.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Loop `i`'s handle, for posting work to it from any thread.
    pub fn handle(&self, i: usize) -> Option<&LoopHandle> {
        self.handles.get(i)
    }

    /// Every loop's handle, in index order.
    pub fn handles(&self) -> &[LoopHandle] {
        &self.handles
    }

    /// Sends the quit message to every loop.
    pub fn quit(&self) {
        for h in &self.handles {
            h.quit();
        }
    }

    /// Waits until every loop's thread has finished.
    ///
    /// # Errors
    /// Exception if a loop's thread panicked (its panic is printed by the standard hook).
    pub fn join(self) -> Res<()> {
        let mut result = Ok(());
        for t in self.threads {
            if t.join().is_err() {
                result = Err(ERR::Exception);
            }
        }
        result
    }

    /// After a failed start: quits and joins the loops already running.
    fn abandon(&mut self) {
        self.quit();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
