//! `parasol-bench soak`: N clients each echo M bytes through a server, C at a time, and every
//! byte that comes back is checked (SHA-256 of what was sent against what was received). It
//! reports throughput, the server's peak RSS (VmHWM) and its descriptors before and after: a
//! server that loses, reorders or keeps anything shows here. Each server runs in its own child
//! process, as in the main benchmark; the clients run on one thread of this one (mio).

use crate::child::{self, ServeSpec, ServerChild};
use crate::load::{connect_done, would_block, Pattern, Target};
use mio::{Events, Interest, Poll, Token};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

/// What the soak run is asked to do.
#[derive(Clone, Debug)]
pub struct SoakArgs {
    /// Clients in all.
    pub clients: usize,
    /// Bytes each client sends (and must get back).
    pub bytes: usize,
    /// Clients connected at once.
    pub concurrency: usize,
    /// Servers to soak, by name.
    pub servers: Vec<String>,
}

/// One client: sends its stream, half-closes, reads the echo to EOF.
struct Client {
    sock: mio::net::TcpStream,
    connected: bool,
    pattern: Pattern,
    chunk: Vec<u8>,
    chunk_off: usize,
    sent: usize,
    received: usize,
    sent_hash: Sha256,
    got_hash: Sha256,
    shut: bool,
}

/// The figures of one server's soak.
struct Soaked {
    seconds: f64,
    peak_rss: u64,
    rss_before: u64,
    fds_before: usize,
    fds_after: usize,
    bad: usize,
}

const CHUNK: usize = 64 * 1024;

fn vm_hwm(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| "no VmHWM".to_string())
}

impl Client {
    fn new(t: &Target, seed: u64) -> Result<Client, String> {
        Ok(Client {
            sock: t
                .connect_rotated_nonblocking()
                .map_err(|e| format!("connect: {e}"))?,
            connected: false,
            pattern: Pattern::new(seed),
            chunk: vec![0u8; CHUNK],
            chunk_off: CHUNK,
            sent: 0,
            received: 0,
            sent_hash: Sha256::new(),
            got_hash: Sha256::new(),
            shut: false,
        })
    }

    /// Writes until the kernel refuses or everything was sent (then FIN).
    fn pump(&mut self, total: usize) -> Result<(), String> {
        while self.sent < total {
            if self.chunk_off == self.chunk.len() {
                let n = CHUNK.min(total - self.sent);
                self.chunk.resize(n, 0);
                self.pattern.fill(&mut self.chunk);
                self.chunk_off = 0;
            }
            match self.sock.write(&self.chunk[self.chunk_off..]) {
                Ok(n) => {
                    self.sent_hash
                        .update(&self.chunk[self.chunk_off..self.chunk_off + n]);
                    self.chunk_off += n;
                    self.sent += n;
                }
                Err(e) if would_block(&e) => return Ok(()),
                Err(e) => return Err(format!("write: {e}")),
            }
        }
        if !self.shut {
            self.shut = true;
            self.sock
                .shutdown(Shutdown::Write)
                .map_err(|e| format!("shutdown: {e}"))?;
        }
        Ok(())
    }

    /// Reads until the kernel has nothing; `Ok(true)` at EOF.
    fn drain(&mut self, buf: &mut [u8]) -> Result<bool, String> {
        loop {
            match self.sock.read(buf) {
                Ok(0) => return Ok(true),
                Ok(n) => {
                    self.got_hash.update(&buf[..n]);
                    self.received += n;
                }
                Err(e) if would_block(&e) => return Ok(false),
                Err(e) => return Err(format!("read: {e}")),
            }
        }
    }
}

