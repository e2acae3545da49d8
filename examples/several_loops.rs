//! An echo server on several loops, one per thread, sharing one port (SO_REUSEPORT): the kernel
//! spreads new connections among the loops. Runs until stdin closes (Ctrl-D), then every loop
//! closes its clients gracefully.
//!
//! ```sh
//! cargo run --example several_loops -- 4 7000    # LOOPS PORT (0: any free port)
//! ```

use parasol::prelude::*;
use parasol::Loops;
use std::io::Read;

// BEGIN README
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

/// Starts `n` loops, each with an echo server on `port` (0: loop 0 picks one and the others
/// share it); returns the loops and the port.
pub fn start(n: usize, port: u16) -> Result<(Loops, u16), ERR> {
    parasol::init()?;
    let shared = Arc::new(AtomicU16::new(port));
    let p = shared.clone();
    // setup(i) runs on loop i's thread, loop 0 first: the others find its port in `p`.
    let loops = Loops::start(n, move |_i| {
        let server = NetSocket::create()
            .port(p.load(Ordering::SeqCst))
            .flags(NSF::SERVER | NSF::MULTI_CONNECT)
            .reuse_port(true) // SO_REUSEPORT: one server per loop on one port
            .server_incoming(|_s, c| c.echo())
            .build()?;
        let _ = p.compare_exchange(0, server.port()?, Ordering::SeqCst, Ordering::SeqCst);
        // The rest of this loop's thread: serve until told to quit, then close gracefully.
        Ok(move || {
            Loops::run_until_quit();
            let _ = server.free();
            let _ = wait_until(std::time::Duration::from_secs(10), || {
                parasol::net::linger::active() == 0
            });
        })
    })?;
    Ok((loops, shared.load(Ordering::SeqCst)))
}
// END README

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.first().map_or(Ok(4), |a| a.parse())?;
    let port = args.get(1).map_or(Ok(0), |a| a.parse())?;
    let (loops, port) = start(n, port)?;
    println!("echo on port {port}, {} loops; Ctrl-D stops", loops.len());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    loops.quit();
    loops.join()?;
    Ok(())
}
