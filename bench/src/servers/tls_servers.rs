//! The TLS peers: `tokio-rustls` (current-thread runtime, one task per connection) and
//! `rustls-mio` (rustls' tlsserver-mio example reduced to an echo, but draining every socket
//! until WouldBlock as edge-triggered polling requires). Both use the same ServerConfig as the
//! library builds (see `tls.rs`).

use crate::tls::server_config;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use rustls::ServerConnection;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `tokio-rustls`: read into a per-connection buffer, `write_all`, then `flush` so the records
/// rustls still holds reach the socket before we wait for the next request.
pub fn serve_tokio_rustls(tls: &(String, String), buf: usize) -> Result<(), String> {
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&tls.0, &tls.1)?);
    super::tokio_echo::runtime(None)?.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        super::announce(listener.local_addr().map_err(|e| e.to_string())?.port());
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut s) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut b = vec![0u8; buf];
                loop {
                    let n = match s.read(&mut b).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&b[..n]).await.is_err() || s.flush().await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}

const LISTENER: Token = Token(0);
const READ_CHUNK: usize = 64 * 1024;

struct TlsConn {
    sock: TcpStream,
    tls: ServerConnection,
    /// Echo plaintext rustls did not accept yet (its send buffer is bounded).
    pending: Vec<u8>,
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// Moves as much as possible in both directions; `Ok(false)` closes the connection.
/// Reading stops while rustls holds records the socket would not take (backpressure).
fn drive(c: &mut TlsConn, buf: &mut [u8]) -> io::Result<bool> {
    loop {
        while c.tls.wants_write() {
            match c.tls.write_tls(&mut c.sock) {
                Ok(_) => {}
                Err(e) if would_block(&e) => return Ok(true),
                Err(e) => return Err(e),
            }
        }
        if !c.pending.is_empty() {
            let n = c.tls.writer().write(&c.pending)?;
            c.pending.drain(..n);
            continue;
        }
        match c.tls.reader().read(buf) {
            Ok(0) => return Ok(false), // close_notify
            Ok(n) => {
                let k = c.tls.writer().write(&buf[..n])?;
                c.pending.extend_from_slice(&buf[k..n]);
                continue;
            }
            Err(e) if would_block(&e) => {}
            Err(e) => return Err(e),
        }
        match c.tls.read_tls(&mut c.sock) {
            Ok(0) => return Ok(false),
            Ok(_) => {
                c.tls
                    .process_new_packets()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            }
            Err(e) if would_block(&e) => return Ok(true),
            Err(e) => return Err(e),
        }
    }
}

/// `rustls-mio`: serves until killed.
pub fn serve_rustls_mio(tls: &(String, String)) -> Result<(), String> {
    let config: Arc<rustls::ServerConfig> = server_config(&tls.0, &tls.1)?;
    let err = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(err)?;
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).map_err(err)?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .map_err(err)?;
    super::announce(listener.local_addr().map_err(err)?.port());

    let mut conns: HashMap<Token, TlsConn> = HashMap::new();
    let mut next = 1usize;
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e.to_string());
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut sock, _)) => {
                            let _ = sock.set_nodelay(true);
                            let Ok(tls) = ServerConnection::new(config.clone()) else {
                                continue;
                            };
                            let token = Token(next);
                            next += 1;
                            let interest = Interest::READABLE | Interest::WRITABLE;
                            if poll.registry().register(&mut sock, token, interest).is_ok() {
                                let pending = Vec::new();
                                conns.insert(token, TlsConn { sock, tls, pending });
                            }
                        }
                        Err(e) if would_block(&e) => break,
                        Err(_) => break,
                    }
                }
                continue;
            }
            let Some(c) = conns.get_mut(&ev.token()) else {
                continue;
            };
            if !drive(c, &mut buf).unwrap_or(false) {
                if let Some(mut c) = conns.remove(&ev.token()) {
                    // Best effort: tell the peer we are done, as tlsserver-mio does.
                    c.tls.send_close_notify();
                    let _ = c.tls.write_tls(&mut c.sock);
                }
            }
        }
    }
}
