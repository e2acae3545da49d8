//! # parasol-fluid
//!
//! The Fluid door: Parasol's Fluid scripts (LuaJIT with Fluid's additions) driving the objects
//! of the `parasol` runtime by name, as they drive Parasol's own.
//!
//! ```
//! use parasol_fluid::{Options, Script};
//! parasol::init().unwrap();
//! let script = Script::new(Options::default()).unwrap();
//! let outcome = script.run_source("doc.fluid", r#"
//!    local server = obj.new('netsocket', { port = 0, flags = 'SERVER|MULTI_CONNECT' })
//!    if server.port == 0 then error('no port') end  // Fluid comments and != work
//!    assert(server.state != nil)
//! "#);
//! assert_eq!(outcome.exit_code(), 0, "{:?}", outcome.message);
//! ```
//!
//! What a script can call, and where this door is stricter than Parasol 2025, is in the
//! repository's README ("Running Fluid scripts") and `docs/FLUID.md`.
//!
//! One [`Script`] runs on the thread that made it, with that thread's message loop and objects.

#![warn(missing_docs)]

mod buffer;
mod callbacks;
mod convert;
mod errors;
mod modules;
mod objects;
pub mod prepass;
mod processing;
mod script_class;
mod state;

use mlua::{Lua, LuaOptions, MultiValue, StdLib, Table, Value as LuaValue, Variadic};
use parasol::{ObjectId, ERR};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a script runs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The script's arguments, read with `arg(name)` (`parasol fluid SCRIPT key=value …`).
    pub args: Vec<(String, String)>,
    /// Folders searched by `require 'name'` for `name.fluid`, after the script's own folder
    /// (Parasol's `scripts:` volume).
    pub script_dirs: Vec<PathBuf>,
    /// Parasol 2025's leniency: unknown flag names are dropped (with a warning) instead of
    /// failing the write, and a number out of a field's range leaves the field unchanged (with
    /// a warning) instead of failing it.
    pub parasol_compat: bool,
    /// A certificate and key (PEM) for SSL servers the script creates without one. Without it
    /// such a server fails to initialise; Parasol 2025 quietly makes one up.
    pub server_identity: Option<(String, String)>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Okay, the code the script raised (`raise`, `check`, a failed call in `catch` that was
    /// not caught), Exception for any other error, or Syntax when it did not compile.
    pub error: ERR,
    /// What the script left in its `errorString` (Flute sets it when a test fails).
    pub error_string: Option<String>,
    /// The error message, when the script failed.
    pub message: Option<String>,
}

impl Outcome {
    /// The process exit status Parasol's launcher gives: the error's code when the script
    /// failed, Failed (13) when it only set `errorString`, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.error != ERR::Okay {
            self.error.0
        } else if self.error_string.is_some() {
            ERR::Failed.0
        } else {
            0
        }
    }
}

/// A Fluid script state: LuaJIT with Fluid's library set and the object surface. Objects the
/// script creates are freed when their handles are collected, and all of them when the
/// `Script` is dropped.
pub struct Script {
    lua: Lua,
    object: ObjectId,
    release_all: mlua::Function,
}

/// Folders `require` looks in, the running script's own first.
struct SearchPath(RefCell<Vec<PathBuf>>);

impl Script {
    /// A new script state. Registers the `Fluid` class (the script object) and needs the
    /// network classes registered (`parasol::init()`) for scripts that use them.
    ///
    /// # Errors
    /// InUse while another `Script` lives on this thread (one script per thread: they would
    /// share one signal and one loop); AddClass if another class took the name `Fluid`;
    /// Failed if the Lua state cannot be made (logged).
    pub fn new(options: Options) -> Result<Script, ERR> {
        script_class::register()?;
        if !state::claim() {
            log::warn!("a Fluid script is already running on this thread");
            return Err(ERR::InUse);
        }
        match Script::make(options) {
            Ok(s) => Ok(s),
            Err(e) => {
                state::release();
                Err(e)
            }
        }
    }

    fn make(options: Options) -> Result<Script, ERR> {
        state::reset();
        // Fluid's library set: no io, os or package (LuaJIT's debug library is part of it).
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::BIT | StdLib::JIT;
        // SAFETY: the debug library is the only unsafe one asked for, and Fluid scripts have
        // it too; nothing else (ffi) is loaded.
        let lua = unsafe { Lua::unsafe_new_with(libs | StdLib::DEBUG, LuaOptions::new()) };
        let object = parasol::create("Fluid", parasol::fields! {})?;
        let fail = |e: mlua::Error| {
            log::error!("setting up the Fluid state: {e}");
            ERR::Failed
        };
        let release_all = install(&lua, object, options).map_err(fail)?;
        Ok(Script {
            lua,
            object,
            release_all,
        })
    }

