//! The object surface: creating objects by class name, reading and writing fields, and calling
//! actions and methods, with Fluid's conventions (ERR first, then each result; failures raise
//! only inside `catch`, except creation and field writes, which always raise).
//!
//! These are the door's primitives; `prelude.lua` builds the handles scripts index on top of
//! them. A primitive that must raise returns the message as a string and the prelude raises it
//! at the script's own line (`error(msg, 2)`), as Fluid's C functions do.

use crate::buffer::Buffer;
use crate::convert::{self, to_lua, to_value};
use crate::{errors, modules, state, Options};
use mlua::{AnyUserData, Lua, MultiValue, Table, UserData, Value as LuaValue};
use parasol::field::{coerce_to, lookup_name, parse_flags, FieldKind};
use parasol::{find_class, new_object, ActionArgs, ObjectId, Value, AC, ERR};

/// Owns an object for a script: when the handle holding it is collected, the object is freed
/// (at the next safe point; see [`state::queue_free`]).
pub(crate) struct Guard(pub(crate) std::cell::Cell<Option<ObjectId>>);

impl UserData for Guard {}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(id) = self.0.take() {
            state::queue_free(id);
        }
    }
}

/// What `h.key` gives the prelude: `(value, member code, member results, message to raise)`.
type Indexed = (LuaValue, Option<i32>, Option<usize>, Option<String>);

/// A method call's ERR, name and results, or the message to raise for a bad argument.
type MethodOutcome = Result<(ERR, String, Vec<LuaValue>), String>;

fn object_of(uid: i32) -> Result<ObjectId, ERR> {
    ObjectId::from_uid(uid).ok_or(ERR::NoMatchingObject)
}

/// `obj.new(class, {fields})` (and `h.new` for a child, with `owner`): the new object's UID, or
/// the message to raise. A failed object is freed before the message leaves.
pub(crate) fn new(
    lua: &Lua,
    (class, fields, owner): (String, Option<Table>, Option<i32>),
) -> mlua::Result<(Option<i32>, Option<String>)> {
    state::free_collected();
    parasol::err::clear_failure_detail();
    let failed = |e: String| Ok((None, Some(e)));
    // Fluid's CaughtError: the code of the failure, for catch's exception.code.
    let caught = |e: ERR| state::set_caught(e);
    let Some(meta) = find_class(&class) else {
        caught(ERR::MissingClass);
        return failed(format!(
            "NewObject() failed for class '{class}', error: {}",
            errors::text(ERR::MissingClass)
        ));
    };
    modules::auto_include(lua, meta.name())?;
    let id = match new_object(meta.name()) {
        Ok(id) => id,
        Err(e) => {
            caught(e);
            return failed(format!(
                "NewObject() failed for class '{class}', error: {}",
                errors::text_with_detail(e)
            ));
        }
    };
    if let Some(owner) = owner.and_then(ObjectId::from_uid) {
        if let Err(e) = parasol::set_owner(id, Some(owner)) {
            let _ = id.free();
            return failed(errors::text(e).to_string());
        }
    }
    let Some(fields) = fields else {
        // Fluid: without a table the object is left for the script to initialise (h.init()).
        return Ok((Some(id.uid()), None));
    };
    for pair in fields.pairs::<LuaValue, LuaValue>() {
        let (key, value) = pair?;
        let name = match &key {
            LuaValue::String(s) => s.to_string_lossy(),
            other => {
                let _ = id.free();
                return failed(format!(
                    "Failed to set field '{class}.{}' with {}, error: field names are strings",
                    convert::lua_type(other),
                    convert::lua_type(&value)
                ));
            }
        };
        let result = if name.eq_ignore_ascii_case("owner") {
            Err(ERR::UnsupportedOwner)
        } else {
            write_field(lua, id, &name, &value)
        };
        if let Err(e) = result {
            let _ = id.free();
            caught(e);
            return failed(format!(
                "Failed to set field '{class}.{name}' with {}, error: {}",
                convert::lua_type(&value),
                errors::text_with_detail(e)
            ));
        }
    }
    give_server_identity(lua, id)?;
    if let Err(e) = id.init() {
        let text = errors::text_with_detail(e);
        log::warn!("Failed to Init() object '{class}', error: {text}");
        let _ = id.free();
        caught(e);
        return failed(text);
    }
    Ok((Some(id.uid()), None))
}

