//! W6 and W7: TLS 1.3 handshakes. Each connection connects, completes a handshake, echoes one
//! byte, sends close_notify and closes. Two generator threads keep several handshakes in flight
//! each (non-blocking, mio).
//!
//! W6 ([`Kind::Full`]): the client keeps no sessions, so every handshake is a full one.
//! W7 ([`Kind::Resumed`]): every connection slot has a session store of its own (rustls' default
//! in-memory one, [`crate::tls::with_session_store`]). Before the clock starts, each slot makes
//! one full handshake, which brings the server's tickets; from then on every connection offers
//! the newest ticket of its slot (and receives new ones), and only connections whose
//! `handshake_kind()` is `Resumed` are counted. Those the server did not resume are counted
//! apart; a server that never resumes is an error, not a rate.

use super::{connect_done, would_block, Target};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use rustls::{ClientConfig, ClientConnection, HandshakeKind};
use std::io::{self, Read, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Handshakes in flight per generator thread.
pub const IN_FLIGHT: usize = 8;

/// How long W7's warm-up handshakes may take before the run fails.
const WARM_UP_LIMIT: Duration = Duration::from_secs(10);

/// The handshakes a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// W6: full handshakes; the client's configuration must have resumption disabled.
    Full,
    /// W7: resumed handshakes; every slot gets its own session store and a warm-up handshake.
    Resumed,
}

impl Kind {
    /// Whether a completed handshake is of this kind.
    fn is(self, k: Option<HandshakeKind>) -> bool {
        match self {
            Kind::Full => matches!(
                k,
                Some(HandshakeKind::Full | HandshakeKind::FullWithHelloRetryRequest)
            ),
            Kind::Resumed => k == Some(HandshakeKind::Resumed),
        }
    }
}

/// What a run measured.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Handshakes of the kind asked for, per second.
    pub per_sec: f64,
    /// Handshakes of another kind, not counted in `per_sec` (W7: full handshakes, the server
    /// did not resume).
    pub other: u64,
}

#[derive(PartialEq, Eq)]
enum State {
    Tcp,
    Handshake,
    Sent,
}

struct Slot {
    sock: TcpStream,
    tls: ClientConnection,
    state: State,
    byte: u8,
}