    /// Runs a script file (`.fluid`), named in messages by its file name as Fluid does.
    pub fn run_file(&self, path: impl AsRef<Path>) -> Outcome {
        let path = path.as_ref();
        let _ = self.object.set("Path", path.display().to_string());
        let source = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                return Outcome {
                    error: ERR::File,
                    error_string: None,
                    message: Some(format!("{}: {e}", path.display())),
                }
            }
        };
        if let Some(search) = self.lua.app_data_ref::<SearchPath>() {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            search.0.borrow_mut().insert(0, dir);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "script".into());
        self.run_source(&name, &source)
    }

    /// Runs script text.
    pub fn run_source(&self, name: &str, source: &str) -> Outcome {
        let chunk = match compile(&self.lua, source, name) {
            Ok(f) => f,
            Err(e) => {
                let message = errors::message(&e);
                return self.outcome(ERR::Syntax, Some(message));
            }
        };
        state::set_caught(ERR::Okay);
        let result = chunk.call::<MultiValue>(());
        state::free_collected();
        match result {
            Ok(_) => self.outcome(ERR::Okay, None),
            Err(e) => {
                let raised = state::caught();
                let code = if raised.0 >= ERR::ExceptionThreshold.0 {
                    raised
                } else {
                    ERR::Exception
                };
                self.outcome(code, Some(errors::message(&e)))
            }
        }
    }

    fn outcome(&self, error: ERR, message: Option<String>) -> Outcome {
        script_class::set_error(self.object, error);
        let error_string = self
            .object
            .get_str("ErrorString")
            .ok()
            .filter(|s| !s.is_empty());
        Outcome {
            error,
            error_string,
            message,
        }
    }

    /// The Lua state, for embedding programs that add functions of their own.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        // Objects the script owns go first, while their callbacks can still run: those it
        // still holds (release_all), then those whose handles are garbage but not yet
        // finalised (a full collection runs their guards; freeing may make more garbage).
        if let Err(e) = self.release_all.call::<()>(()) {
            log::warn!("freeing the script's objects: {e}");
        }
        for _ in 0..3 {
            if let Err(e) = self.lua.gc_collect() {
                log::warn!("collecting the script's handles: {e}");
            }
            state::free_collected();
        }
        let _ = self.object.free();
        state::release();
    }
}

/// Compiles Fluid source: Fluid's additions rewritten, a byte-order mark or `#!` line dropped.
fn compile(lua: &Lua, source: &str, name: &str) -> mlua::Result<mlua::Function> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let source = match source.strip_prefix("#!") {
        // Kept as a comment so that line numbers stay the script's own.
        Some(rest) => format!("--{rest}"),
        None => source.to_string(),
    };
    let lua_source = prepass::to_lua(&source).map_err(|refused| mlua::Error::SyntaxError {
        // As LuaJIT words its own: `[string "name"]:3: unexpected symbol near '&&'`.
        message: format!("[string \"{name}\"]:{refused}"),
        incomplete_input: false,
    })?;
    lua.load(lua_source).set_name(name).into_function()
}

