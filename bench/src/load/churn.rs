//! W3: connection churn. Each connection connects, sends 1 byte, reads the echo, checks it and
//! closes. Two generator threads each keep several connections in flight (non-blocking, mio)
//! so the server always has work; a strictly sequential client would measure round-trip
//! latency, not the accept path.

use super::{connect_done, would_block, Target};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Connections in flight per generator thread.
pub const IN_FLIGHT: usize = 16;

enum State {
    Connecting,
    Sent,
}

struct Slot {
    stream: TcpStream,
    state: State,
    byte: u8,
}

/// Advances a slot; `Ok(true)` when its connection is complete (echo checked).
fn drive(s: &mut Slot) -> io::Result<bool> {
    loop {
        match s.state {
            State::Connecting => {
                if !connect_done(&s.stream)? {
                    return Ok(false);
                }
                match s.stream.write(&[s.byte]) {
                    Ok(1) => s.state = State::Sent,
                    Ok(_) => return Err(io::ErrorKind::WriteZero.into()),
                    Err(e) if would_block(&e) => return Ok(false),
                    Err(e) => return Err(e),
                }
            }
            State::Sent => {
                let mut b = [0u8; 1];
                return match s.stream.read(&mut b) {
                    Ok(1) if b[0] == s.byte => Ok(true),
                    Ok(1) => Err(io::Error::other("echoed byte differs")),
                    Ok(_) => Err(io::Error::other("server closed before echoing")),
                    Err(e) if would_block(&e) => Ok(false),
                    Err(e) => Err(e),
                };
            }
        }
    }
}

fn open(t: &Target, poll: &Poll, token: Token, byte: u8) -> io::Result<Slot> {
    let mut stream = t.connect_rotated_nonblocking()?;
    poll.registry()
        .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)?;
    Ok(Slot {
        stream,
        state: State::Connecting,
        byte,
    })
}

fn thread_main(t: Target, dur: Duration, barrier: Arc<Barrier>) -> Result<u64, String> {
    let e = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(e)?;
    let mut events = Events::with_capacity(256);
    barrier.wait();
    let deadline = Instant::now() + dur;
    let mut counter = 0u8;
    let mut slots: Vec<Option<Slot>> = Vec::with_capacity(IN_FLIGHT);
    for i in 0..IN_FLIGHT {
        counter = counter.wrapping_add(1);
        slots.push(Some(open(&t, &poll, Token(i), counter).map_err(e)?));
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
            if !drive(slot).map_err(|err| format!("connection: {err}"))? {
                continue;
            }
            slots[i] = None; // close
            if Instant::now() < deadline {
                done += 1;
                counter = counter.wrapping_add(1);
                slots[i] = Some(open(&t, &poll, Token(i), counter).map_err(e)?);
            }
        }
    }
    Ok(done)
}

/// Runs W3 for `dur` on two generator threads; returns connections per second.
pub fn run(t: &Target, dur: Duration) -> Result<f64, String> {
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (t, b) = (*t, barrier.clone());
            std::thread::spawn(move || thread_main(t, dur, b))
        })
        .collect();
    let mut total = 0u64;
    for h in handles {
        total += h.join().map_err(|_| "generator thread panicked")??;
    }
    if total == 0 {
        return Err("no connection completed".into());
    }
    Ok(total as f64 / dur.as_secs_f64())
}
