//! `Value`: what travels through the generic doors (fields by name, method arguments, callback
//! arguments), and the conversions between its variants.

use crate::err::{Res, ERR};
use crate::function::Function;
use crate::object::ObjectId;
use std::any::Any;
use std::fmt;
use std::rc::Rc;

/// A structured value with a Parasol struct name (e.g. `IPAddress`), carried by [`Value::Struct`].
/// `Display` gives its text form, so structs read back as strings sensibly.
pub trait StructValue: Any + fmt::Debug + fmt::Display {
    /// Parasol's struct name, e.g. `"IPAddress"`.
    fn struct_name(&self) -> &'static str;
    /// Upcast for downcasting to the concrete type.
    fn as_any(&self) -> &dyn Any;
}

/// A dynamically typed value.
///
/// ```
/// use parasol_core::Value;
/// assert_eq!(Value::from("42").to_int(), Ok(42));
/// assert_eq!(Value::from(7).to_string(), "7");
/// assert!(Value::from(1.5).to_int().is_ok());
/// assert!(Value::from("abc").to_int().is_err());
/// ```
#[derive(Clone, Default)]
pub enum Value {
    /// No value (unset field, cleared callback, absent optional argument).
    #[default]
    None,
    /// 32-bit integer (Parasol `FD_INT`; also flags, lookups and ERR codes).
    Int(i32),
    /// 64-bit integer (`FD_INT64`).
    Int64(i64),
    /// 64-bit float (`FD_DOUBLE`).
    Double(f64),
    /// Text (`FD_STRING`).
    Str(String),
    /// Byte buffer (`FD_BUFFER` / byte arrays).
    Bytes(Vec<u8>),
    /// An object handle (`FD_OBJECT`).
    Object(ObjectId),
    /// A callback (`FD_FUNCTION`).
    Function(Function),
    /// A named structure such as `IPAddress`.
    Struct(Rc<dyn StructValue>),
    /// Any user value (Parasol's untyped `ClientData` pointer).
    Any(Rc<dyn Any>),
    /// An array of values, e.g. NetLookup's `Addresses` (Parasol's `FD_ARRAY` of structs).
    Array(Rc<[Value]>),
}

