//! Object lifecycle: UIDs, stale handles, the owner tree, freeing order, scoped guards and
//! deferred frees from inside an object's own code.

use parasol_core::field::{fd::*, FieldKind};
use parasol_core::object::object_count;
use parasol_core::prelude::*;
use parasol_core::{set_owner, ObjectScope};
use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    /// Events recorded by class routines (which must be Send + Sync, so no captured Rc).
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// A plain class with no routines.
const PLAIN: &str = "ObjectsPlain";

/// Parent: Activate creates two `ObjectsChild` objects; Free logs and checks its children are
/// still alive at that point.
const PARENT: &str = "ObjectsParent";

/// Child: Activate creates one grandchild (another `ObjectsChild`); Free logs its name.
const CHILD: &str = "ObjectsChild";

/// Holds a callback; Activate calls it and then reports whether the object still exists;
/// Disable logs; Free logs.
const DEFERRED: &str = "ObjectsDeferred";

#[derive(Default)]
struct Plain;

#[derive(Default)]
struct Holder {
    callback: Function,
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        ClassBuilder::<Plain>::new(PLAIN).register().unwrap();

        ClassBuilder::<Plain>::new(PARENT)
            .action(AC::Activate, |_obj, _| {
                for name in ["c1", "c2"] {
                    if let Err(e) = create(CHILD, fields! { "Name" => name }) {
                        return e;
                    }
                }
                ERR::Okay
            })
            .action(AC::Free, |obj, _| {
                let alive = obj
                    .id()
                    .children()
                    .iter()
                    .filter(|c| c.ptr().is_ok())
                    .count();
                log(format!(
                    "free {} (children alive: {alive})",
                    obj.id().name().unwrap_or_default()
                ));
                ERR::Okay
            })
            .register()
            .unwrap();

        ClassBuilder::<Plain>::new(CHILD)
            .action(AC::Activate, |obj, _| {
                let name = format!("{}.g", obj.id().name().unwrap_or_default());
                create(CHILD, fields! { "Name" => name })
                    .err()
                    .unwrap_or(ERR::Okay)
            })
            .action(AC::Free, |obj, _| {
                log(format!("free {}", obj.id().name().unwrap_or_default()));
                ERR::Okay
            })
            .register()
            .unwrap();

        ClassBuilder::<Holder>::new(DEFERRED)
            .field("Callback", FieldKind::Function, FD_RW, |f| {
                f.get(|h| Value::from(h.callback.clone())).set(|h, v| {
                    h.callback = v.to_function()?;
                    Ok(())
                })
            })
            .action(AC::Activate, |obj, _| {
                // Release the data borrow before invoking the callback.
                let cb = obj.data::<Holder>().callback.clone();
                let r = cb.call(&[Value::Object(obj.id())]);
                log(format!(
                    "after callback: exists={} readable={}",
                    obj.id().exists(),
                    obj.id().get("Name").is_ok()
                ));
                r
            })
            .action(AC::Disable, |_obj, _| {
                log("disable");
                ERR::Okay
            })
            .action(AC::Free, |_obj, _| {
                log("free deferred");
                ERR::Okay
            })
            .register()
            .unwrap();
    });
}

#[test]
fn uids_start_at_500_and_increase() {
    register();
    let mut last = 0;
    let mut freed = Vec::new();
    for _ in 0..20 {
        let o = create(PLAIN, fields! {}).unwrap();
        assert!(o.uid() >= 500, "uid {} below 500", o.uid());
        assert!(o.uid() > last, "uid {} not above {last}", o.uid());
        assert_eq!(o.get("ID").unwrap(), Value::Int(o.uid()));
        assert_eq!(ObjectId::from_uid(o.uid()), Some(o));
        last = o.uid();
        freed.push(o.uid());
        o.free().unwrap();
    }
    // UIDs are never reused, even though slots are.
    let o = create(PLAIN, fields! {}).unwrap();
    assert!(o.uid() > last);
    assert!(!freed.contains(&o.uid()));
    for uid in freed {
        assert_eq!(ObjectId::from_uid(uid), None);
    }
    o.free().unwrap();
}

