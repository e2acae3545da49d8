//! Actions, action subscriptions, methods (by name and by id), generic calls and panics caught
//! at the kernel boundary.

use parasol_core::field::{fd::*, FieldKind};
use parasol_core::prelude::*;
use parasol_core::{
    current_context, direct_action, notify_subscribers, subscribe_action, unsubscribe_action,
    ActionArgs, ArgSpec,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Once;
use std::time::Duration;

/// A class with no routines at all.
const BARE: &str = "ActionsBare";
/// The working class (see `register`).
const WORKER: &str = "ActionsWorker";

#[derive(Default)]
struct Bare;

#[derive(Default)]
struct Worker {
    count: i32,
    stored: Vec<u8>,
}

const WRITE_LIMIT: usize = 8;

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        ClassBuilder::<Bare>::new(BARE).register().unwrap();
        ClassBuilder::<Worker>::new(WORKER)
            .field("Count", FieldKind::Int, FD_READ, |f| {
                f.get(|w| Value::Int(w.count))
            })
            .field("Stored", FieldKind::Bytes, FD_READ, |f| {
                f.get(|w| Value::Bytes(w.stored.clone()))
            })
            .action(AC::Activate, |obj, _| {
                obj.data_mut::<Worker>().count += 1;
                ERR::Okay
            })
            .action(AC::Deactivate, |_, _| ERR::Failed)
            // Declared but refused.
            .action(AC::Hide, |_, _| ERR::NoAction)
            // Notifies by itself and says so.
            .action(AC::Show, |obj, _| {
                notify_subscribers(obj, AC::Show, ERR::Okay);
                ERR(ERR::Okay.0 | ERR::Notified.0)
            })
            .action(AC::Clear, |obj, _| {
                // Panic while holding a mutable borrow of the data.
                let mut w = obj.data_mut::<Worker>();
                w.count = -1000;
                panic!("Clear exploded");
            })
            .action(AC::Write, |obj, args| {
                let ActionArgs::Write { buffer, result } = args else {
                    return ERR::Args;
                };
                let mut w = obj.data_mut::<Worker>();
                let room = WRITE_LIMIT.saturating_sub(w.stored.len());
                let n = buffer.len().min(room);
                w.stored.extend_from_slice(&buffer[..n]);
                *result = n;
                if n < buffer.len() {
                    ERR::BufferOverflow
                } else {
                    ERR::Okay
                }
            })
            .action(AC::Read, |obj, args| {
                let ActionArgs::Read { buffer, result } = args else {
                    return ERR::Args;
                };
                let mut w = obj.data_mut::<Worker>();
                let n = buffer.len().min(w.stored.len());
                buffer[..n].copy_from_slice(&w.stored[..n]);
                w.stored.drain(..n);
                *result = n;
                ERR::Okay
            })
            .method(
                "Add",
                vec![
                    ArgSpec::input("Value", FieldKind::Int),
                    ArgSpec::optional("Scale", FieldKind::Double),
                    ArgSpec::result("Total", FieldKind::Int),
                    ArgSpec::result("Text", FieldKind::Str),
                ],
                |obj, vals| {
                    let Ok(v) = vals[0].to_i32() else {
                        return ERR::FieldTypeMismatch;
                    };
                    let scale = if vals[1].is_none() {
                        1.0
                    } else {
                        match vals[1].to_double() {
                            Ok(s) => s,
                            Err(e) => return e,
                        }
                    };
                    let mut w = obj.data_mut::<Worker>();
                    w.count += (v as f64 * scale) as i32;
                    vals[2] = Value::Int(w.count);
                    vals[3] = Value::Str(format!("total={}", w.count));
                    ERR::Okay
                },
            )
            .method(
                "Echo",
                vec![
                    ArgSpec::input("Text", FieldKind::Str),
                    ArgSpec::result("Reply", FieldKind::Str),
                ],
                |_, vals| match vals[0].as_str() {
                    Ok(s) => {
                        vals[1] = Value::Str(s.to_uppercase());
                        ERR::Okay
                    }
                    Err(e) => e,
                },
            )
            .method("Boom", vec![], |_, _| panic!("Boom method"))
            .method(
                "Store",
                vec![
                    ArgSpec::input("Data", FieldKind::Bytes),
                    ArgSpec::optional("Target", FieldKind::Object),
                    ArgSpec::result("Size", FieldKind::Int64),
                ],
                |obj, vals| {
                    let Ok(data) = vals[0].as_bytes() else {
                        return ERR::FieldTypeMismatch;
                    };
                    let n = data.len();
                    obj.data_mut::<Worker>().stored = data.to_vec();
                    vals[2] = Value::Int64(n as i64);
                    ERR::Okay
                },
            )
            .register()
            .unwrap();
    });
}

