//! `parasol serve`: echo, discard or chat over TCP or TLS until SIGINT/SIGTERM, then a graceful
//! close (queued data flushed, bounded).

use super::out::outln;
use super::{certs, fail, shutdown, Mode, ServeArgs};
use parasol::net::tls::rustls::pki_types::pem::PemObject;
use parasol::prelude::*;
use std::time::{Duration, Instant};

/// How long the graceful close may take before the process exits anyway.
const CLOSE_BOUND: Duration = Duration::from_secs(10);

fn echo() -> Function {
    // Backpressure: echo() reads only what the client's queue can take and returns Retry when
    // it is full, so a slow reader never costs more than MsgLimit and loses nothing.
    Function::new(|_server: &NetSocket, c: &ClientSocket| c.echo())
}

fn discard() -> Function {
    Function::new(|_server: &NetSocket, c: &ClientSocket| -> ERR {
        let mut buf = [0u8; 64 * 1024];
        loop {
            match c.ac_read(&mut buf) {
                Ok(0) => return ERR::Okay,
                Ok(_) => continue,
                Err(e) => return e,
            }
        }
    })
}

fn chat() -> Function {
    Function::new(|server: &NetSocket, from: &ClientSocket| -> ERR {
        let mut buf = [0u8; 16 * 1024];
        let n = match from.ac_read(&mut buf) {
            Ok(n) => n,
            Err(e) => return e,
        };
        let others: Vec<ClientSocket> = server.clients().flat_map(|c| c.connections()).collect();
        for c in others {
            if c == *from || c.state() != Ok(NTC::CONNECTED) {
                continue;
            }
            if let (ERR::BufferOverflow, _) = c.ac_write_counted(&buf[..n]) {
                // A slow consumer is dropped rather than allowed to hold memory for everyone.
                log::warn!(
                    "{}: slow consumer (queue full), disconnecting",
                    c.get_str("Address").unwrap_or_default()
                );
                let _ = server.disconnect_socket(c);
            }
        }
        ERR::Okay
    })
}

/// Watches SIGINT/SIGTERM, then creates the server NetSocket: the stop flag, the server and its
/// bound port, or the exit code of the failure (already reported).
pub(super) fn start(
    fields: Vec<(&str, Value)>,
) -> Result<(std::rc::Rc<std::cell::Cell<bool>>, NetSocket, u16), i32> {
    let stop = shutdown::watch().map_err(|e| {
        eprintln!("parasol: cannot watch signals: {e}");
        1
    })?;
    let server = create("NetSocket", fields)
        .and_then(NetSocket::from_id)
        .map_err(|e| fail("starting the server", e))?;
    let port = server.port().map_err(|e| fail("starting the server", e))?;
    Ok((stop, server, port))
}

/// Generates the `--tls-self-signed` certificate, prints its fingerprint and saves it when asked:
/// the certificate and key as PEM, or the exit code of a failure (reported).
fn self_signed(save: Option<&str>) -> Result<(String, String), i32> {
    let id = certs::self_signed_localhost().map_err(|e| {
        eprintln!("parasol: generating a certificate: {e}");
        1
    })?;
    let der = parasol::net::tls::rustls::pki_types::CertificateDer::from_pem_slice(
        id.cert_pem.as_bytes(),
    )
    .map_err(|e| {
        eprintln!("parasol: reading the generated certificate: {e}");
        1
    })?;
    outln!(
        "self-signed certificate for localhost, SHA-256 fingerprint {}",
        parasol::net::tls::fingerprint(der.as_ref())
    );
    if let Some(path) = save {
        std::fs::write(path, &id.cert_pem).map_err(|e| {
            eprintln!("parasol: --tls-save-cert {path}: {e}");
            1
        })?;
        outln!("certificate written to {path}");
    }
    Ok((id.cert_pem, id.key_pem))
}

