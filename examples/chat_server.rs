//! A chat server: every line a client sends is broadcast to all connected clients. Each client's
//! nickname lives in its ClientSocket's ClientData. A client whose queue would overflow is a
//! slow consumer and is disconnected, so it cannot hold the others back.
//!
//! Run: `cargo run --example chat_server -- [PORT]`, then connect with several `nc 127.0.0.1 PORT`.

use parasol::prelude::*;

/// Every ClientSocket of the server.
fn all_clients(server: &NetSocket) -> Vec<ClientSocket> {
    server.clients().flat_map(|c| c.connections()).collect()
}

fn broadcast(server: &NetSocket, line: &str) {
    for c in all_clients(server) {
        if c.state() != Ok(NTC::CONNECTED) {
            continue;
        }
        if let (ERR::BufferOverflow, _) = c.ac_write_counted(line.as_bytes()) {
            log::warn!(
                "{}: slow consumer, disconnecting",
                c.get_str("Address").unwrap_or_default()
            );
            let _ = server.disconnect_socket(c);
        }
    }
}

fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    parasol::init()?;
    let port: i32 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let server = NetSocket::from_id(create(
        "NetSocket",
        fields! {
            "Port" => port,
            "Flags" => "SERVER|MULTI_CONNECT",
            "Feedback" => Function::new(|server: &NetSocket, client: &ClientSocket, state: NTC| {
                match state {
                    NTC::CONNECTED => {
                        let nick = format!("guest{}", client.uid());
                        let _ = client.set("ClientData", nick.clone());
                        let _ = client.ac_write(format!("welcome, {nick}\n").as_bytes());
                        broadcast(server, &format!("* {nick} joined\n"));
                    }
                    NTC::DISCONNECTED => {
                        let nick = client.get_str("ClientData").unwrap_or_default();
                        broadcast(server, &format!("* {nick} left\n"));
                    }
                    _ => {}
                }
            }),
            "Incoming" => Function::new(|server: &NetSocket, client: &ClientSocket| -> ERR {
                let mut buf = [0u8; 4096];
                let n = match client.ac_read(&mut buf) {
                    Ok(n) => n,
                    Err(e) => return e,
                };
                let nick = client.get_str("ClientData").unwrap_or_default();
                for line in String::from_utf8_lossy(&buf[..n]).lines() {
                    if let Some(new) = line.strip_prefix("/nick ") {
                        let _ = client.set("ClientData", new.trim().to_string());
                        broadcast(server, &format!("* {nick} is now {}\n", new.trim()));
                    } else if line == "/quit" {
                        return ERR::Terminate;
                    } else {
                        broadcast(server, &format!("<{nick}> {line}\n"));
                    }
                }
                ERR::Okay
            }),
        },
    )?)?;
    println!("chat server on port {}", server.port()?);
    while process_messages(None) != ERR::Terminate {}
    Ok(())
}