/// An SSL server the script created without a certificate gets the one the runner was given
/// for that (`parasol fluid --tls-self-signed`), and only then: otherwise its Init fails with
/// the class's own message, where Parasol 2025 would quietly make one up.
fn give_server_identity(lua: &Lua, id: ObjectId) -> mlua::Result<()> {
    let Some(options) = lua.app_data_ref::<Options>() else {
        return Ok(());
    };
    let Some((cert, key)) = options.server_identity.clone() else {
        return Ok(());
    };
    drop(options);
    let is_netsocket = id
        .class()
        .is_ok_and(|c| c.name().eq_ignore_ascii_case("NetSocket"));
    if !is_netsocket {
        return Ok(());
    }
    let flags = id.get("Flags").and_then(|v| v.to_int()).unwrap_or(0);
    let (server, ssl) = (parasol::NSF::SERVER.0 as i64, parasol::NSF::SSL.0 as i64);
    let has_identity = ["SSLCertificate", "TLSConfig", "SSLIdentities"]
        .iter()
        .any(|f| id.get(f).is_ok_and(|v| !v.is_none() && v.to_string() != ""));
    if flags & server != 0 && flags & ssl != 0 && !has_identity {
        log::info!(
            "giving SSL server #{} the self-signed certificate",
            id.uid()
        );
        let _ = id.set("SSLCertificate", cert);
        let _ = id.set("SSLPrivateKey", key);
    }
    Ok(())
}

/// Writes one field from a Lua value, the way `obj.new` and `h.field = v` do. In Parasol
/// compatibility mode an unknown flag name is dropped with a warning and a number out of a
/// field's range leaves the field as it was, also with a warning.
pub(crate) fn write_field(
    lua: &Lua,
    id: ObjectId,
    name: &str,
    value: &LuaValue,
) -> Result<(), ERR> {
    let v = to_value(lua, value).map_err(|what| {
        parasol::err::fail_with(ERR::FieldTypeMismatch, format!("cannot take {what}"))
    })?;
    let compat = lua
        .app_data_ref::<Options>()
        .is_some_and(|o| o.parasol_compat);
    if !compat {
        return id.set(name, v);
    }
    let class = id.class()?;
    let field = class.field_by_name(name);
    let v = match (field.and_then(|f| f.table()), &v) {
        (Some(table), Value::Str(text)) if field.is_some_and(is_flags) => {
            Value::Int64(lenient_flags(table, text, class.name(), name))
        }
        _ => v,
    };
    match id.set(name, v) {
        Err(ERR::OutOfRange) => {
            log::warn!(
                "{}.{name}: value out of range, left unchanged (Parasol compatibility)",
                class.name()
            );
            Ok(())
        }
        other => other,
    }
}

fn is_flags(field: &parasol::field::Field) -> bool {
    field.flags() & parasol::field::fd::FD_FLAGS != 0
}

/// Parasol's flag parsing: names it does not know are skipped (here with a warning).
fn lenient_flags(table: &[parasol::field::FieldDef], text: &str, class: &str, field: &str) -> i64 {
    let mut value = 0;
    for word in text.split('|').map(str::trim).filter(|w| !w.is_empty()) {
        match lookup_name(table, word)
            .map(Ok)
            .unwrap_or_else(|| parse_flags(table, word, 0))
        {
            Ok(v) => value |= v,
            Err(_) => {
                log::warn!("{class}.{field}: unknown flag '{word}' ignored (Parasol compatibility)")
            }
        }
    }
    value
}

