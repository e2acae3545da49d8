//! Resolver workers: at most [`MAX_WORKERS`] threads at once, started when lookups wait and
//! gone when none do, so a burst of lookups cannot start a thread each, and an idle process
//! holds none. Nothing here ever blocks the caller: a job waits in the queue instead.

use parasol_core::{Res, ERR};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::thread;

/// Most lookups in flight at once; more wait their turn.
pub(crate) const MAX_WORKERS: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    queue: VecDeque<Job>,
    workers: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    queue: VecDeque::new(),
    workers: 0,
});

/// Queues `job`, starting a worker if fewer than [`MAX_WORKERS`] run.
///
/// # Errors
/// SystemCall if no worker runs and none can be started (logged; the job is dropped).
pub(crate) fn submit(job: Job) -> Res<()> {
    let mut pool = POOL.lock();
    pool.queue.push_back(job);
    if pool.workers >= MAX_WORKERS {
        return Ok(());
    }
    pool.workers += 1;
    drop(pool);
    let started = thread::Builder::new()
        .name("parasol-resolve".into())
        .spawn(work);
    if let Err(e) = started {
        let mut pool = POOL.lock();
        pool.workers -= 1;
        if pool.workers == 0 {
            // No one would ever run the job just queued (nor any other).
            pool.queue.pop_back();
            log::error!("Cannot start a resolver thread: {e}");
            return Err(ERR::SystemCall);
        }
        log::warn!("Cannot start another resolver thread ({e}); the lookup waits its turn");
    }
    Ok(())
}

fn work() {
    loop {
        let job = {
            let mut pool = POOL.lock();
            match pool.queue.pop_front() {
                Some(job) => job,
                None => {
                    pool.workers -= 1;
                    return;
                }
            }
        };
        // A job reports its own failures (its resolver call is guarded); one that panics
        // anyway must not take the worker's count with it.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
            log::error!("A resolver job panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_burst_runs_every_job_on_a_bounded_number_of_threads() {
        let (tx, rx) = mpsc::channel();
        let running = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for i in 0..200 {
            let (tx, running, peak) = (tx.clone(), running.clone(), peak.clone());
            submit(Box::new(move || {
                use std::sync::atomic::Ordering::SeqCst;
                let now = running.fetch_add(1, SeqCst) + 1;
                peak.fetch_max(now, SeqCst);
                std::thread::yield_now();
                running.fetch_sub(1, SeqCst);
                tx.send(i).unwrap();
            }))
            .unwrap();
        }
        let mut got: Vec<i32> = (0..200)
            .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
            .collect();
        got.sort_unstable();
        assert_eq!(got, (0..200).collect::<Vec<_>>());
        assert!(peak.load(std::sync::atomic::Ordering::SeqCst) <= MAX_WORKERS);
    }

    #[test]
    fn a_panicking_job_does_not_stop_the_next() {
        let (tx, rx) = mpsc::channel();
        submit(Box::new(|| panic!("resolver job test panic"))).unwrap();
        submit(Box::new(move || tx.send(1).unwrap())).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)), Ok(1));
    }
}
