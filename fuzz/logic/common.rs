//! Helpers shared by the fuzz logic files: a byte decoder (instead of `arbitrary`, so the logic
//! compiles on stable in `tests/fuzz_replay.rs`), a counting logger, a panic counter, loop
//! driving with deadlines, and a self-signed TLS identity made once.
//!
//! Each logic file includes this file with `#[path = "common.rs"] mod common;`.

#![allow(dead_code)]

use parasol::prelude::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// Reads fuzz input bytes as small numbers, strings and choices; past the end everything is 0.
pub struct Src<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Src<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Src { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn u64(&mut self) -> u64 {
        (self.u32() as u64) | ((self.u32() as u64) << 32)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            self.u8() as usize % n
        } else {
            self.u16() as usize % n
        }
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// A length-prefixed slice of at most `max` bytes (shorter at the end of the input).
    pub fn bytes(&mut self, max: usize) -> &'a [u8] {
        let want = if max < 255 {
            self.u8() as usize % (max + 1)
        } else {
            (self.u16() as usize) % (max + 1)
        };
        let start = self.pos.min(self.data.len());
        let end = (start + want).min(self.data.len());
        self.pos = start + want;
        &self.data[start..end]
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }

    /// A string of at most `max` bytes (invalid UTF-8 replaced).
    pub fn string(&mut self, max: usize) -> String {
        String::from_utf8_lossy(self.bytes(max)).into_owned()
    }

    /// An i64 that is often one of the interesting boundaries.
    pub fn int(&mut self) -> i64 {
        match self.u8() % 8 {
            0 => self.u8() as i64,
            1 => -(self.u8() as i64),
            2 => self.pick(&[
                0,
                1,
                -1,
                i32::MAX as i64,
                i32::MIN as i64,
                i32::MAX as i64 + 1,
                i64::MAX,
                i64::MIN,
                65535,
                65536,
                1 << 20,
                (64 << 20) + 1,
                0x10,
                0x3f,
            ]),
            3 => self.u16() as i64,
            4 => self.u32() as i32 as i64,
            5 => self.u64() as i64,
            _ => (self.u8() % 64) as i64,
        }
    }

    /// An f64 that is often NaN, infinite, huge, tiny or negative.
    pub fn double(&mut self) -> f64 {
        match self.u8() % 4 {
            0 => self.pick(&[
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                -0.0,
                0.0,
                1e19,
                9.2e18,
                1e9,
                -1.0,
                0.5,
                1e-9,
                2.5,
            ]),
            1 => f64::from_bits(self.u64()),
            2 => (self.u8() as f64) / 100.0,
            _ => self.int() as f64,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Logging: warnings and errors are counted, so targets can check that a refused input was logged.

static WARNINGS: AtomicUsize = AtomicUsize::new(0);
static LAST_LINE: Mutex<String> = Mutex::new(String::new());
static LOGGER_OWNED: OnceLock<bool> = OnceLock::new();

struct Counter;

impl log::Log for Counter {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Warn
    }
    fn log(&self, r: &log::Record<'_>) {
        if r.level() <= log::Level::Warn {
            WARNINGS.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut l) = LAST_LINE.lock() {
                l.clear();
                use std::fmt::Write;
                let _ = write!(l, "{}", r.args());
            }
            if std::env::var_os("PARASOL_FUZZ_LOG").is_some() {
                eprintln!("{} {}", r.level(), r.args());
            }
        }
    }
    fn flush(&self) {}
}

/// Installs the counting logger (once). False when another logger was installed first, in which
/// case the log checks are skipped.
pub fn install_logger() -> bool {
    *LOGGER_OWNED.get_or_init(|| {
        let ok = log::set_logger(&Counter).is_ok();
        if ok {
            log::set_max_level(log::LevelFilter::Warn);
        }
        ok
    })
}

/// Warnings and errors logged so far (0 when the logger is not ours).
pub fn warnings() -> usize {
    WARNINGS.load(Ordering::Relaxed)
}

/// The last warning or error line.
pub fn last_line() -> String {
    LAST_LINE.lock().map(|l| l.clone()).unwrap_or_default()
}

/// True when log checks are possible.
pub fn logs_checked() -> bool {
    LOGGER_OWNED.get().copied().unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// Panics: the runtime catches panics in callbacks, actions and methods (and logs them). Under
// libFuzzer every panic aborts at once (libfuzzer-sys's hook); on stable this hook counts them so
// the replay fails on a caught panic too.

thread_local! {
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Installs the counting panic hook (once per copy of this module; hooks chain).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            prev(info);
        }));
    });
}

