//! Methods: class-specific operations with negative ids, typed named arguments and result
//! arguments; callable by id with a value slice or by name with named values.

use crate::ac::AC;
use crate::action::{action_ptr, ActionArgs};
use crate::context::ObjectScope;
use crate::err::{Res, ERR};
use crate::field::{coerce_to, FieldKind};
use crate::object::{ObjectId, ObjectPtr};
use crate::value::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A method routine: receives the object and one value per declared argument, in order; it
/// writes result arguments back into their slots.
pub type MethodFn = Arc<dyn Fn(&ObjectPtr, &mut [Value]) -> ERR + Send + Sync>;

/// One declared method argument.
#[derive(Clone, Debug)]
pub struct ArgSpec {
    /// Argument name (`"Address"`).
    pub name: &'static str,
    /// Declared type; inputs are converted to it.
    pub kind: FieldKind,
    /// A result written by the method (Parasol `FD_RESULT`), returned to generic callers.
    pub result: bool,
    /// May be omitted by callers (it is then `Value::None`).
    pub optional: bool,
}

impl ArgSpec {
    /// A required input argument.
    pub const fn input(name: &'static str, kind: FieldKind) -> ArgSpec {
        ArgSpec {
            name,
            kind,
            result: false,
            optional: false,
        }
    }
    /// An optional input argument.
    pub const fn optional(name: &'static str, kind: FieldKind) -> ArgSpec {
        ArgSpec {
            name,
            kind,
            result: false,
            optional: true,
        }
    }
    /// A result argument.
    pub const fn result(name: &'static str, kind: FieldKind) -> ArgSpec {
        ArgSpec {
            name,
            kind,
            result: true,
            optional: true,
        }
    }
}

/// A declared method.
pub struct MethodSpec {
    pub(crate) id: AC,
    pub(crate) name: &'static str,
    pub(crate) args: Vec<ArgSpec>,
    pub(crate) routine: MethodFn,
    pub(crate) doc: &'static str,
}

impl MethodSpec {
    /// Method id (negative).
    pub fn id(&self) -> AC {
        self.id
    }
    /// Method name.
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// Declared arguments, in order.
    pub fn args(&self) -> &[ArgSpec] {
        &self.args
    }
    /// One-line description.
    pub fn doc(&self) -> &'static str {
        self.doc
    }
}

