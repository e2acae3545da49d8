//! A memory transport for the engine's tests: two ends joined by bounded byte pipes, with
//! `WouldBlock` and short transfers injected from a script (as rustls tests its connections
//! through memory), plus a test PKI.

#![allow(dead_code)]

use parasol_net::Transport;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::rc::Rc;

/// One direction of the pipe.
#[derive(Debug, Default)]
pub struct Dir {
    buf: VecDeque<u8>,
    cap: usize,
    /// Something arrived (bytes, FIN or a reset) since the reader's last readiness event: an
    /// edge-triggered poller would report the reader readable.
    arrived: bool,
    /// The writer met a full buffer (WouldBlock or a short send) and has not been told of room
    /// since: once the reader makes room, the writer is reported writable.
    nospace: bool,
    /// The writer shut its side (FIN): the reader gets 0 once the buffer is empty.
    fin: bool,
    /// The connection was reset: both sides get errors.
    reset: bool,
}

/// What the next transfer does, decided by a script byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Normal,
    WouldBlock,
    Short(usize),
    /// A signal arrived (EINTR): the call did nothing and must be repeated.
    Interrupted,
}

/// A fault script: each transfer takes one byte; when the script runs out every transfer is
/// normal, so a driver that keeps calling always finishes.
#[derive(Debug, Default)]
pub struct Script {
    bytes: Vec<u8>,
    pos: usize,
}

impl Script {
    pub fn new(bytes: Vec<u8>) -> Rc<RefCell<Script>> {
        Rc::new(RefCell::new(Script { bytes, pos: 0 }))
    }

    fn next(&mut self) -> Step {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Step::Normal;
        };
        self.pos += 1;
        match b % 5 {
            0 => Step::WouldBlock,
            1 => Step::Short(1 + (b as usize >> 2) * 37),
            2 => Step::Interrupted,
            _ => Step::Normal,
        }
    }
}

/// One end of a memory connection.
#[derive(Debug)]
pub struct MemEnd {
    rx: Rc<RefCell<Dir>>,
    tx: Rc<RefCell<Dir>>,
    script: Rc<RefCell<Script>>,
    read_shut: bool,
    write_shut: bool,
    /// Edge mode: `recv` never fails or comes back short while bytes wait (as on Linux TCP: an
    /// edge-triggered reader relies on both).
    edges: bool,
    /// Every byte this end sent, as the kernel took it (for checks).
    pub sent: Rc<RefCell<Vec<u8>>>,
}

/// Two joined ends; `cap` bounds each direction's buffer (the kernel's socket buffers).
pub fn pair(cap: usize, script_a: Vec<u8>, script_b: Vec<u8>) -> (MemEnd, MemEnd) {
    let ab = Rc::new(RefCell::new(Dir {
        cap,
        ..Dir::default()
    }));
    let ba = Rc::new(RefCell::new(Dir {
        cap,
        ..Dir::default()
    }));
    (
        MemEnd {
            rx: ba.clone(),
            tx: ab.clone(),
            script: Script::new(script_a),
            read_shut: false,
            write_shut: false,
            edges: false,
            sent: Rc::default(),
        },
        MemEnd {
            rx: ab,
            tx: ba,
            script: Script::new(script_b),
            read_shut: false,
            write_shut: false,
            edges: false,
            sent: Rc::default(),
        },
    )
}

/// Two joined ends driven as an edge-triggered poller sees them (see [`MemEnd::take_edge`]).
pub fn edge_pair(cap: usize, script_a: Vec<u8>, script_b: Vec<u8>) -> (MemEnd, MemEnd) {
    let (mut a, mut b) = pair(cap, script_a, script_b);
    a.edges = true;
    b.edges = true;
    (a, b)
}

impl MemEnd {
    /// Resets the connection (RST): both ends see errors from now on.
    pub fn reset(&self) {
        for d in [&self.rx, &self.tx] {
            let mut d = d.borrow_mut();
            d.reset = true;
            d.arrived = true;
        }
    }