#[test]
fn handles_do_not_free_on_drop() {
    register();
    let before = object_count();
    let uid = {
        let o = create(PLAIN, fields! {}).unwrap();
        o.uid()
    };
    let o = ObjectId::from_uid(uid).expect("object still exists");
    assert!(o.exists());
    assert_eq!(object_count(), before + 1);
    o.free().unwrap();
    assert_eq!(object_count(), before);
}

#[test]
fn freed_handle_reports_no_matching_object() {
    register();
    let o = create(PLAIN, fields! { "Name" => "doomed" }).unwrap();
    let copy = o; // handles are Copy
    o.free().unwrap();
    for h in [o, copy] {
        assert!(!h.exists());
        assert_eq!(h.get("Name"), Err(ERR::NoMatchingObject));
        assert_eq!(h.get("Nonsense"), Err(ERR::NoMatchingObject));
        assert_eq!(h.get_str("Name"), Err(ERR::NoMatchingObject));
        assert_eq!(
            h.get_id(parasol_core::fid::FID_Name),
            Err(ERR::NoMatchingObject)
        );
        assert_eq!(h.set("Name", "x"), Err(ERR::NoMatchingObject));
        assert_eq!(
            h.set_id(parasol_core::fid::FID_Name, "x"),
            Err(ERR::NoMatchingObject)
        );
        assert_eq!(h.act(AC::Activate), Err(ERR::NoMatchingObject));
        assert_eq!(
            h.action(AC::Activate, &mut Default::default()),
            ERR::NoMatchingObject
        );
        assert_eq!(
            h.ac_write(b"x").map_err(ERR::from),
            Err(ERR::NoMatchingObject)
        );
        assert_eq!(h.call("Activate", &[]).unwrap_err(), ERR::NoMatchingObject);
        assert_eq!(h.method(AC(-1), &mut []), ERR::NoMatchingObject);
        assert_eq!(h.free(), Err(ERR::NoMatchingObject));
        assert_eq!(free_resource(h), Err(ERR::NoMatchingObject));
        assert_eq!(init_object(h), Err(ERR::NoMatchingObject));
        assert_eq!(h.class().unwrap_err(), ERR::NoMatchingObject);
        assert!(h.children().is_empty());
        assert_eq!(h.owner(), None);
        assert_eq!(h.name(), None);
        assert!(h.ptr().is_err());
    }
    // The slot is reused by the next object, but the stale handle still does not resolve.
    let n = create(PLAIN, fields! { "Name" => "new" }).unwrap();
    assert_eq!(o.get("Name"), Err(ERR::NoMatchingObject));
    assert_eq!(n.get_str("Name").unwrap(), "new");
    assert_ne!(n, o);
    // Typed handles check a class through the same slot: the stale handle is not the new object.
    assert_eq!(o.class_id(), Err(ERR::NoMatchingObject));
    assert_eq!(n.class_id(), Ok(parasol_core::CLASSID::of(PLAIN)));
    n.free().unwrap();
}