fn worker() -> ObjectId {
    register();
    create(WORKER, fields! {}).unwrap()
}

type Seen = Rc<RefCell<Vec<(ObjectId, AC, ERR)>>>;

fn recorder(seen: &Seen) -> Function {
    let seen = seen.clone();
    Function::new(move |o: ObjectId, ac: AC, e: ERR| seen.borrow_mut().push((o, ac, e)))
}

#[test]
fn unimplemented_action_is_no_action() {
    register();
    let o = create(BARE, fields! {}).unwrap();
    assert_eq!(o.act(AC::Activate), Err(ERR::NoAction));
    assert_eq!(o.ac_disable(), Err(ERR::NoAction));
    assert_eq!(o.ac_write(b"abc").map_err(ERR::from), Err(ERR::NoAction));
    let mut buf = [0u8; 4];
    assert_eq!(o.ac_read(&mut buf), Err(ERR::NoAction));
    assert_eq!(
        parasol_core::action(o, AC::Show, &mut ActionArgs::None),
        ERR::NoAction
    );
    assert_eq!(o.call("Activate", &[]).unwrap_err(), ERR::NoAction);
    assert!(!o.class().unwrap().has_action(AC::Activate));
    // Ids outside the action table.
    for bad in [AC(0), AC(-1), AC::END, AC(1000)] {
        assert_eq!(
            o.action(bad, &mut ActionArgs::None),
            ERR::IllegalActionID,
            "{bad:?}"
        );
    }
    o.free().unwrap();
}

#[test]
fn implemented_actions() {
    let o = worker();
    let class = o.class().unwrap();
    assert!(class.has_action(AC::Activate));
    assert!(class.has_action(AC::Write));
    assert!(!class.has_action(AC::Disable));
    o.act(AC::Activate).unwrap();
    o.ac_activate().unwrap();
    assert_eq!(o.get("Count").unwrap(), Value::Int(2));
    assert_eq!(o.act(AC::Deactivate), Err(ERR::Failed));
    assert_eq!(o.act(AC::Hide), Err(ERR::NoAction));

    // Write / Read with typed shortcuts.
    assert_eq!(o.ac_write(b"hello"), Ok(5));
    assert_eq!(
        o.ac_write(b"world"),
        Err(parasol_core::err::WriteError {
            error: ERR::BufferOverflow,
            written: 3
        }),
        "the count of what was taken survives the error"
    );
    assert_eq!(o.get("Stored").unwrap(), Value::Bytes(b"hellowor".to_vec()));
    assert_eq!(o.ac_write_counted(b"x"), (ERR::BufferOverflow, 0));
    let mut buf = [0u8; 6];
    assert_eq!(o.ac_read(&mut buf), Ok(6));
    assert_eq!(&buf, b"hellow");
    assert_eq!(o.ac_read(&mut buf), Ok(2));
    assert_eq!(&buf[..2], b"or");
    assert_eq!(o.ac_read(&mut buf), Ok(0));
    assert_eq!(o.ac_write_counted(b"0123456789"), (ERR::BufferOverflow, 8));
    o.free().unwrap();
}

