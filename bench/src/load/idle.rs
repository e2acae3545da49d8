//! W4: memory per idle connection. Opens `n` connections, waits until the server holds them all
//! (its descriptor count in /proc says so), echoes one byte on each, and reads the server's
//! VmRSS before, after opening and after the echo.

use super::Target;
use crate::child::{open_fds, vm_rss, wait_for_fds};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Connections opened before waiting for the server to accept them: half the servers'
/// listen backlog (128), so the accept queue never overflows.
const BATCH: usize = 64;

/// What one W4 run measured, in bytes per connection.
#[derive(Clone, Debug)]
pub struct Idle {
    /// RSS growth per connection once every connection has echoed one byte.
    pub after_echo: f64,
    /// RSS growth per connection once every connection was accepted.
    pub after_open: f64,
}

/// Runs W4 against the server process `pid`.
pub fn run(t: &Target, pid: u32, n: usize) -> Result<Idle, String> {
    let fds0 = open_fds(pid)?;
    let rss0 = vm_rss(pid)?;
    let mut conns: Vec<TcpStream> = Vec::with_capacity(n);
    for i in 0..n {
        let s = t
            .connect()
            .map_err(|e| format!("connection {i} of {n}: {e}"))?;
        conns.push(s);
        if (i + 1) % BATCH == 0 {
            // Let the server catch up: a full accept queue drops SYNs, and each drop costs the
            // client a retransmit of a second or more, which says nothing about memory.
            wait_for_fds(pid, fds0 + i + 1, Duration::from_secs(30))?;
        }
    }
    wait_for_fds(pid, fds0 + n, Duration::from_secs(30))?;
    // Let the loop finish whatever it does per accepted connection.
    std::thread::sleep(Duration::from_millis(200));
    let rss1 = vm_rss(pid)?;
    for (i, s) in conns.iter_mut().enumerate() {
        s.write_all(&[i as u8])
            .map_err(|e| format!("write {i}: {e}"))?;
    }
    for (i, s) in conns.iter_mut().enumerate() {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let mut b = [0u8; 1];
        s.read_exact(&mut b)
            .map_err(|e| format!("echo on connection {i}: {e}"))?;
        if b[0] != i as u8 {
            return Err(format!("connection {i}: echoed byte differs"));
        }
    }
    std::thread::sleep(Duration::from_millis(100));
    let rss2 = vm_rss(pid)?;
    let per = |rss: u64| (rss as f64 - rss0 as f64) / n as f64;
    Ok(Idle {
        after_echo: per(rss2),
        after_open: per(rss1),
    })
}