/// `h.key`: `(value)` for a field, or `(nil, code, results)` for an action (`acWrite`) or a
/// method (`mtConnect`), which the prelude binds to the handle; `(nil, nil, nil, message)`
/// for a freed object. An unknown name reads as nil with a warning, as in Fluid.
pub(crate) fn index(lua: &Lua, (uid, key): (i32, String)) -> mlua::Result<Indexed> {
    state::free_collected();
    let gone = || {
        Ok((
            LuaValue::Nil,
            None,
            None,
            Some(format!("Unable to read field {key}")),
        ))
    };
    let Ok(id) = object_of(uid) else {
        return gone();
    };
    let Ok(class) = id.class() else { return gone() };
    if let Some((code, results)) = member(&class, &key) {
        return Ok((LuaValue::Nil, Some(code), Some(results), None));
    }
    // One lookup: the kernel's own (an unknown name is UnsupportedField).
    match id.get(&key) {
        Ok(v) => Ok((to_lua(lua, &v)?, None, None, None)),
        Err(ERR::UnsupportedField) => {
            log::warn!("Unable to read {}.{key}", class.name());
            Ok((LuaValue::Nil, None, None, None))
        }
        Err(e) => {
            log::debug!("reading {}.{key}: {e:?} ({e})", class.name());
            Ok((LuaValue::Nil, None, None, None))
        }
    }
}

/// `acName` or `mtName` on a class: its code (actions positive, methods negative) and how
/// many results it gives back.
fn member(class: &parasol::MetaClass, key: &str) -> Option<(i32, usize)> {
    if let Some(name) = key.strip_prefix("ac") {
        let ac = AC::from_name(name)?;
        if !class.has_action(ac) {
            return None;
        }
        let results = usize::from(matches!(ac, AC::Read | AC::Write | AC::GetKey));
        return Some((ac.0, results));
    }
    let method = class.method(key.strip_prefix("mt")?)?;
    Some((
        method.id().0,
        method.args().iter().filter(|a| a.result).count(),
    ))
}

/// `h.key = v`: nil, or the message to raise (a write that fails always raises).
pub(crate) fn set(
    lua: &Lua,
    (uid, key, value): (i32, String, LuaValue),
) -> mlua::Result<Option<String>> {
    state::free_collected();
    parasol::err::clear_failure_detail();
    let Ok(id) = object_of(uid) else {
        return Ok(None); // Fluid ignores writes to a freed object
    };
    Ok(match write_field(lua, id, &key, &value) {
        Ok(()) => None,
        Err(e) => {
            let class = id.class().map(|c| c.name().to_string()).unwrap_or_default();
            let text = errors::text_with_detail(e);
            log::warn!("Unable to write {class}.{key}: {text}");
            state::set_caught(e);
            Some(text)
        }
    })
}

/// A call's ERR as the script sees it: inside `catch`, a failure is raised as
/// "Class.Name() failed: message"; otherwise it is returned.
fn outcome(id: ObjectId, name: &str, e: ERR) -> Option<String> {
    if e.0 < ERR::ExceptionThreshold.0 || !state::in_catch() {
        return None;
    }
    state::set_caught(e);
    let class = id.class().map(|c| c.name().to_string()).unwrap_or_default();
    Some(format!("{class}.{name}() failed: {}", errors::text(e)))
}

/// `h.acName(…)` / `h.mtName(…)`: `err, results…`, or the message to raise.
pub(crate) fn call(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    state::free_collected();
    let mut args = args.into_iter();
    let uid = number_arg(args.next())? as i32;
    let code = number_arg(args.next())? as i32;
    let rest: Vec<LuaValue> = args.collect();
    let id = match object_of(uid) {
        Ok(id) => id,
        Err(e) => return errs(e, &[]),
    };
    let (e, name, results) = if code > 0 {
        let ac = AC(code);
        let (e, results) = action(lua, id, ac, &rest)?;
        (e, ac.name().unwrap_or("Action").to_string(), results)
    } else {
        match method(lua, id, AC(code), &rest)? {
            Ok((e, name, results)) => (e, name, results),
            Err(message) => {
                return Ok(MultiValue::from_iter([LuaValue::String(
                    lua.create_string(message)?,
                )]))
            }
        }
    };
    if let Some(message) = outcome(id, &name, e) {
        return Ok(MultiValue::from_iter([LuaValue::String(
            lua.create_string(message)?,
        )]));
    }
    errs(e, &results)
}

fn errs(e: ERR, results: &[LuaValue]) -> mlua::Result<MultiValue> {
    let mut out = MultiValue::new();
    out.push_back(LuaValue::Number(f64::from(e.0)));
    out.extend(results.iter().cloned());
    Ok(out)
}