/// Puts the Fluid surface into the state; returns the function that frees the script's
/// objects.
fn install(lua: &Lua, script: ObjectId, options: Options) -> mlua::Result<mlua::Function> {
    let door = lua.create_table()?;
    door.set("new", lua.create_function(objects::new)?)?;
    door.set("index", lua.create_function(objects::index)?)?;
    door.set("set", lua.create_function(objects::set)?)?;
    door.set("call", lua.create_function(objects::call)?)?;
    door.set("init", lua.create_function(objects::init)?)?;
    door.set("free", lua.create_function(objects::free)?)?;
    door.set("exists", lua.create_function(objects::exists)?)?;
    door.set("guard", lua.create_function(objects::guard)?)?;
    door.set("disarm", lua.create_function(objects::disarm)?)?;
    door.set("get", lua.create_function(objects::get)?)?;
    door.set("set_code", lua.create_function(objects::set_code)?)?;
    door.set("children", lua.create_function(objects::children)?)?;
    door.set("class_name", lua.create_function(objects::class_name)?)?;
    door.set("subscribe", lua.create_function(objects::subscribe)?)?;
    door.set("find_uid", lua.create_function(objects::find_uid)?)?;
    let uid = script.uid();
    door.set("script", lua.create_function(move |_, ()| Ok(uid))?)?;

    door.set("exception_code", ERR::Exception.0)?;
    door.set("threshold", ERR::ExceptionThreshold.0)?;
    door.set(
        "error_text",
        lua.create_function(|_, code: i32| Ok(errors::text(ERR(code))))?,
    )?;
    door.set(
        "caught",
        lua.create_function(|_, ()| Ok(state::caught().0))?,
    )?;
    door.set(
        "set_caught",
        lua.create_function(|_, code: i32| {
            state::set_caught(ERR(code));
            Ok(())
        })?,
    )?;
    door.set(
        "enter_catch",
        lua.create_function(|_, ()| {
            state::enter_catch();
            Ok(())
        })?,
    )?;
    door.set(
        "leave_catch",
        lua.create_function(|_, ()| {
            state::leave_catch();
            Ok(())
        })?,
    )?;

    door.set("sleep", lua.create_function(processing::sleep)?)?;
    door.set("signal", lua.create_function(processing::signal)?)?;
    door.set(
        "delayed_call",
        lua.create_function(|lua, f: mlua::Function| {
            let weak = lua.weak();
            let run = move || {
                if let Some(lua) = weak.try_upgrade() {
                    // As Fluid: what the hook raises is logged (by `call`), nothing more.
                    let _ = crate::callbacks::call(&lua, &f, &[]);
                }
            };
            parasol::set_timeout(std::time::Duration::ZERO, std::rc::Rc::new(run))
                .map(|_| ())
                .map_err(|e| mlua::Error::runtime(errors::text(e)))
        })?,
    )?;
    door.set("include", lua.create_function(modules::include)?)?;
    door.set("core_functions", core_functions(lua)?)?;
    door.set("network_functions", network_functions(lua)?)?;

    let args = lua.create_table()?;
    for (k, v) in &options.args {
        args.set(k.as_str(), v.as_str())?;
    }
    door.set("script_args", args)?;
    door.set("load_required", lua.create_function(load_required)?)?;
    door.set(
        "load_file",
        lua.create_function(|lua, path: String| {
            let name = Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.clone());
            Ok(match std::fs::read(&path) {
                Ok(bytes) => match compile(lua, &String::from_utf8_lossy(&bytes), &name) {
                    Ok(f) => (Some(f), None),
                    Err(e) => (None, Some(errors::message(&e))),
                },
                Err(e) => (None, Some(format!("{} ({e})", ERR::DoesNotExist.message()))),
            })
        })?,
    )?;
    door.set(
        "load_source",
        lua.create_function(|lua, (source, name): (String, String)| {
            Ok(match compile(lua, &source, &name) {
                Ok(f) => (Some(f), None),
                Err(e) => (None, Some(errors::message(&e))),
            })
        })?,
    )?;
    door.set("print", lua.create_function(print)?)?;
    door.set(
        "msg",
        lua.create_function(|lua, args: Variadic<LuaValue>| {
            for a in args {
                log::info!(target: "fluid", "{}", text_of(lua, a)?);
            }
            Ok(())
        })?,
    )?;
    door.set(
        "log_warning",
        lua.create_function(|_, text: String| {
            log::warn!("{text}");
            Ok(())
        })?,
    )?;
    door.set(
        "alloc",
        lua.create_function(|lua, n: f64| buffer::alloc(lua, n))?,
    )?;

    let mut dirs = Vec::new();
    dirs.extend(options.script_dirs.iter().cloned());
    lua.set_app_data(SearchPath(RefCell::new(dirs)));
    lua.set_app_data(options);
    modules::include_core(lua)?;

    let prelude = lua
        .load(include_str!("prelude.lua"))
        .set_name("fluid prelude")
        .into_function()?;
    let (wrap, handles, release_all): (mlua::Function, Table, mlua::Function) =
        prelude.call((door, LuaValue::LightUserData(convert::uid_key())))?;
    lua.set_app_data(convert::Refs { handles, wrap });
    Ok(release_all)
}

