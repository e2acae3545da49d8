//! Conversions from callback argument values to the typed parameters of closures.

use crate::err::ERR;
use crate::function::Function;
use crate::object::ObjectId;
use crate::value::Value;

/// A type a callback can take by value.
pub trait FromValue: Sized {
    /// Converts, or `None` when the value has another type.
    fn from_value(v: &Value) -> Option<Self>;
}

/// A type a callback can take by reference (borrowed from the argument value).
pub trait FromValueRef {
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
    fn from_value(v: &Value) -> Option<Self> {
        v.to_object().ok()
    }
}
impl FromValue for Option<ObjectId> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::None => Some(None),
            Value::Object(o) => Some(Some(*o)),
            _ => None,
        }
    }
}
impl FromValue for i32 {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok()
    }
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_int().ok()
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_double().ok()
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_int().ok().map(|i| i != 0)
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        v.as_str().ok().map(str::to_owned)
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        v.as_bytes().ok().map(<[u8]>::to_vec)
    }
}
impl FromValue for ERR {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok().map(ERR)
    }
}
impl FromValue for crate::ac::AC {
    fn from_value(v: &Value) -> Option<Self> {
        v.to_i32().ok().map(crate::ac::AC)
    }
}
impl FromValue for Function {
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
    fn from_value_ref(v: &Value) -> Option<&Self> {
        v.as_str().ok()
    }
}
impl FromValueRef for [u8] {
    fn from_value_ref(v: &Value) -> Option<&Self> {
        v.as_bytes().ok()
    }
}
impl FromValueRef for ObjectId {
    fn from_value_ref(v: &Value) -> Option<&Self> {
        match v {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
}
