//! Lua functions as the kernel's callbacks (Feedback, Incoming, Outgoing, Callback …).
//!
//! As in Fluid, what a Lua callback returns is ignored; what it raises is what the class
//! hears: `raise(code)` or `check(code)` give that code (`raise(ERR_Retry)` in Incoming leaves
//! the rest of the data in the kernel until the client's queue drains), any other error gives
//! Exception.
//! The classes end a connection whose Incoming answers Terminate or Exception, and ignore what
//! Feedback answers, so an error in Incoming closes that connection and one in Feedback is
//! only logged — here, once, with the script's own position.
//!
//! Unlike Fluid, no garbage collection is forced after each callback (Parasol spends most of
//! its time there on small messages): LuaJIT's incremental collector runs as the script
//! allocates, and objects whose handles it collected are freed as soon as the callback ends.

use crate::{convert, state};
use mlua::{Lua, MultiValue};
use parasol::{Function, Value, ERR};

/// Wraps a Lua function as a kernel callback. It holds the Lua state weakly: a callback left in
/// an object that outlives its script answers NothingDone.
pub(crate) fn from_lua(lua: &Lua, f: mlua::Function) -> Function {
    let weak = lua.weak();
    Function::raw(move |args: &[Value]| {
        let Some(lua) = weak.try_upgrade() else {
            return ERR::NothingDone;
        };
        call(&lua, &f, args)
    })
}

/// Calls `f` with kernel values; returns the code the class should hear.
pub(crate) fn call(lua: &Lua, f: &mlua::Function, args: &[Value]) -> ERR {
    state::free_collected();
    // A callback starts with no error of its own, and leaves the caller's as it found it.
    let outer = state::caught();
    state::set_caught(ERR::Okay);
    let result = args
        .iter()
        .map(|v| convert::to_lua(lua, v))
        .collect::<mlua::Result<MultiValue>>()
        .and_then(|lua_args| f.call::<()>(lua_args));
    let code = match result {
        Ok(()) => ERR::Okay,
        Err(e) => {
            // A raised code is the answer, whatever it is (Retry pauses a connection,
            // Terminate closes it); any other error is an Exception.
            let raised = state::caught();
            let code = if raised != ERR::Okay {
                raised
            } else {
                ERR::Exception
            };
            let text = crate::errors::message(&e);
            // Fluid mutes what is no failure: raising Terminate or Retry is how a script
            // closes a connection or pauses it.
            // The object the callback is about (its first argument), to tell them apart.
            let on = match args.first() {
                Some(Value::Object(id)) => format!(" on #{}", id.uid()),
                _ => String::new(),
            };
            if code.0 <= ERR::Terminate.0 {
                log::debug!("callback{on} raised {code:?}: {text}");
            } else {
                log::warn!("callback{on} failed ({code:?}): {text}");
            }
            code
        }
    };
    state::set_caught(outer);
    state::free_collected();
    code
}
