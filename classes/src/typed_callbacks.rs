//! Callbacks checked by the compiler: builder and setter methods whose closure signature is the
//! one the class passes, so a callback with the wrong arguments does not compile (on the
//! generic door it would never run).
//!
//! | role | Feedback | Incoming | Outgoing |
//! |---|---|---|---|
//! | client NetSocket | `(&NetSocket, NTC)` | `(&NetSocket) -> ERR` | `(&NetSocket) -> ERR` |
//! | server NetSocket (for its ClientSockets) | `(&NetSocket, &ClientSocket, NTC)` | `(&NetSocket, &ClientSocket) -> ERR` | `(&NetSocket, &ClientSocket) -> ERR` |
//!
//! Feedback and Incoming take `FnMut` closures, so state lives in the closure. A callback can
//! be reached again while it runs, when it drives the loop itself (a nested `process_messages`,
//! or a SYNCHRONOUS socket) and another connection of the same server becomes ready; an
//! `FnMut` cannot be entered twice, so then:
//! - Incoming answers `ERR::Retry` for the second connection: nothing is read, nothing is
//!   lost, and it is offered again on the next cycle;
//! - Feedback is deferred: the state change is delivered, in order, as soon as the running
//!   call returns.
//!
//! Outgoing takes `Fn`: a re-entered Outgoing that wrote nothing would stop that connection's
//! pumping (the class stops calling an Outgoing that writes nothing), and there is no answer
//! that means "later" for it. Keep its state in a `Cell` or call your own `FnMut` from it.

use crate::callback_check::{check_role, Role};
use crate::constants::NTC;
use crate::handles::{ClientSocket, NetSocket, NetSocketBuilder};
use parasol_core::{Function, Res, ERR};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

fn incoming_client(f: impl FnMut(&NetSocket) -> ERR + 'static) -> Function {
    let f = RefCell::new(f);
    Function::new(move |s: &NetSocket| -> ERR {
        match f.try_borrow_mut() {
            Ok(mut f) => f(s),
            Err(_) => ERR::Retry,
        }
    })
}

fn incoming_server(f: impl FnMut(&NetSocket, &ClientSocket) -> ERR + 'static) -> Function {
    let f = RefCell::new(f);
    Function::new(move |s: &NetSocket, c: &ClientSocket| -> ERR {
        match f.try_borrow_mut() {
            Ok(mut f) => f(s, c),
            // Re-entered for another connection: offered again next cycle.
            Err(_) => ERR::Retry,
        }
    })
}

/// An `FnMut` behind a queue: a call that arrives while one runs is delivered after it.
pub(crate) struct Deferring<F, A> {
    f: RefCell<F>,
    pending: RefCell<VecDeque<A>>,
}

impl<F, A> Deferring<F, A> {
    pub(crate) fn new(f: F) -> Rc<Self> {
        Rc::new(Deferring {
            f: RefCell::new(f),
            pending: RefCell::new(VecDeque::new()),
        })
    }

    pub(crate) fn call(&self, args: A, run: impl Fn(&mut F, A)) {
        let Ok(mut f) = self.f.try_borrow_mut() else {
            self.pending.borrow_mut().push_back(args);
            return;
        };
        run(&mut f, args);
        loop {
            let next = self.pending.borrow_mut().pop_front();
            match next {
                Some(a) => run(&mut f, a),
                None => break,
            }
        }
    }
}

fn feedback_client(f: impl FnMut(&NetSocket, NTC) + 'static) -> Function {
    let d = Deferring::new(f);
    Function::new(move |s: &NetSocket, state: NTC| {
        d.call((*s, state), |f, (s, state)| f(&s, state))
    })
}

fn feedback_server(f: impl FnMut(&NetSocket, &ClientSocket, NTC) + 'static) -> Function {
    let d = Deferring::new(f);
    Function::new(move |s: &NetSocket, c: &ClientSocket, state: NTC| {
        d.call((*s, *c, state), |f, (s, c, state)| f(&s, &c, state))
    })
}

fn outgoing_client(f: impl Fn(&NetSocket) -> ERR + 'static) -> Function {
    Function::new(move |s: &NetSocket| -> ERR { f(s) })
}

fn outgoing_server(f: impl Fn(&NetSocket, &ClientSocket) -> ERR + 'static) -> Function {
    Function::new(move |s: &NetSocket, c: &ClientSocket| -> ERR { f(s, c) })
}

impl NetSocketBuilder {
    fn for_role(mut self, role: Role, name: &'static str, f: Function) -> Self {
        if self.role.is_some_and(|r| r != role) {
            // Both forms given: build() reports it (the flags decide which one is wrong).
            log::debug!("typed callbacks of both roles on one NetSocket builder");
        }
        self.role = Some(role);
        self.with(name, f)
    }

    /// A client's Feedback, called with each state change (`FnMut`: state may live in the
    /// closure). `build()` refuses it on a server with Args.
    ///
    /// ```
    /// use parasol_classes::{NetSocket, NTC};
    /// let mut seen = Vec::new();
    /// let client = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(9) // nothing listens: the connection is refused
    ///     .client_feedback(move |_s: &NetSocket, state: NTC| seen.push(state))
    ///     .build()?;
    /// # client.free()?;
    /// # Ok::<(), parasol_core::ERR>(())
    /// ```
    pub fn client_feedback(self, f: impl FnMut(&NetSocket, NTC) + 'static) -> Self {
        self.for_role(Role::Client, "Feedback", feedback_client(f))
    }