#[test]
fn objects_created_in_an_action_are_children() {
    register();
    let a = create(PARENT, fields! { "Name" => "A" }).unwrap();
    assert_eq!(a.owner(), None, "top-level objects belong to the task");
    assert!(a.children().is_empty());
    a.act(AC::Activate).unwrap();
    let kids = a.children();
    assert_eq!(kids.len(), 2);
    let names: Vec<_> = kids.iter().map(|k| k.name().unwrap()).collect();
    assert_eq!(names, ["c1", "c2"]);
    for k in &kids {
        assert_eq!(k.owner(), Some(a));
        assert_eq!(k.get("Owner").unwrap(), Value::Object(a));
    }
    // Grandchildren.
    kids[0].act(AC::Activate).unwrap();
    let grand = kids[0].children();
    assert_eq!(grand.len(), 1);
    assert_eq!(grand[0].owner(), Some(kids[0]));
    assert_eq!(grand[0].name().as_deref(), Some("c1.g"));

    take_log();
    let before = object_count();
    a.free().unwrap();
    assert_eq!(object_count(), before - 4);
    // The parent's own Free runs first, with its children still alive; then the children,
    // each before its own children.
    assert_eq!(
        take_log(),
        [
            "free A (children alive: 2)",
            "free c1",
            "free c1.g",
            "free c2"
        ]
    );
    for o in kids.iter().chain(&grand) {
        assert!(!o.exists());
    }
    assert!(!a.exists());
}

#[test]
fn freeing_a_child_unlinks_it() {
    register();
    let a = create(PARENT, fields! { "Name" => "A2" }).unwrap();
    a.act(AC::Activate).unwrap();
    let kids = a.children();
    kids[0].free().unwrap();
    assert_eq!(a.children(), vec![kids[1]]);
    take_log();
    a.free().unwrap();
    assert_eq!(take_log(), ["free A2 (children alive: 1)", "free c2"]);
}

#[test]
fn set_owner_rules() {
    register();
    let a = create(PLAIN, fields! {}).unwrap();
    let b = create(PLAIN, fields! {}).unwrap();
    let c = create(PLAIN, fields! {}).unwrap();
    set_owner(b, Some(a)).unwrap();
    set_owner(c, Some(b)).unwrap();
    assert_eq!(a.children(), vec![b]);
    assert_eq!(b.children(), vec![c]);

    // Owning yourself or an ancestor is refused, and nothing changes.
    assert_eq!(set_owner(a, Some(a)), Err(ERR::Recursion));
    assert_eq!(set_owner(a, Some(b)), Err(ERR::Recursion));
    assert_eq!(set_owner(a, Some(c)), Err(ERR::Recursion));
    assert_eq!(set_owner(b, Some(c)), Err(ERR::Recursion));
    assert_eq!(a.set("Owner", c), Err(ERR::Recursion));
    assert_eq!(a.owner(), None);
    assert_eq!(b.owner(), Some(a));
    assert_eq!(c.owner(), Some(b));
    assert_eq!(a.children(), vec![b]);
    assert_eq!(b.children(), vec![c]);

    // Moving a grandchild up is fine; so is setting the same owner again.
    set_owner(c, Some(a)).unwrap();
    assert_eq!(a.children(), vec![b, c]);
    assert!(b.children().is_empty());
    set_owner(c, Some(a)).unwrap();
    assert_eq!(a.children(), vec![b, c]);

    // Unknown owners and objects.
    let gone = create(PLAIN, fields! {}).unwrap();
    gone.free().unwrap();
    assert_eq!(set_owner(b, Some(gone)), Err(ERR::NoMatchingObject));
    assert_eq!(set_owner(gone, Some(a)), Err(ERR::NoMatchingObject));
    assert_eq!(b.owner(), Some(a));

    // Back to the task.
    set_owner(c, None).unwrap();
    assert_eq!(c.owner(), None);
    assert_eq!(a.children(), vec![b]);
    a.free().unwrap();
    assert!(!b.exists());
    assert!(c.exists(), "c was moved out of a's tree");
    c.free().unwrap();
}

