//! Field descriptors: what a class declares for each field, and the one conversion routine that
//! turns any [`Value`] into the field's declared type before a setter sees it.

pub mod fd;
mod table;

pub use table::{
    flags_to_string, lookup_name, lookup_to_string, parse_flags, parse_lookup, FieldDef,
};

use crate::err::{Res, ERR};
use crate::hash::fieldhash;
use crate::object::{ObjectId, ObjectPtr};
use crate::value::Value;
use fd::*;
use std::any::Any;
use std::borrow::Cow;
use std::marker::PhantomData;

/// The declared type of a field or method argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// 32-bit integer (also flags and lookups when the field has a table).
    Int,
    /// 64-bit integer.
    Int64,
    /// 64-bit float.
    Double,
    /// Text.
    Str,
    /// Byte buffer.
    Bytes,
    /// Object handle.
    Object,
    /// Callback.
    Function,
    /// Any value, stored as given (Parasol's untyped pointer, e.g. `ClientData`).
    Any,
    /// A named structure (e.g. `"IPAddress"`); text is passed through for the setter to parse.
    Struct(&'static str),
    /// An `ERR` code; names such as `"Okay"` are accepted.
    Error,
    /// An array of named structures (e.g. NetLookup's `Addresses`, IPAddress[]), as a
    /// [`Value::Array`] of [`Value::Struct`]s.
    StructArray(&'static str),
}

impl FieldKind {
    /// The `FD_*` type bits Parasol uses for this kind.
    pub fn fd_bits(self) -> u32 {
        match self {
            FieldKind::Int => FD_INT,
            FieldKind::Int64 => FD_INT64,
            FieldKind::Double => FD_DOUBLE,
            FieldKind::Str => FD_STRING | FD_POINTER,
            FieldKind::Bytes => FD_BYTE | FD_ARRAY,
            FieldKind::Object => FD_OBJECTPTR,
            FieldKind::Function => FD_FUNCTIONPTR,
            FieldKind::Any => FD_POINTER,
            FieldKind::Struct(_) => FD_POINTER | FD_STRUCT,
            FieldKind::Error => FD_INT | FD_ERROR,
            FieldKind::StructArray(_) => FD_ARRAY | FD_STRUCT,
        }
    }

    /// True when `v` already has this type (no conversion needed).
    #[inline]
    pub fn holds(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (FieldKind::Int | FieldKind::Error, Value::Int(_))
                | (FieldKind::Int64, Value::Int64(_))
                | (FieldKind::Double, Value::Double(_))
                | (FieldKind::Str, Value::Str(_))
                | (FieldKind::Bytes, Value::Bytes(_))
                | (FieldKind::Object, Value::Object(_))
                | (FieldKind::Function, Value::Function(_))
                | (FieldKind::Any, _)
        )
    }

    /// Short type name for introspection (`parasol classes`).
    pub fn type_name(self) -> Cow<'static, str> {
        match self {
            FieldKind::Int => "int".into(),
            FieldKind::Int64 => "int64".into(),
            FieldKind::Double => "double".into(),
            FieldKind::Str => "string".into(),
            FieldKind::Bytes => "bytes".into(),
            FieldKind::Object => "object".into(),
            FieldKind::Function => "function".into(),
            FieldKind::Any => "any".into(),
            FieldKind::Struct(n) => format!("struct {n}").into(),
            FieldKind::Error => "ERR".into(),
            FieldKind::StructArray(n) => format!("struct {n}[]").into(),
        }
    }
}

type DataGetter = Box<dyn Fn(&dyn Any) -> Res<Value> + Send + Sync>;
type ObjectGetter = Box<dyn Fn(&ObjectPtr) -> Res<Value> + Send + Sync>;
type DataSetter = Box<dyn Fn(&mut dyn Any, Value) -> Res<()> + Send + Sync>;
type ObjectSetter = Box<dyn Fn(&ObjectPtr, Value) -> Res<()> + Send + Sync>;

pub(crate) enum Getter {
    Data(DataGetter),
    Object(ObjectGetter),
}

pub(crate) enum Setter {
    Data(DataSetter),
    Object(ObjectSetter),
}

/// A field of a class, as compiled into the class dictionary.
pub struct Field {
    pub(crate) name: Cow<'static, str>,
    pub(crate) id: u32,
    pub(crate) flags: u32,
    pub(crate) kind: FieldKind,
    pub(crate) table: Option<&'static [FieldDef]>,
    pub(crate) doc: Cow<'static, str>,
    pub(crate) get: Option<Getter>,
    pub(crate) set: Option<Setter>,
}

