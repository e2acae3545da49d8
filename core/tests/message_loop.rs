//! The message loop: timers, timeouts, wake-ups from other threads, remote objects, custom
//! messages, quit, and an idle loop that really sleeps.

use parasol_core::field::{fd::*, FieldKind};
use parasol_core::msgloop::{set_timeout, MAX_DELAY};
use parasol_core::prelude::*;
use parasol_core::{
    add_msg_handler, allocate_msg_id, cancel_timer, queue_action, remove_msg_handler, reset_quit,
    send_message, send_quit, update_timer, ActionArgs, ObjectScope, MSGID,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Once;
use std::time::{Duration, Instant};

const SINK: &str = "LoopSink";

thread_local! {
    /// When this thread's sink last ran Activate.
    static ACTIVATED_AT: Cell<Option<Instant>> = const { Cell::new(None) };
}

#[derive(Default)]
struct Sink {
    count: i32,
    data: Vec<u8>,
    datatype: i32,
    quit_on_activate: bool,
}

/// `LoopSink`: Activate counts, stamps `ACTIVATED_AT` and optionally sends quit to its loop;
/// Write and DataFeed append to `Data`.
fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        ClassBuilder::<Sink>::new(SINK)
            .field("Count", FieldKind::Int, FD_READ, |f| {
                f.get(|s| Value::Int(s.count))
            })
            .field("Data", FieldKind::Bytes, FD_READ, |f| {
                f.get(|s| Value::Bytes(s.data.clone()))
            })
            .field("Datatype", FieldKind::Int, FD_READ, |f| {
                f.get(|s| Value::Int(s.datatype))
            })
            .field("QuitOnActivate", FieldKind::Int, FD_RW, |f| {
                f.get(|s| Value::from(s.quit_on_activate)).set(|s, v| {
                    s.quit_on_activate = v.to_int()? != 0;
                    Ok(())
                })
            })
            .action(AC::Activate, |obj, _| {
                ACTIVATED_AT.with(|a| a.set(Some(Instant::now())));
                let quit = {
                    let mut s = obj.data_mut::<Sink>();
                    s.count += 1;
                    s.quit_on_activate
                };
                if quit {
                    send_quit().unwrap();
                }
                ERR::Okay
            })
            .action(AC::Write, |obj, args| {
                let ActionArgs::Write { buffer, result } = args else {
                    return ERR::Args;
                };
                obj.data_mut::<Sink>().data.extend_from_slice(buffer);
                *result = buffer.len();
                ERR::Okay
            })
            .action(AC::DataFeed, |obj, args| {
                let ActionArgs::DataFeed {
                    datatype, buffer, ..
                } = args
                else {
                    return ERR::Args;
                };
                let mut s = obj.data_mut::<Sink>();
                s.datatype = *datatype;
                s.data.extend_from_slice(buffer);
                ERR::Okay
            })
            .register()
            .unwrap();
    });
}

fn sink() -> ObjectId {
    register();
    create(SINK, fields! {}).unwrap()
}

fn count(o: ObjectId) -> i64 {
    o.get("Count").unwrap().to_int().unwrap()
}

#[test]
fn timer_fires_n_times_then_terminates() {
    const N: i32 = 5;
    let calls = Rc::new(Cell::new(0));
    let stamps = Rc::new(RefCell::new(Vec::new()));
    let (c, st) = (calls.clone(), stamps.clone());
    subscribe_timer(
        0.002,
        Function::new(
            move |sub: Option<ObjectId>, elapsed: i64, now: i64| -> ERR {
                assert!(sub.is_none(), "subscribed at top level");
                st.borrow_mut().push((elapsed, now));
                c.set(c.get() + 1);
                if c.get() == N {
                    ERR::Terminate
                } else {
                    ERR::Okay
                }
            },
        ),
    )
    .unwrap();
    assert_eq!(calls.get(), 0, "nothing fires before the loop runs");
    // Drive the loop until the condition holds (wait_until would work too, but see
    // `wait_until_returns_promptly_after_a_timer_callback` for why it is slow here).
    let start = Instant::now();
    while calls.get() < N && start.elapsed() < Duration::from_secs(5) {
        let _ = process_messages(Some(Duration::from_millis(10)));
    }
    assert_eq!(calls.get(), N);
    // Further processing: no more calls.
    assert_eq!(
        process_messages(Some(Duration::from_millis(30))),
        ERR::TimeOut
    );
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(calls.get(), N);
    let stamps = stamps.borrow();
    assert_eq!(stamps.len(), N as usize);
    // The first call comes a full interval after subscribing; time stamps increase.
    assert!(stamps[0].0 >= 2000, "first elapsed {}us", stamps[0].0);
    for w in stamps.windows(2) {
        assert!(w[1].1 > w[0].1, "now_us must increase: {stamps:?}");
        assert!(w[1].0 >= 0);
    }
}

