//! A TLS client ported the Parasol way: a NetSocket with `NSF::SSL`, Feedback to follow the
//! states (CONNECTING → HANDSHAKING → CONNECTED) and Incoming to print what arrives. It sends an
//! HTTP/1.1 request for `/` and prints the response, then what certificate verification found.
//!
//! Run: `cargo run --example tls_client -- HOST [PORT] [--ca CA.pem] [--insecure]`
//! Try it against `cargo run -- serve --port 8443 --tls-self-signed` (with `--insecure`, or
//! trust a CA with `--ca`).

use parasol::prelude::*;
use std::io::Write;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(host) = args.first().cloned() else {
        eprintln!("usage: tls_client HOST [PORT] [--ca CA.pem] [--insecure]");
        std::process::exit(2);
    };
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(443);
    let ca = args
        .iter()
        .position(|a| a == "--ca")
        .and_then(|i| args.get(i + 1).cloned());
    let insecure = args.iter().any(|a| a == "--insecure");
    parasol::init().expect("classes");

    let mut fields = fields! {
        "Flags" => if insecure { "SSL|SSL_NO_VERIFY" } else { "SSL" },
        "Feedback" => Function::new(|s: &NetSocket, state: NTC| {
            eprintln!("* {state}");
            if state == NTC::DISCONNECTED {
                match s.error() {
                    Ok(ERR::Okay) => {}
                    Ok(e) | Err(e) => eprintln!("* error: {e:?} ({e})"),
                }
                let _ = send_quit();
            }
        }),
        "Incoming" => Function::new(|s: &NetSocket| -> ERR {
            let mut buf = [0u8; 16384];
            match s.ac_read(&mut buf) {
                Ok(n) => {
                    let _ = std::io::stdout().write_all(&buf[..n]);
                    ERR::Okay
                }
                Err(e) => e,
            }
        }),
    };
    if let Some(ca) = ca {
        fields.push(("SSLCACertificate", ca.into()));
    }
    let sock =
        NetSocket::from_id(create("NetSocket", fields).expect("NetSocket")).expect("typed handle");
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    sock.ac_write(request.as_bytes())
        .expect("queued until the handshake completes");
    if let Err(e) = sock.connect_timeout(&host, port, std::time::Duration::from_secs(20)) {
        eprintln!("connect: {e:?} ({e})");
        std::process::exit(1);
    }
    // Until the Feedback callback quits the loop; what happened is read from the socket below.
    let _ = process_messages(None);
    let code = sock.valid_cert().unwrap_or(0);
    eprintln!(
        "* certificate: {} ({code}){}",
        parasol::net::tls::scv_name(code),
        if insecure && code != 0 {
            ", accepted because of --insecure"
        } else {
            ""
        }
    );
    std::process::exit(if sock.error() == Ok(ERR::Okay) { 0 } else { 1 });
}