fn tls_err(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Advances a slot; `Ok(true)` when the byte came back.
fn drive(s: &mut Slot) -> io::Result<bool> {
    if s.state == State::Tcp {
        if !connect_done(&s.sock)? {
            return Ok(false);
        }
        s.state = State::Handshake;
    }
    loop {
        while s.tls.wants_write() {
            match s.tls.write_tls(&mut s.sock) {
                Ok(_) => {}
                Err(e) if would_block(&e) => break,
                Err(e) => return Err(e),
            }
        }
        if s.state == State::Handshake && !s.tls.is_handshaking() {
            s.tls.writer().write_all(&[s.byte])?;
            s.state = State::Sent;
            continue;
        }
        if s.state == State::Sent {
            let mut b = [0u8; 1];
            match s.tls.reader().read(&mut b) {
                Ok(1) if b[0] == s.byte => return Ok(true),
                Ok(1) => return Err(io::Error::other("echoed byte differs")),
                Ok(_) => return Err(io::Error::other("server closed before echoing")),
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(e),
            }
        }
        match s.tls.read_tls(&mut s.sock) {
            Ok(0) => return Err(io::Error::other("server closed during the handshake")),
            Ok(_) => {
                s.tls.process_new_packets().map_err(tls_err)?;
            }
            Err(e) if would_block(&e) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

fn open(
    t: &Target,
    poll: &Poll,
    token: Token,
    byte: u8,
    config: &Arc<ClientConfig>,
) -> io::Result<Slot> {
    let mut sock = t.connect_rotated_nonblocking()?;
    poll.registry()
        .register(&mut sock, token, Interest::READABLE | Interest::WRITABLE)?;
    let tls = ClientConnection::new(config.clone(), crate::tls::server_name()).map_err(tls_err)?;
    Ok(Slot {
        sock,
        tls,
        state: State::Tcp,
        byte,
    })
}

fn close(mut s: Slot) {
    s.tls.send_close_notify();
    let _ = s.tls.write_tls(&mut s.sock);
}

/// W7's warm-up: one full handshake per slot, each with the slot's configuration, so that
/// every slot's session store holds the server's tickets before the clock starts.
fn warm_up(
    t: &Target,
    poll: &mut Poll,
    events: &mut Events,
    configs: &[Arc<ClientConfig>],
) -> Result<(), String> {
    let e = |e: io::Error| e.to_string();
    let deadline = Instant::now() + WARM_UP_LIMIT;
    let mut slots = Vec::with_capacity(configs.len());
    for (i, c) in configs.iter().enumerate() {
        slots.push(Some(open(t, poll, Token(i), i as u8, c).map_err(e)?));
    }
    let mut left = slots.len();
    while left > 0 {
        let now = Instant::now();
        if now >= deadline {
            return Err(format!(
                "warm-up: {left} handshake(s) not done after {} s",
                WARM_UP_LIMIT.as_secs()
            ));
        }
        poll.poll(events, Some(deadline - now)).map_err(e)?;
        for ev in events.iter() {
            let i = ev.token().0;
            let Some(slot) = slots[i].as_mut() else {
                continue;
            };
            if drive(slot).map_err(|err| format!("warm-up handshake: {err}"))? {
                if let Some(s) = slots[i].take() {
                    close(s);
                }
                left -= 1;
            }
        }
    }
    Ok(())
}

/// One generator thread; returns (handshakes of `kind`, handshakes of another kind).
fn thread_main(
    t: Target,
    dur: Duration,
    kind: Kind,
    config: Arc<ClientConfig>,
    barrier: Arc<Barrier>,
) -> Result<(u64, u64), String> {
    let e = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(e)?;
    let mut events = Events::with_capacity(256);
    let configs: Vec<Arc<ClientConfig>> = (0..IN_FLIGHT)
        .map(|_| match kind {
            Kind::Full => config.clone(),
            Kind::Resumed => crate::tls::with_session_store(&config),
        })
        .collect();
    // Wait for the other thread even when this one failed, or it would wait forever.
    let warm = match kind {
        Kind::Full => Ok(()),
        Kind::Resumed => warm_up(&t, &mut poll, &mut events, &configs),
    };
    barrier.wait();
    warm?;
    let deadline = Instant::now() + dur;
    let mut counter = 0u8;
    let mut slots: Vec<Option<Slot>> = Vec::with_capacity(IN_FLIGHT);
    for (i, c) in configs.iter().enumerate() {
        counter = counter.wrapping_add(1);
        slots.push(Some(open(&t, &poll, Token(i), counter, c).map_err(e)?));
    }
    let (mut done, mut other) = (0u64, 0u64);
    while Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        poll.poll(&mut events, Some(left)).map_err(e)?;
        for ev in events.iter() {
            let i = ev.token().0;
            let Some(slot) = slots[i].as_mut() else {
                continue;
            };
            if !drive(slot).map_err(|err| format!("handshake: {err}"))? {
                continue;
            }
            let Some(s) = slots[i].take() else {
                continue;
            };
            let got = s.tls.handshake_kind();
            close(s);
            if Instant::now() < deadline {
                if kind.is(got) {
                    done += 1;
                } else if kind == Kind::Full {
                    return Err(format!("a {got:?} handshake, not a full one"));
                } else {
                    other += 1;
                }
                counter = counter.wrapping_add(1);
                slots[i] = Some(open(&t, &poll, Token(i), counter, &configs[i]).map_err(e)?);
            }
        }
    }
    Ok((done, other))
}

/// Runs W6 (`Kind::Full`) or W7 (`Kind::Resumed`) for `dur` on two generator threads.
pub fn run(
    t: &Target,
    dur: Duration,
    kind: Kind,
    config: Arc<ClientConfig>,
) -> Result<Outcome, String> {
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (t, b, c) = (*t, barrier.clone(), config.clone());
            std::thread::spawn(move || thread_main(t, dur, kind, c, b))
        })
        .collect();
    let (mut total, mut other) = (0u64, 0u64);
    for h in handles {
        let (d, o) = h.join().map_err(|_| "generator thread panicked")??;
        total += d;
        other += o;
    }
    if total == 0 && other > 0 {
        return Err(format!(
            "never resumed: all {other} measured handshakes were full ones (the server sent \
             no ticket, or accepted none of those offered)"
        ));
    }
    if total == 0 {
        return Err("no handshake completed".into());
    }
    Ok(Outcome {
        per_sec: total as f64 / dur.as_secs_f64(),
        other,
    })
}
