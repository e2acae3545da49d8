//! Raw std peers (socket2-bound clients, non-blocking polling) and server-side recorders, used
//! by the limits / clients / ipv6 / disable / bulk tests.

#![allow(dead_code)]

use super::{Log, DEADLINE};
use parasol::prelude::*;
use std::time::Duration;

/// A blocking std TCP client bound to `src` (ephemeral port) and connected to `dst`, returned
/// in non-blocking mode so the test thread can poll it while it drives the parasol loop.
pub fn std_connect_from(src: std::net::IpAddr, dst: std::net::SocketAddr) -> std::net::TcpStream {
    std_connect_with_buffers(src, dst, None)
}

/// [`std_connect_from`] with fixed SO_SNDBUF / SO_RCVBUF (set before connecting, which also
/// turns off the kernel's autotuning), so a test can bound what the kernel buffers.
pub fn std_connect_with_buffers(
    src: std::net::IpAddr,
    dst: std::net::SocketAddr,
    buffers: Option<usize>,
) -> std::net::TcpStream {
    use socket2::{Domain, Protocol, Socket, Type};
    let s =
        Socket::new(Domain::for_address(dst), Type::STREAM, Some(Protocol::TCP)).expect("socket");
    if let Some(size) = buffers {
        s.set_send_buffer_size(size).expect("SO_SNDBUF");
        s.set_recv_buffer_size(size).expect("SO_RCVBUF");
    }
    s.bind(&std::net::SocketAddr::new(src, 0).into())
        .unwrap_or_else(|e| panic!("bind {src}: {e}"));
    s.connect_timeout(&dst.into(), Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connect {src} -> {dst}: {e}"));
    let s: std::net::TcpStream = s.into();
    s.set_nonblocking(true).expect("nonblocking");
    s
}

/// A std client from `127.0.0.<last>` to the server's port on 127.0.0.1.
pub fn std_client_v4(last: u8, port: u16) -> std::net::TcpStream {
    std_connect_from(
        std::net::IpAddr::from([127, 0, 0, last]),
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
    )
}

/// What a non-blocking std peer sees right now.
#[derive(Debug, PartialEq, Eq)]
pub enum PeerRead {
    /// Nothing to read yet (WouldBlock).
    Nothing,
    /// Bytes arrived.
    Data(Vec<u8>),
    /// Orderly end of stream (read returned 0).
    Eof,
    /// An error such as ConnectionReset.
    Error(std::io::ErrorKind),
}

/// Polls a non-blocking std stream once.
pub fn peer_poll(s: &mut std::net::TcpStream) -> PeerRead {
    use std::io::Read;
    let mut b = [0u8; 65536];
    match s.read(&mut b) {
        Ok(0) => PeerRead::Eof,
        Ok(n) => PeerRead::Data(b[..n].to_vec()),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => PeerRead::Nothing,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => PeerRead::Nothing,
        Err(e) => PeerRead::Error(e.kind()),
    }
}

/// Drives the loop until the std peer's read returns 0 (EOF). Panics on data, an error, or the
/// deadline: a peer that is closed must see a clean EOF, not a hang or a reset.
pub fn wait_peer_eof(what: &str, s: &mut std::net::TcpStream) {
    let mut seen = None;
    let r = super::wait_for(DEADLINE, || match peer_poll(s) {
        PeerRead::Nothing => false,
        other => {
            seen = Some(other);
            true
        }
    });
    assert_eq!(r, ERR::Okay, "timed out waiting for EOF on {what}");
    assert_eq!(seen, Some(PeerRead::Eof), "{what}: expected EOF");
}

/// Drives the loop until the std peer has received exactly `expected`.
pub fn wait_peer_data(what: &str, s: &mut std::net::TcpStream, expected: &[u8]) {
    let mut got = Vec::new();
    let mut end = None;
    let r = super::wait_for(DEADLINE, || {
        match peer_poll(s) {
            PeerRead::Data(d) => got.extend_from_slice(&d),
            PeerRead::Nothing => {}
            other => end = Some(other),
        }
        end.is_some() || got.len() >= expected.len()
    });
    assert_eq!(
        end,
        None,
        "{what}: stream ended early after {} bytes",
        got.len()
    );
    assert_eq!(r, ERR::Okay, "timed out waiting for data on {what}");
    assert_eq!(got, expected, "{what}: data");
}

/// Drives the loop for `d` (bounded, not a sleep: the loop keeps running) so that anything that
/// should NOT happen has had its chance to.
pub fn settle(d: Duration) {
    let _ = wait_until(d, || false);
}

/// Server Feedback recorder: (ClientSocket, State) per call.
pub fn server_feedback(log: &Log<(ClientSocket, NTC)>) -> Function {
    let log = log.clone();
    Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| log.push((*c, state)))
}

/// Number of recorded server Feedback calls with `state`.
pub fn count_state(log: &Log<(ClientSocket, NTC)>, state: NTC) -> usize {
    log.get().iter().filter(|(_, s)| *s == state).count()
}

/// A NetClient's IP as `std::net::IpAddr`.
pub fn nc_ip(nc: NetClient) -> std::net::IpAddr {
    nc.ip().expect("NetClient IP").ip()
}

/// An empty server Feedback log (`Log::default()` needs `T: Default`).
pub fn fb_log() -> Log<(ClientSocket, NTC)> {
    Log(Default::default())
}
