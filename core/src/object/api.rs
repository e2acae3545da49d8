//! The generic door on every handle: fields by name or id, actions, methods, lifecycle.

use crate::ac::AC;
use crate::action::{action_ptr, ActionArgs};
use crate::class::MetaClass;
use crate::context::current_context;
use crate::err::{fail_with, take_failure_detail, Res, ERR};
use crate::field::{fd::*, flags_to_string, lookup_to_string, Field};
use crate::method::{call_by_name, call_method, Results};
use crate::object::{lifecycle, ObjectId, ObjectPtr};
use crate::value::Value;
use std::sync::Arc;

impl ObjectId {
    /// The object's class.
    ///
    /// # Errors
    /// NoMatchingObject once the object is freed.
    pub fn class(self) -> Res<Arc<MetaClass>> {
        Ok(self.ptr()?.header.class.clone())
    }

    /// True once Init succeeded.
    pub fn initialised(self) -> bool {
        self.ptr().is_ok_and(|p| p.initialised())
    }

    /// The owner, `None` for the task.
    pub fn owner(self) -> Option<ObjectId> {
        self.ptr().ok().and_then(|p| p.header.owner.get())
    }

    /// The object's name, if one was set.
    pub fn name(self) -> Option<String> {
        self.ptr()
            .ok()
            .and_then(|p| p.header.name.borrow().as_deref().map(str::to_owned))
    }

    /// Reads a field by name (Parasol's `get`).
    ///
    /// # Errors
    /// UnsupportedField for an unknown name; NoFieldAccess if the field is not readable (the
    /// object's own code excepted) or has no getter; InUse while the object data is mutably
    /// borrowed; otherwise the getter's own error; NoMatchingObject once the object is freed.
    ///
    /// ```
    /// # use parasol_core::prelude::*;
    /// # #[derive(Default)] struct T;
    /// # ClassBuilder::<T>::new("DocGet").register().unwrap();
    /// let o = create("DocGet", fields! { "Name" => "probe" }).unwrap();
    /// assert_eq!(o.get("Name").unwrap(), Value::from("probe"));
    /// assert_eq!(o.get("Class").unwrap(), Value::from("DocGet"));
    /// assert_eq!(o.get("Nonsense"), Err(ERR::UnsupportedField));
    /// ```
    pub fn get(self, name: &str) -> Res<Value> {
        let ptr = self.ptr()?;
        let field = find_field(&ptr, name)?;
        get_field(&ptr, field)
    }

    /// Reads a field by id (`FID_*`).
    ///
    /// # Errors
    /// UnsupportedField if the class has no field with this id; otherwise what [`ObjectId::get`]
    /// returns (NoFieldAccess, InUse, the getter's error; NoMatchingObject once the object is
    /// freed).
    pub fn get_id(self, fid: u32) -> Res<Value> {
        let ptr = self.ptr()?;
        let field = ptr
            .header
            .class
            .field_by_id(fid)
            .ok_or(ERR::UnsupportedField)?;
        get_field(&ptr, field)
    }

    /// Reads a field as text: flag fields give their names joined by `|`, lookups their name,
    /// everything else its `Display` form.
    ///
    /// # Errors
    /// What [`ObjectId::get`] returns (the conversion to text cannot fail).
    pub fn get_str(self, name: &str) -> Res<String> {
        let ptr = self.ptr()?;
        let field = find_field(&ptr, name)?;
        let v = get_field(&ptr, field)?;
        Ok(match (field.table, &v) {
            (Some(t), Value::Int(_) | Value::Int64(_)) if field.flags & FD_FLAGS != 0 => {
                flags_to_string(t, v.to_int()?)
            }
            (Some(t), Value::Int(_) | Value::Int64(_)) => lookup_to_string(t, v.to_int()?),
            _ => v.to_string(),
        })
    }

    /// Writes a field by name through the kernel's conversion routine (Parasol's `set`). The
    /// object's own code is exempt from access rules.
    ///
    /// # Errors
    /// UnsupportedField for an unknown name; NoFieldAccess if the field is read-only, or
    /// set-before-Init after Init; a conversion error: FieldTypeMismatch if the value does not
    /// convert, InvalidValue for unknown flag or lookup names, OutOfRange for a number too large
    /// for the field, NoMatchingObject for a UID that names no object; InUse while the object data
    /// is borrowed; otherwise the setter's own error; NoMatchingObject once the object is freed.
    pub fn set(self, name: &str, value: impl Into<Value>) -> Res<()> {
        let ptr = self.ptr()?;
        let field = find_field(&ptr, name)?;
        set_field(&ptr, field, value.into())
    }

