//! A plain HTTP/1.1 GET of the URL on the command line, printing the response: a NetSocket
//! client with Feedback and Incoming, as a Parasol program would write it.
//!
//! Run: `cargo run --example http_get -- http://127.0.0.1:8080/path`

use parasol::prelude::*;
use std::io::Write;

fn parse(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h.to_string(), p.parse().ok()?)
        }
        _ => (authority.to_string(), 80),
    };
    Some((
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port,
        path.to_string(),
    ))
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: http_get http://HOST[:PORT]/PATH");
        std::process::exit(2);
    };
    let Some((host, port, path)) = parse(&url) else {
        eprintln!("only http:// URLs are supported: {url}");
        std::process::exit(2);
    };
    parasol::init().expect("classes");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: parasol-http_get\r\n\r\n");
    let client = NetSocket::from_id(
        create(
            "NetSocket",
            fields! {
                "Feedback" => Function::new(|s: &NetSocket, state: NTC| {
                    if state == NTC::DISCONNECTED {
                        match s.error() {
                            Ok(ERR::Okay) => {}
                            Ok(e) | Err(e) => eprintln!("connection failed: {e:?} ({e})"),
                        }
                        let _ = send_quit();
                    }
                }),
                "Incoming" => Function::new(|s: &NetSocket| -> ERR {
                    let mut buf = [0u8; 16384];
                    let n = match s.ac_read(&mut buf) { Ok(n) => n, Err(e) => return e };
                    let _ = std::io::stdout().write_all(&buf[..n]);
                    ERR::Okay
                }),
            },
        )
        .expect("NetSocket"),
    )
    .expect("typed handle");
    client.ac_write(request.as_bytes()).expect("queue request"); // sent once connected
    if let Err(e) = client.connect_timeout(&host, port, std::time::Duration::from_secs(30)) {
        eprintln!("connect: {e:?} ({e})");
        std::process::exit(1);
    }
    // Until the Feedback callback quits the loop; what happened is read from the socket below.
    let _ = process_messages(None);
    std::process::exit(if client.error() == Ok(ERR::Okay) {
        0
    } else {
        1
    });
}