#[test]
fn subscribers_are_notified_after_the_action() {
    let o = worker();
    let seen: Seen = Rc::default();
    // The subscriber checks that the routine already ran.
    let count_when_called = Rc::new(Cell::new(-1));
    let c = count_when_called.clone();
    o.subscribe(
        AC::Activate,
        Function::new(move |obj: ObjectId| {
            c.set(obj.get("Count").unwrap().to_int().unwrap() as i32);
        }),
    )
    .unwrap();
    o.subscribe(AC::Activate, recorder(&seen)).unwrap();
    o.subscribe(AC::Deactivate, recorder(&seen)).unwrap();
    o.subscribe(AC::Hide, recorder(&seen)).unwrap();
    o.subscribe(AC::Show, recorder(&seen)).unwrap();
    o.subscribe(AC::Write, recorder(&seen)).unwrap();

    o.act(AC::Activate).unwrap();
    assert_eq!(count_when_called.get(), 1);
    assert_eq!(o.act(AC::Deactivate), Err(ERR::Failed));
    // The routine's NoAction is reported to subscribers as Okay; the caller still gets NoAction.
    assert_eq!(o.act(AC::Hide), Err(ERR::NoAction));
    // A routine that notified by itself is not notified twice, and the flag is stripped.
    assert_eq!(o.act(AC::Show), Ok(()));
    assert_eq!(
        o.ac_write(b"0123456789").map_err(ERR::from),
        Err(ERR::BufferOverflow)
    );
    // Not subscribed: nothing recorded.
    let _ = o.act(AC::Reset).unwrap_err();
    assert_eq!(
        *seen.borrow(),
        [
            (o, AC::Activate, ERR::Okay),
            (o, AC::Deactivate, ERR::Failed),
            (o, AC::Hide, ERR::Okay),
            (o, AC::Show, ERR::Okay),
            (o, AC::Write, ERR::BufferOverflow),
        ]
    );

    // Unsubscribing (from the same context: the task) stops the notifications.
    seen.borrow_mut().clear();
    unsubscribe_action(o, AC::Activate).unwrap();
    o.act(AC::Activate).unwrap();
    let _ = o.act(AC::Deactivate).unwrap_err();
    assert_eq!(*seen.borrow(), [(o, AC::Deactivate, ERR::Failed)]);
    unsubscribe_action(o, AC::NIL).unwrap();
    let _ = o.act(AC::Deactivate).unwrap_err();
    assert_eq!(seen.borrow().len(), 1);
    o.free().unwrap();
}

#[test]
fn subscribers_are_notified_of_unimplemented_actions() {
    // Parasol's Action() notifies subscribers whenever the NotifyFlags bit is set, whether or not a
    // routine handled the action, reporting NoAction as Okay (reference §5.3 step 4, §14.6).
    register();
    let o = create(BARE, fields! {}).unwrap();
    let seen: Seen = Rc::default();
    o.subscribe(AC::Activate, recorder(&seen)).unwrap();
    assert_eq!(o.act(AC::Activate), Err(ERR::NoAction));
    assert_eq!(*seen.borrow(), [(o, AC::Activate, ERR::Okay)]);
    o.free().unwrap();
}

#[test]
fn free_notification_and_subscription_errors() {
    let o = worker();
    let seen: Seen = Rc::default();
    let readable_during = Rc::new(Cell::new(false));
    let r = readable_during.clone();
    o.subscribe(AC::Free, recorder(&seen)).unwrap();
    o.subscribe(
        AC::Free,
        Function::new(move |obj: ObjectId| r.set(obj.get("Count").is_ok())),
    )
    .unwrap();
    // Methods cannot be subscribed; undefined callbacks are refused.
    assert_eq!(
        subscribe_action(o, AC(-1), recorder(&seen)),
        Err(ERR::OutOfRange)
    );
    assert_eq!(
        subscribe_action(o, AC::Activate, Function::default()),
        Err(ERR::NullArgs)
    );
    o.free().unwrap();
    assert_eq!(*seen.borrow(), [(o, AC::Free, ERR::Okay)]);
    assert!(
        readable_during.get(),
        "the object is readable in its Free notification"
    );
    assert_eq!(
        subscribe_action(o, AC::Activate, recorder(&seen)),
        Err(ERR::NoMatchingObject)
    );
}

