//! `std`: blocking sockets, one thread per connection. Only used where that fits (not for
//! 10,000 idle connections).

use std::io::{Read, Write};
use std::net::TcpListener;

/// Serves until killed; `buf` is the per-connection read buffer.
pub fn serve(buf: usize) -> Result<(), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    super::announce(listener.local_addr().map_err(|e| e.to_string())?.port());
    for stream in listener.incoming() {
        let Ok(mut s) = stream else { continue };
        let _ = s.set_nodelay(true);
        // Small stacks: the buffer is on the heap, and churn spawns a thread per connection.
        let spawned = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut b = vec![0u8; buf];
                loop {
                    let n = match s.read(&mut b) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&b[..n]).is_err() {
                        return;
                    }
                }
            });
        if spawned.is_err() {
            continue; // the stream was moved into the failed closure and is closed
        }
    }
    Ok(())
}