impl Value {
    /// True for [`Value::None`].
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Short name of the variant, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Double(_) => "double",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Object(_) => "object",
            Value::Function(_) => "function",
            Value::Struct(_) => "struct",
            Value::Any(_) => "any",
            Value::Array(_) => "array",
        }
    }

    /// The elements of a [`Value::Array`]; other variants → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for any variant other than [`Value::Array`].
    pub fn as_array(&self) -> Res<&[Value]> {
        match self {
            Value::Array(a) => Ok(a),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// Integer value: ints as they are, doubles rounded to nearest, strings parsed as decimal,
    /// `0x` hex or a leading sign. Anything else → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for text that is not an integer, a double that is not finite or beyond
    /// ±9.2e18, and every other variant (None, Bytes, Object …).
    pub fn to_int(&self) -> Res<i64> {
        match self {
            Value::Int(i) => Ok(*i as i64),
            Value::Int64(i) => Ok(*i),
            Value::Double(d) => {
                if d.is_finite() && d.abs() < 9.2e18 {
                    Ok(d.round() as i64)
                } else {
                    Err(ERR::FieldTypeMismatch)
                }
            }
            Value::Str(s) => parse_int(s).ok_or(ERR::FieldTypeMismatch),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// 32-bit integer value; out of range → `OutOfRange`.
    ///
    /// # Errors
    /// What [`Value::to_int`] returns; OutOfRange for a value outside the `i32` range.
    pub fn to_i32(&self) -> Res<i32> {
        i32::try_from(self.to_int()?).map_err(|_| ERR::OutOfRange)
    }

    /// Floating-point value: numbers as they are, strings parsed. Anything else → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for text that does not parse as a number and for non-numeric variants.
    pub fn to_double(&self) -> Res<f64> {
        match self {
            Value::Int(i) => Ok(*i as f64),
            Value::Int64(i) => Ok(*i as f64),
            Value::Double(d) => Ok(*d),
            Value::Str(s) => s.trim().parse::<f64>().map_err(|_| ERR::FieldTypeMismatch),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// The text of a [`Value::Str`] without copying; other variants → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for any variant other than [`Value::Str`].
    pub fn as_str(&self) -> Res<&str> {
        match self {
            Value::Str(s) => Ok(s),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// The bytes of a [`Value::Bytes`] or [`Value::Str`]; other variants → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for any variant other than [`Value::Bytes`] and [`Value::Str`].
    pub fn as_bytes(&self) -> Res<&[u8]> {
        match self {
            Value::Bytes(b) => Ok(b),
            Value::Str(s) => Ok(s.as_bytes()),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// The object of a [`Value::Object`]; other variants → `FieldTypeMismatch`.
    ///
    /// # Errors
    /// FieldTypeMismatch for any variant other than [`Value::Object`].
    pub fn to_object(&self) -> Res<ObjectId> {
        match self {
            Value::Object(o) => Ok(*o),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// The callback of a [`Value::Function`] (`None` gives an undefined function).
    ///
    /// # Errors
    /// FieldTypeMismatch for any variant other than [`Value::Function`] and [`Value::None`].
    pub fn to_function(&self) -> Res<Function> {
        match self {
            Value::Function(f) => Ok(f.clone()),
            Value::None => Ok(Function::default()),
            _ => Err(ERR::FieldTypeMismatch),
        }
    }

    /// Downcasts a [`Value::Struct`] or [`Value::Any`] to a concrete type.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            Value::Struct(s) => s.as_any().downcast_ref::<T>(),
            Value::Any(a) => a.downcast_ref::<T>(),
            _ => None,
        }
    }
}

/// Parses an integer the way Parasol's `strtol(base 0)` would for sensible input: optional sign,
/// decimal or `0x` hex, surrounding whitespace ignored. Returns `None` for anything else.
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let v = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        body.parse::<i64>().ok()?
    };
    Some(if neg { v.checked_neg()? } else { v })
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => Ok(()),
            Value::Int(i) => write!(f, "{i}"),
            Value::Int64(i) => write!(f, "{i}"),
            Value::Double(d) => write!(f, "{d}"),
            Value::Str(s) => f.write_str(s),
            Value::Bytes(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::Object(o) => write!(f, "#{}", o.uid()),
            Value::Function(func) => f.write_str(if func.defined() { "<function>" } else { "" }),
            Value::Struct(s) => fmt::Display::fmt(s, f),
            Value::Any(_) => f.write_str("<any>"),
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    fmt::Display::fmt(v, f)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Double(d) => write!(f, "Double({d})"),
            Value::Str(s) => write!(f, "Str({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Value::Object(o) => write!(f, "Object(#{})", o.uid()),
            Value::Function(func) => write!(f, "Function(defined: {})", func.defined()),
            Value::Struct(s) => write!(f, "Struct({s:?})"),
            Value::Any(_) => f.write_str("Any"),
            Value::Array(a) => f.debug_tuple("Array").field(&&a[..]).finish(),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Int(a), Value::Int64(b)) | (Value::Int64(b), Value::Int(a)) => *a as i64 == *b,
            (Value::Double(a), Value::Double(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Function(a), Value::Function(b)) => a == b,
            (Value::Struct(a), Value::Struct(b)) => Rc::ptr_eq(a, b),
            (Value::Any(a), Value::Any(b)) => Rc::ptr_eq(a, b),
            (Value::Array(a), Value::Array(b)) => a == b,
            _ => false,
        }
    }
}

macro_rules! from_int {
    ($($t:ty => $variant:ident as $as:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::$variant(v as $as) }
        }
    )*};
}
from_int!(i8 => Int as i32, i16 => Int as i32, i32 => Int as i32, u8 => Int as i32, u16 => Int as i32,
          i64 => Int64 as i64, u32 => Int64 as i64, f32 => Double as f64, f64 => Double as f64);

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        Value::Int64(v as i64)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(v as i32)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Str(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Bytes(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Bytes(v.to_vec())
    }
}
impl From<ObjectId> for Value {
    fn from(v: ObjectId) -> Value {
        Value::Object(v)
    }
}
impl From<Option<ObjectId>> for Value {
    fn from(v: Option<ObjectId>) -> Value {
        v.map_or(Value::None, Value::Object)
    }
}
impl From<Function> for Value {
    fn from(v: Function) -> Value {
        if v.defined() {
            Value::Function(v)
        } else {
            Value::None
        }
    }
}
impl From<ERR> for Value {
    fn from(v: ERR) -> Value {
        Value::Int(v.0)
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_parsing() {
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("4x"), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("99999999999999999999"), None);
    }

    #[test]
    fn conversions() {
        assert_eq!(Value::from(2.5).to_int(), Ok(3));
        assert_eq!(
            Value::Double(f64::NAN).to_int(),
            Err(ERR::FieldTypeMismatch)
        );
        assert_eq!(Value::Int64(1 << 40).to_i32(), Err(ERR::OutOfRange));
        assert_eq!(Value::from("1.25").to_double(), Ok(1.25));
        assert_eq!(
            Value::Bytes(vec![1]).to_double(),
            Err(ERR::FieldTypeMismatch)
        );
        assert_eq!(Value::from("x").as_bytes(), Ok(&b"x"[..]));
    }
}
