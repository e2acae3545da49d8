//! A UDP echo server, ported from Parasol: a NetSocket with `NSF::UDP | NSF::SERVER` is ready
//! from Init; each datagram arrives through Incoming, is taken with RecvFrom and sent back with
//! SendTo. Nothing is truncated: a datagram larger than the buffer would stay queued
//! (BufferOverflow).
//!
//! Run: `cargo run --example udp_echo -- [PORT]`, then `nc -u 127.0.0.1 PORT` (or
//! `parasol connect --udp 127.0.0.1 PORT`). Ctrl-C stops it. `tests/examples.rs` runs it.

use parasol::prelude::*;

/// The echo server on 127.0.0.1:`port` (0: any free port; read it back with `port()`).
pub fn serve(port: u16) -> Result<NetSocket, ERR> {
    parasol::init()?;
    NetSocket::create()
        .address("127.0.0.1")
        .port(port)
        .flags(NSF::UDP | NSF::SERVER)
        .client_incoming(|s: &NetSocket| -> ERR {
            let mut buf = [0u8; 65_507];
            // Take every datagram that waits; each goes back to its sender.
            loop {
                match s.recv_from(&mut buf) {
                    Ok(Some((n, from))) => {
                        log::debug!("{n} bytes from {from}");
                        // An empty datagram has nothing to echo; a failed echo loses one
                        // datagram, as UDP may (logged at debug: a peer cannot flood the log).
                        if n > 0 {
                            if let Err(e) = s.send_to(&buf[..n], from) {
                                log::debug!("echo to {from}: {e:?}");
                            }
                        }
                    }
                    Ok(None) => return ERR::Okay,
                    Err(e) => return e,
                }
            }
        })
        .build()
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for `serve`
fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let server = serve(port)?;
    println!("UDP echo on 127.0.0.1:{}", server.port()?);
    while process_messages(None) != ERR::Terminate {}
    Ok(())
}