/// Panics seen on this thread so far.
pub fn panics() -> usize {
    PANICS.with(|p| p.get())
}

/// Registers the classes, the logger and the panic hook.
pub fn setup() {
    install_logger();
    install_panic_hook();
    parasol::init().expect("register the classes");
}

// ---------------------------------------------------------------------------------------------
// Loop driving.

/// Drives the loop until `cond` holds or `limit` passes; true when it held.
pub fn pump_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match wait_until(left.min(Duration::from_millis(2)), &mut cond) {
            ERR::Okay => return true,
            ERR::TimeOut => {}
            // Terminate / Recursion: the loop cannot be driven from here.
            _ => return cond(),
        }
    }
}

/// `n` loop passes without sleeping.
pub fn pump(n: usize) {
    for _ in 0..n {
        let _ = process_messages(Some(Duration::ZERO));
    }
}

// ---------------------------------------------------------------------------------------------
// TLS identity (self-signed, for localhost and 127.0.0.1), made once per process.

pub struct Identity {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
}

pub fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| {
        let ck = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ])
        .expect("rcgen");
        Identity {
            cert_pem: ck.cert.pem(),
            key_pem: ck.signing_key.serialize_pem(),
            cert_der: ck.cert.der().to_vec(),
        }
    })
}

/// Drives `peer`'s handshake with `server` (on this thread's loop) until it completes or fails,
/// within 3 s, then closes it and checks that the server released the client within 3 s.
pub fn handshake_then_close(server: ObjectId, mut peer: tlsc::Peer) {
    let end = Instant::now() + Duration::from_secs(3);
    while peer.handshaking() && Instant::now() < end {
        peer.step();
        std::thread::sleep(Duration::from_micros(200));
    }
    assert!(
        !peer.handshaking(),
        "the TLS handshake neither completed nor failed within 3 s"
    );
    drop(peer);
    let gone = pump_until(Duration::from_secs(3), || {
        server.get("TotalClients").and_then(|v| v.to_int()) == Ok(0)
    });
    assert!(gone, "the server kept the client after it closed");
}

/// Number of open file descriptors of this process (Linux; 0 elsewhere).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Follows a `Next` chain from `first`, at most `limit` steps; `None` when it does not end.
pub fn walk(first: Value, limit: usize) -> Option<Vec<ObjectId>> {
    let mut out = Vec::new();
    let mut cur = first.to_object().ok();
    while let Some(o) = cur {
        if out.len() >= limit {
            return None;
        }
        out.push(o);
        cur = o.get("Next").ok().and_then(|v| v.to_object().ok());
    }
    Some(out)
}

