//! The `Fluid` class: the running script as an object, which `obj.find('self')` returns.
//!
//! A script reports failure through it as Fluid's runner does: setting `errorString` makes
//! the run end with Failed even when the script itself raised nothing (Flute does this when a
//! test fails).

use parasol::field::fd::{FD_READ, FD_RW};
use parasol::{ClassBuilder, FieldKind, Res, Value, ERR};
use std::sync::OnceLock;

/// The script object's data.
#[derive(Default)]
pub(crate) struct Script {
    path: String,
    error_string: String,
    error: i32,
}

/// Registers the class (once per process).
pub(crate) fn register() -> Res<()> {
    static DONE: OnceLock<Res<()>> = OnceLock::new();
    *DONE.get_or_init(|| {
        ClassBuilder::<Script>::new("Fluid")
            .doc("A running Fluid script (obj.find('self')).")
            .field("Path", FieldKind::Str, FD_RW, |f| {
                f.get(|s| Value::from(s.path.as_str())).set(|s, v| {
                    s.path = v.as_str()?.to_owned();
                    Ok(())
                })
            })
            .field("ErrorString", FieldKind::Str, FD_RW, |f| {
                f.get(|s| Value::from(s.error_string.as_str())).set(|s, v| {
                    s.error_string = match v {
                        Value::None => String::new(),
                        v => v.to_string(),
                    };
                    Ok(())
                })
            })
            .field("Error", FieldKind::Int, FD_READ, |f| {
                f.get(|s| Value::Int(s.error))
            })
            .register()
            .map(|_| ())
    })
}

/// Records the error that ended the script (the Error field).
pub(crate) fn set_error(script: parasol::ObjectId, e: ERR) {
    if let Ok(ptr) = script.ptr() {
        ptr.data_mut::<Script>().error = e.0;
    }
}