#[test]
fn methods_by_name() {
    let o = worker();
    let r = o.call("Add", &[("Value", Value::Int(5))]).unwrap();
    assert_eq!(r.get("Total"), Some(&Value::Int(5)));
    assert_eq!(r.get("text"), Some(&Value::from("total=5")));
    assert_eq!(r.0.len(), 2, "only result arguments are returned");

    // Case-insensitive names, the mt prefix, case-insensitive argument names, conversions.
    let r = o
        .call(
            "add",
            &[("value", Value::from("3")), ("SCALE", Value::Int(2))],
        )
        .unwrap();
    assert_eq!(r.get("Total"), Some(&Value::Int(11)));
    let r = o.call("ADD", &[("Value", Value::Double(1.4))]).unwrap();
    assert_eq!(r.get("Total"), Some(&Value::Int(12)));
    let r = o.call("mtAdd", &[("Value", Value::Int64(-2))]).unwrap();
    assert_eq!(r.get("Total"), Some(&Value::Int(10)));
    assert_eq!(o.get("Count").unwrap(), Value::Int(10));

    let r = o.call("Echo", &[("Text", Value::from("kia ora"))]).unwrap();
    assert_eq!(r.get("Reply"), Some(&Value::from("KIA ORA")));
    // Ints convert to text arguments.
    let r = o.call("mtEcho", &[("text", Value::Int(42))]).unwrap();
    assert_eq!(r.get("Reply"), Some(&Value::from("42")));

    let r = o.call("Store", &[("Data", Value::from("abc"))]).unwrap();
    assert_eq!(r.get("Size"), Some(&Value::Int64(3)));
    assert_eq!(o.get("Stored").unwrap(), Value::Bytes(b"abc".to_vec()));
    o.free().unwrap();
}

#[test]
fn method_argument_errors() {
    let o = worker();
    // Wrong argument types.
    assert_eq!(
        o.call("Add", &[("Value", Value::from("abc"))]).unwrap_err(),
        ERR::FieldTypeMismatch
    );
    assert_eq!(
        o.call(
            "Add",
            &[("Value", Value::Int(1)), ("Scale", Value::from("big"))]
        )
        .unwrap_err(),
        ERR::FieldTypeMismatch
    );
    assert_eq!(
        o.call("Echo", &[("Text", Value::Object(o))]).unwrap_err(),
        ERR::FieldTypeMismatch
    );
    assert_eq!(
        o.call("Store", &[("Data", Value::Int(1))]).unwrap_err(),
        ERR::FieldTypeMismatch
    );
    assert_eq!(
        o.call(
            "Store",
            &[("Data", Value::from("x")), ("Target", Value::from("abc"))]
        )
        .unwrap_err(),
        ERR::FieldTypeMismatch
    );
    // Out of range for an int argument.
    assert_eq!(
        o.call("Add", &[("Value", Value::Int64(1 << 40))])
            .unwrap_err(),
        ERR::OutOfRange
    );
    // Unknown and missing arguments.
    assert_eq!(
        o.call("Add", &[("Value", Value::Int(1)), ("Bogus", Value::Int(1))])
            .unwrap_err(),
        ERR::Args
    );
    assert_eq!(o.call("Add", &[]).unwrap_err(), ERR::Args);
    assert_eq!(
        o.call("Add", &[("Scale", Value::Int(1))]).unwrap_err(),
        ERR::Args
    );
    // Unknown method.
    assert_eq!(o.call("Subtract", &[]).unwrap_err(), ERR::NoAction);
    assert_eq!(o.call("", &[]).unwrap_err(), ERR::NoAction);
    // call_raw gives the ERR and (empty) results together.
    let (e, r) = o.call_raw("Add", &[]);
    assert_eq!(e, ERR::Args);
    assert!(r.0.is_empty());
    // None of that touched the object.
    assert_eq!(o.get("Count").unwrap(), Value::Int(0));
    o.free().unwrap();
}

