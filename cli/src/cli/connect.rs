//! `parasol connect HOST PORT`: stdin to the socket, the socket to stdout. On stdin EOF the
//! sending side is closed (FIN) and output continues until the peer closes.

use super::{fail, ConnectArgs};
use parasol::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::rc::Rc;
use std::sync::mpsc;

/// Bytes from stdin waiting for room in the socket's queue. The stdin thread reads the next
/// chunk only after the loop has accepted the previous one, so a fast stdin and a slow peer
/// never pile data up in memory.
struct Pending {
    chunks: VecDeque<Vec<u8>>,
    eof: bool,
    credit: mpsc::SyncSender<()>,
}

impl Pending {
    /// Hands queued chunks to the socket; returns true when all were taken.
    fn pump(&mut self, sock: NetSocket) -> Result<bool, ERR> {
        while let Some(front) = self.chunks.front_mut() {
            match sock.ac_write_counted(front) {
                (ERR::Okay, _) => {
                    self.chunks.pop_front();
                    let _ = self.credit.try_send(());
                }
                (ERR::BufferOverflow, n) => {
                    front.drain(..n);
                    return Ok(false);
                }
                (e, _) => return Err(e),
            }
        }
        if self.eof {
            self.eof = false;
            sock.shutdown_write()?;
        }
        Ok(true)
    }
}

pub(crate) fn run(args: &ConnectArgs) -> i32 {
    if args.udp {
        return super::udp::connect(args);
    }
    let mut flags = Vec::new();
    if args.tls {
        flags.push("SSL");
    }
    if args.insecure {
        flags.push("SSL_NO_VERIFY");
    }
    let mut fields = fields! {
        "Flags" => flags.join("|"),
        "MsgLimit" => 1 << 20,
        "Incoming" => Function::new(|s: &NetSocket| -> ERR {
            let mut buf = [0u8; 64 * 1024];
            let mut out = std::io::stdout().lock();
            loop {
                match s.ac_read(&mut buf) {
                    Ok(0) => return ERR::Okay,
                    Ok(n) => {
                        if out.write_all(&buf[..n]).and_then(|_| out.flush()).is_err() {
                            return ERR::Terminate; // stdout is gone
                        }
                    }
                    Err(e) => return e,
                }
            }
        }),
    };
    if let Some(ca) = &args.ca {
        fields.push(("SSLCACertificate", ca.into()));
    }
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        fields.push(("SSLCertificate", cert.into()));
        fields.push(("SSLPrivateKey", key.into()));
    }
    if let Some(alpn) = &args.alpn {
        fields.push(("ALPN", alpn.into()));
    }
    if let Some(name) = &args.servername {
        fields.push(("ServerName", name.into()));
    }
    let sock = match create("NetSocket", fields).and_then(NetSocket::from_id) {
        Ok(s) => s,
        Err(e) => return fail("creating the socket", e),
    };

    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(1);
    let pending = Rc::new(RefCell::new(Pending {
        chunks: VecDeque::new(),
        eof: false,
        credit: credit_tx,
    }));
    let finished = Rc::new(Cell::new(false));
    let p = pending.clone();
    let f = finished.clone();
    let _ = sock.set(
        "Feedback",
        Function::new(move |s: &NetSocket, state: NTC| match state {
            NTC::CONNECTED => {
                if log::log_enabled!(log::Level::Debug) {
                    if let Ok(Some(info)) = s.tls_info() {
                        eprintln!("parasol: TLS: {info}");
                    }
                }
                let _ = p.borrow_mut().pump(*s);
            }
            NTC::DISCONNECTED => f.set(true),
            _ => {}
        }),
    );
    let p = pending.clone();
    let _ = sock.set(
        "Outgoing",
        Function::new(move |s: &NetSocket| -> ERR {
            // Called when the socket's queue has drained: hand over what stdin produced.
            match p.borrow_mut().pump(*s) {
                Ok(_) => ERR::Okay,
                Err(e) => e,
            }
        }),
    );

    // stdin on its own thread; chunks are posted to the loop.
    let handle = match LoopHandle::current() {
        Ok(h) => h,
        Err(e) => return fail("message loop", e),
    };
    let uid = sock.uid();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = stdin.read(&mut buf).unwrap_or(0);
                let chunk = buf[..n].to_vec();
                let posted = handle.post(move || deliver(uid, chunk));
                if n == 0 || posted.is_err() || credit_rx.recv().is_err() {
                    break;
                }
            }
        })
        .ok();
    thread_local_pending(&pending);

    let connected = if args.timeout > 0.0 {
        std::time::Duration::try_from_secs_f64(args.timeout)
            .map_err(|_| ERR::OutOfRange)
            .and_then(|t| sock.connect_timeout(&args.host, args.port, t))
    } else {
        sock.connect(&args.host, args.port)
    };
    if let Err(e) = connected {
        return fail(&format!("connect {}:{}", args.host, args.port), e);
    }
    while !finished.get() {
        if wait_until(std::time::Duration::from_secs(3600), || finished.get()) == ERR::Terminate {
            break;
        }
    }
    let _ = std::io::stdout().flush();
    // The socket lives until this function returns: its getters cannot fail here, and a
    // failure would still be reported as one.
    match sock.error().unwrap_or(ERR::NoMatchingObject) {
        ERR::Okay => 0,
        e => {
            let mut detail = sock.error_detail().ok().flatten();
            let valid_cert = sock.valid_cert().unwrap_or(0);
            let told = detail.as_deref().is_some_and(|d| d.contains("ValidCert"));
            if e == ERR::Security && args.tls && valid_cert != 0 && !told {
                let check = format!(
                    "certificate: {} (ValidCert {valid_cert})",
                    parasol::net::tls::scv_text(valid_cert)
                );
                detail = Some(match detail {
                    Some(d) => format!("{d}; {check}"),
                    None => check,
                });
            }
            super::fail_with_detail(&format!("{}:{}", args.host, args.port), e, detail)
        }
    }
}

thread_local! {
    static PENDING: RefCell<Option<Rc<RefCell<Pending>>>> = const { RefCell::new(None) };
}

fn thread_local_pending(p: &Rc<RefCell<Pending>>) {
    PENDING.with(|slot| *slot.borrow_mut() = Some(p.clone()));
}

/// Runs on the loop thread for each stdin chunk (empty: EOF).
fn deliver(uid: i32, chunk: Vec<u8>) {
    let Some(pending) = PENDING.with(|p| p.borrow().clone()) else {
        return;
    };
    let Some(sock) = ObjectId::from_uid(uid).and_then(|id| NetSocket::from_id(id).ok()) else {
        return;
    };
    {
        let mut p = pending.borrow_mut();
        if chunk.is_empty() {
            p.eof = true;
        } else {
            p.chunks.push_back(chunk);
        }
    }
    if sock.state() == Ok(NTC::CONNECTED) {
        if let Err(e) = pending.borrow_mut().pump(sock) {
            log::warn!("write failed: {e:?}");
        }
    }
}
