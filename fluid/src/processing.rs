//! `processing.sleep` and `processing.signal`, and the `mSys` calls that run or time the loop:
//! a script waits by running this thread's message loop, so its sockets, timers and lookups
//! call back while it sleeps.

use crate::state;
use mlua::Lua;
use parasol::{process_messages, wait_until, TimerId, ERR};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// A number of seconds as a wait: negative means no limit.
fn wait_for(seconds: f64) -> Duration {
    if seconds < 0.0 || !seconds.is_finite() {
        Duration::MAX
    } else {
        Duration::from_secs_f64(seconds.min(1e9))
    }
}

/// `proc.sleep([seconds[, wakeOnSignal]])` with the processing object's own timeout as the
/// default. Clears the script's signal on entry (a signal raised before the sleep is not the
/// one it waits for), then runs the loop until signalled (Okay), the time is up (TimeOut) or
/// the loop is asked to quit (Terminate). Without waking on a signal it runs the loop for the
/// whole time and returns Okay.
pub(crate) fn sleep(
    _: &Lua,
    (seconds, wake, default): (Option<f64>, Option<bool>, f64),
) -> mlua::Result<i32> {
    state::free_collected();
    let seconds = seconds.unwrap_or(default);
    let wake = wake.unwrap_or(seconds != 0.0);
    state::clear_signal();
    let e = if seconds == 0.0 {
        process_messages(Some(Duration::ZERO))
    } else if wake {
        wait_until(wait_for(seconds), || {
            state::free_collected();
            state::signalled()
        })
    } else {
        run_for(seconds)
    };
    state::free_collected();
    Ok(e.0)
}

/// Runs the loop for `seconds` (freeing collected objects each cycle): Okay once the time is
/// up, Terminate on a quit.
fn run_for(seconds: f64) -> ERR {
    match wait_until(wait_for(seconds), || {
        state::free_collected();
        false
    }) {
        ERR::TimeOut => ERR::Okay,
        other => other,
    }
}

/// `processing.signal()`: wakes the sleep in progress.
pub(crate) fn signal(_: &Lua, (): ()) -> mlua::Result<()> {
    state::signal();
    Ok(())
}

/// `mSys.ProcessMessages(flags, timeoutMs)`: one run of the loop; the ERR.
pub(crate) fn process(
    _: &Lua,
    (_flags, timeout_ms): (Option<f64>, Option<f64>),
) -> mlua::Result<i32> {
    state::free_collected();
    let t = timeout_ms.unwrap_or(0.0);
    let e = if t < 0.0 {
        process_messages(None)
    } else {
        process_messages(Some(Duration::from_secs_f64(t.min(1e12) / 1000.0)))
    };
    Ok(match e {
        ERR::TimeOut => ERR::Okay,
        other => other,
    }
    .0)
}

/// `mSys.WaitTime(seconds, microseconds)`: runs the loop for that long; the ERR.
pub(crate) fn wait_time(
    _: &Lua,
    (seconds, micros): (Option<f64>, Option<f64>),
) -> mlua::Result<i32> {
    let total = seconds.unwrap_or(0.0) + micros.unwrap_or(0.0) / 1e6;
    Ok(run_for(total.max(0.0)).0)
}

thread_local! {
    static TIMERS: RefCell<(u32, HashMap<u32, TimerId>)> = RefCell::new((0, HashMap::new()));
}

/// `mSys.SubscribeTimer(seconds, fn)`: `err, timer`; the callback gets `(subscriber, elapsed
/// µs, now µs)` and stops the timer by raising Terminate.
pub(crate) fn subscribe_timer(
    lua: &Lua,
    (interval, f): (f64, mlua::Function),
) -> mlua::Result<(i32, Option<u32>)> {
    let callback = crate::callbacks::from_lua(lua, f);
    match parasol::subscribe_timer(interval, callback) {
        Ok(id) => Ok((
            ERR::Okay.0,
            Some(TIMERS.with(|t| {
                let mut t = t.borrow_mut();
                t.0 += 1;
                let n = t.0;
                t.1.insert(n, id);
                n
            })),
        )),
        Err(e) => Ok((e.0, None)),
    }
}

/// `mSys.UpdateTimer(timer, seconds)`: a new interval, or 0 to stop it; the ERR.
pub(crate) fn update_timer(_: &Lua, (timer, interval): (u32, f64)) -> mlua::Result<i32> {
    let Some(id) = TIMERS.with(|t| t.borrow().1.get(&timer).copied()) else {
        return Ok(ERR::Search.0);
    };
    if interval == 0.0 {
        parasol::cancel_timer(id);
        TIMERS.with(|t| t.borrow_mut().1.remove(&timer));
        return Ok(ERR::Okay.0);
    }
    Ok(parasol::update_timer(id, interval)
        .err()
        .unwrap_or(ERR::Okay)
        .0)
}

#[cfg(test)]
mod tests {
    use super::wait_for;
    use std::time::Duration;

    #[test]
    fn a_negative_or_unreal_number_of_seconds_is_no_limit() {
        assert_eq!(wait_for(-1.0), Duration::MAX);
        assert_eq!(wait_for(f64::NAN), Duration::MAX);
        assert_eq!(wait_for(f64::INFINITY), Duration::MAX);
        assert_eq!(wait_for(0.0), Duration::ZERO);
        assert_eq!(wait_for(1.5), Duration::from_millis(1500));
        assert_eq!(wait_for(1e300), Duration::from_secs(1_000_000_000));
    }
}