fn number_arg(v: Option<LuaValue>) -> mlua::Result<f64> {
    match v {
        Some(LuaValue::Number(n)) => Ok(n),
        Some(LuaValue::Integer(n)) => Ok(n as f64),
        _ => Err(mlua::Error::runtime(
            "internal: the door was called without a number",
        )),
    }
}

/// An explicit length for a buffer of `size` bytes: absent means all of it; a length that is
/// not a whole number from 0 to `size` is refused (Args, logged) rather than cut or overrun.
fn length(len: Option<&LuaValue>, size: usize) -> Result<usize, ERR> {
    let n = match len {
        None | Some(LuaValue::Nil) => return Ok(size),
        Some(LuaValue::Number(n)) => *n,
        Some(LuaValue::Integer(n)) => *n as f64,
        Some(other) => {
            log::warn!(
                "a length must be a number, not a {}",
                convert::lua_type(other)
            );
            return Err(ERR::Args);
        }
    };
    if n >= 0.0 && n.fract() == 0.0 && n <= size as f64 {
        Ok(n as usize)
    } else {
        log::warn!("a length of {n} for a buffer of {size} bytes");
        Err(ERR::Args)
    }
}

/// The bytes a write or a buffer argument takes: a string, a number (as text) or a buffer,
/// cut to an explicit length, which may not exceed it.
fn with_bytes<R>(
    lua: &Lua,
    buf: Option<&LuaValue>,
    len: Option<&LuaValue>,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, ERR> {
    let limit = |size: usize| length(len, size);
    match buf {
        Some(LuaValue::String(s)) => {
            let b = s.as_bytes();
            let n = limit(b.len())?;
            Ok(f(&b[..n]))
        }
        Some(LuaValue::UserData(ud)) if ud.is::<Buffer>() => {
            let b = ud.borrow::<Buffer>().map_err(|_| ERR::InUse)?;
            let n = limit(b.0.len())?;
            Ok(f(&b.0[..n]))
        }
        Some(v @ (LuaValue::Number(_) | LuaValue::Integer(_))) => {
            let s = lua
                .coerce_string(v.clone())
                .ok()
                .flatten()
                .ok_or(ERR::Args)?;
            let b = s.as_bytes();
            let n = limit(b.len())?;
            Ok(f(&b[..n]))
        }
        _ => Err(ERR::NullArgs),
    }
}

/// An action with Fluid's arguments: Read(buffer[, length]) → bytes read, Write(data[,
/// length]) → bytes accepted, GetKey(key) → value, SetKey(key, value), DataFeed(object,
/// datatype, data), the rest without arguments.
fn action(
    lua: &Lua,
    id: ObjectId,
    ac: AC,
    args: &[LuaValue],
) -> mlua::Result<(ERR, Vec<LuaValue>)> {
    let count = |n: usize| vec![LuaValue::Number(n as f64)];
    Ok(match ac {
        AC::Read => match args.first() {
            Some(LuaValue::UserData(ud)) if ud.is::<Buffer>() => read_into(id, ud, args.get(1)),
            Some(LuaValue::String(_)) => {
                log::warn!(
                    "acRead on #{} needs a buffer from string.alloc(): a Lua string cannot be \
                     written in place",
                    id.uid()
                );
                (ERR::Args, count(0))
            }
            _ => (ERR::NullArgs, count(0)),
        },
        AC::Write => match with_bytes(lua, args.first(), args.get(1), |b| id.ac_write_counted(b)) {
            Ok((e, n)) => (e, count(n)),
            Err(e) => (e, count(0)),
        },
        AC::GetKey => {
            let key = args
                .first()
                .and_then(|v| v.as_string())
                .map(|s| s.to_string_lossy());
            let Some(key) = key else {
                return Ok((ERR::NullArgs, vec![LuaValue::Nil]));
            };
            let mut a = ActionArgs::GetKey {
                key: &key,
                value: String::new(),
            };
            let e = id.action(ac, &mut a);
            let ActionArgs::GetKey { value, .. } = a else {
                unreachable!()
            };
            (e, vec![LuaValue::String(lua.create_string(value)?)])
        }
        AC::SetKey => {
            let text = |i: usize| {
                args.get(i)
                    .and_then(|v| lua.coerce_string(v.clone()).ok().flatten())
                    .map(|s| s.to_string_lossy())
            };
            match (text(0), text(1)) {
                (Some(key), Some(value)) => (
                    id.action(
                        ac,
                        &mut ActionArgs::SetKey {
                            key: &key,
                            value: &value,
                        },
                    ),
                    vec![],
                ),
                _ => (ERR::NullArgs, vec![]),
            }
        }
        AC::DataFeed => {
            let sender = match args.first() {
                Some(LuaValue::Table(t)) => convert::handle_id(t),
                _ => None,
            };
            let datatype = match args.get(1) {
                Some(LuaValue::Number(n)) => *n as i32,
                Some(LuaValue::Integer(n)) => *n as i32,
                _ => 1,
            };
            let e = match with_bytes(lua, args.get(2), args.get(3), |b| {
                id.ac_data_feed(sender, datatype, b)
            }) {
                Ok(r) => r.err().unwrap_or(ERR::Okay),
                Err(e) => e,
            };
            (e, vec![])
        }
        _ => (id.action(ac, &mut ActionArgs::None), vec![]),
    })
}

/// Read into a `string.alloc` buffer, held for the call so nothing else can touch it meanwhile.
fn read_into(id: ObjectId, ud: &AnyUserData, len: Option<&LuaValue>) -> (ERR, Vec<LuaValue>) {
    let count = |n: usize| vec![LuaValue::Number(n as f64)];
    let Ok(mut buf) = ud.borrow_mut::<Buffer>() else {
        log::warn!("acRead on #{}: the buffer is in use", id.uid());
        return (ERR::InUse, count(0));
    };
    let n = match length(len, buf.0.len()) {
        Ok(n) => n,
        Err(e) => return (e, count(0)),
    };
    match id.ac_read(&mut buf.0[..n]) {
        Ok(got) => (ERR::Okay, count(got)),
        Err(e) => (e, count(0)),
    }
}

/// A method with positional arguments in the declared order; results follow the ERR. `Err`
/// holds the message to raise for an argument of the wrong type.
fn method(lua: &Lua, id: ObjectId, code: AC, args: &[LuaValue]) -> mlua::Result<MethodOutcome> {
    let class = match id.class() {
        Ok(c) => c,
        Err(e) => return Ok(Ok((e, "Method".into(), vec![]))),
    };
    let Some(spec) = class.method_by_id(code) else {
        return Ok(Ok((ERR::NoAction, "Method".into(), vec![])));
    };
    let mut values = Vec::with_capacity(spec.args().len());
    let mut given = args.iter();
    for (i, a) in spec.args().iter().enumerate() {
        if a.result {
            values.push(Value::None);
            continue;
        }
        let v = given.next().unwrap_or(&LuaValue::Nil);
        let converted = to_value(lua, v)
            .map_err(|_| ERR::FieldTypeMismatch)
            .and_then(|v| match v {
                Value::None => Ok(Value::None),
                v => coerce_to(a.kind, v),
            });
        match converted {
            Ok(v) => values.push(v),
            Err(_) => {
                return Ok(Err(format!(
                    "Arg #{i} ({}) requires {}, got {} '{}'.",
                    a.name,
                    kind_text(a.kind),
                    convert::lua_type(v),
                    lua.coerce_string(v.clone())
                        .ok()
                        .flatten()
                        .map(|s| s.to_string_lossy())
                        .unwrap_or_default()
                )))
            }
        }
    }
    let e = id.method(code, &mut values);
    let results = spec
        .args()
        .iter()
        .zip(&values)
        .filter(|(a, _)| a.result)
        .map(|(_, v)| to_lua(lua, v))
        .collect::<mlua::Result<Vec<_>>>()?;
    Ok(Ok((e, spec.name().to_string(), results)))
}

fn kind_text(kind: FieldKind) -> String {
    format!("a {}", kind.type_name())
}

/// `h.init()`: the ERR of Init (never raises).
pub(crate) fn init(lua: &Lua, uid: i32) -> mlua::Result<i32> {
    state::free_collected();
    let Ok(id) = object_of(uid) else {
        return Ok(ERR::NoMatchingObject.0);
    };
    if let Ok(class) = id.class() {
        modules::auto_include(lua, class.name())?;
    }
    give_server_identity(lua, id)?;
    Ok(id.init().err().unwrap_or(ERR::Okay).0)
}

/// `h.free()`: the ERR of freeing.
pub(crate) fn free(_: &Lua, uid: i32) -> mlua::Result<i32> {
    state::free_collected();
    Ok(object_of(uid)
        .and_then(|id| id.free())
        .err()
        .unwrap_or(ERR::Okay)
        .0)
}

/// `h.exists()`.
pub(crate) fn exists(_: &Lua, uid: i32) -> mlua::Result<bool> {
    Ok(object_of(uid).is_ok_and(|id| id.exists()))
}

/// The guard that makes a handle own its object.
pub(crate) fn guard(lua: &Lua, uid: i32) -> mlua::Result<AnyUserData> {
    lua.create_userdata(Guard(std::cell::Cell::new(ObjectId::from_uid(uid))))
}

/// `h.detach()`: the handle no longer frees its object.
pub(crate) fn disarm(_: &Lua, g: AnyUserData) -> mlua::Result<()> {
    if let Ok(g) = g.borrow::<Guard>() {
        g.0.set(None);
    }
    Ok(())
}

/// `h.get(name[, default])`: never raises. `$name` gives the field as text (flag names).
pub(crate) fn get(
    lua: &Lua,
    (uid, key, default): (i32, String, LuaValue),
) -> mlua::Result<LuaValue> {
    let Ok(id) = object_of(uid) else {
        return Ok(default);
    };
    let got = match key.strip_prefix('$') {
        Some(name) => id.get_str(name).map(Value::Str),
        None => id.get(&key),
    };
    match got {
        Ok(Value::None) | Err(_) => Ok(default),
        Ok(v) => to_lua(lua, &v),
    }
}

/// `h.set(name, value)`: the ERR; inside `catch` a failure raises.
pub(crate) fn set_code(
    lua: &Lua,
    (uid, key, value): (i32, String, LuaValue),
) -> mlua::Result<LuaValue> {
    state::free_collected();
    let Ok(id) = object_of(uid) else {
        return Ok(LuaValue::Number(f64::from(ERR::NoMatchingObject.0)));
    };
    let e = write_field(lua, id, &key, &value)
        .err()
        .unwrap_or(ERR::Okay);
    Ok(match outcome(id, "set", e) {
        Some(message) => LuaValue::String(lua.create_string(message)?),
        None => LuaValue::Number(f64::from(e.0)),
    })
}

/// `h.children()`: the UIDs of the object's children.
pub(crate) fn children(_: &Lua, uid: i32) -> mlua::Result<Vec<i32>> {
    Ok(object_of(uid)
        .map(|id| id.children().iter().map(|c| c.uid()).collect())
        .unwrap_or_default())
}

/// The class name of an object (for `tostring` and messages).
pub(crate) fn class_name(_: &Lua, uid: i32) -> mlua::Result<Option<String>> {
    Ok(object_of(uid)
        .ok()
        .and_then(|id| id.class().ok())
        .map(|c| c.name().to_string()))
}

/// `h.subscribe(action, fn)`: calls `fn(handle)` after each successful call of the action.
pub(crate) fn subscribe(
    lua: &Lua,
    (uid, action, f): (i32, String, mlua::Function),
) -> mlua::Result<Option<String>> {
    let Some(ac) = AC::from_name(action.strip_prefix("ac").unwrap_or(&action)) else {
        return Ok(Some(format!(
            "bad argument #1 to 'subscribe' (Action name '{action}' is invalid.)"
        )));
    };
    let id = match object_of(uid) {
        Ok(id) => id,
        Err(e) => return Ok(Some(errors::text(e).into())),
    };
    let callback = crate::callbacks::from_lua(lua, f);
    Ok(id
        .subscribe(ac, callback)
        .err()
        .map(|e| errors::text(e).to_string()))
}

/// Finds an object by UID for `obj.find(number)`.
pub(crate) fn find_uid(lua: &Lua, uid: f64) -> mlua::Result<LuaValue> {
    match ObjectId::from_uid(uid as i32).filter(|id| id.exists()) {
        Some(id) => convert::object(lua, id),
        None => Ok(LuaValue::Nil),
    }
}