/// `require 'name'`: `name.fluid` from the script's folder or the configured ones, compiled
/// (not run: the prelude runs it once).
fn load_required(
    lua: &Lua,
    name: String,
) -> mlua::Result<(Option<mlua::Function>, Option<String>)> {
    let valid = !name.is_empty()
        && name.len() < 32
        && name.matches('/').count() <= 1
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/' || b == b'_');
    if !valid {
        return Ok((
            None,
            Some(
                "Invalid module name; only alpha-numeric names are permitted with max 32 chars."
                    .into(),
            ),
        ));
    }
    let dirs = lua
        .app_data_ref::<SearchPath>()
        .map(|s| s.0.borrow().clone())
        .unwrap_or_default();
    for dir in &dirs {
        let path = dir.join(format!("{name}.fluid"));
        if let Ok(bytes) = std::fs::read(&path) {
            return Ok(
                match compile(lua, &String::from_utf8_lossy(&bytes), &name) {
                    Ok(f) => (Some(f), None),
                    Err(e) => (None, Some(errors::message(&e))),
                },
            );
        }
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Ok((
        None,
        Some(format!(
            "Failed to open file '{name}.fluid', may not exist (searched: {}).",
            searched.join(", ")
        )),
    ))
}

/// `tostring(v)` as bytes, as `print` shows it.
fn text_of(lua: &Lua, v: LuaValue) -> mlua::Result<String> {
    let tostring: mlua::Function = lua.globals().get("tostring")?;
    let s: LuaValue = tostring.call(v)?;
    match s {
        LuaValue::String(s) => Ok(s.to_string_lossy()),
        _ => Err(mlua::Error::runtime(
            "'tostring' must return a string to 'print'",
        )),
    }
}

/// Fluid's `print`: every argument, with nothing between them, and a newline, to stderr.
fn print(lua: &Lua, args: Variadic<LuaValue>) -> mlua::Result<()> {
    let tostring: mlua::Function = lua.globals().get("tostring")?;
    let mut line = Vec::new();
    for a in args {
        match tostring.call::<LuaValue>(a)? {
            LuaValue::String(s) => line.extend_from_slice(&s.as_bytes()),
            _ => {
                return Err(mlua::Error::runtime(
                    "'tostring' must return a string to 'print'",
                ))
            }
        }
    }
    line.push(b'\n');
    let _ = std::io::stderr().lock().write_all(&line);
    Ok(())
}

/// `mSys`: the core functions a script can call.
fn core_functions(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "GetErrorMsg",
        lua.create_function(|_, code: Option<f64>| {
            Ok(errors::text(ERR(code.unwrap_or(0.0) as i32)))
        })?,
    )?;
    t.set(
        "PreciseTime",
        lua.create_function(|_, ()| Ok(parasol::precise_time() as f64))?,
    )?;
    t.set("AnalysePath", lua.create_function(modules::analyse_path)?)?;
    t.set(
        "SendMessage",
        lua.create_function(|_, kind: f64| {
            Ok(if kind as i32 == parasol::MSGID::QUIT.0 {
                parasol::send_quit().err().unwrap_or(ERR::Okay).0
            } else {
                ERR::NoSupport.0
            })
        })?,
    )?;
    t.set("ProcessMessages", lua.create_function(processing::process)?)?;
    t.set("WaitTime", lua.create_function(processing::wait_time)?)?;
    t.set(
        "SubscribeTimer",
        lua.create_function(processing::subscribe_timer)?,
    )?;
    t.set(
        "UpdateTimer",
        lua.create_function(processing::update_timer)?,
    )?;
    Ok(t)
}

/// `mod.load('network')`: the network module's functions.
fn network_functions(lua: &Lua) -> mlua::Result<Table> {
    use parasol::net::{host_to_long, host_to_short, long_to_host, short_to_host};
    let t = lua.create_table()?;
    t.set(
        "StrToAddress",
        lua.create_function(modules::str_to_address_lua)?,
    )?;
    t.set(
        "AddressToStr",
        lua.create_function(modules::address_to_str_lua)?,
    )?;
    for (name, f) in [
        ("HostToShort", host_to_short as fn(u32) -> u32),
        ("HostToLong", host_to_long),
        ("ShortToHost", short_to_host),
        ("LongToHost", long_to_host),
    ] {
        t.set(
            name,
            lua.create_function(move |_, v: f64| Ok(f64::from(f(v as i64 as u32))))?,
        )?;
    }
    Ok(t)
}