    /// Writes a field by id (`FID_*`).
    ///
    /// # Errors
    /// UnsupportedField if the class has no field with this id; otherwise what [`ObjectId::set`]
    /// returns (NoFieldAccess, a conversion error, InUse, the setter's error; NoMatchingObject once
    /// the object is freed).
    pub fn set_id(self, fid: u32, value: impl Into<Value>) -> Res<()> {
        let ptr = self.ptr()?;
        let field = ptr
            .header
            .class
            .field_by_id(fid)
            .ok_or(ERR::UnsupportedField)?;
        set_field(&ptr, field, value.into())
    }

    /// Initialises the object ([`crate::init_object`]).
    ///
    /// # Errors
    /// What [`crate::init_object`] returns: MarkedForDeletion while the object is being freed; the
    /// class's Init error (Exception if it panics); NoMatchingObject once the object is freed.
    pub fn init(self) -> Res<()> {
        lifecycle::init_object(self)
    }

    /// Frees the object and its children ([`crate::free_resource`]).
    ///
    /// # Errors
    /// NoMatchingObject once the object is freed (what [`crate::free_resource`] returns).
    pub fn free(self) -> Res<()> {
        lifecycle::free_resource(self)
    }

    /// Invokes an action with raw arguments; see [`crate::action()`].
    pub fn action(self, ac: AC, args: &mut ActionArgs<'_>) -> ERR {
        match self.ptr() {
            Ok(p) => action_ptr(&p, ac, args),
            Err(e) => e,
        }
    }

    /// Invokes an action that takes no arguments (`Activate`, `Disable` …).
    ///
    /// # Errors
    /// IllegalActionID if `ac` is not an action id; NoAction if the class does not implement it;
    /// MarkedForDeletion while the object is being freed; otherwise the action's own error
    /// (Exception if it panics). `AC::Init` on an initialised object gives DoubleInit, else what
    /// [`crate::init_object`] returns; `AC::Free` gives what [`crate::free_resource`] returns.
    /// NoMatchingObject once the object is freed.
    pub fn act(self, ac: AC) -> Res<()> {
        self.action(ac, &mut ActionArgs::None).to_result()
    }

    /// `Read` action: fills `buf`, returns the bytes read (0: nothing available now).
    ///
    /// # Errors
    /// NoAction if the class has no Read; MarkedForDeletion while the object is being freed;
    /// otherwise the class's Read error (Exception if it panics); NoMatchingObject once the object
    /// is freed.
    pub fn ac_read(self, buf: &mut [u8]) -> Res<usize> {
        let mut a = ActionArgs::Read {
            buffer: buf,
            result: 0,
        };
        let e = self.action(AC::Read, &mut a);
        let ActionArgs::Read { result, .. } = a else {
            unreachable!()
        };
        if e.is_ok() {
            Ok(result)
        } else {
            Err(e)
        }
    }

    /// `Write` action: `Ok` with the bytes accepted (all of them), or a [`WriteError`] holding
    /// the code and how many leading bytes were taken before it (e.g. `BufferOverflow` after a
    /// partial take), so the count is never lost. `?` converts it to its `ERR`.
    ///
    /// # Errors
    /// NoAction if the class has no Write; MarkedForDeletion while the object is being freed;
    /// otherwise the class's Write error (e.g. BufferOverflow; Exception if it panics);
    /// NoMatchingObject once the object is freed.
    ///
    /// [`WriteError`]: crate::err::WriteError
    pub fn ac_write(self, buf: &[u8]) -> Result<usize, crate::err::WriteError> {
        crate::err::WriteError::check(self.ac_write_counted(buf))
    }

    /// `Write` action returning both the ERR and the number of leading bytes accepted (Parasol's
    /// `Result`), which is meaningful for `BufferOverflow`.
    pub fn ac_write_counted(self, buf: &[u8]) -> (ERR, usize) {
        let mut a = ActionArgs::Write {
            buffer: buf,
            result: 0,
        };
        let e = self.action(AC::Write, &mut a);
        let ActionArgs::Write { result, .. } = a else {
            unreachable!()
        };
        (e, result)
    }

    /// `Disable` action.
    ///
    /// # Errors
    /// NoAction if the class has no Disable; MarkedForDeletion while the object is being freed;
    /// otherwise the class's Disable error (Exception if it panics); NoMatchingObject once the
    /// object is freed.
    pub fn ac_disable(self) -> Res<()> {
        self.act(AC::Disable)
    }

    /// `Activate` action.
    ///
    /// # Errors
    /// NoAction if the class has no Activate; MarkedForDeletion while the object is being freed;
    /// otherwise the class's Activate error (Exception if it panics); NoMatchingObject once the
    /// object is freed.
    pub fn ac_activate(self) -> Res<()> {
        self.act(AC::Activate)
    }

    /// `DataFeed` action with raw bytes.
    ///
    /// # Errors
    /// NoAction if the class has no DataFeed; MarkedForDeletion while the object is being freed;
    /// otherwise the class's DataFeed error (Exception if it panics); NoMatchingObject once the
    /// object is freed.
    pub fn ac_data_feed(self, sender: Option<ObjectId>, datatype: i32, data: &[u8]) -> Res<()> {
        self.action(
            AC::DataFeed,
            &mut ActionArgs::DataFeed {
                object: sender,
                datatype,
                buffer: data,
            },
        )
        .to_result()
    }

