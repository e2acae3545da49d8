//! An echo server, ported the way a Parasol program is written: one NetSocket with
//! `NSF::SERVER`, an Incoming callback that reads from the ClientSocket and writes it back.
//! It never buffers more than MsgLimit per client however slowly a client reads: it reads only
//! what the queue can take and returns `ERR::Retry` when the queue is full (backpressure).
//!
//! Run: `cargo run --example echo_server -- [PORT] [--tls CERT.pem KEY.pem]`
//! Try:  `nc 127.0.0.1 PORT` or `openssl s_client -connect 127.0.0.1:PORT`

use parasol::prelude::*;

fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    parasol::init()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: i32 = args.first().and_then(|p| p.parse().ok()).unwrap_or(0);
    let tls = args
        .iter()
        .position(|a| a == "--tls")
        .map(|i| (args.get(i + 1).cloned(), args.get(i + 2).cloned()));

    let mut fields = fields! {
        "Name" => "EchoServer",
        "Port" => port,
        "Flags" => if tls.is_some() { "SERVER|MULTI_CONNECT|SSL" } else { "SERVER|MULTI_CONNECT" },
        "MsgLimit" => 256 * 1024,
        "Feedback" => Function::new(|_server: &NetSocket, client: &ClientSocket, state: NTC| {
            let who = client.get_str("Address").unwrap_or_default();
            println!("{who}: {state}");
        }),
        "Incoming" => Function::new(|server: &NetSocket, client: &ClientSocket| -> ERR {
            let (Ok(limit), Ok(queued)) = (server.msg_limit(), client.out_queue_size()) else {
                return ERR::NoMatchingObject;
            };
            let room = limit.saturating_sub(queued);
            if room == 0 {
                return ERR::Retry; // the client is slow: leave the rest in the kernel for now
            }
            let mut buf = vec![0u8; room.min(64 * 1024)];
            match client.ac_read(&mut buf) {
                Ok(n) => client.ac_write(&buf[..n]).err().map_or(ERR::Okay, ERR::from),
                Err(e) => e,
            }
        }),
    };
    if let Some((cert, key)) = tls {
        let (Some(cert), Some(key)) = (cert, key) else {
            eprintln!("usage: echo_server [PORT] [--tls CERT.pem KEY.pem]");
            std::process::exit(2);
        };
        fields.push(("SSLCertificate", cert.into()));
        fields.push(("SSLPrivateKey", key.into()));
    }
    let server = NetSocket::from_id(create("NetSocket", fields)?)?;
    println!("echo server listening on port {}", server.port()?);
    while process_messages(None) != ERR::Terminate {}
    Ok(())
}
