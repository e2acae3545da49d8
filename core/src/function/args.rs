//! Conversions from callback argument values to the typed parameters of closures.

use crate::err::ERR;
use crate::function::Function;
use crate::object::ObjectId;
use crate::value::Value;

/// What a callback parameter takes, so a Function can be checked against what a class will
/// pass before it is ever called (see [`Function::fits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// Any value.
    Any,
    /// A whole number (int, ERR, AC, a flag or state).
    Int,
    /// A number with a fraction.
    Double,
    /// Text.
    Str,
    /// Bytes.
    Bytes,
    /// An object, of the named class when there is one.
    Object(Option<&'static str>),
    /// A Function.
    Function,
    /// An array of values (e.g. NetLookup's addresses).
    Array,
}

impl ArgKind {
    /// True when a parameter of this kind can take an argument of kind `passed`.
    ///
    /// ```
    /// use parasol_core::function::ArgKind;
    /// assert!(ArgKind::Object(Some("NetSocket")).takes(ArgKind::Object(Some("netsocket"))));
    /// assert!(!ArgKind::Object(Some("NetSocket")).takes(ArgKind::Object(Some("ClientSocket"))));
    /// assert!(!ArgKind::Object(None).takes(ArgKind::Int));
    /// assert!(ArgKind::Any.takes(ArgKind::Int));
    /// ```
    pub fn takes(self, passed: ArgKind) -> bool {
        match (self, passed) {
            (ArgKind::Any, _) | (_, ArgKind::Any) => true,
            (ArgKind::Object(Some(want)), ArgKind::Object(Some(got))) => {
                want.eq_ignore_ascii_case(got)
            }
            (ArgKind::Object(_), ArgKind::Object(_)) => true,
            // Numbers convert both ways (an integral double to an int).
            (ArgKind::Int | ArgKind::Double, ArgKind::Int | ArgKind::Double) => true,
            (a, b) => a == b,
        }
    }

    /// How the kind reads in a message: `NetSocket`, `int`, `string` …
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::Any => "any",
            ArgKind::Int => "int",
            ArgKind::Double => "double",
            ArgKind::Str => "string",
            ArgKind::Bytes => "bytes",
            ArgKind::Object(Some(c)) => c,
            ArgKind::Object(None) => "object",
            ArgKind::Function => "function",
            ArgKind::Array => "array",
        }
    }
}

/// A type a callback can take by value.
pub trait FromValue: Sized {
    /// What the parameter takes (checked when a Function is set on a field).
    const KIND: ArgKind = ArgKind::Any;
    /// Converts, or `None` when the value has another type.
    fn from_value(v: &Value) -> Option<Self>;
}

/// A type a callback can take by reference (borrowed from the argument value).
pub trait FromValueRef {
    /// What the parameter takes (checked when a Function is set on a field).
    const KIND: ArgKind = ArgKind::Any;
    /// Borrows, or `None` when the value has another type.
    fn from_value_ref(v: &Value) -> Option<&Self>;
}

/// What a callback closure may return.
pub trait CallbackReturn {
    /// The result as an `ERR`.
    fn into_err(self) -> ERR;
}

impl CallbackReturn for ERR {
    fn into_err(self) -> ERR {
        self
    }
}
impl CallbackReturn for () {
    fn into_err(self) -> ERR {
        ERR::Okay
    }
}
impl CallbackReturn for Result<(), ERR> {
    fn into_err(self) -> ERR {
        self.err().unwrap_or(ERR::Okay)
    }
}

/// Marker: parameter taken by value.
pub struct ByVal<T>(std::marker::PhantomData<T>);
/// Marker: parameter taken by reference.
pub struct ByRef<T: ?Sized>(std::marker::PhantomData<T>);

impl FromValue for Value {
    fn from_value(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}
impl FromValue for ObjectId {
    const KIND: ArgKind = ArgKind::Object(None);
    fn from_value(v: &Value) -> Option<Self> {
        v.to_object().ok()
    }
}
impl FromValue for Option<ObjectId> {
    const KIND: ArgKind = ArgKind::Object(None);
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::None => Some(None),
            Value::Object(o) => Some(Some(*o)),
            _ => None,
        }
    }
}
impl FromValue for i32 {
    const KIND: ArgKind = ArgKind::Int;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok()
    }
}
impl FromValue for i64 {
    const KIND: ArgKind = ArgKind::Int;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_int().ok()
    }
}
impl FromValue for f64 {
    const KIND: ArgKind = ArgKind::Double;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_double().ok()
    }
}
impl FromValue for bool {
    const KIND: ArgKind = ArgKind::Int;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_int().ok().map(|i| i != 0)
    }
}
impl FromValue for String {
    const KIND: ArgKind = ArgKind::Str;
    fn from_value(v: &Value) -> Option<Self> {
        v.as_str().ok().map(str::to_owned)
    }
}
impl FromValue for Vec<u8> {
    const KIND: ArgKind = ArgKind::Bytes;
    fn from_value(v: &Value) -> Option<Self> {
        v.as_bytes().ok().map(<[u8]>::to_vec)
    }
}
impl FromValue for ERR {
    const KIND: ArgKind = ArgKind::Int;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok().map(ERR)
    }
}
impl FromValue for crate::ac::AC {
    const KIND: ArgKind = ArgKind::Int;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok().map(crate::ac::AC)
    }
}
impl FromValue for Function {
    const KIND: ArgKind = ArgKind::Function;
    fn from_value(v: &Value) -> Option<Self> {
        v.to_function().ok()
    }
}

impl FromValueRef for Value {
    fn from_value_ref(v: &Value) -> Option<&Self> {
        Some(v)
    }
}
impl FromValueRef for str {
    const KIND: ArgKind = ArgKind::Str;
    fn from_value_ref(v: &Value) -> Option<&Self> {
        v.as_str().ok()
    }
}
impl FromValueRef for [u8] {
    const KIND: ArgKind = ArgKind::Bytes;
    fn from_value_ref(v: &Value) -> Option<&Self> {
        v.as_bytes().ok()
    }
}
impl FromValueRef for [Value] {
    const KIND: ArgKind = ArgKind::Array;
    fn from_value_ref(v: &Value) -> Option<&Self> {
        v.as_array().ok()
    }
}
impl FromValueRef for ObjectId {
    const KIND: ArgKind = ArgKind::Object(None);
    fn from_value_ref(v: &Value) -> Option<&Self> {
        match v {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
}