#[test]
fn methods_by_id() {
    let o = worker();
    let class = o.class().unwrap();
    let names: Vec<_> = class.methods().iter().map(|m| (m.name(), m.id())).collect();
    assert_eq!(
        names,
        [
            ("Add", AC(-1)),
            ("Echo", AC(-2)),
            ("Boom", AC(-3)),
            ("Store", AC(-4))
        ]
    );
    let mut args = [Value::Int(7), Value::Double(2.0), Value::None, Value::None];
    assert_eq!(o.method(AC(-1), &mut args), ERR::Okay);
    assert_eq!(args[2], Value::Int(14));
    assert_eq!(args[3], Value::from("total=14"));
    let mut args = [Value::from("x"), Value::None];
    assert_eq!(o.method(AC(-2), &mut args), ERR::Okay);
    assert_eq!(args[1], Value::from("X"));
    // Wrong arity, unknown ids.
    assert_eq!(o.method(AC(-1), &mut [Value::Int(1)]), ERR::Args);
    assert_eq!(o.method(AC(-9), &mut []), ERR::NoAction);
    assert_eq!(o.method(AC(-1000), &mut []), ERR::NoAction);
    o.free().unwrap();
}

#[test]
fn generic_call_of_actions() {
    let o = worker();
    let r = o
        .call("Write", &[("Buffer", Value::from(&b"abc"[..]))])
        .unwrap();
    assert_eq!(r.get("Result").unwrap().to_int(), Ok(3));
    let r = o.call("acWrite", &[("buffer", Value::from("de"))]).unwrap();
    assert_eq!(r.get("Result").unwrap().to_int(), Ok(2));
    assert_eq!(o.get("Stored").unwrap(), Value::Bytes(b"abcde".to_vec()));
    // Partial write: the error and the count together.
    let (e, r) = o.call_raw("Write", &[("Buffer", Value::from("0123456789"))]);
    assert_eq!(e, ERR::BufferOverflow);
    assert_eq!(r.get("Result").unwrap().to_int(), Ok(3));
    // Bad arguments.
    assert_eq!(
        o.call("Write", &[("Buffer", Value::Int(1))]).unwrap_err(),
        ERR::FieldTypeMismatch
    );
    assert_eq!(
        o.call(
            "Write",
            &[("Buffer", Value::from("x")), ("Length", Value::Int(1))]
        )
        .unwrap_err(),
        ERR::Args
    );
    assert_eq!(o.call("Write", &[]).unwrap_err(), ERR::NullArgs);
    // Read returns the bytes and the count.
    let r = o.call("Read", &[("Length", Value::Int(4))]).unwrap();
    assert_eq!(r.get("Buffer"), Some(&Value::Bytes(b"abcd".to_vec())));
    assert_eq!(r.get("Result").unwrap().to_int(), Ok(4));
    assert_eq!(
        o.call("Read", &[("Length", Value::Int(-1))]).unwrap_err(),
        ERR::OutOfRange
    );
    // Argument-less actions.
    o.call("Activate", &[]).unwrap();
    o.call("acActivate", &[]).unwrap();
    assert_eq!(o.get("Count").unwrap(), Value::Int(2));
    assert_eq!(
        o.call("Activate", &[("Anything", Value::Int(1))])
            .unwrap_err(),
        ERR::Args
    );
    o.free().unwrap();
}

#[test]
fn panicking_action_returns_exception() {
    let o = worker();
    assert_eq!(o.act(AC::Clear), Err(ERR::Exception));
    assert_eq!(current_context(), None, "the context stack unwound");
    // The object and its data are still usable (the borrow was released by the unwind).
    o.act(AC::Activate).unwrap();
    assert_eq!(o.get("Count").unwrap(), Value::Int(-999));
    assert_eq!(o.ac_write(b"ok"), Ok(2));
    // A panicking method too.
    assert_eq!(o.method(AC(-3), &mut []), ERR::Exception);
    assert_eq!(o.call("Boom", &[]).unwrap_err(), ERR::Exception);
    o.act(AC::Activate).unwrap();
    assert_eq!(o.get("Count").unwrap(), Value::Int(-998));
    // The action depth unwound as well: a free is immediate, not deferred forever.
    o.free().unwrap();
    assert!(!o.exists());
}