#[test]
fn scoped_object_frees_on_drop() {
    register();
    let before = object_count();
    let id = {
        let guard = ScopedObject::new(create(PLAIN, fields! { "Name" => "scoped" }).unwrap());
        // Derefs to the handle.
        assert_eq!(guard.get_str("Name").unwrap(), "scoped");
        assert_eq!(object_count(), before + 1);
        guard.id()
    };
    assert!(!id.exists());
    assert_eq!(object_count(), before);

    // Detach keeps the object.
    let kept = {
        let guard = ScopedObject::new(create(PLAIN, fields! {}).unwrap());
        guard.detach()
    };
    assert!(kept.exists());
    assert_eq!(object_count(), before + 1);

    // A guard whose object was already freed drops quietly.
    {
        let guard = ScopedObject::new(create(PLAIN, fields! {}).unwrap());
        guard.free().unwrap();
    }
    assert_eq!(object_count(), before + 1);
    kept.free().unwrap();
    assert_eq!(object_count(), before);
}

#[test]
fn free_from_a_callback_inside_an_action_is_deferred() {
    register();
    let x = create(DEFERRED, fields! {}).unwrap();
    // A child, freed with x once the deferred free happens.
    let child = {
        let p = x.ptr().unwrap();
        let _scope = ObjectScope::enter(&p);
        create(PLAIN, fields! {}).unwrap()
    };
    assert_eq!(child.owner(), Some(x));

    let cb = Function::new(move |me: ObjectId| -> ERR {
        log("callback");
        // The free is scheduled, not done: the object is still usable here.
        if let Err(e) = me.free() {
            return e;
        }
        log(format!("after free: readable={}", me.get("Name").is_ok()));
        // A nested action on the object still works, and does not trigger the free.
        if let Err(e) = me.act(AC::Disable) {
            return e;
        }
        log(format!(
            "after nested action: readable={}",
            me.get("Name").is_ok()
        ));
        ERR::Okay
    });
    x.set("Callback", cb).unwrap();
    take_log();
    let before = object_count();
    assert_eq!(x.act(AC::Activate), Ok(()));
    assert_eq!(
        take_log(),
        [
            "callback",
            "after free: readable=true",
            "disable",
            "after nested action: readable=true",
            "after callback: exists=true readable=true",
            "free deferred",
        ]
    );
    assert!(!x.exists());
    assert!(!child.exists());
    assert_eq!(x.get("Name"), Err(ERR::NoMatchingObject));
    assert_eq!(object_count(), before - 2);
}

#[test]
fn callback_frees_its_own_object_inside_an_object_scope() {
    register();
    let x = create(DEFERRED, fields! { "Name" => "self-freer" }).unwrap();
    let f = Function::new(|me: ObjectId| me.free());
    take_log();
    {
        let ptr = x.ptr().unwrap();
        let _scope = ObjectScope::enter(&ptr);
        assert_eq!(f.call(&[Value::Object(x)]), ERR::Okay);
        // Still there while the scope is held.
        assert!(x.exists());
        assert_eq!(x.get_str("Name").unwrap(), "self-freer");
        assert!(take_log().is_empty(), "Free must not have run yet");
        // Nested scopes defer until the outermost ends.
        {
            let _inner = ObjectScope::enter(&ptr);
        }
        assert!(x.exists());
    }
    assert_eq!(take_log(), ["free deferred"]);
    assert!(!x.exists());
    assert_eq!(x.get("Name"), Err(ERR::NoMatchingObject));

    // Without a scope the free is immediate.
    let y = create(DEFERRED, fields! {}).unwrap();
    assert_eq!(f.call(&[Value::Object(y)]), ERR::Okay);
    assert!(!y.exists());
    assert_eq!(take_log(), ["free deferred"]);
}

#[test]
fn double_free_request_while_deferred_frees_once() {
    register();
    // Requesting the free twice while it is deferred schedules it once: Free runs once, after
    // the action returns.
    let x = create(DEFERRED, fields! {}).unwrap();
    let f = Function::new(move |me: ObjectId| {
        me.free()?;
        me.free()
    });
    x.set("Callback", f).unwrap();
    take_log();
    x.act(AC::Activate).unwrap();
    assert_eq!(
        take_log(),
        ["after callback: exists=true readable=true", "free deferred"]
    );
    assert!(!x.exists());
}
