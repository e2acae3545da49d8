//! W2: 64-byte ping-pong. Every connection sends 64 B, waits for the echo, checks it and sends
//! the next; the connections are split over two threads, each one a mio loop, so all of them
//! are in flight at once. Counts round trips completed within the duration and their latency.

use super::{would_block, Pattern, Target};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Message size.
pub const MSG: usize = 64;

/// What one W2 run measured.
#[derive(Clone, Debug)]
pub struct PingPong {
    /// Round trips per second.
    pub per_sec: f64,
    /// Median round-trip latency, µs.
    pub p50_us: f64,
    /// 99th percentile round-trip latency, µs.
    pub p99_us: f64,
}

struct Conn {
    stream: TcpStream,
    id: u32,
    seq: u32,
    out: [u8; MSG],
    out_off: usize,
    inb: [u8; MSG],
    in_len: usize,
    sent_at: Instant,
}

/// Message `seq` of connection `id`: both numbers, then bytes derived from them, so a reply
/// that belongs to another connection or an older message is caught.
fn message(id: u32, seq: u32) -> [u8; MSG] {
    let mut m = [0u8; MSG];
    m[..4].copy_from_slice(&id.to_le_bytes());
    m[4..8].copy_from_slice(&seq.to_le_bytes());
    Pattern::new(((id as u64) << 32) | seq as u64).fill(&mut m[8..]);
    m
}

/// What one thread counted: round trips and their latencies in ns.
type Counted = (u64, Vec<u32>);

/// Advances one connection as far as its socket allows.
fn drive(c: &mut Conn, deadline: Instant, n: &mut u64, lat: &mut Vec<u32>) -> io::Result<()> {
    loop {
        while c.out_off < MSG {
            match c.stream.write(&c.out[c.out_off..]) {
                Ok(k) => c.out_off += k,
                Err(e) if would_block(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        match c.stream.read(&mut c.inb[c.in_len..]) {
            Ok(0) => return Err(io::Error::other("server closed the connection")),
            Ok(k) => c.in_len += k,
            Err(e) if would_block(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        if c.in_len < MSG {
            continue;
        }
        let now = Instant::now();
        if c.inb != c.out {
            return Err(io::Error::other(format!(
                "connection {}: echo of message {} differs from what was sent",
                c.id, c.seq
            )));
        }
        if now >= deadline {
            return Ok(()); // too late to count; stop this connection
        }
        *n += 1;
        lat.push(
            now.duration_since(c.sent_at)
                .as_nanos()
                .min(u32::MAX as u128) as u32,
        );
        c.seq = c.seq.wrapping_add(1);
        c.out = message(c.id, c.seq);
        c.out_off = 0;
        c.in_len = 0;
        c.sent_at = now;
    }
}

fn thread_main(
    t: Target,
    ids: std::ops::Range<u32>,
    dur: Duration,
    barrier: Arc<Barrier>,
) -> Result<Counted, String> {
    let e = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(e)?;
    let mut conns = Vec::new();
    let setup = || -> io::Result<()> {
        for id in ids {
            let s = t.connect()?;
            s.set_nonblocking(true)?;
            let mut stream = TcpStream::from_std(s);
            let token = Token(conns.len());
            poll.registry().register(
                &mut stream,
                token,
                Interest::READABLE | Interest::WRITABLE,
            )?;
            conns.push(Conn {
                stream,
                id,
                seq: 0,
                out: message(id, 0),
                out_off: 0,
                inb: [0; MSG],
                in_len: 0,
                sent_at: Instant::now(),
            });
        }
        Ok(())
    };
    let ready = setup();
    barrier.wait(); // both threads start together, even if one failed to connect
    ready.map_err(e)?;
    let start = Instant::now();
    let deadline = start + dur;
    let (mut n, mut lat) = (0u64, Vec::with_capacity(1 << 20));
    for c in &mut conns {
        c.sent_at = start;
        drive(c, deadline, &mut n, &mut lat).map_err(e)?;
    }
    let mut events = Events::with_capacity(256);
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        poll.poll(&mut events, Some(deadline - now)).map_err(e)?;
        for ev in events.iter() {
            let c = &mut conns[ev.token().0];
            drive(c, deadline, &mut n, &mut lat).map_err(e)?;
        }
    }
    Ok((n, lat))
}

/// Runs W2 with `conns` connections for `dur` on two generator threads.
pub fn run(t: &Target, conns: usize, dur: Duration) -> Result<PingPong, String> {
    let threads = conns.clamp(1, 2) as u32;
    let conns = conns as u32;
    let barrier = Arc::new(Barrier::new(threads as usize));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let ids = (conns * i / threads)..(conns * (i + 1) / threads);
            let (t, b) = (*t, barrier.clone());
            std::thread::spawn(move || thread_main(t, ids, dur, b))
        })
        .collect();
    let mut total = 0u64;
    let mut lat = Vec::new();
    for h in handles {
        let (n, l) = h.join().map_err(|_| "generator thread panicked")??;
        total += n;
        lat.extend(l);
    }
    if total == 0 {
        return Err("no round trip completed".into());
    }
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize] as f64 / 1e3;
    Ok(PingPong {
        per_sec: total as f64 / dur.as_secs_f64(),
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    })
}
