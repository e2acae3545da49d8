//! `tokio-ct` / `tokio-mt`: the idiomatic tokio echo server, one task per connection that reads
//! into its own buffer and writes it back with `write_all` (no `io::copy`), TCP_NODELAY on.
//! `tokio-ct` is the current-thread runtime (the like-for-like peer of a single-threaded loop);
//! `tokio-mt` is the multi-thread runtime: 2 workers beside the single-loop servers (for
//! context), as many as ours' loops in the multi-loop workloads.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Builds the runtime the server runs on: current-thread, or multi-thread with `workers`.
pub(crate) fn runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, String> {
    let mut b = if let Some(n) = workers {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(n.max(1));
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_io().build().map_err(|e| e.to_string())
}

/// Serves until killed; `buf` is the per-connection read buffer, `workers` as in [`runtime`].
pub fn serve(workers: Option<usize>, buf: usize) -> Result<(), String> {
    runtime(workers)?.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        super::announce(listener.local_addr().map_err(|e| e.to_string())?.port());
        loop {
            let (s, _) = match listener.accept().await {
                Ok(c) => c,
                Err(_) => {
                    // Out of descriptors: back off instead of spinning (error path only, so
                    // blocking the loop briefly is acceptable and spares the `time` feature).
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
            };
            let _ = s.set_nodelay(true);
            tokio::spawn(echo_connection(s, buf));
        }
    })
}

/// One connection's task: reads into its own buffer of `buf` bytes and writes it back.
pub(crate) async fn echo_connection(mut s: tokio::net::TcpStream, buf: usize) {
    let mut b = vec![0u8; buf];
    loop {
        let n = match s.read(&mut b).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if s.write_all(&b[..n]).await.is_err() {
            return;
        }
    }
}