    /// Calls a method by id with one value per declared argument; result arguments are written
    /// back into `args`.
    pub fn method(self, id: AC, args: &mut [Value]) -> ERR {
        match self.ptr() {
            Ok(p) => call_method(&p, id, args),
            Err(e) => e,
        }
    }

    /// Calls a method or action by name with named arguments, returning its results;
    /// see [`crate::call_by_name`].
    ///
    /// # Errors
    /// NoAction if the class has no method or action of that name; Args for an unknown argument
    /// name or a missing required argument (NullArgs for a missing action argument); a conversion
    /// or range error (FieldTypeMismatch, OutOfRange …) for an argument value; otherwise the
    /// method's or action's own error (MarkedForDeletion while the object is being freed, Exception
    /// if it panics); NoMatchingObject once the object is freed.
    pub fn call(self, name: &str, args: &[(&str, Value)]) -> Res<Results> {
        match call_by_name(self, name, args) {
            (ERR::Okay, r) => Ok(r),
            (e, _) => Err(e),
        }
    }

    /// [`ObjectId::call`] returning the ERR and the results together (what a script sees).
    pub fn call_raw(self, name: &str, args: &[(&str, Value)]) -> (ERR, Results) {
        call_by_name(self, name, args)
    }

    /// Subscribes to an action on this object ([`crate::subscribe_action`]).
    ///
    /// # Errors
    /// What [`crate::subscribe_action`] returns: OutOfRange if `ac` is not an action id; NullArgs
    /// for an undefined callback; NoMatchingObject once the object is freed.
    pub fn subscribe(self, ac: AC, callback: crate::Function) -> Res<()> {
        crate::action::subscribe_action(self, ac, callback)
    }

    /// The object's children, oldest first.
    pub fn children(self) -> Vec<ObjectId> {
        lifecycle::children(self)
    }
}

fn find_field<'a>(ptr: &'a ObjectPtr, name: &str) -> Res<&'a Field> {
    ptr.header.class.field_by_name(name).ok_or_else(|| {
        fail_with(
            ERR::UnsupportedField,
            format!("{} has no field \"{name}\"", crate::log::ctx(ptr)),
        )
    })
}

fn is_own_code(ptr: &ObjectPtr) -> bool {
    current_context() == Some(ptr.header.id)
}

#[inline]
fn get_field(ptr: &ObjectPtr, field: &Field) -> Res<Value> {
    if field.flags & FD_READ == 0 && !is_own_code(ptr) {
        return Err(fail_with(
            ERR::NoFieldAccess,
            format!(
                "{} field {} is not readable",
                crate::log::ctx(ptr),
                field.name
            ),
        ));
    }
    field.read(ptr)
}

#[inline]
fn set_field(ptr: &ObjectPtr, field: &Field, value: Value) -> Res<()> {
    // FD_WRITE fields are writable by anyone at any time: no context lookup on that path.
    if field.flags & FD_WRITE == 0 || field.set.is_none() {
        check_restricted_write(ptr, field)?;
    }
    let value = if field.table.is_none() && field.kind.holds(&value) {
        value
    } else {
        match field.coerce(value, || {
            field.read(ptr).and_then(|v| v.to_int()).unwrap_or(0)
        }) {
            Ok(v) => v,
            Err(e) => return Err(field_error(ptr, field, e)),
        }
    };
    field
        .write(ptr, value)
        .map_err(|e| field_error(ptr, field, e))
}

/// Access rules for fields that are not plainly writable: read-only (unless the object's own
/// code writes), set-before-Init after Init.
#[cold]
fn check_restricted_write(ptr: &ObjectPtr, field: &Field) -> Res<()> {
    if field.set.is_none() || (field.flags & FD_INIT == 0 && !is_own_code(ptr)) {
        return Err(fail_with(
            ERR::NoFieldAccess,
            format!("{} field {} is read-only", crate::log::ctx(ptr), field.name),
        ));
    }
    if field.flags & FD_WRITE == 0 && ptr.initialised() && !is_own_code(ptr) {
        return Err(fail_with(
            ERR::NoFieldAccess,
            format!(
                "{} field {} can only be set before Init",
                crate::log::ctx(ptr),
                field.name
            ),
        ));
    }
    Ok(())
}

#[cold]
fn field_error(ptr: &ObjectPtr, field: &Field, e: ERR) -> ERR {
    // Keep what the setter said (an unknown flag name …) and say which field it was.
    let why = take_failure_detail().unwrap_or_else(|| e.message().to_owned());
    fail_with(
        e,
        format!("{} field {}: {why}", crate::log::ctx(ptr), field.name),
    )
}
