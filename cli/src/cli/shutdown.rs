//! SIGINT/SIGTERM handling: a thread waits for the signal and tells the loop, which then
//! closes gracefully.

use parasol::LoopHandle;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::cell::Cell;
use std::rc::Rc;

/// Starts watching for SIGINT/SIGTERM; the returned flag turns true on the loop's thread when
/// one arrives (the loop is woken to notice).
pub(crate) fn watch() -> std::io::Result<Rc<Cell<bool>>> {
    let flag = Rc::new(Cell::new(false));
    let handle = LoopHandle::current().map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    // The flag lives on the loop thread; the signal thread only posts a wake-up message, and a
    // message handler sets the flag.
    let msg = parasol::allocate_msg_id();
    let f = flag.clone();
    parasol::add_msg_handler(
        msg,
        parasol::Function::new(move || {
            f.set(true);
            parasol::ERR::Okay
        }),
    )
    .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                log::info!("signal {sig}: closing");
                let _ = handle.send_message(msg, Vec::new());
            }
        })?;
    Ok(flag)
}

/// Quits every loop in `loops` on SIGINT/SIGTERM (each then closes its own clients gracefully).
pub(crate) fn quit_on_signal(loops: Vec<LoopHandle>) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                log::info!("signal {sig}: closing");
                for l in &loops {
                    l.quit();
                }
            }
        })?;
    Ok(())
}
