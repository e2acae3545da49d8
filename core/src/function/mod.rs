//! `Function`: a callback stored in a field (Parasol's `FUNCTION`). It holds a Rust closure, the
//! context it was created in and an optional user value (`Meta`). It is always invoked with no
//! kernel borrow held, inside its context, and a panic inside it is caught and reported.

mod adapters;
mod args;

pub use adapters::{IntoCallback, Routine};
pub use args::{ArgKind, ByRef, ByVal, CallbackReturn, FromValue, FromValueRef};

use crate::context::{current_context, ContextGuard};
use crate::err::ERR;
use crate::object::ObjectId;
use crate::value::Value;
use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

struct Inner {
    context: Option<ObjectId>,
    meta: Value,
    routine: Routine,
    /// What each parameter takes (`None` for a raw Function, which takes anything).
    signature: Option<Box<[ArgKind]>>,
}

/// A callback. Cloning is cheap (a counted reference); an undefined `Function` (the default)
/// is what an unset callback field holds.
///
/// Closures take typed arguments, by value or by reference, converted from the values the
/// caller passes; they return `ERR`, `()` or `Result<(), ERR>`:
///
/// ```
/// use parasol_core::prelude::*;
/// let f = Function::new(|a: i32, b: &str| if b.len() as i32 == a { ERR::Okay } else { ERR::Failed });
/// assert_eq!(f.call(&[Value::Int(3), Value::from("abc")]), ERR::Okay);
/// assert_eq!(f.call(&[Value::from("wrong"), Value::from("types")]), ERR::Args);
/// ```
#[derive(Clone, Default)]
pub struct Function(Option<Rc<Inner>>);

impl Function {
    /// Wraps a closure with typed arguments (see the type's documentation). The current context
    /// is captured as the callback's context.
    pub fn new<M, F: IntoCallback<M>>(f: F) -> Function {
        Function::from_routine(f.into_routine(), Some(F::signature().into()))
    }

    /// Wraps a closure that receives the raw argument values.
    pub fn raw(f: impl Fn(&[Value]) -> ERR + 'static) -> Function {
        Function::from_routine(Box::new(f), None)
    }

    fn from_routine(routine: Routine, signature: Option<Box<[ArgKind]>>) -> Function {
        Function(Some(Rc::new(Inner {
            context: current_context(),
            meta: Value::None,
            routine,
            signature,
        })))
    }

    /// What each parameter of the closure takes; `None` for a raw Function or an undefined one.
    pub fn signature(&self) -> Option<&[ArgKind]> {
        self.0.as_ref().and_then(|i| i.signature.as_deref())
    }

    /// True when this Function can run with arguments of the kinds `passed` (what a class
    /// declares it will pass): it takes no more parameters than are passed, and each takes
    /// what is passed in its place. A raw Function fits anything. Classes check it when a
    /// callback field is set, so a callback with the wrong arguments is refused at once
    /// instead of never running.
    ///
    /// ```
    /// use parasol_core::function::ArgKind;
    /// use parasol_core::prelude::*;
    /// let passed = [ArgKind::Object(None), ArgKind::Int];
    /// assert!(Function::new(|_o: ObjectId, _state: i32| ERR::Okay).fits(&passed));
    /// assert!(Function::new(|_o: ObjectId| ERR::Okay).fits(&passed)); // ignores the rest
    /// assert!(!Function::new(|_s: &str| ERR::Okay).fits(&passed));
    /// assert!(!Function::new(|_o: ObjectId, _n: i32, _x: f64| ERR::Okay).fits(&passed));
    /// ```
    pub fn fits(&self, passed: &[ArgKind]) -> bool {
        match self.signature() {
            None => true,
            Some(params) => {
                params.len() <= passed.len() && params.iter().zip(passed).all(|(p, a)| p.takes(*a))
            }
        }
    }

    /// `(NetSocket, int)`: a signature as a message shows it.
    pub fn describe_signature(kinds: &[ArgKind]) -> String {
        let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        format!("({})", names.join(", "))
    }

    /// Attaches a user value (Parasol's `Meta`), readable with [`Function::meta`].
    pub fn with_meta(self, meta: impl Into<Value>) -> Function {
        match self.0 {
            Some(inner) => match Rc::try_unwrap(inner) {
                Ok(mut i) => {
                    i.meta = meta.into();
                    Function(Some(Rc::new(i)))
                }
                Err(shared) => {
                    log::warn!("Function::with_meta on a shared Function: meta not attached");
                    Function(Some(shared))
                }
            },
            None => Function(None),
        }
    }

    /// True when a closure is set.
    pub fn defined(&self) -> bool {
        self.0.is_some()
    }

    /// Clears the callback.
    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The context object captured at creation (`None`: the task).
    pub fn context(&self) -> Option<ObjectId> {
        self.0.as_ref().and_then(|i| i.context)
    }

    /// The user value attached with [`Function::with_meta`].
    pub fn meta(&self) -> Option<&Value> {
        self.0.as_ref().map(|i| &i.meta).filter(|m| !m.is_none())
    }

    /// Invokes the callback inside its context. Undefined → `NothingDone`. A panic is caught,
    /// logged and returned as `ERR::Exception`; the caller's state is untouched.
    pub fn call(&self, args: &[Value]) -> ERR {
        // Borrowed: the caller holds this Function for the whole call, so whatever the callback
        // does to the field it came from, the routine stays alive.
        let Some(inner) = &self.0 else {
            return ERR::NothingDone;
        };
        let _ctx = ContextGuard::push(inner.context);
        match catch_unwind(AssertUnwindSafe(|| (inner.routine)(args))) {
            Ok(r) => r,
            Err(panic) => {
                log::error!("Callback panicked: {}", panic_message(&panic));
                ERR::Exception
            }
        }
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Function) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function(defined: {})", self.defined())
    }
}

/// Text of a caught panic payload.
pub fn panic_message(panic: &Box<dyn Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
