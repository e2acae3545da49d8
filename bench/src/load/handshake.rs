//! W6: full TLS 1.3 handshakes. Each connection connects, completes a handshake with a fresh
//! session (resumption disabled), echoes one byte, sends close_notify and closes. Two generator
//! threads keep several handshakes in flight each (non-blocking, mio).

use super::{connect_done, would_block, Target};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use rustls::{ClientConfig, ClientConnection};
use std::io::{self, Read, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Handshakes in flight per generator thread.
pub const IN_FLIGHT: usize = 8;

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

fn thread_main(
    t: Target,
    dur: Duration,
    config: Arc<ClientConfig>,
    barrier: Arc<Barrier>,
) -> Result<u64, String> {
    let e = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(e)?;
    let mut events = Events::with_capacity(256);
    barrier.wait();
    let deadline = Instant::now() + dur;
    let mut counter = 0u8;
    let mut slots: Vec<Option<Slot>> = Vec::with_capacity(IN_FLIGHT);
    for i in 0..IN_FLIGHT {
        counter = counter.wrapping_add(1);
        slots.push(Some(
            open(&t, &poll, Token(i), counter, &config).map_err(e)?,
        ));
    }
    let mut done = 0u64;
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
            if let Some(s) = slots[i].take() {
                close(s);
            }
            if Instant::now() < deadline {
                done += 1;
                counter = counter.wrapping_add(1);
                slots[i] = Some(open(&t, &poll, Token(i), counter, &config).map_err(e)?);
            }
        }
    }
    Ok(done)
}

/// Runs W6 for `dur` on two generator threads; returns handshakes per second.
pub fn run(t: &Target, dur: Duration, config: Arc<ClientConfig>) -> Result<f64, String> {
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (t, b, c) = (*t, barrier.clone(), config.clone());
            std::thread::spawn(move || thread_main(t, dur, c, b))
        })
        .collect();
    let mut total = 0u64;
    for h in handles {
        total += h.join().map_err(|_| "generator thread panicked")??;
    }
    if total == 0 {
        return Err("no handshake completed".into());
    }
    Ok(total as f64 / dur.as_secs_f64())
}