    /// Takes this end's pending readiness edge, as epoll in edge-triggered mode reports it:
    /// readable when something arrived since the last event, writable when room appeared after
    /// a send met a full buffer. False: the loop would not call this end's handler.
    pub fn take_edge(&mut self) -> bool {
        let readable = std::mem::take(&mut self.rx.borrow_mut().arrived);
        let mut tx = self.tx.borrow_mut();
        let writable = tx.nospace && tx.buf.len() < tx.cap;
        if writable {
            tx.nospace = false;
        }
        readable || writable
    }

    /// Shuts this end's sending side as the kernel would, without the engine knowing (a TLS
    /// peer that sends FIN without close_notify).
    pub fn shutdown_write_raw(&mut self) {
        self.write_shut = true;
        let mut tx = self.tx.borrow_mut();
        tx.fin = true;
        tx.arrived = true;
    }

    /// Bytes waiting for this end to read.
    pub fn pending(&self) -> usize {
        self.rx.borrow().buf.len()
    }

    fn take(&mut self, want: usize) -> io::Result<usize> {
        if self.write_shut {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let mut tx = self.tx.borrow_mut();
        if tx.reset {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        let limit = match self.script.borrow_mut().next() {
            Step::WouldBlock => {
                tx.nospace = true;
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Step::Interrupted => return Err(io::ErrorKind::Interrupted.into()),
            Step::Short(n) => n,
            Step::Normal => usize::MAX,
        };
        let room = tx.cap - tx.buf.len();
        let n = want.min(room).min(limit);
        if n < want {
            // A short send or none: the writer will wait for room.
            tx.nospace = true;
        }
        if n == 0 && want > 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }
}

impl Transport for MemEnd {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read_shut {
            return Ok(0);
        }
        let step = self.script.borrow_mut().next();
        let mut rx = self.rx.borrow_mut();
        if rx.reset {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        if rx.buf.is_empty() {
            return if rx.fin {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        // In edge mode `recv` behaves as Linux's TCP does for a non-blocking socket: a short
        // read only ever means the queue is empty (the loop's reader relies on it), and there is
        // no WouldBlock while bytes wait.
        let limit = match step {
            Step::WouldBlock if !self.edges => return Err(io::ErrorKind::WouldBlock.into()),
            Step::Interrupted => return Err(io::ErrorKind::Interrupted.into()),
            Step::Short(n) if !self.edges => n,
            _ => usize::MAX,
        };
        let n = buf.len().min(rx.buf.len()).min(limit);
        for (dst, src) in buf[..n].iter_mut().zip(rx.buf.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }

    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send_vectored(&[IoSlice::new(buf)])
    }

    fn send_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let want: usize = bufs.iter().map(|b| b.len()).sum();
        let mut n = self.take(want)?;
        let total = n;
        let mut tx = self.tx.borrow_mut();
        if total > 0 {
            tx.arrived = true;
        }
        let mut sent = self.sent.borrow_mut();
        for b in bufs {
            let k = n.min(b.len());
            tx.buf.extend(&b[..k]);
            sent.extend_from_slice(&b[..k]);
            n -= k;
            if n == 0 {
                break;
            }
        }
        Ok(total)
    }

    fn shutdown(&mut self, how: Shutdown) -> io::Result<()> {
        if matches!(how, Shutdown::Write | Shutdown::Both) && !self.write_shut {
            self.shutdown_write_raw();
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.read_shut = true;
        }
        Ok(())
    }
}

/// A CA and a `localhost` leaf signed by it, as PEM (made once per test process).
pub struct Pki {
    pub ca: String,
    pub cert: String,
    pub key: String,
}

pub fn pki() -> &'static Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    static PKI: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "Engine test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        Pki {
            ca: ca_cert.pem(),
            cert: leaf.pem(),
            key: leaf_key.serialize_pem(),
        }
    })
}

/// Deterministic pseudo-random bytes.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