/// Soaks the server at `t` (process `pid`): every client's echo is checked. Returns the
/// number of clients whose echo differed and the seconds it took.
fn drive(t: &Target, a: &SoakArgs) -> Result<(usize, f64), String> {
    let mut poll = Poll::new().map_err(|e| e.to_string())?;
    let mut events = Events::with_capacity(1024);
    let mut slots: Vec<Option<Client>> = (0..a.concurrency).map(|_| None).collect();
    let (mut started, mut finished, mut bad) = (0usize, 0usize, 0usize);
    let mut buf = vec![0u8; CHUNK];
    let begin = Instant::now();
    let deadline = begin + Duration::from_secs(600);
    while finished < a.clients {
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot.is_none() && started < a.clients {
                let mut c = Client::new(t, started as u64 * 7919 + 1)?;
                poll.registry()
                    .register(
                        &mut c.sock,
                        Token(i),
                        Interest::READABLE | Interest::WRITABLE,
                    )
                    .map_err(|e| e.to_string())?;
                *slot = Some(c);
                started += 1;
            }
        }
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .map_err(|e| e.to_string())?;
        if Instant::now() > deadline {
            return Err(format!(
                "soak stalled: {finished} of {} clients done",
                a.clients
            ));
        }
        for ev in events.iter() {
            let i = ev.token().0;
            let Some(c) = slots[i].as_mut() else { continue };
            if !c.connected {
                match connect_done(&c.sock) {
                    Ok(true) => c.connected = true,
                    Ok(false) => continue,
                    Err(e) => return Err(format!("client connect: {e}")),
                }
            }
            c.pump(a.bytes)?;
            if c.drain(&mut buf)? {
                let mut c = slots[i].take().expect("slot");
                let _ = poll.registry().deregister(&mut c.sock);
                let ok = c.received == a.bytes && c.sent_hash.finalize() == c.got_hash.finalize();
                if !ok {
                    bad += 1;
                }
                finished += 1;
            }
        }
    }
    Ok((bad, begin.elapsed().as_secs_f64()))
}

fn soak_one(name: &'static str, a: &SoakArgs) -> Result<Soaked, String> {
    let spec = ServeSpec {
        name,
        buf: 64 * 1024,
        tls: None,
        cpu: None,
        loops: None,
    };
    let mut server = ServerChild::spawn(&spec)?;
    let pid = server.pid();
    let t = Target {
        addr: ([127, 0, 0, 1], server.port).into(),
    };
    let fds_before = child::open_fds(pid)?;
    let rss_before = child::vm_rss(pid)?;
    let (bad, seconds) = drive(&t, a)?;
    server.check_alive()?;
    // Every client has closed: the server's descriptors must come back to where they were.
    let settle = Instant::now() + Duration::from_secs(30);
    let mut fds_after = child::open_fds(pid)?;
    while fds_after > fds_before && Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(20));
        fds_after = child::open_fds(pid)?;
    }
    Ok(Soaked {
        seconds,
        peak_rss: vm_hwm(pid)?,
        rss_before,
        fds_before,
        fds_after,
        bad,
    })
}

/// Runs the soak over every server asked for and prints the table. `Ok(false)`: some server
/// lost or kept something.
pub fn report(a: &SoakArgs) -> Result<bool, String> {
    child::raise_nofile();
    let mib = a.bytes as f64 / (1 << 20) as f64;
    println!(
        "parasol-bench soak: {} clients × {mib:.2} MiB echoed, {} at a time, SHA-256 checked; \
         each server in its own child process, the clients on one thread of this one",
        a.clients, a.concurrency
    );
    println!(
        "\n| server | seconds | echo MB/s (each way) | peak RSS (MiB) | RSS at start (MiB) | descriptors before → after | clients with a bad echo |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut ok = true;
    for name in &a.servers {
        let name: &'static str = match name.as_str() {
            "ours" => "ours",
            "mio" => "mio",
            "tokio-ct" => "tokio-ct",
            "tokio-mt" => "tokio-mt",
            "std" => "std",
            other => return Err(format!("unknown server {other:?}")),
        };
        match soak_one(name, a) {
            Ok(s) => {
                let total = (a.clients * a.bytes) as f64;
                ok &= s.bad == 0 && s.fds_after <= s.fds_before;
                println!(
                    "| {name} | {:.2} | {:.0} | {:.1} | {:.1} | {} → {} | {} |",
                    s.seconds,
                    total / s.seconds / 1e6,
                    s.peak_rss as f64 / (1 << 20) as f64,
                    s.rss_before as f64 / (1 << 20) as f64,
                    s.fds_before,
                    s.fds_after,
                    s.bad
                );
            }
            Err(e) => {
                ok = false;
                println!("| {name} | FAILED: {e} | | | | | |");
            }
        }
    }
    if !ok {
        println!("\nFAILED: a server lost data, failed, or kept descriptors (see above)");
    }
    Ok(ok)
}
