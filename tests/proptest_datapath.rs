//! The data-path contract under random use, over real loopback sockets, plain and TLS: random
//! write sizes (0 B – 1 MiB), MsgLimit, reader speed, driver (Write or Outgoing), which end our
//! sender is (a server's ClientSocket or a client NetSocket), and how the connection ends
//! (Incoming returning Terminate, DisconnectSocket, Free, ShutdownWrite, the peer's FIN, the
//! peer's reset). Invariants: the peer receives exactly the bytes Write accepted, in order,
//! before a clean end (EOF; with TLS close_notify first); Error is Okay on graceful endings and
//! Disconnected on a reset; nothing stalls; descriptors return to where they were.
//!
//! The receiving side too: the peer writes random sizes (up to 2 MiB in all) and closes; our
//! Incoming reads random amounts per call (1 KiB to 300 KiB; 1 B pieces when it reads
//! everything), sometimes leaves bytes for the next cycle, sometimes returns Retry — which drives
//! the read sizes through all their states (growing to 256 KiB on a fast stream, back to 64 KiB
//! when bytes are left). Invariant: Incoming receives exactly the bytes the peer sent, in order,
//! then DISCONNECTED with Error Okay.
//!
//! The peer is independent of this project: std sockets, and rustls directly for TLS.
//! `PROPTEST_CASES` raises the case count for long local runs.

mod common;

use common::pki;
use common::*;
use parasol::prelude::*;
use proptest::prelude::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

/// The cases of this binary share the descriptor count: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const DEADLINE_CASE: Duration = Duration::from_secs(30);