impl Field {
    /// Field name as declared.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Field id (Parasol's `fieldhash` of the name).
    pub fn id(&self) -> u32 {
        self.id
    }
    /// `FD_*` flags: type bits plus access (`FD_READ`, `FD_WRITE`, `FD_INIT`) and `FD_FLAGS`/`FD_LOOKUP`.
    pub fn flags(&self) -> u32 {
        self.flags
    }
    /// Declared type.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }
    /// Flag or lookup table, if any.
    pub fn table(&self) -> Option<&'static [FieldDef]> {
        self.table
    }
    /// One-line description given by the class.
    pub fn doc(&self) -> &str {
        &self.doc
    }
    /// True when the field can be read.
    pub fn readable(&self) -> bool {
        self.flags & FD_READ != 0 && self.get.is_some()
    }
    /// True when the field can be written at some point (`FD_WRITE` or `FD_INIT`).
    pub fn writable(&self) -> bool {
        self.flags & (FD_WRITE | FD_INIT) != 0 && self.set.is_some()
    }
    /// Access as Parasol's notation: `R`, `RW`, `RI`, `W`, `I`.
    pub fn access(&self) -> &'static str {
        let r = self.flags & FD_READ != 0;
        match (r, self.flags & FD_WRITE != 0, self.flags & FD_INIT != 0) {
            (true, true, _) => "RW",
            (true, false, true) => "RI",
            (true, false, false) => "R",
            (false, true, _) => "W",
            (false, false, true) => "I",
            (false, false, false) => "-",
        }
    }

    #[inline]
    pub(crate) fn read(&self, obj: &ObjectPtr) -> Res<Value> {
        match &self.get {
            Some(Getter::Data(g)) => {
                let data = obj.data.try_borrow().map_err(|_| ERR::InUse)?;
                g(&*data)
            }
            Some(Getter::Object(g)) => g(obj),
            None => Err(ERR::NoFieldAccess),
        }
    }

    #[inline]
    pub(crate) fn write(&self, obj: &ObjectPtr, value: Value) -> Res<()> {
        match &self.set {
            Some(Setter::Data(s)) => {
                let mut data = obj.data.try_borrow_mut().map_err(|_| ERR::InUse)?;
                s(&mut *data, value)
            }
            Some(Setter::Object(s)) => s(obj, value),
            None => Err(ERR::NoFieldAccess),
        }
    }

    /// Converts `value` to this field's type (the kernel's single conversion routine).
    /// `current` supplies the field's present value for flag strings with `!`/`&` operators.
    ///
    /// # Errors
    /// InvalidValue for a flag or lookup name the field's table does not have (logged); OutOfRange
    /// when a table value does not fit a 32-bit field; otherwise what [`coerce_to`] returns.
    pub fn coerce(&self, value: Value, current: impl FnOnce() -> i64) -> Res<Value> {
        if self.table.is_none() && self.kind.holds(&value) {
            return Ok(value);
        }
        if let Some(table) = self.table {
            if let Value::Str(s) = &value {
                let n = if self.flags & FD_FLAGS != 0 {
                    let needs_current = s.trim_start().starts_with(['!', '&']);
                    parse_flags(table, s, if needs_current { current() } else { 0 })?
                } else {
                    parse_lookup(table, s)?
                };
                return int_value(self.kind, n);
            }
        }
        coerce_to(self.kind, value)
    }
}

fn int_value(kind: FieldKind, n: i64) -> Res<Value> {
    match kind {
        FieldKind::Int64 => Ok(Value::Int64(n)),
        _ => i32::try_from(n)
            .map(Value::Int)
            .map_err(|_| ERR::OutOfRange),
    }
}

/// Converts a value to a declared kind (without flag/lookup tables). Used for fields and for
/// method arguments.
///
/// # Errors
/// FieldTypeMismatch when the value cannot become `kind` (text that is not a number, a non-finite
/// double, non-UTF-8 bytes for text, a struct of another name, a variant of another type);
/// OutOfRange for a number outside the `i32` range of an Int or Error kind (or of an object UID);
/// NoMatchingObject for an integer that names no live object (Object kind).
pub fn coerce_to(kind: FieldKind, value: Value) -> Res<Value> {
    match kind {
        FieldKind::Int => match value {
            Value::Int(_) => Ok(value),
            other => int_value(kind, other.to_int()?),
        },
        FieldKind::Int64 => match value {
            Value::Int64(_) => Ok(value),
            other => Ok(Value::Int64(other.to_int()?)),
        },
        FieldKind::Double => Ok(Value::Double(value.to_double()?)),
        FieldKind::Error => match &value {
            Value::Str(s) => match ERR::from_name(s.trim()) {
                Some(e) => Ok(Value::Int(e.0)),
                None => int_value(kind, value.to_int()?),
            },
            _ => int_value(kind, value.to_int()?),
        },
        FieldKind::Str => match value {
            Value::Str(_) | Value::None => Ok(value),
            Value::Int(_) | Value::Int64(_) | Value::Double(_) => Ok(Value::Str(value.to_string())),
            Value::Bytes(b) => String::from_utf8(b)
                .map(Value::Str)
                .map_err(|_| ERR::FieldTypeMismatch),
            _ => Err(ERR::FieldTypeMismatch),
        },
        FieldKind::Bytes => match value {
            Value::Bytes(_) | Value::None => Ok(value),
            Value::Str(s) => Ok(Value::Bytes(s.into_bytes())),
            _ => Err(ERR::FieldTypeMismatch),
        },
        FieldKind::Object => match value {
            Value::Object(_) | Value::None => Ok(value),
            Value::Int(_) | Value::Int64(_) => {
                let uid = value.to_i32()?;
                ObjectId::from_uid(uid)
                    .map(Value::Object)
                    .ok_or(ERR::NoMatchingObject)
            }
            _ => Err(ERR::FieldTypeMismatch),
        },
        FieldKind::Function => match value {
            Value::Function(_) | Value::None => Ok(value),
            _ => Err(ERR::FieldTypeMismatch),
        },
        FieldKind::Any => Ok(value),
        FieldKind::Struct(name) => match &value {
            Value::Struct(s) if s.struct_name() == name => Ok(value),
            Value::Str(_) | Value::None => Ok(value),
            _ => Err(ERR::FieldTypeMismatch),
        },
        FieldKind::StructArray(name) => match &value {
            Value::Array(a)
                if a.iter()
                    .all(|v| matches!(v, Value::Struct(s) if s.struct_name() == name)) =>
            {
                Ok(value)
            }
            Value::None => Ok(value),
            _ => Err(ERR::FieldTypeMismatch),
        },
    }
}

