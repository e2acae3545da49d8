//! One TLS session over a TCP stream: feeds ciphertext between the socket and rustls, hands
//! plaintext to the connection, and bounds what rustls buffers so our own queue (which MsgLimit
//! governs) holds the rest.

use super::config::RUSTLS_BUFFER_LIMIT;
use super::peer::{PeerCertificate, TlsInfo};
use super::verify::{scv_code, scv_text, Trust, SCV};
use crate::conn::Fill;
use crate::queue::OutQueue;
use crate::socket::err_from_io;
use parasol_core::ERR;
use rustls::pki_types::CertificateDer;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// Where a session's ValidCert comes from.
pub(super) enum Verdict {
    /// Our verifier records it for this session; a resumed session (not verified again)
    /// takes the verdict of the last full handshake with the same server name.
    Recorded { trust: Arc<Trust>, name: String },
    /// A user's configuration: 0, or the code of the certificate error that failed it.
    FromErrors,
    /// A server session (ValidCert is a client's field).
    Server,
}

/// A TLS session (client or server side).
pub struct TlsSession {
    conn: rustls::Connection,
    /// How ValidCert is known.
    verdict: Verdict,
    /// What our verifier found in this session's handshake (`None`: it did not run).
    recorded: Option<i32>,
    /// The code of a certificate error that failed the handshake (user configurations).
    cert_error: Option<i32>,
    /// Plaintext rustls holds for reading.
    plaintext: usize,
    /// Plaintext handed to rustls whose records have not all reached the kernel (upper bound).
    in_flight: usize,
    /// Plaintext bytes to send raw before any TLS record (written before STARTTLS).
    raw_prefix: OutQueue,
    peer_closed: bool,
    tcp_eof: bool,
    /// A failure met while plaintext was still unread; reported once that is read.
    pending_failure: Option<ERR>,
    /// Why the session failed (the rustls error, the alert, the OS error), for ErrorDetail.
    failure: Option<String>,
}

/// Plaintext worth handing to the application without trying to read another record first.
const PLAINTEXT_BATCH: usize = 16 * 1024;

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession")
            .field("handshaking", &self.conn.is_handshaking())
            .finish()
    }
}

impl TlsSession {
    pub(super) fn new(mut conn: rustls::Connection, verdict: Verdict) -> TlsSession {
        conn.set_buffer_limit(Some(RUSTLS_BUFFER_LIMIT));
        TlsSession {
            conn,
            verdict,
            recorded: None,
            cert_error: None,
            plaintext: 0,
            in_flight: 0,
            raw_prefix: OutQueue::default(),
            peer_closed: false,
            tcp_eof: false,
            pending_failure: None,
            failure: None,
        }
    }

    /// True until the handshake completes.
    pub fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// The certificate verification result of a client session (0 = valid; see `SCV`).
    pub fn valid_cert(&self) -> i32 {
        match &self.verdict {
            Verdict::Recorded { trust, name } => match self.recorded {
                Some(code) => code,
                None if self.resumed() => trust.last_verdict(name),
                None => SCV::OK,
            },
            Verdict::FromErrors => self.cert_error.unwrap_or(SCV::OK),
            Verdict::Server => SCV::OK,
        }
    }