pub(crate) fn run(args: &ServeArgs) -> i32 {
    if args.udp {
        return super::udp::serve(args);
    }
    let tls = args.tls_cert.is_some() || args.tls_self_signed;
    if !tls && (args.tls_client_ca.is_some() || !args.tls_sni.is_empty() || args.alpn.is_some()) {
        eprintln!(
            "parasol: --tls-client-ca, --tls-sni and --alpn need --tls-cert or --tls-self-signed"
        );
        return 2;
    }
    let mut flags = String::from("SERVER");
    if tls {
        flags.push_str("|SSL");
    }
    if args.multi_connect {
        flags.push_str("|MULTI_CONNECT");
    }
    let mut fields = fields! {
        "Name" => "Server",
        "Port" => args.port as i32,
        "Flags" => flags,
        "Feedback" => Function::new(|_s: &NetSocket, c: &ClientSocket, state: NTC| {
            let who = c.get_str("Address").unwrap_or_default();
            match state {
                NTC::CONNECTED => {
                    log::info!("{who} connected");
                    if let Ok(Some(info)) = c.tls_info() {
                        log::debug!("{who} TLS: {info}");
                    }
                }
                NTC::DISCONNECTED => {
                    let e = ERR(c.get("Error").and_then(|v| v.to_i32()).unwrap_or(0));
                    log::info!("{who} disconnected ({e:?})");
                }
                other => log::debug!("{who} {other}"),
            }
        }),
        "Incoming" => match args.mode {
            Mode::Echo => echo(),
            Mode::Discard => discard(),
            Mode::Chat => chat(),
        },
    };
    fields.push(("Backlog", Value::from(args.backlog as i32)));
    fields.push(("IdleTimeout", Value::Double(args.idle_timeout)));
    fields.push(("HandshakeTimeout", Value::Double(args.handshake_timeout)));
    if let Some(a) = &args.address {
        fields.push(("Address", a.into()));
    }
    if let Some(n) = args.client_limit {
        fields.push(("ClientLimit", n.into()));
    }
    if let Some(n) = args.socket_limit {
        fields.push(("SocketLimit", n.into()));
    }
    if let Some(n) = args.msg_limit {
        fields.push(("MsgLimit", n.into()));
    }
    if let Some(c) = &args.tls_cert {
        fields.push(("SSLCertificate", c.into()));
        if let Some(k) = &args.tls_key {
            fields.push(("SSLPrivateKey", k.into()));
        }
        if let Some(p) = &args.tls_password {
            fields.push(("SSLKeyPassword", p.into()));
        }
    } else if args.tls_self_signed {
        match self_signed(args.tls_save_cert.as_deref()) {
            Ok((cert, key)) => {
                fields.push(("SSLCertificate", cert.into()));
                fields.push(("SSLPrivateKey", key.into()));
            }
            Err(code) => return code,
        }
    }
    if let Some(ca) = &args.tls_client_ca {
        fields.push(("SSLClientCA", ca.into()));
    }
    if !args.tls_sni.is_empty() {
        let entries: Vec<Value> = args
            .tls_sni
            .iter()
            .map(|e| Value::from(e.as_str()))
            .collect();
        fields.push(("SSLIdentities", Value::Array(entries.into())));
    }
    if let Some(alpn) = &args.alpn {
        fields.push(("ALPN", alpn.into()));
    }
    let (stop, server, port) = match start(fields) {
        Ok(started) => started,
        Err(code) => return code,
    };
    outln!(
        "listening on port {} ({}{})",
        port,
        match args.mode {
            Mode::Echo => "echo",
            Mode::Discard => "discard",
            Mode::Chat => "chat",
        },
        if tls { ", TLS" } else { "" }
    );
    super::out::flush();

    loop {
        let r = wait_until(Duration::from_secs(3600), || stop.get());
        if r == ERR::Terminate || stop.get() {
            break;
        }
    }
    // Graceful: every client is closed after its queue is sent; wait for those closes, bounded.
    let _ = server.free();
    let started = Instant::now();
    // Bounded: closes still lingering after CLOSE_BOUND are abandoned with the process.
    let _ = wait_until(CLOSE_BOUND, || parasol::net::linger::active() == 0);
    log::info!("closed in {:.3} s", started.elapsed().as_secs_f64());
    0
}