#[test]
fn wait_until_returns_promptly_after_a_timer_callback() {
    let fired = Rc::new(Cell::new(false));
    let f = fired.clone();
    // A one-shot subscriber timer (Terminate unsubscribes) and nothing else to do.
    subscribe_timer(
        0.005,
        Function::new(move || {
            f.set(true);
            ERR::Terminate
        }),
    )
    .unwrap();
    let start = Instant::now();
    assert_eq!(
        wait_until(Duration::from_secs(3), || fired.get()),
        ERR::Okay
    );
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(500),
        "wait_until returned {took:?} after its condition became true at ~5ms"
    );
    // The same with a class one-shot timer.
    let fired = Rc::new(Cell::new(false));
    let f = fired.clone();
    parasol_core::set_timeout(Duration::from_millis(5), Rc::new(move || f.set(true))).unwrap();
    let start = Instant::now();
    assert_eq!(
        wait_until(Duration::from_secs(3), || fired.get()),
        ERR::Okay
    );
    let took = start.elapsed();
    assert!(took < Duration::from_millis(500), "set_timeout: {took:?}");
}

#[test]
fn object_timers_go_with_the_object() {
    let o = sink();
    let calls = Rc::new(Cell::new(0));
    let subscriber = Rc::new(Cell::new(None));
    let (c, s) = (calls.clone(), subscriber.clone());
    {
        // Subscribed from the object's own code: the object is the subscriber.
        let _scope = ObjectScope::enter(&o.ptr().unwrap());
        subscribe_timer(
            0.001,
            Function::new(move |sub: Option<ObjectId>| {
                s.set(sub);
                c.set(c.get() + 1);
            }),
        )
        .unwrap();
    }
    assert_eq!(
        wait_until(Duration::from_secs(5), || calls.get() >= 2),
        ERR::Okay
    );
    assert_eq!(subscriber.get(), Some(o));
    o.free().unwrap();
    let after_free = calls.get();
    assert_eq!(
        process_messages(Some(Duration::from_millis(20))),
        ERR::TimeOut
    );
    assert_eq!(
        calls.get(),
        after_free,
        "a freed subscriber's timer must stop"
    );
}

#[test]
fn timer_argument_errors_and_management() {
    let f = || Function::new(|| ERR::Okay);
    assert_eq!(subscribe_timer(0.0, f()).unwrap_err(), ERR::NullArgs);
    assert_eq!(
        subscribe_timer(1.0, Function::default()).unwrap_err(),
        ERR::NullArgs
    );
    assert_eq!(subscribe_timer(-1.0, f()).unwrap_err(), ERR::Args);
    assert_eq!(subscribe_timer(-0.001, f()).unwrap_err(), ERR::Args);
    assert_eq!(subscribe_timer(f64::NAN, f()).unwrap_err(), ERR::Args);
    assert_eq!(subscribe_timer(f64::INFINITY, f()).unwrap_err(), ERR::Args);

    // update_timer / cancel_timer.
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let id = subscribe_timer(3600.0, Function::new(move || c.set(c.get() + 1))).unwrap();
    assert_eq!(
        process_messages(Some(Duration::from_millis(10))),
        ERR::TimeOut
    );
    assert_eq!(calls.get(), 0);
    update_timer(id, 0.001).unwrap();
    assert_eq!(
        wait_until(Duration::from_secs(5), || calls.get() >= 1),
        ERR::Okay
    );
    assert_eq!(update_timer(id, -1.0), Err(ERR::Args));
    assert!(cancel_timer(id));
    assert!(!cancel_timer(id));
    assert_eq!(update_timer(id, 1.0), Err(ERR::Search));
    assert_eq!(update_timer(id, 0.0), Err(ERR::Search));
    let n = calls.get();
    assert_eq!(
        process_messages(Some(Duration::from_millis(10))),
        ERR::TimeOut
    );
    assert_eq!(calls.get(), n);
}

