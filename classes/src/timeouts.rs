//! Per-connection timeouts (extensions): a TLS server's HandshakeTimeout and the IdleTimeout of
//! servers and clients. Without them, silent connections and half-sent ClientHellos hold a
//! server's descriptors and memory for as long as the peer likes.
//!
//! Each is one timer of the loop, only for connections that have a bound (an idle connection
//! without one pays 8 bytes). Activity is a timestamp taken when bytes arrive or Write takes
//! some, so the idle timer re-arms itself for the remaining time instead of being reset on
//! every message.

use crate::constants::NTC;
use crate::data::Stream;
use crate::stream::{disconnect, state_of, with_stream, Ep, How};
use parasol_core::msgloop::{cancel_timer, seconds_to_delay, set_timeout, TimerId};
use parasol_core::{Res, ERR};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A connection's timers. Boxed in [`Stream`], present only while a bound applies.
#[derive(Debug)]
pub(crate) struct ConnTimers {
    handshake: Option<TimerId>,
    idle: Duration,
    idle_timer: Option<TimerId>,
    last_activity: Instant,
}

/// Converts a timeout field's value: 0 = none; otherwise as the loop's delays.
pub(crate) fn timeout_field(secs: f64) -> Res<f64> {
    seconds_to_delay(secs).map(|_| secs)
}

fn timers(s: &mut Stream) -> &mut ConnTimers {
    s.timers.get_or_insert_with(|| {
        Box::new(ConnTimers {
            handshake: None,
            idle: Duration::ZERO,
            idle_timer: None,
            last_activity: Instant::now(),
        })
    })
}

/// Bounds the TLS handshake of `ep` (called when it enters HANDSHAKING); 0 = no bound.
pub(crate) fn arm_handshake(ep: Ep, secs: f64) {
    let Ok(delay) = seconds_to_delay(secs) else {
        return;
    };
    if delay.is_zero() {
        return;
    }
    let timer = set_timeout(
        delay,
        Rc::new(move || {
            with_stream(ep, |s| {
                if let Some(t) = s.timers.as_mut() {
                    t.handshake = None;
                }
            });
            if state_of(ep) == NTC::HANDSHAKING {
                log::info!(
                    "{} TLS handshake not completed within {delay:?}: closing",
                    parasol_core::log::IdCtx(ep.obj())
                );
                disconnect(ep, How::Failed(ERR::TimeOut));
            }
        }),
    );
    if let Ok(t) = timer {
        with_stream(ep, |s| timers(s).handshake = Some(t));
    }
}

/// The connection is CONNECTED: the handshake bound ends, the idle bound (0 = none) starts.
pub(crate) fn connected(ep: Ep, idle_secs: f64) {
    let handshake = with_stream(ep, |s| s.timers.as_mut().and_then(|t| t.handshake.take()));
    if let Some(Some(t)) = handshake {
        cancel_timer(t);
    }
    let Ok(idle) = seconds_to_delay(idle_secs) else {
        return;
    };
    if idle.is_zero() {
        return;
    }
    with_stream(ep, |s| {
        let t = timers(s);
        t.idle = idle;
        t.last_activity = Instant::now();
    });
    arm_idle(ep, idle);
}

fn arm_idle(ep: Ep, after: Duration) {
    let timer = set_timeout(after, Rc::new(move || idle_check(ep)));
    if let Ok(t) = timer {
        with_stream(ep, |s| timers(s).idle_timer = Some(t));
    }
}

/// The idle timer fired: close the connection if nothing happened for the whole bound,
/// otherwise wait for the rest of it.
fn idle_check(ep: Ep) {
    let left = with_stream(ep, |s| {
        let t = s.timers.as_mut()?;
        t.idle_timer = None;
        let quiet = t.last_activity.elapsed();
        Some(t.idle.saturating_sub(quiet))
    });
    let Some(Some(left)) = left else { return };
    if state_of(ep) != NTC::CONNECTED {
        return;
    }
    if left.is_zero() {
        log::info!(
            "{} idle for longer than IdleTimeout: closing",
            parasol_core::log::IdCtx(ep.obj())
        );
        disconnect(ep, How::LocalError(ERR::TimeOut));
    } else {
        arm_idle(ep, left);
    }
}

/// Bytes moved on the connection (received, or taken by Write).
#[inline]
pub(crate) fn touch(s: &mut Stream) {
    if let Some(t) = s.timers.as_mut() {
        if !t.idle.is_zero() {
            t.last_activity = Instant::now();
        }
    }
}

/// The connection ended: its timers go.
pub(crate) fn cancel(s: &mut Stream) {
    if let Some(t) = s.timers.take() {
        for id in [t.handshake, t.idle_timer].into_iter().flatten() {
            cancel_timer(id);
        }
    }
}
