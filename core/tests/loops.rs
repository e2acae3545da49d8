//! `Loops`: n loops on n threads, set up in order, each running the body its setup returned;
//! posts run on their loop, in order; quit ends every body, join waits for them; a failing or
//! panicking setup stops the loops already started.

use parasol_core::prelude::*;
use parasol_core::Loops;
use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn loops_run_their_bodies_until_quit_and_join_waits_for_them() {
    let (done_tx, done) = mpsc::channel();
    let loops = Loops::start(3, move |i| {
        let done_tx = done_tx.clone();
        Ok(move || {
            Loops::run_until_quit();
            // The quit was cleared: the loop still runs for the body's own closing work.
            let after = process_messages(Some(Duration::ZERO));
            done_tx.send((i, after)).unwrap();
        })
    })
    .unwrap();
    assert_eq!(loops.len(), 3);
    assert!(!loops.is_empty());
    assert_eq!(loops.handles().len(), 3);
    assert!(loops.handle(3).is_none());
    assert!(done.try_recv().is_err(), "no body ends before the quit");
    loops.quit();
    loops.join().unwrap();
    // join returned: every body has finished.
    let mut ended: Vec<(usize, ERR)> = done.try_iter().collect();
    ended.sort_by_key(|(i, _)| *i);
    assert_eq!(ended, vec![(0, ERR::Okay), (1, ERR::Okay), (2, ERR::Okay)]);
}

#[test]
fn posts_run_on_their_own_loop_in_order() {
    let loops = Loops::start(2, |_| Ok(Loops::run_until_quit)).unwrap();
    let (tx, rx) = mpsc::channel::<(ThreadId, u32)>();
    for n in 0..1000 {
        for h in loops.handles() {
            let tx = tx.clone();
            h.post(move || tx.send((std::thread::current().id(), n)).unwrap())
                .unwrap();
        }
    }
    let mut seen: Vec<Vec<u32>> = vec![Vec::new(), Vec::new()];
    let mut threads: Vec<ThreadId> = Vec::new();
    for _ in 0..2000 {
        let (t, n) = rx.recv_timeout(WAIT).unwrap();
        let i = match threads.iter().position(|x| *x == t) {
            Some(i) => i,
            None => {
                threads.push(t);
                threads.len() - 1
            }
        };
        seen[i].push(n);
    }
    assert_eq!(threads.len(), 2, "each loop has its own thread");
    assert!(!threads.contains(&std::thread::current().id()));
    for s in &seen {
        assert_eq!(*s, (0..1000).collect::<Vec<_>>(), "in order on each loop");
    }
    loops.quit();
    loops.join().unwrap();
}

#[test]
fn a_failed_setup_stops_the_loops_already_started() {
    let (tx, rx) = mpsc::channel();
    let result = Loops::start(3, move |i| {
        if i == 1 {
            return Err(ERR::InUse);
        }
        let tx = tx.clone();
        Ok(move || {
            Loops::run_until_quit();
            tx.send(i).unwrap();
        })
    });
    assert_eq!(result.unwrap_err(), ERR::InUse);
    // Loop 0 was told to quit and joined before start returned; loop 2 never started.
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![0]);
}

#[test]
fn a_setup_that_panics_is_an_exception_and_no_loops_is_args() {
    let result = Loops::start(2, |i| {
        if i == 0 {
            panic!("setup fails on purpose");
        }
        Ok(Loops::run_until_quit)
    });
    assert_eq!(result.unwrap_err(), ERR::Exception);
    assert_eq!(
        Loops::start(0, |_| Ok(Loops::run_until_quit)).unwrap_err(),
        ERR::Args
    );
}

#[test]
fn a_body_that_panics_makes_join_an_exception() {
    let loops = Loops::start(2, |i| {
        Ok(move || {
            Loops::run_until_quit();
            if i == 1 {
                panic!("body fails on purpose");
            }
        })
    })
    .unwrap();
    loops.quit();
    assert_eq!(loops.join().unwrap_err(), ERR::Exception);
}
