//! SYNCHRONOUS mode (declared by Parasol, implemented here): Connect, Write and Read block on the
//! socket itself with `poll(2)`, bounded by the Connect timeout when one was given. Other sockets
//! are not served meanwhile, which is what synchronous means.

use crate::constants::NTC;
use crate::data::NetSocketData;
use crate::stream::{self, with_stream, Ep};
use parasol_core::msgloop::Ready;
use parasol_core::{Res, ERR};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

fn timeout_of(ep: Ep) -> Option<Duration> {
    let t = ep
        .obj()
        .ptr()
        .ok()?
        .try_data::<NetSocketData>()
        .ok()?
        .timeout;
    (t > 0.0).then(|| Duration::from_secs_f64(t))
}

/// Waits until the socket is readable/writable as asked; `TimeOut` when the deadline passes.
fn poll_fd(ep: Ep, events: i16, deadline: Option<Instant>) -> Res<()> {
    let fd = with_stream(ep, |s| s.conn.as_ref().map(|c| c.socket_ref().as_raw_fd()))
        .flatten()
        .ok_or(ERR::Disconnected)?;
    loop {
        let ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ERR::TimeOut);
                }
                left.as_millis().clamp(1, i32::MAX as u128) as i32
            }
        };
        let mut pfd = libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        // SAFETY: one valid pollfd on the stack.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r > 0 {
            return Ok(());
        }
        if r < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return Err(ERR::SystemCall);
        }
    }
}

/// Connect in SYNCHRONOUS mode: returns when CONNECTED (`Okay`) or failed (the Error).
pub(crate) fn wait_connected(ep: Ep) -> ERR {
    let deadline = timeout_of(ep).map(|t| Instant::now() + t);
    loop {
        match stream::state_of(ep) {
            NTC::CONNECTED => return ERR::Okay,
            NTC::DISCONNECTED => return error_of(ep),
            _ => {}
        }
        let has_socket = with_stream(ep, |s| s.conn.is_some()).unwrap_or(false);
        if !has_socket {
            // A failure is reported from the next loop cycle; run it now.
            let _ = parasol_core::process_messages(Some(Duration::ZERO));
            continue;
        }
        if let Err(e) = poll_fd(ep, libc::POLLIN | libc::POLLOUT, deadline) {
            if e == ERR::TimeOut {
                stream::disconnect(ep, stream::How::Failed(ERR::TimeOut));
            }
            return e;
        }
        crate::stream::drive_now(
            ep,
            Ready {
                readable: true,
                writable: true,
                ..Ready::default()
            },
        );
    }
}

fn error_of(ep: Ep) -> ERR {
    with_stream(ep, |s| s.error).unwrap_or(ERR::Disconnected)
}

/// Write in SYNCHRONOUS mode: returns once everything queued reached the kernel.
pub(crate) fn wait_flushed(ep: Ep) -> Res<()> {
    let deadline = timeout_of(ep).map(|t| Instant::now() + t);
    loop {
        let done = with_stream(ep, |s| s.conn.as_mut().map(|c| c.flush()))
            .flatten()
            .ok_or(ERR::Disconnected)??;
        if done {
            return Ok(());
        }
        poll_fd(ep, libc::POLLOUT, deadline)?;
    }
}

/// Read in SYNCHRONOUS mode: waits for at least one byte or EOF.
pub(crate) fn wait_readable(ep: Ep) -> Res<()> {
    poll_fd(ep, libc::POLLIN, timeout_of(ep).map(|t| Instant::now() + t))
}
