//! Object lifecycle: new, init, free, create-with-fields, and the owner tree.

use crate::ac::AC;
use crate::action::{drop_subscriptions, notify_subscribers, ActionArgs};
use crate::class::{find_class, MetaClass};
use crate::context::{current_context, ContextGuard, ObjectScope};
use crate::err::{Res, ERR};
use crate::object::{store, Header, ObjectId, NF};
use crate::value::Value;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Creates an uninitialised object of the named class (case-insensitive), owned by the current
/// context (Parasol's `NewObject`).
///
/// # Errors
/// MissingClass if no class of that name is registered (logged).
pub fn new_object(class: &str) -> Res<ObjectId> {
    let class = find_class(class).ok_or_else(|| {
        crate::err::fail_with(
            ERR::MissingClass,
            format!("class \"{class}\" is not registered"),
        )
    })?;
    new_object_of(&class, current_context())
}

/// Creates an uninitialised object of `class` owned by `owner` (`None`: the task).
///
/// # Errors
/// None at present: it always returns `Ok`.
pub fn new_object_of(class: &Arc<MetaClass>, owner: Option<ObjectId>) -> Res<ObjectId> {
    let id = store::reserve();
    let ptr = (class.construct)(Header::new(id, class.clone()));
    store::insert(ptr);
    if let Some(owner) = owner.filter(|o| o.exists()) {
        link_child(owner, id);
    }
    Ok(id)
}

/// Initialises an object (Parasol's `InitObject`). Already initialised → `Okay` with a warning.
/// A failed Init leaves the object allocated for the caller to free.
///
/// # Errors
/// MarkedForDeletion while the object is being freed; otherwise the class's Init error (Exception
/// if it panics); NoMatchingObject once the object is freed.
pub fn init_object(id: ObjectId) -> Res<()> {
    let ptr = id.ptr()?;
    if ptr.initialised() {
        log::warn!("{} {}", crate::log::ctx(&ptr), ERR::DoubleInit.message());
        return Ok(());
    }
    if ptr.terminating() {
        return Err(ERR::MarkedForDeletion);
    }
    let routine = ptr.header.class.actions[AC::Init.0 as usize].clone();
    let result = match routine {
        None => ERR::Okay,
        Some(r) => {
            let _scope = ObjectScope::enter(&ptr);
            match catch_unwind(AssertUnwindSafe(|| r(&ptr, &mut ActionArgs::None))) {
                Ok(e) => e,
                Err(p) => {
                    log::error!(
                        "{} panicked in Init: {}",
                        crate::log::ctx(&ptr),
                        crate::function::panic_message(&p)
                    );
                    ERR::Exception
                }
            }
        }
    };
    if result.is_ok() {
        ptr.header.set_flag(NF::INITIALISED, true);
        Ok(())
    } else {
        // Returned to the caller, who decides whether to show it (with the recorded detail).
        log::debug!(
            "{} Init failed: {}",
            crate::log::ctx(&ptr),
            result.message()
        );
        Err(result)
    }
}

/// Frees an object and then its children (Parasol's `FreeResource`). Freeing an object from
/// inside its own action or callback is deferred until that call returns (the result is then
/// `Okay`: the free is scheduled).
///
/// # Errors
/// NoMatchingObject for a freed or unknown handle.
pub fn free_resource(id: ObjectId) -> Res<()> {
    let ptr = id.ptr()?;
    let h = &ptr.header;
    if h.has(NF::FREE) {
        return Ok(());
    }
    if h.depth.get() > 0 {
        h.set_flag(NF::COLLECT, true);
        return Ok(());
    }
    h.set_flag(NF::FREE, true);
    {
        let _ctx = ContextGuard::push(Some(id));
        if h.notify_mask.get() & (1u64 << AC::Free.0) != 0 {
            notify_subscribers(&ptr, AC::Free, ERR::Okay);
        }
        if let Some(r) = h.class.actions[AC::Free.0 as usize].clone() {
            h.depth.set(h.depth.get() + 1);
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| r(&ptr, &mut ActionArgs::None))) {
                log::error!(
                    "{} panicked in Free: {}",
                    crate::log::ctx(&ptr),
                    crate::function::panic_message(&p)
                );
            }
            h.depth.set(h.depth.get() - 1);
        }
    }
    // Children go after the owner's own Free routine, as in Parasol.
    while let Some(child) = h.first_child.get() {
        unlink_child(id, child);
        if let Ok(cptr) = child.ptr() {
            cptr.header.owner.set(None);
            let _ = free_resource(child);
        }
    }
    if let Some(owner) = h.owner.get() {
        unlink_child(owner, id);
    }
    drop_subscriptions(id.uid());
    crate::msgloop::forget_object(id);
    store::remove(id);
    Ok(())
}