/// Frees a case's objects however the case ends, so a failure does not leak into the next
/// case (or into the shrinking of this one).
struct Cleanup(Vec<ObjectId>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for id in self.0.drain(..) {
            if id.exists() {
                let _ = id.free();
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// Our sender is a server's ClientSocket; the peer connects.
    Accepted,
    /// Our sender is a client NetSocket; the peer accepts.
    Client,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    Write,
    Outgoing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Terminate,
    DisconnectSocket,
    Free,
    ShutdownWrite,
    PeerFin,
    PeerReset,
}

#[derive(Clone, Debug)]
struct Plan {
    tls: bool,
    side: Side,
    driver: Driver,
    ending: Ending,
    writes: Vec<usize>,
    msg_limit: usize,
    chunk: usize,
    pause_us: u64,
    /// Where in the stream the peer half-closes or resets (a fraction of the total, in 1/256).
    at: u8,
}

fn plan(tls: bool) -> impl Strategy<Value = Plan> {
    (
        prop_oneof![Just(Side::Accepted), Just(Side::Client)],
        prop_oneof![Just(Driver::Write), Just(Driver::Outgoing)],
        prop_oneof![
            Just(Ending::Terminate),
            Just(Ending::DisconnectSocket),
            Just(Ending::Free),
            Just(Ending::ShutdownWrite),
            Just(Ending::PeerFin),
            Just(Ending::PeerReset),
        ],
        prop::collection::vec(
            prop_oneof![0usize..64, 64usize..65_536, 65_536usize..=1 << 20],
            1..5,
        ),
        prop_oneof![1usize..4096, 4096usize..300_000, Just(1usize << 20)],
        512usize..65_536,
        prop_oneof![Just(0u64), 1u64..300],
        any::<u8>(),
    )
        .prop_map(
            move |(side, driver, ending, writes, msg_limit, chunk, pause_us, at)| Plan {
                tls,
                side,
                driver,
                ending,
                writes,
                msg_limit,
                chunk,
                pause_us,
                at,
            },
        )
}

/// How the peer saw the stream end.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PeerEnd {
    /// EOF (with TLS: after close_notify).
    Clean,
    /// The peer reset the connection itself.
    ResetByPeer,
    /// A read failed.
    Error(String),
}

struct Ids {
    ca: String,
    cert: String,
    key: String,
}

fn ids() -> &'static Ids {
    static IDS: OnceLock<Ids> = OnceLock::new();
    IDS.get_or_init(|| {
        let ca = pki::ca("Proptest CA");
        let leaf = pki::leaf(&ca, &["localhost"]);
        Ids {
            ca: ca.pem,
            cert: leaf.cert,
            key: leaf.key,
        }
    })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The peer's stream, plain or TLS (rustls in the role opposite ours).
enum PeerStream {
    Plain(TcpStream),
    /// We accept: the peer is the TLS client.
    TlsClient(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    /// We connect: the peer is the TLS server.
    TlsServer(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

/// The same expression on whichever stream the peer has.
macro_rules! on_stream {
    ($s:expr, $v:ident => $e:expr) => {
        match $s {
            PeerStream::Plain($v) => $e,
            PeerStream::TlsClient($v) => $e,
            PeerStream::TlsServer($v) => $e,
        }
    };
}

impl PeerStream {
    fn new(sock: TcpStream, tls: bool, our_side: Side) -> PeerStream {
        sock.set_read_timeout(Some(DEADLINE_CASE)).unwrap();
        if !tls {
            return PeerStream::Plain(sock);
        }
        let id = ids();
        match our_side {
            Side::Accepted => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(CertificateDer::from_pem_slice(id.ca.as_bytes()).unwrap())
                    .unwrap();
                let config = rustls::ClientConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let conn = rustls::ClientConnection::new(
                    Arc::new(config),
                    ServerName::try_from("localhost").unwrap(),
                )
                .unwrap();
                let mut s = rustls::StreamOwned::new(conn, sock);
                while s.conn.is_handshaking() {
                    s.conn.complete_io(&mut s.sock).expect("peer handshake");
                }
                PeerStream::TlsClient(Box::new(s))
            }
            Side::Client => {
                let config = rustls::ServerConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_no_client_auth()
                    .with_single_cert(
                        vec![CertificateDer::from_pem_slice(id.cert.as_bytes()).unwrap()],
                        PrivateKeyDer::from_pem_slice(id.key.as_bytes()).unwrap(),
                    )
                    .unwrap();
                let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
                let mut s = rustls::StreamOwned::new(conn, sock);
                while s.conn.is_handshaking() {
                    s.conn.complete_io(&mut s.sock).expect("peer handshake");
                }
                PeerStream::TlsServer(Box::new(s))
            }
        }
    }

    fn tcp(&self) -> &TcpStream {
        match self {
            PeerStream::Plain(s) => s,
            PeerStream::TlsClient(t) => &t.sock,
            PeerStream::TlsServer(t) => &t.sock,
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        on_stream!(self, s => s.read(buf))
    }

    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        on_stream!(self, s => s.write_all(b).and_then(|_| s.flush()))
    }

    /// Ends the sending side gracefully (TLS: close_notify first) and keeps reading.
    fn half_close(&mut self) {
        match self {
            PeerStream::Plain(_) => {}
            PeerStream::TlsClient(t) => {
                t.conn.send_close_notify();
                let _ = t.flush();
            }
            PeerStream::TlsServer(t) => {
                t.conn.send_close_notify();
                let _ = t.flush();
            }
        }
        let _ = self.tcp().shutdown(std::net::Shutdown::Write);
    }

    /// Resets the connection (SO_LINGER 0, then close).
    fn reset(self) {
        let _ = socket2::SockRef::from(self.tcp()).set_linger(Some(Duration::ZERO));
        drop(self);
    }
}

/// The peer: reads at the plan's speed, half-closes or resets where the plan says, sends the
/// Terminate trigger after the whole stream, and reports what it received and how it ended.
fn peer(sock: TcpStream, plan: Plan, total: usize) -> (Vec<u8>, PeerEnd) {
    let mut s = PeerStream::new(sock, plan.tls, plan.side);
    let at = total * plan.at as usize / 256;
    let mut got = Vec::new();
    let mut buf = vec![0u8; plan.chunk];
    let mut half_closed = false;
    let mut triggered = false;
    loop {
        if plan.ending == Ending::PeerFin && !half_closed && got.len() >= at {
            s.half_close();
            half_closed = true;
        }
        if plan.ending == Ending::PeerReset && got.len() >= at {
            s.reset();
            return (got, PeerEnd::ResetByPeer);
        }
        if plan.ending == Ending::Terminate && !triggered && got.len() >= total {
            s.write_all(b"x").expect("send the Terminate trigger");
            triggered = true;
        }
        match s.read(&mut buf) {
            Ok(0) => {
                // A well-behaved peer answers the end with its own (TLS: close_notify, FIN).
                if !half_closed {
                    s.half_close();
                }
                return (got, PeerEnd::Clean);
            }
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return (got, PeerEnd::Error(e.to_string())),
        }
        if plan.pause_us > 0 {
            // The reader's speed, not synchronisation.
            std::thread::sleep(Duration::from_micros(plan.pause_us));
        }
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Our sender, whichever object it is.
#[derive(Clone, Copy)]
struct Sender {
    id: ObjectId,
    msg_limit: usize,
}

impl Sender {
    fn state(self) -> NTC {
        match self.id.get("State") {
            Ok(v) => NTC(v.to_i32().unwrap_or(0)),
            Err(_) => NTC::DISCONNECTED,
        }
    }
    fn queued(self) -> usize {
        self.id
            .get("OutQueueSize")
            .ok()
            .and_then(|v| v.to_int().ok())
            .unwrap_or(0) as usize
    }
}

fn run_case(p: &Plan) -> Result<(), TestCaseError> {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    setup();
    let id = ids();
    let _ = process_messages(Some(Duration::ZERO)); // the loop's own descriptors exist from here on
    let fds_before = open_fds();
    let data: Vec<Vec<u8>> = p
        .writes
        .iter()
        .enumerate()
        .map(|(i, &n)| pattern(n, i as u64 + 1))
        .collect();
    let total: usize = p.writes.iter().sum();
    let accepted = Rc::new(RefCell::new(Vec::<u8>::new()));
    let ended: Log<ERR> = Log::default();
    let sender_cell: Rc<Cell<Option<ObjectId>>> = Rc::default();

    // Incoming (on our sender): reads and drops what the peer sends; the trigger "x" ends the
    // connection with Terminate.
    let incoming = |obj: ObjectId| -> ERR {
        let mut b = [0u8; 256];
        loop {
            match obj.ac_read(&mut b) {
                Ok(0) => return ERR::Okay,
                Ok(n) if b[..n].contains(&b'x') => return ERR::Terminate,
                Ok(_) => continue,
                Err(e) => return e,
            }
        }
    };
    let (tx, rx) = mpsc::channel();
    let plan = p.clone();
    let mut server = None;
    let mut cleanup = Cleanup(Vec::new());
    let sender = match p.side {
        Side::Accepted => {
            let (e, sc) = (ended.clone(), sender_cell.clone());
            let mut f = fields! {
                "Address" => "127.0.0.1", "Port" => 0,
                "Flags" => if p.tls { "SERVER|SSL" } else { "SERVER" },
                "MsgLimit" => p.msg_limit,
                "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, st: NTC| {
                    match st {
                        NTC::CONNECTED => sc.set(Some(c.id())),
                        NTC::DISCONNECTED => e.push(ERR(c.get("Error").unwrap().to_i32().unwrap())),
                        _ => {}
                    }
                }),
                "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| incoming(c.id())),
            };
            if p.tls {
                f.push(("SSLCertificate", id.cert.as_str().into()));
                f.push(("SSLPrivateKey", id.key.as_str().into()));
            }
            let srv = NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap();
            cleanup.0.push(srv.id());
            let port = srv.port().unwrap();
            std::thread::spawn(move || {
                let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
                let _ = tx.send(peer(sock, plan, total));
            });
            server = Some(srv);
            let r = wait_for(DEADLINE_CASE, || sender_cell.get().is_some());
            prop_assert_eq!(r, ERR::Okay, "the server never saw the client CONNECTED");
            Sender {
                id: sender_cell.get().unwrap(),
                msg_limit: p.msg_limit,
            }
        }
        Side::Client => {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            std::thread::spawn(move || {
                let (sock, _) = listener.accept().unwrap();
                let _ = tx.send(peer(sock, plan, total));
            });
            let e = ended.clone();
            let mut f = fields! {
                "Flags" => if p.tls { Value::from("SSL") } else { Value::Int(0) },
                "MsgLimit" => p.msg_limit,
                "Feedback" => Function::new(move |s: &NetSocket, st: NTC| {
                    if st == NTC::DISCONNECTED {
                        e.push(s.error().unwrap());
                    }
                }),
                "Incoming" => Function::new(move |s: &NetSocket| incoming(s.id())),
            };
            if p.tls {
                f.push(("SSLCACertificate", id.ca.as_str().into()));
            }
            let c = NetSocket::from_id(create("NetSocket", f).unwrap()).unwrap();
            cleanup.0.push(c.id());
            // Writes start at once: before CONNECTED they are queued.
            c.connect_timeout("localhost", port, std::time::Duration::from_secs_f64(30.0))
                .unwrap();
            Sender {
                id: c.id(),
                msg_limit: p.msg_limit,
            }
        }
    };

    let peer_gone = matches!(p.ending, Ending::PeerFin | Ending::PeerReset);
    match p.driver {
        Driver::Write => {
            'writes: for d in &data {
                let mut off = 0;
                loop {
                    let (e, n) = sender.id.ac_write_counted(&d[off..]);
                    prop_assert!(n <= d.len() - off);
                    accepted.borrow_mut().extend_from_slice(&d[off..off + n]);
                    off += n;
                    prop_assert!(sender.queued() <= sender.msg_limit, "queue over MsgLimit");
                    match e {
                        ERR::Okay => break,
                        ERR::BufferOverflow => {
                            let r = wait_for(DEADLINE_CASE, || {
                                sender.queued() < sender.msg_limit
                                    || sender.state() == NTC::DISCONNECTED
                            });
                            prop_assert_eq!(r, ERR::Okay, "the queue never drained");
                        }
                        ERR::Disconnected | ERR::NoMatchingObject if peer_gone => break 'writes,
                        other => prop_assert!(false, "Write failed: {:?}", other),
                    }
                }
            }
        }
        Driver::Outgoing => {
            let (acc, chunks) = (accepted.clone(), data.clone());
            let pos = Rc::new(Cell::new((0usize, 0usize)));
            let done = Rc::new(Cell::new(false));
            let (ps, dn) = (pos.clone(), done.clone());
            let pump = move |obj: ObjectId| -> ERR {
                let (mut i, mut off) = ps.get();
                while i < chunks.len() && off == chunks[i].len() {
                    (i, off) = (i + 1, 0);
                }
                if i == chunks.len() {
                    dn.set(true);
                    return ERR::Okay; // nothing written: pumping ends
                }
                let (_, n) = obj.ac_write_counted(&chunks[i][off..]);
                acc.borrow_mut().extend_from_slice(&chunks[i][off..off + n]);
                ps.set((i, off + n));
                ERR::Okay
            };
            let f = match p.side {
                Side::Accepted => {
                    Function::new(move |_s: &NetSocket, c: &ClientSocket| pump(c.id()))
                }
                Side::Client => Function::new(move |s: &NetSocket| pump(s.id())),
            };
            match sender.id.set("Outgoing", f) {
                Ok(()) => {}
                // The peer's reset may already have ended (and released) a ClientSocket.
                Err(ERR::NoMatchingObject) if peer_gone => {}
                Err(e) => prop_assert!(false, "setting Outgoing: {:?}", e),
            }
            let r = wait_for(DEADLINE_CASE, || {
                done.get() || sender.state() == NTC::DISCONNECTED
            });
            prop_assert_eq!(r, ERR::Okay, "Outgoing stalled");
            prop_assert!(done.get() || peer_gone, "the connection ended early");
        }
    }

    if matches!(p.ending, Ending::DisconnectSocket | Ending::Free) {
        // Freed before its connection exists, a NetSocket drops what it queued (with a warning;
        // tests/log_lines.rs): the contract's delivery on Free is for established connections.
        let r = wait_for(DEADLINE_CASE, || {
            sender.state() != NTC::CONNECTING && sender.state() != NTC::HANDSHAKING
        });
        prop_assert_eq!(r, ERR::Okay, "never connected");
    }
    match p.ending {
        Ending::DisconnectSocket if p.side == Side::Accepted => {
            server
                .unwrap()
                .disconnect_socket(ClientSocket::from_id(sender.id).unwrap())
                .unwrap();
        }
        Ending::DisconnectSocket | Ending::Free => sender.id.free().unwrap(),
        Ending::ShutdownWrite => sender.id.call("ShutdownWrite", &[]).map(|_| ()).unwrap(),
        Ending::Terminate | Ending::PeerFin | Ending::PeerReset => {}
    }

    let mut result = None;
    let r = wait_for(DEADLINE_CASE, || {
        if result.is_none() {
            result = rx.try_recv().ok();
        }
        result.is_some()
            && (!sender.id.exists() || sender.state() == NTC::DISCONNECTED)
            && parasol::net::linger::active() == 0
    });
    prop_assert_eq!(
        r,
        ERR::Okay,
        "stalled: peer done {}, state {:?}, queued {}",
        result.is_some(),
        sender.state(),
        sender.queued()
    );
    let (got, peer_end) = result.unwrap();
    let accepted = accepted.borrow();
    if p.ending == Ending::PeerReset {
        prop_assert_eq!(peer_end, PeerEnd::ResetByPeer);
        prop_assert!(
            accepted.starts_with(&got),
            "the peer got a prefix of what was accepted"
        );
        if p.ending == Ending::PeerReset && sender.id.exists() {
            prop_assert_eq!(
                ended.get(),
                vec![ERR::Disconnected],
                "a reset is Disconnected"
            );
        }
    } else {
        prop_assert_eq!(&peer_end, &PeerEnd::Clean, "a graceful end");
        prop_assert!(
            got.len() == accepted.len() && got == *accepted,
            "peer received {} bytes, Write accepted {}",
            got.len(),
            accepted.len()
        );
        if !peer_gone {
            prop_assert_eq!(accepted.len(), total, "everything was accepted");
        }
        if p.ending != Ending::Free && ended.len() > 0 {
            prop_assert_eq!(ended.get(), vec![ERR::Okay], "Error after a graceful end");
        }
    }
    if sender.id.exists() {
        sender.id.free().unwrap();
    }
    if let Some(s) = server {
        s.free().unwrap();
    }
    let r = wait_for(DEADLINE_CASE, || {
        parasol::net::linger::active() == 0 && open_fds() <= fds_before
    });
    prop_assert_eq!(
        r,
        ERR::Okay,
        "descriptors: {} before, {} after: {:?}",
        fds_before,
        open_fds(),
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .collect::<Vec<_>>()
    );
    Ok(())
}

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        // Each case is a real transfer; shrinking a failure must still end in reasonable time.
        max_shrink_iters: std::env::var("PROPTEST_MAX_SHRINK_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        ..ProptestConfig::default()
    }
}

/// What one Incoming call does, cycling through the plan's list.
#[derive(Clone, Copy, Debug)]
enum Call {
    /// Reads up to this many bytes once, then returns Okay (what is left comes again).
    Once(usize),
    /// Reads until nothing is left, in pieces of this size.
    All(usize),
    /// Reads up to this many bytes, then returns Retry.
    ThenRetry(usize),
}

/// Sizes per call are bounded below so that a case costs at most a few thousand loop cycles
/// (a call that takes 1 byte of 2 MiB and waits for the next cycle would take millions).
fn call() -> impl Strategy<Value = Call> {
    let size = prop_oneof![1024usize..65_536, 65_536usize..300_000];
    prop_oneof![
        size.clone().prop_map(Call::Once),
        prop_oneof![1usize..64, 64usize..300_000].prop_map(Call::All),
        size.prop_map(Call::ThenRetry),
    ]
}

fn receive_case(writes: Vec<usize>, calls: Vec<Call>, tls: bool) -> Result<(), TestCaseError> {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    setup();
    let id = ids();
    let sent = pattern(writes.iter().sum(), writes.len() as u64);
    let got = Rc::new(RefCell::new(Vec::<u8>::new()));
    let ended = Rc::new(RefCell::new(None::<ERR>));
    let (g, e) = (got.clone(), ended.clone());
    let mut n = 0usize;
    let mut server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(if tls {
            NSF::SERVER | NSF::SSL
        } else {
            NSF::SERVER
        });
    if tls {
        server = server.ssl_certificate(&id.cert).ssl_private_key(&id.key);
    }
    let server = server
        .server_incoming(move |_s, c| {
            let step = calls[n % calls.len()];
            n += 1;
            let (size, all) = match step {
                Call::Once(s) | Call::ThenRetry(s) => (s, false),
                Call::All(s) => (s, true),
            };
            let mut buf = vec![0u8; size];
            loop {
                match c.ac_read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => g.borrow_mut().extend_from_slice(&buf[..k]),
                    Err(e) => return e,
                }
                if !all {
                    break;
                }
            }
            match step {
                Call::ThenRetry(_) => ERR::Retry,
                _ => ERR::Okay,
            }
        })
        .server_feedback(move |_s, c, state| {
            if state == NTC::DISCONNECTED {
                *e.borrow_mut() = c.error().ok();
            }
        })
        .build()
        .map_err(|e| TestCaseError::fail(format!("server: {e:?}")))?;
    let port = server.port().unwrap();
    let data = sent.clone();
    let writer = std::thread::spawn(move || {
        let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut s = PeerStream::new(sock, tls, Side::Accepted);
        let mut off = 0;
        for w in writes {
            s.write_all(&data[off..off + w]).unwrap();
            off += w;
        }
        s.half_close();
        // Stay open until the server has closed its side too (its close waits for ours).
        let mut sink = [0u8; 4096];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    let r = wait_until(Duration::from_secs(30), || ended.borrow().is_some());
    let _ = server.free();
    writer.join().unwrap();
    prop_assert_eq!(r, ERR::Okay, "the connection ended within the deadline");
    prop_assert_eq!(*ended.borrow(), Some(ERR::Okay));
    let got = got.borrow();
    prop_assert_eq!(got.len(), sent.len());
    prop_assert!(*got == sent, "every byte, in order");
    Ok(())
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn plain_tcp_delivers_every_accepted_byte(p in plan(false)) {
        run_case(&p)?;
    }

    #[test]
    fn tls_delivers_every_accepted_byte(p in plan(true)) {
        run_case(&p)?;
    }

    #[test]
    fn incoming_receives_every_byte_in_order(
        writes in prop::collection::vec(
            prop_oneof![1usize..100, 100usize..65_536, 65_536usize..=1 << 20],
            1..8,
        ).prop_filter("at most 2 MiB", |w| w.iter().sum::<usize>() <= 2 << 20),
        calls in prop::collection::vec(call(), 1..6),
        tls in any::<bool>(),
    ) {
        receive_case(writes, calls, tls)?;
    }
}

/// The case that found the stall after a peer's close (Retry in the event that reported the
/// hangup, then a short read taken for "nothing more"), plain and TLS.
#[test]
fn the_end_behind_a_short_read_is_still_seen() {
    for tls in [false, true] {
        let calls = vec![
            Call::ThenRetry(9175),
            Call::Once(239_778),
            Call::Once(107_014),
            Call::ThenRetry(44_497),
            Call::Once(5412),
        ];
        receive_case(vec![768_365, 62, 95], calls, tls).unwrap();
    }
}