#[test]
fn panicking_subscriber_does_not_break_the_action() {
    let o = worker();
    o.subscribe(
        AC::Activate,
        Function::new(|| -> ERR { panic!("subscriber exploded") }),
    )
    .unwrap();
    let seen: Seen = Rc::default();
    o.subscribe(AC::Activate, recorder(&seen)).unwrap();
    assert_eq!(o.act(AC::Activate), Ok(()));
    assert_eq!(*seen.borrow(), [(o, AC::Activate, ERR::Okay)]);
    o.free().unwrap();
}

#[test]
fn panicking_callback_returns_exception_and_the_loop_keeps_running() {
    let f = Function::new(|x: i32| -> ERR {
        if x > 0 {
            panic!("callback exploded")
        }
        ERR::Okay
    });
    assert_eq!(f.call(&[Value::Int(1)]), ERR::Exception);
    assert_eq!(f.call(&[Value::Int(0)]), ERR::Okay);
    assert_eq!(current_context(), None);

    // A timer whose callback panics every time keeps firing; the loop keeps running.
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    subscribe_timer(
        0.001,
        Function::new(move || -> ERR {
            c.set(c.get() + 1);
            panic!("timer callback exploded");
        }),
    )
    .unwrap();
    // A posted closure that panics is caught as well.
    LoopHandle::current()
        .unwrap()
        .post(|| panic!("posted closure exploded"))
        .unwrap();
    assert_eq!(
        wait_until(Duration::from_secs(5), || calls.get() >= 3),
        ERR::Okay
    );
    assert_eq!(process_messages(Some(Duration::ZERO)), ERR::Okay);
}

/// Counts its Init and Free routine runs (class routines must be Send + Sync: atomics).
static COUNTED_INITS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn counted() -> ObjectId {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        ClassBuilder::<Bare>::new("ActionsCounted")
            .action(AC::Init, |_, _| {
                COUNTED_INITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                ERR::Okay
            })
            .action(AC::Activate, |_, _| ERR::Okay)
            .method("Poke", vec![], |_, _| ERR::Okay)
            .register()
            .unwrap();
    });
    new_object("ActionsCounted").unwrap()
}

#[test]
fn init_and_free_through_the_action_door_keep_their_guards() {
    use std::sync::atomic::Ordering::SeqCst;
    let o = counted();
    let before = COUNTED_INITS.load(SeqCst);
    // The first Init through the generic door initialises, as init_object would.
    assert_eq!(o.act(AC::Init), Ok(()));
    assert!(o.ptr().unwrap().initialised());
    assert_eq!(COUNTED_INITS.load(SeqCst), before + 1);
    // Every later one is refused without running the class routine again.
    assert_eq!(o.act(AC::Init), Err(ERR::DoubleInit));
    assert_eq!(o.call("Init", &[]).unwrap_err(), ERR::DoubleInit);
    assert_eq!(o.call("acInit", &[]).unwrap_err(), ERR::DoubleInit);
    assert_eq!(COUNTED_INITS.load(SeqCst), before + 1);
    // init_object keeps Parasol's rule: a warning and Okay.
    assert_eq!(init_object(o), Ok(()));
    assert_eq!(COUNTED_INITS.load(SeqCst), before + 1);
    // Free through the action door frees the object (children and subscriptions included).
    assert_eq!(o.act(AC::Free), Ok(()));
    assert!(!o.exists());
    assert_eq!(o.act(AC::Free), Err(ERR::NoMatchingObject));
    assert_eq!(o.act(AC::Init), Err(ERR::NoMatchingObject));
}

