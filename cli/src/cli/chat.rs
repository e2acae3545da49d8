//! `serve --mode chat`: what one client sends reaches every other client, on every loop.
//!
//! Each loop broadcasts to its own clients directly and posts the bytes to the other loops
//! (`LoopHandle::post`), which broadcast them to theirs: a loop's queue is first in, first out,
//! so every client receives one sender's bytes in the order they were sent. A client whose
//! queue is full is disconnected on its own loop, so a slow consumer stalls nobody; posting
//! never waits for the other loop.

use parasol::prelude::*;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

thread_local! {
    /// This loop's chat server, for bytes posted by the other loops.
    static SERVER: RefCell<Option<NetSocket>> = const { RefCell::new(None) };
}

/// The loops of the service, known once all of them have started (a loop that started earlier
/// broadcasts only to itself until then: the later ones had no clients yet).
pub(super) type Peers = Arc<OnceLock<Vec<LoopHandle>>>;

/// Registers this loop's chat server, for bytes posted from other loops.
pub(super) fn serve_on_this_loop(server: NetSocket) {
    SERVER.with(|s| *s.borrow_mut() = Some(server));
}

/// The Incoming callback of loop `me`.
pub(super) fn incoming(peers: Peers, me: usize) -> Function {
    Function::new(move |server: &NetSocket, from: &ClientSocket| -> ERR {
        let mut buf = [0u8; 16 * 1024];
        let n = match from.ac_read(&mut buf) {
            Ok(n) => n,
            Err(e) => return e,
        };
        broadcast(server, Some(from), &buf[..n]);
        if let Some(loops) = peers.get().filter(|l| l.len() > 1) {
            let bytes: Arc<[u8]> = Arc::from(&buf[..n]);
            for (i, l) in loops.iter().enumerate().filter(|(i, _)| *i != me) {
                let bytes = bytes.clone();
                let posted = l.post(move || {
                    SERVER.with(|s| {
                        if let Some(server) = &*s.borrow() {
                            broadcast(server, None, &bytes);
                        }
                    })
                });
                if let Err(e) = posted {
                    log::warn!("chat: loop {i} cannot be reached: {e:?}");
                }
            }
        }
        ERR::Okay
    })
}

/// Writes `bytes` to every connected client of `server` but `from`.
fn broadcast(server: &NetSocket, from: Option<&ClientSocket>, bytes: &[u8]) {
    let clients: Vec<ClientSocket> = server.clients().flat_map(|c| c.connections()).collect();
    for c in clients {
        if Some(&c) == from || c.state() != Ok(NTC::CONNECTED) {
            continue;
        }
        if let (ERR::BufferOverflow, _) = c.ac_write_counted(bytes) {
            // A slow consumer is dropped rather than allowed to hold memory for everyone.
            log::warn!(
                "{}: slow consumer (queue full), disconnecting",
                c.get_str("Address").unwrap_or_default()
            );
            let _ = server.disconnect_socket(c);
        }
    }
}
