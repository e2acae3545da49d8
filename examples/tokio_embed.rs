//! A parasol echo server driven by a tokio runtime instead of `process_messages`, talked to by a
//! tokio client on the same thread: the loop's poll descriptor goes into tokio's `AsyncFd`, and
//! each time it is readable (or a parasol timer is due) one non-blocking pass runs.
//!
//! Run: `cargo run --example tokio_embed` (tests/tokio_embed.rs runs it too).

use parasol::msgloop::{next_timeout, poll_descriptor};
use parasol::prelude::*;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The loop's descriptor, as tokio wants it. The loop owns it; this never closes it.
struct LoopFd(RawFd);

impl AsRawFd for LoopFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Runs this thread's parasol loop inside tokio, forever (drop the future to stop).
async fn drive_parasol() -> std::io::Result<()> {
    let loop_fd = LoopFd(poll_descriptor()?);
    // SAFETY: the loop keeps its poll descriptor open, with the same number, until this thread
    // ends; the AsyncFd lives in this future, which runs on this thread and is dropped first.
    let fd = unsafe { AsyncFd::register_with_interest(loop_fd, tokio::io::Interest::READABLE) }
        .map_err(|e| e.into_parts().1)?;
    loop {
        // Wait for I/O on parasol's sockets, or for its own work (timers, queued messages).
        let wait = next_timeout().unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            guard = fd.readable() => guard?.clear_ready(),
            _ = tokio::time::sleep(wait) => {}
        }
        // Clear first, then run: an event arriving after this pass wakes tokio again.
        process_messages(Some(Duration::ZERO)).to_result()?;
    }
}

/// Starts the server, exchanges `rounds` messages with a tokio client, returns what came back.
pub async fn run(rounds: usize) -> std::io::Result<Vec<u8>> {
    parasol::init()?;
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::MULTI_CONNECT)
        .incoming(Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo()))
        .build()?;
    let addr = server.local_addr()?;

    let client = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let mut echoed = Vec::new();
        for i in 0..rounds {
            let msg = format!("message {i}\n");
            stream.write_all(msg.as_bytes()).await?;
            let mut back = vec![0; msg.len()];
            stream.read_exact(&mut back).await?;
            echoed.extend_from_slice(&back);
        }
        Ok::<_, std::io::Error>(echoed)
    };
    let echoed = tokio::select! {
        echoed = client => echoed?,
        ended = drive_parasol() => {
            ended?;
            unreachable!("the driver runs until dropped")
        }
    };
    server.free()?;
    Ok(echoed)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let echoed = run(3).await?;
    print!("{}", String::from_utf8_lossy(&echoed));
    Ok(())
}
