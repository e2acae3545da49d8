//! Multicast chat, ported from Parasol: every instance joins one multicast group, sends each
//! line of stdin to it, and prints what the group says. By default the group is used on the
//! loopback interface only (`MulticastInterface` 127.0.0.1), so several instances on one
//! machine talk and nothing leaves it; `--interface ADDRESS` names a real interface to chat
//! across a network.
//!
//! Run in two terminals: `cargo run --example multicast_chat -- [NICK] [--interface ADDRESS]`.
//! `tests/examples.rs` runs two members in one process.

use parasol::prelude::*;
use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The group and port every member uses.
pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 70, 77);

/// A member of `GROUP` on `port` and `interface`, calling `heard` with each message and its
/// sender. Members on one host share the group's port.
pub fn join(
    interface: &str,
    port: u16,
    mut heard: impl FnMut(SocketAddr, String) + 'static,
) -> Result<NetSocket, ERR> {
    parasol::init()?;
    // Bound to the group's address and port: only the group's datagrams arrive.
    let member = NetSocket::create()
        .address(&GROUP.to_string())
        .port(port)
        .flags(NSF::UDP | NSF::SERVER)
        .multicast_interface(interface)
        .multicast_ttl(1)
        .client_incoming(move |s: &NetSocket| -> ERR {
            let mut buf = [0u8; 2048];
            loop {
                match s.recv_from(&mut buf) {
                    Ok(Some((n, from))) => {
                        heard(from, String::from_utf8_lossy(&buf[..n]).into_owned())
                    }
                    Ok(None) => return ERR::Okay,
                    Err(e) => return e,
                }
            }
        })
        .build()?;
    if let Err(e) = member.join_multicast_group(IpAddr::V4(GROUP)) {
        let _ = member.free();
        return Err(e);
    }
    Ok(member)
}

/// Sends one message to the group.
pub fn say(member: NetSocket, text: &str) -> Result<(), ERR> {
    let port = member.port()?;
    member
        .send_to(text.as_bytes(), SocketAddr::new(IpAddr::V4(GROUP), port))
        .map(|_| ())
}

#[allow(dead_code)] // `tests/examples.rs` includes this file for `join` and `say`
fn main() -> Result<(), ERR> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let interface = args
        .iter()
        .position(|a| a == "--interface")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| "127.0.0.1".into());
    let nick = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "anon".into());
    let member = join(&interface, 47077, |from, text| {
        println!("[{from}] {}", text.trim_end())
    })?;
    println!("{nick} joined {GROUP}:47077 on {interface}; type lines, Ctrl-D leaves");

    // stdin on its own thread; each line is sent to the group from the loop.
    let handle = LoopHandle::current()?;
    let uid = member.uid(); // handles stay on the loop's thread; the UID crosses
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            let text = format!("{nick}: {line}");
            let _ = handle.post(move || {
                if let Some(m) = ObjectId::from_uid(uid).and_then(|id| NetSocket::from_id(id).ok())
                {
                    if let Err(e) = say(m, &text) {
                        eprintln!("send: {e:?}");
                    }
                }
            });
        }
        handle.quit();
    });
    while process_messages(None) != ERR::Terminate {}
    member.leave_multicast_group(IpAddr::V4(GROUP))?;
    member.free()?;
    Ok(())
}