    /// True when the handshake resumed an earlier session.
    pub fn resumed(&self) -> bool {
        self.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    /// The ALPN protocol agreed in the handshake.
    pub fn alpn_protocol(&self) -> Option<String> {
        self.conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// The certificate the peer presented (none before the handshake, or from a client that
    /// was not asked or sent none). A resumed session carries the certificate of the handshake
    /// it resumes, as OpenSSL's sessions do.
    pub fn peer_certificate(&self) -> Option<PeerCertificate> {
        PeerCertificate::from_chain(self.conn.peer_certificates()?)
    }

    /// The handshake's outcome; `None` while handshaking.
    pub fn info(&self) -> Option<TlsInfo> {
        let version = self.conn.protocol_version()?;
        let suite = self.conn.negotiated_cipher_suite()?;
        if self.conn.is_handshaking() {
            return None;
        }
        let version = match version {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
            other => format!("{other:?}"),
        };
        Some(TlsInfo {
            version,
            cipher_suite: format!("{:?}", suite.suite()),
            alpn: self.alpn_protocol(),
            resumed: self.resumed(),
            peer: self.peer_certificate(),
            valid_cert: self.valid_cert(),
        })
    }

    /// Negotiated protocol version and cipher suite, for logs.
    pub fn describe(&self) -> String {
        match self.info() {
            Some(i) => i.to_string(),
            None => "handshaking".into(),
        }
    }

    pub(crate) fn queue_raw_prefix(&mut self, out: &mut OutQueue) {
        while !out.is_empty() {
            let n = out.front().len();
            self.raw_prefix.push(out.front());
            out.consume(n);
        }
    }

    pub(crate) fn pending_output(&self) -> usize {
        self.in_flight + self.raw_prefix.len()
    }

    pub(crate) fn plaintext_available(&self) -> usize {
        self.plaintext
    }

    /// Feeds bytes already read from the socket (e.g. staged before STARTTLS) into rustls.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Result<(), ERR> {
        while !bytes.is_empty() {
            match self.conn.read_tls(&mut bytes) {
                Ok(0) => break,
                Ok(_) => self.process()?,
                Err(e) => return Err(self.tls_failure(e.to_string())),
            }
        }
        Ok(())
    }

    /// Records why the session failed (the first reason only) and returns `e`. Logged at
    /// debug: the failure reaches the application as Error and ErrorDetail.
    fn failed(&mut self, e: ERR, text: String) -> ERR {
        log::debug!("TLS failure: {text}");
        self.failure.get_or_insert(text);
        e
    }

    fn tls_failure(&mut self, text: String) -> ERR {
        self.failed(ERR::Security, format!("TLS: {text}"))
    }

    /// Why the session failed, if it did.
    pub fn failure_detail(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    fn process(&mut self) -> Result<(), ERR> {
        // Certificates are verified only while handshaking: the data path skips the
        // thread-local the verifier writes to.
        let handshaking = self.conn.is_handshaking();
        let processed = self.conn.process_new_packets();
        if handshaking {
            if let Some(code) = super::verify::take_verdict() {
                self.recorded = Some(code);
            }
        }
        match processed {
            Ok(state) => {
                self.plaintext = state.plaintext_bytes_to_read();
                if state.peer_has_closed() {
                    self.peer_closed = true;
                }
                Ok(())
            }
            Err(e) => {
                let text = self.explain(&e);
                Err(self.tls_failure(text))
            }
        }
    }

    /// Says why a handshake failed in words a deployer can act on: which certificate was
    /// refused and OpenSSL's words for why.
    fn explain(&mut self, e: &rustls::Error) -> String {
        use rustls::Error as E;
        let server = matches!(self.verdict, Verdict::Server);
        match e {
            E::NoCertificatesPresented if server => {
                format!("the client sent no certificate and one is required ({e})")
            }
            E::InvalidCertificate(_) if server => {
                let code = self
                    .recorded
                    .unwrap_or_else(|| scv_code(e, &CertificateDer::from(&[][..]), &[]));
                format!("client certificate refused: {} ({e})", scv_text(code))
            }
            E::InvalidCertificate(_) => {
                let code = match (&self.verdict, self.recorded) {
                    (Verdict::Recorded { .. }, Some(code)) => code,
                    _ => scv_code(e, &CertificateDer::from(&[][..]), &[]),
                };
                self.cert_error = Some(code);
                format!(
                    "server certificate refused: {} (ValidCert {code}; {e})",
                    scv_text(code)
                )
            }
            E::NoApplicationProtocol => {
                format!("no ALPN protocol in common with the peer ({e})")
            }
            e => e.to_string(),
        }
    }

    /// Reads and decrypts until plaintext is available, the socket would block, or the stream
    /// ends. Handshake messages are answered on the way. When one record's plaintext arrives,
    /// one more read is tried so a bulk stream is handed over two records at a time (rustls
    /// holds at most about 32 KiB of plaintext). A failure that comes after plaintext is kept
    /// until that plaintext was read.
    pub(crate) fn fill(&mut self, sock: &mut (impl Read + Write)) -> Fill {
        let mut tried_more = false;
        loop {
            if self.plaintext > 0 && (tried_more || self.plaintext >= PLAINTEXT_BATCH) {
                return Fill::Data { drained: false };
            }
            if self.plaintext == 0 {
                if let Some(e) = self.pending_failure.take() {
                    return Fill::Failed(e);
                }
                if self.peer_closed {
                    return Fill::Eof;
                }
                if self.tcp_eof {
                    return Fill::Failed(self.truncated());
                }
            } else if self.peer_closed || self.tcp_eof || self.pending_failure.is_some() {
                return Fill::Data { drained: false };
            }
            tried_more = self.plaintext > 0;
            let failure = match self.conn.read_tls(sock) {
                Ok(0) => {
                    self.tcp_eof = true;
                    continue;
                }
                Ok(_) => match self.process() {
                    Err(e) => {
                        // Send the alert rustls prepared, then give up.
                        let _ = self.conn.write_tls(sock);
                        e
                    }
                    Ok(()) if self.conn.wants_write() => match self.write_records(sock) {
                        Err(e) => e,
                        Ok(()) => continue,
                    },
                    Ok(()) => continue,
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => match self.write_records(sock) {
                    Err(e) => e,
                    Ok(()) if self.plaintext > 0 => return Fill::Data { drained: false },
                    Ok(()) => return Fill::Empty,
                },
                Err(e) => self.failed(err_from_io(&e), format!("recv: {e}")),
            };
            if self.plaintext > 0 {
                self.pending_failure = Some(failure);
                return Fill::Data { drained: false };
            }
            return Fill::Failed(failure);
        }
    }

    /// The stream ended without close_notify: truncation (or a failed handshake).
    fn truncated(&mut self) -> ERR {
        if self.conn.is_handshaking() {
            self.tls_failure("connection closed during the TLS handshake".into())
        } else {
            log::debug!("TLS stream ended without close_notify (truncation)");
            ERR::Disconnected
        }
    }

    pub(crate) fn read_plaintext(&mut self, buf: &mut [u8]) -> usize {
        if self.plaintext == 0 {
            return 0;
        }
        match self.conn.reader().read(buf) {
            Ok(n) => {
                self.plaintext -= n.min(self.plaintext);
                n
            }
            Err(_) => 0,
        }
    }

    pub(crate) fn discard_plaintext(&mut self) -> usize {
        let mut sink = [0u8; 4096];
        let mut n = 0;
        while self.plaintext > 0 {
            let got = self.read_plaintext(&mut sink);
            if got == 0 {
                break;
            }
            n += got;
        }
        n
    }

    /// Hands plaintext to rustls (bounded by its buffer limit); returns the bytes taken.
    pub(crate) fn write_plaintext(&mut self, data: &[u8]) -> usize {
        match self.conn.writer().write(data) {
            Ok(n) => {
                self.in_flight += n;
                n
            }
            Err(_) => 0,
        }
    }

    /// Writes pending raw bytes and TLS records until the socket would block.
    pub(crate) fn write_records(&mut self, sock: &mut impl Write) -> Result<(), ERR> {
        if !self.raw_prefix.is_empty() {
            self.raw_prefix
                .write_to(sock)
                .map_err(|e| err_from_io(&e))?;
            if !self.raw_prefix.is_empty() {
                return Ok(());
            }
        }
        while self.conn.wants_write() {
            match self.conn.write_tls(sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(self.failed(err_from_io(&e), format!("send: {e}"))),
            }
        }
        self.in_flight = 0;
        Ok(())
    }

    /// Sends records and moves queued plaintext into rustls until everything is out or the socket
    /// would block. Returns true when nothing is left. Plaintext waits while handshaking.
    pub(crate) fn flush(&mut self, sock: &mut impl Write, out: &mut OutQueue) -> Result<bool, ERR> {
        loop {
            self.write_records(sock)?;
            if self.conn.wants_write() || !self.raw_prefix.is_empty() {
                return Ok(false);
            }
            if self.conn.is_handshaking() {
                return Ok(out.is_empty());
            }
            if out.is_empty() {
                return Ok(true);
            }
            let n = self.write_plaintext(out.front());
            out.consume(n);
            if n == 0 && !self.conn.wants_write() {
                return Ok(false);
            }
        }
    }

    pub(crate) fn send_close_notify(&mut self) {
        self.conn.send_close_notify();
    }
}