#[test]
fn actions_and_methods_on_an_object_being_freed_are_refused() {
    let o = counted();
    o.init().unwrap();
    let seen: Rc<RefCell<Vec<ERR>>> = Rc::default();
    let s = seen.clone();
    // A Free subscriber runs while the object is being freed.
    subscribe_action(
        o,
        AC::Free,
        Function::new(move |obj: ObjectId, _ac: AC, _e: ERR| {
            s.borrow_mut()
                .push(obj.act(AC::Activate).err().unwrap_or(ERR::Okay));
            s.borrow_mut()
                .push(obj.call("Poke", &[]).err().unwrap_or(ERR::Okay));
            s.borrow_mut()
                .push(obj.act(AC::Init).err().unwrap_or(ERR::Okay));
            // Freeing again from inside the free is harmless.
            s.borrow_mut()
                .push(obj.act(AC::Free).err().unwrap_or(ERR::Okay));
        }),
    )
    .unwrap();
    o.free().unwrap();
    assert_eq!(
        *seen.borrow(),
        vec![
            ERR::MarkedForDeletion,
            ERR::MarkedForDeletion,
            ERR::DoubleInit,
            ERR::Okay
        ]
    );
    assert!(!o.exists());
}

#[test]
fn names_from_input_never_panic() {
    let o = worker();
    for name in [
        "€",
        "aé",
        "é€",
        "ac€",
        "acé",
        "\u{0}",
        "",
        " ",
        "ac",
        "Writé",
        "🦀Write",
    ] {
        assert_eq!(o.call(name, &[]).unwrap_err(), ERR::NoAction, "{name:?}");
    }
    o.free().unwrap();
}

#[test]
fn the_direct_door_runs_a_routine_under_the_rules_of_the_generic_one() {
    let o = worker();
    let ptr = o.ptr().unwrap();
    // The object is the context while its routine runs, and only then.
    let ran = direct_action(&ptr, AC::Activate, |p| {
        assert_eq!(current_context(), Some(p.id()));
        p.data_mut::<Worker>().count += 5;
        7
    });
    assert_eq!(ran, Some(Ok(7)));
    assert_eq!(current_context(), None);
    assert_eq!(o.get("Count").unwrap(), Value::Int(5));

    // A free asked for inside the routine waits for its end, as inside an action.
    let ran = direct_action(&ptr, AC::Activate, |p| {
        free_resource(p.id()).unwrap();
        p.id().exists()
    });
    assert_eq!(ran, Some(Ok(true)), "still there inside the routine");
    assert!(!o.exists(), "freed as the routine returned");
}

#[test]
fn the_direct_door_catches_a_panic_as_exception() {
    let o = worker();
    let ptr = o.ptr().unwrap();
    let ran: Option<Result<(), ERR>> =
        direct_action(&ptr, AC::Clear, |_| panic!("direct routine exploded"));
    assert_eq!(ran, Some(Err(ERR::Exception)));
    assert_eq!(current_context(), None, "the context stack unwound");
    // The depth unwound too: a free is immediate.
    o.free().unwrap();
    assert!(!o.exists());
}

#[test]
fn the_direct_door_declines_subscribed_actions_and_objects_being_freed() {
    let o = worker();
    let ptr = o.ptr().unwrap();
    let seen: Seen = Rc::default();
    subscribe_action(o, AC::Write, recorder(&seen)).unwrap();
    // Write has a subscriber: nothing runs, the caller goes through the generic door.
    assert_eq!(
        direct_action(&ptr, AC::Write, |_| unreachable!()),
        None::<Result<(), ERR>>
    );
    // Other actions are not affected.
    assert_eq!(direct_action(&ptr, AC::Read, |_| 1), Some(Ok(1)));
    assert!(seen.borrow().is_empty());

    let declined: Rc<Cell<Option<bool>>> = Rc::default();
    let d = declined.clone();
    subscribe_action(
        o,
        AC::Free,
        Function::new(move |obj: ObjectId, _ac: AC, _e: ERR| {
            let p = obj.ptr().unwrap();
            d.set(Some(direct_action(&p, AC::Read, |_| ()).is_none()));
        }),
    )
    .unwrap();
    drop(ptr);
    o.free().unwrap();
    assert_eq!(
        declined.get(),
        Some(true),
        "an object being freed is declined"
    );
}