/// What `try_create` reports on failure: the ERR and, when a field write failed, its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateError {
    /// Why it failed.
    pub error: ERR,
    /// The field whose write failed (`None` for class lookup or Init failures).
    pub field: Option<String>,
    /// What the failure said, when the code that failed recorded it (`err::fail_with`): the
    /// unknown flag name, the file that could not be read, the OS error …
    pub detail: Option<String>,
}

impl fmt::Display for CreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(name) => write!(f, "field {name}: {}", self.error)?,
            None => write!(f, "{}", self.error)?,
        }
        match &self.detail {
            Some(d) => write!(f, " ({d})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for CreateError {}

impl From<CreateError> for ERR {
    fn from(e: CreateError) -> ERR {
        e.error
    }
}

/// Creates an object by class name, sets the fields in order and initialises it. On any failure
/// the object is freed again, a log line names the failing field, and the ERR is returned.
///
/// # Errors
/// What [`try_create`] reports, without the field name: MissingClass for an unknown class; the
/// first failing field write's error (see [`ObjectId::set`]); the Init error (see [`init_object`]).
///
/// ```
/// # use parasol_core::prelude::*;
/// # use parasol_core::field::{fd::*, FieldKind};
/// # #[derive(Default)] struct Dial { level: i32 }
/// # ClassBuilder::<Dial>::new("DocDial")
/// #     .field("Level", FieldKind::Int, FD_RW, |f| f.get(|d| Value::Int(d.level)).set(|d, v| { d.level = v.to_i32()?; Ok(()) }))
/// #     .register().unwrap();
/// assert_eq!(create("DocDial", fields! { "Level" => "abc" }).unwrap_err(), ERR::FieldTypeMismatch);
/// let dial = create("docdial", fields! { "Level" => 3 }).unwrap();
/// assert_eq!(dial.get("Level").unwrap(), Value::Int(3));
/// ```
pub fn create<'a>(
    class: &str,
    fields: impl IntoIterator<Item = (&'a str, Value)>,
) -> Res<ObjectId> {
    // The detail goes back to the thread's record, where the caller can take it.
    try_create(class, fields).map_err(|e| match e.detail {
        Some(d) => crate::err::fail_with(e.error, d),
        None => e.error,
    })
}

/// [`create`] with the failing field's name in the error.
pub fn try_create<'a>(
    class: &str,
    fields: impl IntoIterator<Item = (&'a str, Value)>,
) -> Result<ObjectId, CreateError> {
    // A failure is returned, not logged above debug: the caller shows it, with its detail.
    crate::err::clear_failure_detail();
    let id = new_object(class).map_err(|error| CreateError {
        error,
        field: None,
        detail: crate::err::take_failure_detail(),
    })?;
    for (name, value) in fields {
        let shown = value.to_string();
        if let Err(error) = id.set(name, value) {
            log::debug!(
                "Failed to set field '{class}.{name}' with \"{shown}\": {error:?} ({error})"
            );
            let detail = crate::err::take_failure_detail();
            let _ = free_resource(id);
            return Err(CreateError {
                error,
                field: Some(name.to_string()),
                detail,
            });
        }
    }
    if let Err(error) = init_object(id) {
        log::debug!("Failed to Init() {class}: {error:?} ({error})");
        let detail = crate::err::take_failure_detail();
        let _ = free_resource(id);
        return Err(CreateError {
            error,
            field: None,
            detail,
        });
    }
    Ok(id)
}

/// Moves `id` under `owner` (`None`: the task).
///
/// # Errors
/// Recursion if `owner` is `id` itself or one of its descendants (an object cannot own itself or an
/// ancestor); NoMatchingObject if `id` or `owner` is gone.
pub fn set_owner(id: ObjectId, owner: Option<ObjectId>) -> Res<()> {
    let ptr = id.ptr()?;
    if let Some(new_owner) = owner {
        let mut cursor = Some(new_owner);
        while let Some(c) = cursor {
            if c == id {
                return Err(ERR::Recursion);
            }
            cursor = c.ptr()?.header.owner.get();
        }
    }
    if ptr.header.owner.get() == owner {
        return Ok(());
    }
    if let Some(old) = ptr.header.owner.get() {
        unlink_child(old, id);
    }
    if let Some(new_owner) = owner {
        link_child(new_owner, id);
    }
    Ok(())
}

/// The children of an object, oldest first.
pub fn children(id: ObjectId) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let mut cursor = id.ptr().ok().and_then(|p| p.header.first_child.get());
    while let Some(c) = cursor {
        out.push(c);
        cursor = c.ptr().ok().and_then(|p| p.header.next_sibling.get());
    }
    out
}

fn link_child(owner: ObjectId, child: ObjectId) {
    let (Ok(optr), Ok(cptr)) = (owner.ptr(), child.ptr()) else {
        return;
    };
    let (oh, ch) = (&optr.header, &cptr.header);
    ch.owner.set(Some(owner));
    ch.next_sibling.set(None);
    ch.prev_sibling.set(oh.last_child.get());
    match oh.last_child.get().and_then(|l| l.ptr().ok()) {
        Some(last) => last.header.next_sibling.set(Some(child)),
        None => oh.first_child.set(Some(child)),
    }
    oh.last_child.set(Some(child));
}

fn unlink_child(owner: ObjectId, child: ObjectId) {
    let Ok(cptr) = child.ptr() else { return };
    let ch = &cptr.header;
    if ch.owner.get() != Some(owner) {
        return;
    }
    let (prev, next) = (ch.prev_sibling.get(), ch.next_sibling.get());
    let optr = owner.ptr().ok();
    match prev.and_then(|p| p.ptr().ok()) {
        Some(p) => p.header.next_sibling.set(next),
        None => {
            if let Some(o) = &optr {
                o.header.first_child.set(next)
            }
        }
    }
    match next.and_then(|n| n.ptr().ok()) {
        Some(n) => n.header.prev_sibling.set(prev),
        None => {
            if let Some(o) = &optr {
                o.header.last_child.set(prev)
            }
        }
    }
    ch.owner.set(None);
    ch.prev_sibling.set(None);
    ch.next_sibling.set(None);
}

/// Frees the object when dropped, unless [`ScopedObject::detach`] was called (Parasol's `local`
/// `pf::Create`). Plain handles never free anything on drop.
///
/// ```
/// # use parasol_core::prelude::*;
/// # use parasol_core::field::{fd::*, FieldKind};
/// # #[derive(Default)] struct Tmp;
/// # ClassBuilder::<Tmp>::new("DocTmp").register().unwrap();
/// let id = {
///     let guard = ScopedObject::new(create("DocTmp", fields! {}).unwrap());
///     guard.id()
/// };
/// assert!(!id.exists());
/// ```
#[must_use = "dropping the guard frees the object"]
pub struct ScopedObject(Option<ObjectId>);

impl ScopedObject {
    /// Guards `id`.
    pub fn new(id: ObjectId) -> ScopedObject {
        ScopedObject(Some(id))
    }

    /// The guarded object (still valid until the guard drops).
    pub fn id(&self) -> ObjectId {
        self.0.expect("ScopedObject already detached")
    }

    /// Releases the object from the guard; it will not be freed on drop.
    pub fn detach(mut self) -> ObjectId {
        self.0.take().expect("ScopedObject already detached")
    }
}

impl std::ops::Deref for ScopedObject {
    type Target = ObjectId;
    fn deref(&self) -> &ObjectId {
        self.0.as_ref().expect("ScopedObject already detached")
    }
}

impl Drop for ScopedObject {
    fn drop(&mut self) {
        if let Some(id) = self.0.take() {
            let _ = free_resource(id);
        }
    }
}
