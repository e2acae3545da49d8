//! `parasol serve`: echo, discard or chat over TCP or TLS until SIGINT/SIGTERM, then a graceful
//! close (queued data flushed, bounded). `--threads N` runs N loops, each with its own server
//! on the shared port.

use super::out::outln;
use super::{certs, chat, fail, shutdown, Mode, ServeArgs};
use parasol::net::tls::rustls::pki_types::pem::PemObject;
use parasol::prelude::*;
use parasol::Loops;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
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
pub(crate) fn self_signed(save: Option<&str>) -> Result<(String, String), i32> {
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
    // One certificate for every loop.
    let generated = match args.tls_self_signed && args.tls_cert.is_none() {
        true => match self_signed(args.tls_save_cert.as_deref()) {
            Ok(identity) => Some(identity),
            Err(code) => return code,
        },
        false => None,
    };
    let threads = usize::from(args.threads);
    // The TLS configuration is built once, here, from the options: every loop's server shares
    // it, and so one session cache (a client resumes whichever loop its next connection
    // reaches), and a bad certificate is reported once, before any loop starts.
    let shared_tls = if tls {
        match server_tls(args, generated.as_ref()) {
            Ok(config) => Some(config),
            Err(e) => return fail("starting the server", e),
        }
    } else {
        None
    };
    let port = Arc::new(AtomicU16::new(args.port));
    let peers = chat::Peers::default();
    let setup = {
        let (args, port, peers) = (args.clone(), port.clone(), peers.clone());
        move |i: usize| -> Res<_> {
            let fields = server_fields(
                &args,
                port.load(Ordering::SeqCst),
                shared_tls.clone(),
                &peers,
                i,
            );
            let server = create("NetSocket", fields)
                .and_then(NetSocket::from_id)
                .and_then(|s| s.port().map(|p| (s, p)));
            let (server, bound) = server.inspect_err(|&e| {
                fail("starting the server", e);
            })?;
            // Loop 0 may have bound port 0: the others share the port it got.
            let _ = port.compare_exchange(0, bound, Ordering::SeqCst, Ordering::SeqCst);
            if args.mode == Mode::Chat {
                chat::serve_on_this_loop(server);
            }
            Ok(move || {
                Loops::run_until_quit();
                close_gracefully(server, i, threads);
            })
        }
    };
    let loops = match Loops::start(threads, setup) {
        Ok(loops) => loops,
        Err(_) => return 1, // reported by the loop that failed
    };
    let _ = peers.set(loops.handles().to_vec());
    if let Err(e) = shutdown::quit_on_signal(loops.handles().to_vec()) {
        eprintln!("parasol: cannot watch signals: {e}");
        loops.quit();
        let _ = loops.join();
        return 1;
    }
    outln!(
        "listening on port {} ({}{}{})",
        port.load(Ordering::SeqCst),
        match args.mode {
            Mode::Echo => "echo",
            Mode::Discard => "discard",
            Mode::Chat => "chat",
        },
        if tls { ", TLS" } else { "" },
        if threads > 1 {
            format!(", {threads} loops")
        } else {
            String::new()
        }
    );
    super::out::flush();
    match loops.join() {
        Ok(()) => 0,
        Err(e) => fail("a loop failed", e),
    }
}

/// The TLS configuration every loop's server shares (what the SSL fields of one server would
/// build).
fn server_tls(
    args: &ServeArgs,
    generated: Option<&(String, String)>,
) -> Res<Arc<parasol::net::tls::rustls::ServerConfig>> {
    use parasol::net::tls::{parse_alpn, parse_sni_identity, Identity, ServerOptions, ServerTls};
    let identity = match (generated, &args.tls_cert) {
        (Some((cert, key)), _) => Identity {
            certificate: Some(cert.clone()),
            private_key: Some(key.clone()),
            password: None,
        },
        (None, cert) => Identity {
            certificate: cert.clone(),
            private_key: args.tls_key.clone(),
            password: args.tls_password.clone(),
        },
    };
    let sni = args
        .tls_sni
        .iter()
        .map(|entry| parse_sni_identity(entry))
        .collect::<Res<Vec<_>>>()?;
    let options = ServerOptions {
        identity,
        sni,
        client_ca: args.tls_client_ca.clone(),
        client_auth: None,
        alpn: parse_alpn(args.alpn.as_deref().unwrap_or(""))?,
    };
    Ok(ServerTls::from_options(&options)?.config())
}

/// The fields of loop `i`'s server NetSocket, listening on `port`, with `tls` if given.
fn server_fields(
    args: &ServeArgs,
    port: u16,
    tls: Option<Arc<parasol::net::tls::rustls::ServerConfig>>,
    peers: &chat::Peers,
    i: usize,
) -> Vec<(&'static str, Value)> {
    let mut flags = String::from("SERVER");
    if tls.is_some() {
        flags.push_str("|SSL");
    }
    if args.multi_connect {
        flags.push_str("|MULTI_CONNECT");
    }
    let loops = args.threads;
    let mut fields = fields! {
        "Name" => "Server",
        "Port" => i32::from(port),
        "Flags" => flags,
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            let who = c.get_str("Address").unwrap_or_default();
            match state {
                NTC::CONNECTED => {
                    if loops > 1 {
                        log::info!("{who} connected (loop {i})");
                    } else {
                        log::info!("{who} connected");
                    }
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
            Mode::Chat => chat::incoming(peers.clone(), i),
        },
    };
    if args.threads > 1 {
        fields.push(("ReusePort", Value::from(1)));
    }
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
    if let Some(config) = tls {
        let config = parasol::TlsConfig::Server(config);
        fields.push(("TLSConfig", Value::Any(std::rc::Rc::new(config))));
    }
    fields
}

/// After the quit: every client of this loop is closed after its queue is sent, and the loop
/// waits for those closes, bounded by [`CLOSE_BOUND`] (closes still lingering then are
/// abandoned with the process).
fn close_gracefully(server: NetSocket, i: usize, threads: usize) {
    let _ = server.free();
    let started = Instant::now();
    let _ = wait_until(CLOSE_BOUND, || parasol::net::linger::active() == 0);
    let took = started.elapsed().as_secs_f64();
    if threads > 1 {
        log::info!("loop {i} closed in {took:.3} s");
    } else {
        log::info!("closed in {took:.3} s");
    }
}