    /// A client's Incoming: called when bytes have arrived; read them with `ac_read`. Return
    /// `Okay`, `Retry` (pause until the queue drains), `Terminate` (close gracefully) or an
    /// error (close with that Error).
    pub fn client_incoming(self, f: impl FnMut(&NetSocket) -> ERR + 'static) -> Self {
        self.for_role(Role::Client, "Incoming", incoming_client(f))
    }

    /// A client's Outgoing: called while the queue is empty, to write more (`Fn`: see the
    /// module notes).
    pub fn client_outgoing(self, f: impl Fn(&NetSocket) -> ERR + 'static) -> Self {
        self.for_role(Role::Client, "Outgoing", outgoing_client(f))
    }

    /// A server's Feedback, called for each ClientSocket's state changes. `build()` refuses
    /// it on a client with Args.
    pub fn server_feedback(self, f: impl FnMut(&NetSocket, &ClientSocket, NTC) + 'static) -> Self {
        self.for_role(Role::Server, "Feedback", feedback_server(f))
    }

    /// A server's Incoming, called for each ClientSocket with bytes to read.
    ///
    /// ```
    /// use parasol_classes::{ClientSocket, NetSocket, NSF};
    /// use parasol_core::ERR;
    /// let mut served = 0u64;
    /// let server = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(0)
    ///     .flags(NSF::SERVER | NSF::MULTI_CONNECT)
    ///     .server_incoming(move |_server: &NetSocket, client: &ClientSocket| -> ERR {
    ///         served += 1; // plain state in the closure
    ///         client.echo()
    ///     })
    ///     .build()?;
    /// assert_ne!(server.port()?, 0);
    /// # server.free()?;
    /// # Ok::<(), parasol_core::ERR>(())
    /// ```
    pub fn server_incoming(
        self,
        f: impl FnMut(&NetSocket, &ClientSocket) -> ERR + 'static,
    ) -> Self {
        self.for_role(Role::Server, "Incoming", incoming_server(f))
    }

    /// A server's Outgoing, called for each ClientSocket whose queue is empty (`Fn`: see the
    /// module notes).
    pub fn server_outgoing(self, f: impl Fn(&NetSocket, &ClientSocket) -> ERR + 'static) -> Self {
        self.for_role(Role::Server, "Outgoing", outgoing_server(f))
    }
}

impl NetSocket {
    fn set_for_role(self, role: Role, name: &str, f: Function) -> Res<()> {
        check_role(role, self)?;
        self.set(name, f)
    }

    /// Sets a client's Feedback on a live socket ([`NetSocketBuilder::client_feedback`]).
    ///
    /// # Errors
    /// Args on a server; what setting the field returns otherwise.
    pub fn set_client_feedback(self, f: impl FnMut(&NetSocket, NTC) + 'static) -> Res<()> {
        self.set_for_role(Role::Client, "Feedback", feedback_client(f))
    }

    /// Sets a client's Incoming on a live socket ([`NetSocketBuilder::client_incoming`]).
    ///
    /// # Errors
    /// Args on a server; what setting the field returns otherwise.
    pub fn set_client_incoming(self, f: impl FnMut(&NetSocket) -> ERR + 'static) -> Res<()> {
        self.set_for_role(Role::Client, "Incoming", incoming_client(f))
    }

    /// Sets a client's Outgoing on a live socket ([`NetSocketBuilder::client_outgoing`]).
    ///
    /// # Errors
    /// Args on a server; what setting the field returns otherwise.
    pub fn set_client_outgoing(self, f: impl Fn(&NetSocket) -> ERR + 'static) -> Res<()> {
        self.set_for_role(Role::Client, "Outgoing", outgoing_client(f))
    }

    /// Sets a server's Feedback ([`NetSocketBuilder::server_feedback`]).
    ///
    /// # Errors
    /// Args on a client; what setting the field returns otherwise.
    pub fn set_server_feedback(
        self,
        f: impl FnMut(&NetSocket, &ClientSocket, NTC) + 'static,
    ) -> Res<()> {
        self.set_for_role(Role::Server, "Feedback", feedback_server(f))
    }

    /// Sets a server's Incoming ([`NetSocketBuilder::server_incoming`]).
    ///
    /// # Errors
    /// Args on a client; what setting the field returns otherwise.
    pub fn set_server_incoming(
        self,
        f: impl FnMut(&NetSocket, &ClientSocket) -> ERR + 'static,
    ) -> Res<()> {
        self.set_for_role(Role::Server, "Incoming", incoming_server(f))
    }

    /// Sets a server's Outgoing ([`NetSocketBuilder::server_outgoing`]).
    ///
    /// # Errors
    /// Args on a client; what setting the field returns otherwise.
    pub fn set_server_outgoing(
        self,
        f: impl Fn(&NetSocket, &ClientSocket) -> ERR + 'static,
    ) -> Res<()> {
        self.set_for_role(Role::Server, "Outgoing", outgoing_server(f))
    }
}

impl ClientSocket {
    /// Sets this connection's own Incoming, which takes precedence over its server's.
    ///
    /// # Errors
    /// What setting the field returns (NoMatchingObject once the socket is gone).
    pub fn set_incoming(
        self,
        f: impl FnMut(&NetSocket, &ClientSocket) -> ERR + 'static,
    ) -> Res<()> {
        self.set("Incoming", incoming_server(f))
    }

    /// Sets this connection's own Outgoing (`Fn`: see the module notes).
    ///
    /// # Errors
    /// What setting the field returns (NoMatchingObject once the socket is gone).
    pub fn set_outgoing(self, f: impl Fn(&NetSocket, &ClientSocket) -> ERR + 'static) -> Res<()> {
        self.set("Outgoing", outgoing_server(f))
    }
}
