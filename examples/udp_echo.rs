//! A UDP echo server, ported from Parasol: a NetSocket with `NSF::UDP | NSF::SERVER` is ready
//! from Init; each datagram arrives through Incoming, is taken with RecvFrom and sent back with
//! SendTo. Nothing is truncated: a datagram larger than the buffer would stay queued
//! (BufferOverflow).
//!
//! Run: `cargo run --example udp_echo -- [PORT]`, then `nc -u 127.0.0.1 PORT` (or
//! `parasol connect --udp 127.0.0.1 PORT`). Ctrl-C stops it.

use parasol::prelude::*;

fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    parasol::init()?;
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .flags(NSF::UDP | NSF::SERVER)
        .client_incoming(|s: &NetSocket| -> ERR {
            let mut buf = [0u8; 65_507];
            // Take every datagram that waits; each goes back to its sender.
            while let Some((n, from)) = match s.recv_from(&mut buf) {
                Ok(r) => r,
                Err(e) => return e,
            } {
                println!("{n} bytes from {from}");
                if let Err(e) = s.send_to(&buf[..n], from) {
                    log::warn!("echo to {from}: {e:?}"); // one datagram lost, the server goes on
                }
            }
            ERR::Okay
        })
        .build()?;
    println!("UDP echo on 127.0.0.1:{}", server.port()?);
    while process_messages(None) != ERR::Terminate {}
    Ok(())
}