/// The result arguments of a generic call, by name.
#[derive(Debug, Default, Clone)]
pub struct Results(pub Vec<(&'static str, Value)>);

impl Results {
    /// A result by name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// Calls a method by id with a value slice (one slot per declared argument). Wrong arity →
/// `Args`; unknown id → `NoAction`. A panic in the routine is caught and returned as `Exception`.
pub fn call_method(ptr: &ObjectPtr, id: AC, args: &mut [Value]) -> ERR {
    let Some(m) = ptr.header.class.method_by_id(id) else {
        return ERR::NoAction;
    };
    if args.len() != m.args.len() {
        return ERR::Args;
    }
    if ptr.header.is_freeing() {
        return crate::err::fail_with(
            ERR::MarkedForDeletion,
            format!("{} {} while being freed", crate::log::ctx(ptr), m.name),
        );
    }
    let routine = m.routine.clone();
    let _scope = ObjectScope::enter(ptr);
    match catch_unwind(AssertUnwindSafe(|| routine(ptr, args))) {
        Ok(r) => r,
        Err(panic) => {
            log::error!(
                "{} panicked in method {}: {}",
                crate::log::ctx(ptr),
                m.name,
                crate::function::panic_message(&panic)
            );
            ERR::Exception
        }
    }
}

/// Calls a method or an action by name with named arguments (Parasol scripts' `mtConnect` /
/// `acWrite`), returning the ERR and the result arguments. Unknown name → `NoAction`; unknown
/// argument name or missing required argument → `Args`; unconvertible value → `FieldTypeMismatch`.
///
/// Actions take these arguments: `Write(Buffer)` → `Result`; `Read(Length)` → `Buffer`, `Result`;
/// `DataFeed(Object, Datatype, Buffer)`; `SetKey(Key, Value)`; `GetKey(Key)` → `Value`; others none.
pub fn call_by_name(obj: ObjectId, name: &str, named: &[(&str, Value)]) -> (ERR, Results) {
    let ptr = match obj.ptr() {
        Ok(p) => p,
        Err(e) => return (e, Results::default()),
    };
    if let Some(m) = ptr.header.class.method(name) {
        let id = m.id;
        let specs = m.args.clone();
        let mut values = match bind_args(&specs, named) {
            Ok(v) => v,
            Err(e) => {
                let why = crate::err::take_failure_detail().unwrap_or_else(|| format!("{e:?}"));
                let e = crate::err::fail_with(
                    e,
                    format!("{} {}: bad arguments: {why}", crate::log::ctx(&ptr), m.name),
                );
                return (e, Results::default());
            }
        };
        let err = call_method(&ptr, id, &mut values);
        let results = specs
            .iter()
            .zip(values)
            .filter(|(s, _)| s.result)
            .map(|(s, v)| (s.name, v))
            .collect();
        return (err, Results(results));
    }
    match crate::ac::AC::from_name(name) {
        Some(ac) => call_action_by_name(&ptr, ac, named),
        None => {
            let e = crate::err::fail_with(
                ERR::NoAction,
                format!(
                    "{} has no method or action named \"{name}\"",
                    crate::log::ctx(&ptr)
                ),
            );
            (e, Results::default())
        }
    }
}

fn bind_args(specs: &[ArgSpec], named: &[(&str, Value)]) -> Res<Vec<Value>> {
    for (n, _) in named {
        if !specs.iter().any(|s| s.name.eq_ignore_ascii_case(n)) {
            return Err(ERR::Args);
        }
    }
    specs
        .iter()
        .map(
            |s| match named.iter().find(|(n, _)| n.eq_ignore_ascii_case(s.name)) {
                Some((_, v)) => coerce_to(s.kind, v.clone()),
                None if s.optional => Ok(Value::None),
                None => Err(ERR::Args),
            },
        )
        .collect()
}

fn arg<'a>(named: &'a [(&str, Value)], name: &str) -> Option<&'a Value> {
    named
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn call_action_by_name(ptr: &ObjectPtr, ac: AC, named: &[(&str, Value)]) -> (ERR, Results) {
    let allowed: &[&str] = match ac {
        AC::Write => &["Buffer"],
        AC::Read => &["Length"],
        AC::DataFeed => &["Object", "Datatype", "Buffer"],
        AC::SetKey => &["Key", "Value"],
        AC::GetKey => &["Key"],
        _ => &[],
    };
    if named
        .iter()
        .any(|(n, _)| !allowed.iter().any(|a| a.eq_ignore_ascii_case(n)))
    {
        return (ERR::Args, Results::default());
    }
    match ac {
        AC::Write => {
            let Some(buf) = arg(named, "Buffer") else {
                return (ERR::NullArgs, Results::default());
            };
            let Ok(buf) = buf.as_bytes() else {
                return (ERR::FieldTypeMismatch, Results::default());
            };
            let mut a = ActionArgs::Write {
                buffer: buf,
                result: 0,
            };
            let err = action_ptr(ptr, ac, &mut a);
            let ActionArgs::Write { result, .. } = a else {
                unreachable!()
            };
            (err, Results(vec![("Result", Value::from(result))]))
        }
        AC::Read => {
            let len = match arg(named, "Length").map(Value::to_int) {
                Some(Ok(n)) if (0..=64 << 20).contains(&n) => n as usize,
                Some(Ok(_)) => return (ERR::OutOfRange, Results::default()),
                Some(Err(e)) => return (e, Results::default()),
                None => return (ERR::NullArgs, Results::default()),
            };
            let mut buf = vec![0u8; len];
            let mut a = ActionArgs::Read {
                buffer: &mut buf,
                result: 0,
            };
            let err = action_ptr(ptr, ac, &mut a);
            let ActionArgs::Read { result, .. } = a else {
                unreachable!()
            };
            buf.truncate(result);
            (
                err,
                Results(vec![
                    ("Buffer", Value::Bytes(buf)),
                    ("Result", Value::from(result)),
                ]),
            )
        }
        AC::DataFeed => {
            let object = arg(named, "Object").and_then(|v| v.to_object().ok());
            let datatype = arg(named, "Datatype")
                .and_then(|v| v.to_i32().ok())
                .unwrap_or(2);
            let empty = Value::Bytes(Vec::new());
            let Ok(buffer) = arg(named, "Buffer").unwrap_or(&empty).as_bytes() else {
                return (ERR::FieldTypeMismatch, Results::default());
            };
            (
                action_ptr(
                    ptr,
                    ac,
                    &mut ActionArgs::DataFeed {
                        object,
                        datatype,
                        buffer,
                    },
                ),
                Results::default(),
            )
        }
        AC::SetKey => {
            let (Some(Ok(key)), Some(Ok(value))) = (
                arg(named, "Key").map(Value::as_str),
                arg(named, "Value").map(Value::as_str),
            ) else {
                return (ERR::NullArgs, Results::default());
            };
            (
                action_ptr(ptr, ac, &mut ActionArgs::SetKey { key, value }),
                Results::default(),
            )
        }
        AC::GetKey => {
            let Some(Ok(key)) = arg(named, "Key").map(Value::as_str) else {
                return (ERR::NullArgs, Results::default());
            };
            let mut a = ActionArgs::GetKey {
                key,
                value: String::new(),
            };
            let err = action_ptr(ptr, ac, &mut a);
            let ActionArgs::GetKey { value, .. } = a else {
                unreachable!()
            };
            (err, Results(vec![("Value", Value::Str(value))]))
        }
        _ => (
            action_ptr(ptr, ac, &mut ActionArgs::None),
            Results::default(),
        ),
    }
}