#[test]
fn delays_too_long_for_the_clock_are_out_of_range_not_a_panic() {
    let f = || Function::new(|| ERR::Okay);
    for secs in [1e10, 1e19, 1e20, 1e300, f64::MAX] {
        assert_eq!(
            subscribe_timer(secs, f()).unwrap_err(),
            ERR::OutOfRange,
            "{secs}"
        );
    }
    // The longest accepted delay works and can be changed.
    let id = subscribe_timer(MAX_DELAY.as_secs_f64(), f()).unwrap();
    assert_eq!(update_timer(id, 1e19), Err(ERR::OutOfRange));
    assert_eq!(update_timer(id, f64::NAN), Err(ERR::Args));
    assert!(cancel_timer(id));
    // Class code's one-shot timers.
    let never = Rc::new(|| {}) as Rc<dyn Fn()>;
    assert_eq!(
        set_timeout(Duration::MAX, never.clone()).unwrap_err(),
        ERR::OutOfRange
    );
    assert_eq!(
        set_timeout(MAX_DELAY + Duration::from_secs(1), never.clone()).unwrap_err(),
        ERR::OutOfRange
    );
    assert!(cancel_timer(set_timeout(MAX_DELAY, never).unwrap()));
    // Loop timeouts beyond the clock mean "no deadline".
    assert_eq!(wait_until(Duration::MAX, || true), ERR::Okay);
    // ... and the loop runs until the condition holds (a timer makes it true).
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    set_timeout(Duration::from_millis(1), Rc::new(move || d.set(true))).unwrap();
    assert_eq!(wait_until(Duration::MAX, || done.get()), ERR::Okay);
    // The loop still works afterwards.
    assert_eq!(
        process_messages(Some(Duration::from_millis(1))),
        ERR::TimeOut
    );
}

#[test]
fn timeout_returns_timeout_after_the_duration() {
    let start = Instant::now();
    assert_eq!(
        process_messages(Some(Duration::from_millis(30))),
        ERR::TimeOut
    );
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(30), "returned after {took:?}");
    assert!(took < Duration::from_secs(2), "returned after {took:?}");
    // A zero timeout does one pass.
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    // wait_until.
    assert_eq!(
        wait_until(Duration::from_millis(20), || false),
        ERR::TimeOut
    );
    assert_eq!(wait_until(Duration::from_millis(20), || true), ERR::Okay);
}

/// This thread's kernel task id, from /proc/thread-self → "<pid>/task/<tid>".
fn own_tid() -> u32 {
    let link = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
    link.file_name().unwrap().to_str().unwrap().parse().unwrap()
}

/// The state letter of a thread of this process (R, S, D …).
fn thread_state(tid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    after_comm.chars().next()
}