/// Checks a server NetSocket's NetClient list and each NetClient's ClientSocket list: every list
/// ends, the totals match the lists, and Prev/Next/Client/Owner links agree. Returns a
/// description of the first inconsistency.
pub fn check_server_lists(server: ObjectId) -> Result<(), String> {
    let Ok(first) = server.get("Clients") else {
        return Ok(());
    };
    let clients = walk(first, 10_000).ok_or("the NetClient list does not end")?;
    let total = server
        .get("TotalClients")
        .ok()
        .and_then(|v| v.to_int().ok())
        .unwrap_or(-1);
    if total != clients.len() as i64 {
        return Err(format!(
            "TotalClients {total} but the list holds {}",
            clients.len()
        ));
    }
    let mut prev: Option<ObjectId> = None;
    for &nc in &clients {
        if !nc.exists() {
            return Err(format!("NetClient {nc} in the list is freed"));
        }
        let p = nc.get("Prev").ok().and_then(|v| v.to_object().ok());
        if p != prev {
            return Err(format!("NetClient {nc}: Prev {p:?}, expected {prev:?}"));
        }
        prev = Some(nc);
        let first = nc.get("Connections").unwrap_or_default();
        let socks = walk(first, 10_000).ok_or("a ClientSocket list does not end")?;
        let n = nc
            .get("TotalConnections")
            .ok()
            .and_then(|v| v.to_int().ok())
            .unwrap_or(-1);
        if n != socks.len() as i64 {
            return Err(format!(
                "NetClient {nc}: TotalConnections {n} but the list holds {}",
                socks.len()
            ));
        }
        let mut sprev: Option<ObjectId> = None;
        for &cs in &socks {
            if !cs.exists() {
                return Err(format!("ClientSocket {cs} in the list is freed"));
            }
            let c = cs.get("Client").ok().and_then(|v| v.to_object().ok());
            if c != Some(nc) {
                return Err(format!("ClientSocket {cs}: Client {c:?}, expected {nc}"));
            }
            let p = cs.get("Prev").ok().and_then(|v| v.to_object().ok());
            if p != sprev {
                return Err(format!("ClientSocket {cs}: Prev {p:?}, expected {sprev:?}"));
            }
            sprev = Some(cs);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A rustls client over a non-blocking std socket, stepped together with the loop (one thread).

pub mod tlsc {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
    use std::io::{self, Read};
    use std::net::TcpStream;
    use std::sync::{Arc, OnceLock};
    use std::time::Duration;

    /// Accepts any certificate (the handshake signatures are still checked).
    #[derive(Debug)]
    struct AnyCert(Arc<CryptoProvider>);

    impl ServerCertVerifier for AnyCert {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            m: &[u8],
            c: &CertificateDer<'_>,
            d: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn verify_tls13_signature(
            &self,
            m: &[u8],
            c: &CertificateDer<'_>,
            d: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// The client configuration (made once): any certificate, default protocol versions.
    pub fn config() -> Arc<ClientConfig> {
        static C: OnceLock<Arc<ClientConfig>> = OnceLock::new();
        C.get_or_init(|| {
            let p = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let c = ClientConfig::builder_with_provider(p.clone())
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCert(p)))
                .with_no_client_auth();
            Arc::new(c)
        })
        .clone()
    }

    /// Writes through `TcpStream::write` (`send` with `MSG_NOSIGNAL`) only: rustls's
    /// `write_tls` would otherwise use `write_vectored`, a plain `writev` that raises SIGPIPE
    /// when the server has gone — and a fuzz target has SIGPIPE at its default (no Rust `main`),
    /// which is deliberate: the runtime promises never to raise it.
    struct NoSigPipe<'a>(&'a TcpStream);

    impl io::Write for NoSigPipe<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut s = self.0;
            s.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A TLS client connection to 127.0.0.1:`port`.
    pub struct Peer {
        pub sock: TcpStream,
        pub conn: ClientConnection,
        /// Plaintext received.
        pub plain: Vec<u8>,
        /// The server closed (FIN, reset or close_notify).
        pub closed: bool,
        /// rustls refused what the server sent.
        pub failed: Option<String>,
    }

    impl Peer {
        pub fn connect(port: u16) -> io::Result<Peer> {
            Peer::connect_with(port, config(), "localhost")
        }

        /// A connection with another client configuration and server name (SNI).
        pub fn connect_with(port: u16, config: Arc<ClientConfig>, name: &str) -> io::Result<Peer> {
            let sock = TcpStream::connect(("127.0.0.1", port))?;
            sock.set_nonblocking(true)?;
            let _ = sock.set_nodelay(true);
            let name = ServerName::try_from(name.to_owned()).map_err(io::Error::other)?;
            let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
            Ok(Peer {
                sock,
                conn,
                plain: Vec::new(),
                closed: false,
                failed: None,
            })
        }

        /// Sends pending records, reads what arrived, keeps the plaintext, and runs one pass of
        /// the loop (the server lives on this thread).
        pub fn step(&mut self) {
            self.flush();
            while !self.closed && self.failed.is_some() {
                // rustls gave up: whatever else arrives is discarded; only the close matters.
                let mut buf = [0u8; 4096];
                match self.sock.read(&mut buf) {
                    Ok(0) => self.closed = true,
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => self.closed = true,
                }
            }
            while !self.closed && self.failed.is_none() {
                match self.conn.read_tls(&mut self.sock) {
                    Ok(0) => self.closed = true,
                    Ok(_) => match self.conn.process_new_packets() {
                        Ok(state) => {
                            let mut buf = vec![0u8; state.plaintext_bytes_to_read()];
                            if !buf.is_empty() {
                                let n = self.conn.reader().read(&mut buf).unwrap_or(0);
                                self.plain.extend_from_slice(&buf[..n]);
                            }
                            if state.peer_has_closed() {
                                self.closed = true;
                            }
                        }
                        Err(e) => {
                            self.failed = Some(e.to_string());
                            self.flush();
                        }
                    },
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => self.closed = true,
                }
            }
            let _ = parasol::process_messages(Some(Duration::ZERO));
        }

        pub fn flush(&mut self) {
            while self.conn.wants_write() {
                match self.conn.write_tls(&mut NoSigPipe(&self.sock)) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => {
                        self.closed = true;
                        break;
                    }
                }
            }
        }

        pub fn handshaking(&self) -> bool {
            self.conn.is_handshaking() && !self.closed && self.failed.is_none()
        }
    }
}