/// Builder for one field of a class whose object data is `T`.
///
/// ```
/// use parasol_core::prelude::*;
/// use parasol_core::field::{fd::*, FieldBuilder, FieldKind};
/// #[derive(Default)]
/// struct Counter { count: i32 }
/// let f = FieldBuilder::<Counter>::new("Count", FieldKind::Int, FD_RW)
///     .get(|c| Value::Int(c.count))
///     .set(|c, v| { c.count = v.to_i32()?; Ok(()) });
/// # let _ = f;
/// ```
pub struct FieldBuilder<T: ?Sized> {
    pub(crate) field: Field,
    _t: PhantomData<fn(&T)>,
}

impl<T: ?Sized + 'static> FieldBuilder<T> {
    /// Starts a field declaration: name, type and `FD_*` access flags (`FD_READ`, `FD_RW`, `FD_RI`…).
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        kind: FieldKind,
        access: u32,
    ) -> FieldBuilder<T> {
        let name = name.into();
        FieldBuilder {
            field: Field {
                id: fieldhash(&name),
                name,
                flags: access | kind.fd_bits(),
                kind,
                table: None,
                doc: Cow::Borrowed(""),
                get: None,
                set: None,
            },
            _t: PhantomData,
        }
    }

    /// Getter with access to the whole object (for virtual fields that need the kernel).
    pub fn get_obj(mut self, f: impl Fn(&ObjectPtr) -> Res<Value> + Send + Sync + 'static) -> Self {
        self.field.get = Some(Getter::Object(Box::new(f)));
        self
    }

    /// Setter with access to the whole object; it must borrow the data itself and release it
    /// before doing anything that could re-enter the object.
    pub fn set_obj(
        mut self,
        f: impl Fn(&ObjectPtr, Value) -> Res<()> + Send + Sync + 'static,
    ) -> Self {
        self.field.set = Some(Setter::Object(Box::new(f)));
        self
    }

    /// Marks the field as bit-flags named by `table` (`FD_FLAGS`).
    pub fn flags(mut self, table: &'static [FieldDef]) -> Self {
        self.field.table = Some(table);
        self.field.flags |= FD_FLAGS;
        self
    }

    /// Marks the field as a lookup named by `table` (`FD_LOOKUP`).
    pub fn lookup(mut self, table: &'static [FieldDef]) -> Self {
        self.field.table = Some(table);
        self.field.flags |= FD_LOOKUP;
        self
    }

    /// One-line description shown by introspection.
    pub fn doc(mut self, doc: impl Into<Cow<'static, str>>) -> Self {
        self.field.doc = doc.into();
        self
    }
}

impl<T: 'static> FieldBuilder<T> {
    /// Getter reading the object data.
    pub fn get(mut self, f: impl Fn(&T) -> Value + Send + Sync + 'static) -> Self {
        self.field.get = Some(Getter::Data(Box::new(move |any| {
            any.downcast_ref::<T>().map(&f).ok_or(ERR::LostClass)
        })));
        self
    }

    /// Fallible getter reading the object data (e.g. `FieldNotSet`).
    pub fn try_get(mut self, f: impl Fn(&T) -> Res<Value> + Send + Sync + 'static) -> Self {
        self.field.get = Some(Getter::Data(Box::new(move |any| {
            any.downcast_ref::<T>().ok_or(ERR::LostClass).and_then(&f)
        })));
        self
    }

    /// Setter writing the object data; receives the value already converted to the field's type.
    /// A setter must not invoke callbacks (it runs with the object data borrowed).
    pub fn set(mut self, f: impl Fn(&mut T, Value) -> Res<()> + Send + Sync + 'static) -> Self {
        self.field.set = Some(Setter::Data(Box::new(move |any, v| {
            let d = any.downcast_mut::<T>().ok_or(ERR::LostClass)?;
            f(d, v)
        })));
        self
    }
}

impl<T: ?Sized> From<FieldBuilder<T>> for Field {
    fn from(b: FieldBuilder<T>) -> Field {
        b.field
    }
}