/// Waits (polling /proc) until `tid` is asleep, i.e. blocked in `epoll_wait`; false if it never
/// went to sleep within 2 s (a busy loop).
fn wait_until_asleep(tid: u32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        if thread_state(tid) == Some('S') {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

#[test]
fn queue_action_from_another_thread_wakes_a_blocked_loop() {
    let o = sink();
    o.set("QuitOnActivate", 1).unwrap();
    let handle = LoopHandle::current().unwrap();
    let (uid, tid) = (o.uid(), own_tid());
    // Watchdog so a broken waker fails the test instead of hanging it.
    subscribe_timer(10.0, Function::new(send_quit)).unwrap();
    let sender = std::thread::spawn(move || {
        let asleep = wait_until_asleep(tid);
        let sent = Instant::now();
        handle
            .queue_action(uid, AC::Activate, QueuedArgs::None)
            .unwrap();
        (asleep, sent)
    });
    assert_eq!(process_messages(None), ERR::Terminate);
    let (asleep, sent) = sender.join().unwrap();
    assert!(asleep, "the loop thread never blocked");
    let ran = ACTIVATED_AT.with(Cell::get).expect("Activate ran");
    let latency = ran.duration_since(sent);
    assert!(
        latency < Duration::from_millis(100),
        "woke after {latency:?}"
    );
    assert_eq!(count(o), 1);
    reset_quit();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    o.free().unwrap();
}

#[test]
fn post_from_another_thread_wakes_a_blocked_loop() {
    thread_local! {
        static RAN_AT: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let handle = LoopHandle::current().unwrap();
    let tid = own_tid();
    let watchdog = subscribe_timer(10.0, Function::new(send_quit)).unwrap();
    let loop_thread = std::thread::current().id();
    let sender = std::thread::spawn(move || {
        let asleep = wait_until_asleep(tid);
        let sent = Instant::now();
        let h = handle.clone();
        handle
            .post(move || {
                assert_eq!(std::thread::current().id(), loop_thread);
                RAN_AT.with(|r| r.set(Some(Instant::now())));
                h.quit();
            })
            .unwrap();
        (asleep, sent)
    });
    assert_eq!(process_messages(None), ERR::Terminate);
    let (asleep, sent) = sender.join().unwrap();
    assert!(asleep, "the loop thread never blocked");
    let ran = RAN_AT
        .with(Cell::get)
        .expect("posted closure ran on the loop thread");
    let latency = ran.duration_since(sent);
    assert!(
        latency < Duration::from_millis(100),
        "woke after {latency:?}"
    );
    reset_quit();
    cancel_timer(watchdog);
}

#[test]
fn remote_object_queue_write() {
    let o = sink();
    let remote = RemoteObject::new(o).unwrap();
    assert_eq!(remote.uid(), o.uid());
    let gone = sink();
    let gone_remote = RemoteObject::new(gone).unwrap();
    gone.free().unwrap();
    std::thread::spawn(move || {
        remote.queue_write(b"hello".to_vec()).unwrap();
        // A vanished object is skipped silently.
        gone_remote.queue_write(b"lost".to_vec()).unwrap();
        remote.queue_write(b" world".to_vec()).unwrap();
        remote
            .queue_action(AC::DataFeed, QueuedArgs::DataFeed(1, b"!".to_vec()))
            .unwrap();
        assert_eq!(
            remote.queue_action(AC(-1), QueuedArgs::None),
            Err(ERR::OutOfRange)
        );
        remote.queue_action(AC::Activate, QueuedArgs::None).unwrap();
    })
    .join()
    .unwrap();
    // Nothing runs until the loop does.
    assert_eq!(o.get("Data").unwrap(), Value::Bytes(vec![]));
    assert_eq!(
        wait_until(Duration::from_secs(5), || count(o) == 1),
        ERR::Okay
    );
    // In order.
    assert_eq!(
        o.get("Data").unwrap(),
        Value::Bytes(b"hello world!".to_vec())
    );
    assert_eq!(o.get("Datatype").unwrap(), Value::Int(1));
    o.free().unwrap();
}

#[test]
fn local_queue_action_runs_on_the_next_cycle() {
    let o = sink();
    queue_action(o, AC::Activate, QueuedArgs::None).unwrap();
    queue_action(o, AC::Write, QueuedArgs::Write(b"q".to_vec())).unwrap();
    assert_eq!(count(o), 0);
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(count(o), 1);
    assert_eq!(o.get("Data").unwrap(), Value::Bytes(b"q".to_vec()));
    // Queued for an object freed before the message is handled: skipped.
    queue_action(o, AC::Activate, QueuedArgs::None).unwrap();
    o.free().unwrap();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(
        queue_action(o, AC::Activate, QueuedArgs::None),
        Err(ERR::NoMatchingObject)
    );
}

#[test]
fn custom_messages() {
    let a = allocate_msg_id();
    let b = allocate_msg_id();
    assert_ne!(a, b);
    assert!(a.0 >= MSGID::USER_BASE.0);
    let log = Rc::new(RefCell::new(Vec::<String>::new()));

    // For type a: the first handler passes, the second consumes, the third never sees it.
    let l = log.clone();
    add_msg_handler(
        a,
        Function::new(move |t: i32, data: &[u8]| -> ERR {
            l.borrow_mut()
                .push(format!("pass {t} {}", String::from_utf8_lossy(data)));
            ERR::NothingDone
        }),
    )
    .unwrap();
    let l = log.clone();
    let consumer = add_msg_handler(
        a,
        Function::new(move |_t: i32, data: &[u8]| -> ERR {
            l.borrow_mut()
                .push(format!("consume {}", String::from_utf8_lossy(data)));
            ERR::Okay
        }),
    )
    .unwrap();
    let l = log.clone();
    add_msg_handler(
        a,
        Function::new(move |_t: i32| -> ERR {
            l.borrow_mut().push("never".into());
            ERR::Okay
        }),
    )
    .unwrap();
    // Type b ends the current process_messages.
    let l = log.clone();
    add_msg_handler(
        b,
        Function::new(move |_t: i32| -> ERR {
            l.borrow_mut().push("terminate".into());
            ERR::Terminate
        }),
    )
    .unwrap();

    send_message(a, b"one".to_vec()).unwrap();
    assert!(log.borrow().is_empty(), "messages wait for the loop");
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(
        *log.borrow(),
        [format!("pass {} one", a.0), "consume one".to_string()]
    );
    log.borrow_mut().clear();

    // A handler returning Terminate makes process_messages(None) return Okay.
    send_message(b, vec![]).unwrap();
    assert_eq!(process_messages(None), ERR::Okay);
    assert_eq!(*log.borrow(), ["terminate"]);
    log.borrow_mut().clear();
    // And from another thread, waking the loop.
    let handle = LoopHandle::current().unwrap();
    std::thread::spawn(move || handle.send_message(b, b"x".to_vec()).unwrap())
        .join()
        .unwrap();
    assert_eq!(process_messages(None), ERR::Okay);
    assert_eq!(*log.borrow(), ["terminate"]);
    log.borrow_mut().clear();

    // Removing the consumer lets the third handler see type a.
    remove_msg_handler(consumer);
    send_message(a, b"two".to_vec()).unwrap();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(
        *log.borrow(),
        [format!("pass {} two", a.0), "never".to_string()]
    );

    // Bad arguments.
    assert_eq!(send_message(MSGID(0), vec![]), Err(ERR::Args));
    assert_eq!(send_message(MSGID(-5), vec![]), Err(ERR::Args));
    assert_eq!(add_msg_handler(a, Function::default()), Err(ERR::NullArgs));
}

#[test]
fn quit_and_reset_quit() {
    send_quit().unwrap();
    let start = Instant::now();
    assert_eq!(
        process_messages(Some(Duration::from_secs(5))),
        ERR::Terminate
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    // From then on every call returns Terminate at once.
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Terminate);
    assert_eq!(process_messages(None), ERR::Terminate);
    assert_eq!(wait_until(Duration::from_secs(5), || false), ERR::Terminate);
    reset_quit();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    assert_eq!(
        process_messages(Some(Duration::from_millis(5))),
        ERR::TimeOut
    );

    // Quit from another thread through a LoopHandle.
    let handle = LoopHandle::current().unwrap();
    std::thread::spawn(move || handle.quit()).join().unwrap();
    assert_eq!(process_messages(None), ERR::Terminate);
    reset_quit();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
}

/// User + system CPU time of the calling thread, from /proc/thread-self/stat (fields 14 and 15,
/// in clock ticks; USER_HZ is 100 on Linux).
fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("/proc/thread-self/stat");
    // Skip "pid (comm) ": comm may contain spaces, so split after the last ')'.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so field N is at index N - 3.
    let utime: u64 = fields[14 - 3].parse().unwrap();
    let stime: u64 = fields[15 - 3].parse().unwrap();
    Duration::from_millis((utime + stime) * 10)
}

#[test]
fn idle_loop_sleeps() {
    // A far-away timer and a live object must not make the loop tick.
    let o = sink();
    let far = subscribe_timer(3600.0, Function::new(|| ERR::Okay)).unwrap();
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
    let cpu_before = thread_cpu_time();
    let start = Instant::now();
    assert_eq!(
        process_messages(Some(Duration::from_millis(200))),
        ERR::TimeOut
    );
    let wall = start.elapsed();
    let cpu = thread_cpu_time() - cpu_before;
    assert!(wall >= Duration::from_millis(200));
    assert!(
        cpu < Duration::from_millis(50),
        "idle loop used {cpu:?} of CPU in {wall:?}"
    );
    cancel_timer(far);
    o.free().unwrap();
}

#[test]
fn nested_process_messages_is_bounded() {
    // A callback may run the loop itself; nesting deeper than 8 levels is refused (Recursion)
    // instead of growing the stack without bound.
    thread_local! {
        static DEPTH: Cell<u32> = const { Cell::new(0) };
        static MAX_DEPTH: Cell<u32> = const { Cell::new(0) };
        static RECURSION_SEEN: Cell<bool> = const { Cell::new(false) };
    }
    fn arm() {
        if RECURSION_SEEN.with(Cell::get) {
            return;
        }
        parasol_core::set_timeout(
            Duration::ZERO,
            Rc::new(|| {
                // Arm the next level first, so the nested pass finds it due.
                arm();
                let depth = DEPTH.with(|d| {
                    d.set(d.get() + 1);
                    d.get()
                });
                MAX_DEPTH.with(|m| m.set(m.get().max(depth)));
                if process_messages(Some(Duration::ZERO)) == ERR::Recursion {
                    RECURSION_SEEN.with(|r| r.set(true));
                }
                DEPTH.with(|d| d.set(d.get() - 1));
            }),
        )
        .unwrap();
    }
    arm();
    assert_eq!(
        wait_until(Duration::from_secs(5), || RECURSION_SEEN.with(Cell::get)),
        ERR::Okay
    );
    // wait_until is level 1; nested callbacks reach level 8, whose process_messages is refused.
    assert_eq!(MAX_DEPTH.with(Cell::get), 8);
    // The loop still works afterwards.
    assert_eq!(
        process_messages(Some(Duration::from_millis(5))),
        ERR::TimeOut
    );
}
