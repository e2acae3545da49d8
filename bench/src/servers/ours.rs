//! `ours`: a NetSocket echo server from the parasol crate, written the way a Parasol program is:
//! an Incoming callback that reads from the ClientSocket and writes back through Write, with the
//! Retry backpressure rule so a client never costs more than MsgLimit of queue.

use parasol::prelude::*;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

/// The Incoming callback: echo everything, never queueing past MsgLimit. `read_chunk` is the
/// largest read per `ac_read`.
fn echo(read_chunk: usize) -> Function {
    // One buffer for all connections (one loop thread): allocating per call would measure
    // malloc, not the runtime.
    let buf = RefCell::new(vec![0u8; read_chunk]);
    // MsgLimit is fixed once the server is initialised; read it on the first call only.
    let limit = Cell::new(0usize);
    Function::new(move |server: &NetSocket, c: &ClientSocket| -> ERR {
        if limit.get() == 0 {
            let l = server.get("MsgLimit").and_then(|v| v.to_int()).unwrap_or(0);
            limit.set(l.max(1) as usize);
        }
        let mut buf = buf.borrow_mut();
        loop {
            let Ok(queued) = c.out_queue_size() else {
                return ERR::NoMatchingObject;
            };
            let room = limit.get().saturating_sub(queued);
            if room == 0 {
                // The client reads slower than it writes: leave the rest in the kernel.
                return ERR::Retry;
            }
            let want = room.min(buf.len());
            match c.ac_read(&mut buf[..want]) {
                Ok(0) => return ERR::Okay,
                Ok(n) => {
                    if let Err(e) = c.ac_write(&buf[..n]) {
                        return e.error;
                    }
                }
                Err(e) => return e,
            }
        }
    })
}

/// Serves until killed. `tls`: certificate chain and key PEM files (their text is passed to the
/// SSLCertificate/SSLPrivateKey fields). `loops` > 1: that many loops on as many threads, each
/// with its own server on the shared port (ReusePort), as `parasol serve --threads` runs them.
pub fn serve(tls: Option<(String, String)>, read_chunk: usize, loops: usize) -> Result<(), String> {
    parasol::init().map_err(|e| format!("parasol::init: {e:?}"))?;
    let tls = match tls {
        Some((cert, key)) => Some((
            std::fs::read_to_string(&cert).map_err(|e| format!("{cert}: {e}"))?,
            std::fs::read_to_string(&key).map_err(|e| format!("{key}: {e}"))?,
        )),
        None => None,
    };
    if loops <= 1 {
        let server = echo_server(tls.as_ref(), read_chunk, 0, false)?;
        super::announce(
            server
                .port()
                .map_err(|e| format!("NetSocket port: {e:?}"))?,
        );
        while process_messages(None) != ERR::Terminate {}
        return Ok(());
    }
    let port = Arc::new(AtomicU16::new(0));
    let p = port.clone();
    let group = parasol::Loops::start(loops, move |_| {
        let server = echo_server(tls.as_ref(), read_chunk, p.load(Ordering::SeqCst), true)
            .map_err(|e| {
                eprintln!("{e}");
                ERR::Failed
            })?;
        let _ = p.compare_exchange(0, server.port()?, Ordering::SeqCst, Ordering::SeqCst);
        Ok(parasol::Loops::run_until_quit)
    })
    .map_err(|e| format!("starting {loops} loops: {e:?}"))?;
    super::announce(port.load(Ordering::SeqCst));
    group.join().map_err(|e| format!("a loop failed: {e:?}"))
}

/// The echo server NetSocket of this thread's loop.
fn echo_server(
    tls: Option<&(String, String)>,
    read_chunk: usize,
    port: u16,
    reuse_port: bool,
) -> Result<NetSocket, String> {
    let flags = if tls.is_some() {
        "SERVER|MULTI_CONNECT|SSL"
    } else {
        "SERVER|MULTI_CONNECT"
    };
    let mut fields = fields! {
        "Address" => "127.0.0.1",
        "Port" => i32::from(port),
        "Flags" => flags,
        "ReusePort" => i32::from(reuse_port),
        "ClientLimit" => 100000,
        "SocketLimit" => 100000,
        // Parasol's default backlog is 10; every peer listens with 128 (std, mio and tokio
        // all use std's value). The same backlog keeps SYN drops from deciding W3 and W4.
        "Backlog" => 128,
        "Incoming" => echo(read_chunk),
    };
    if let Some((cert, key)) = tls {
        fields.push(("SSLCertificate", cert.as_str().into()));
        fields.push(("SSLPrivateKey", key.as_str().into()));
    }
    let id = create("NetSocket", fields).map_err(|e| format!("create NetSocket: {e:?}"))?;
    NetSocket::from_id(id).map_err(|e| format!("NetSocket: {e:?}"))
}
