//! Values crossing the door: Lua values to the kernel's [`Value`] and back.
//!
//! Objects cross as handles: a Lua table with the object's UID under a key scripts cannot
//! name, one table per object (so `a == b` holds for two handles of one object). Functions
//! become callbacks, `string.alloc` buffers become bytes, IPAddress tables become IPAddress.

use crate::buffer::Buffer;
use crate::callbacks;
use mlua::{LightUserData, Lua, Table, Value as LuaValue};
use parasol::net::{IPAddress, IPADDR};
use parasol::{ObjectId, Value};

/// What the conversions need from the Lua side, kept in the state's app data.
pub(crate) struct Refs {
    /// UID → handle, weak-valued (handles live as long as the script holds them).
    pub handles: Table,
    /// `wrap(uid)`: the handle of an object the script did not create (never frees it).
    pub wrap: mlua::Function,
}

/// The key's address: any unique pointer will do; nothing is ever stored behind it.
static UID_KEY_ANCHOR: u8 = 0;

/// The private key handles keep their UID under.
pub(crate) fn uid_key() -> LightUserData {
    LightUserData(std::ptr::addr_of!(UID_KEY_ANCHOR) as *mut std::ffi::c_void)
}

/// The object a Lua handle stands for.
pub(crate) fn handle_id(t: &Table) -> Option<ObjectId> {
    match t.raw_get::<LuaValue>(uid_key()).ok()? {
        LuaValue::Number(n) => ObjectId::from_uid(n as i32),
        LuaValue::Integer(n) => ObjectId::from_uid(n as i32),
        _ => None,
    }
}

/// Lua's name for a value's type (`type(v)`): mlua tells integral numbers apart, Lua does not.
pub(crate) fn lua_type(v: &LuaValue) -> &'static str {
    match v {
        LuaValue::Integer(_) => "number",
        other => other.type_name(),
    }
}

/// A Lua number as the narrowest kernel number that holds it.
pub(crate) fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n >= i32::MIN as f64 && n <= i32::MAX as f64 {
        Value::Int(n as i32)
    } else if n.fract() == 0.0 && n >= i64::MIN as f64 && n < i64::MAX as f64 {
        Value::Int64(n as i64)
    } else {
        Value::Double(n)
    }
}

/// A Lua value as a kernel value. `Err` holds what the value was, for the caller's message.
pub(crate) fn to_value(lua: &Lua, v: &LuaValue) -> Result<Value, String> {
    Ok(match v {
        LuaValue::Nil => Value::None,
        LuaValue::Boolean(b) => Value::Int(i32::from(*b)),
        LuaValue::Integer(i) => number(*i as f64),
        LuaValue::Number(n) => number(*n),
        LuaValue::String(s) => match s.to_str() {
            Ok(text) => Value::Str(text.to_string()),
            Err(_) => Value::Bytes(s.as_bytes().to_vec()),
        },
        LuaValue::Function(f) => Value::Function(callbacks::from_lua(lua, f.clone())),
        LuaValue::UserData(ud) if ud.is::<Buffer>() => match ud.borrow::<Buffer>() {
            Ok(b) => Value::Bytes(b.0.clone()),
            Err(_) => return Err("a buffer in use".into()),
        },
        LuaValue::Table(t) => {
            if let Some(id) = handle_id(t) {
                Value::Object(id)
            } else if let Some(ip) = ip_address_from(t) {
                Value::Struct(std::rc::Rc::new(ip))
            } else {
                let mut items = Vec::new();
                for item in t.clone().sequence_values::<LuaValue>() {
                    let item = item.map_err(|e| e.to_string())?;
                    items.push(to_value(lua, &item)?);
                }
                Value::Array(items.into())
            }
        }
        other => return Err(format!("a {}", other.type_name())),
    })
}

/// A kernel value as a Lua value. Objects come back as handles that do not own them.
pub(crate) fn to_lua(lua: &Lua, v: &Value) -> mlua::Result<LuaValue> {
    Ok(match v {
        Value::None | Value::Any(_) | Value::Function(_) => LuaValue::Nil,
        Value::Int(i) => LuaValue::Number(f64::from(*i)),
        Value::Int64(i) => LuaValue::Number(*i as f64),
        Value::Double(d) => LuaValue::Number(*d),
        Value::Str(s) => LuaValue::String(lua.create_string(s)?),
        Value::Bytes(b) => LuaValue::String(lua.create_string(b)?),
        Value::Object(id) => object(lua, *id)?,
        Value::Struct(s) => match s.as_any().downcast_ref::<IPAddress>() {
            Some(ip) => LuaValue::Table(ip_address_table(lua, ip)?),
            None => LuaValue::String(lua.create_string(s.to_string())?),
        },
        Value::Array(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item)?)?;
            }
            LuaValue::Table(t)
        }
    })
}

/// The handle of an object: the one the script already holds, else a new non-owning one.
pub(crate) fn object(lua: &Lua, id: ObjectId) -> mlua::Result<LuaValue> {
    let refs = lua
        .app_data_ref::<Refs>()
        .ok_or_else(|| mlua::Error::runtime("the Fluid door is not installed"))?;
    let found: LuaValue = refs.handles.raw_get(id.uid())?;
    if let LuaValue::Table(_) = found {
        return Ok(found);
    }
    let wrap = refs.wrap.clone();
    drop(refs);
    wrap.call(id.uid())
}

/// `{ data = {d1, d2, d3, d4}, type = IPADDR_*, pad = 0 }`, Fluid's IPAddress as a table (the
/// address words 1-based; `pad` is the port, which Parasol 2025 calls Pad).
pub(crate) fn ip_address_table(lua: &Lua, ip: &IPAddress) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 3)?;
    fill_ip_address_table(lua, &t, ip)?;
    Ok(t)
}

/// Writes an IPAddress into an existing table (StrToAddress fills the script's struct).
pub(crate) fn fill_ip_address_table(lua: &Lua, t: &Table, ip: &IPAddress) -> mlua::Result<()> {
    let data = lua.create_sequence_from(ip.data.iter().map(|&w| f64::from(w)))?;
    t.raw_set("data", data)?;
    t.raw_set("type", ip.kind as i32)?;
    t.raw_set("pad", i32::from(ip.port))?;
    Ok(())
}

/// A table shaped like an IPAddress (`data` and `type`) as one.
pub(crate) fn ip_address_from(t: &Table) -> Option<IPAddress> {
    let data: Table = t.raw_get("data").ok()?;
    let kind: f64 = t.raw_get("type").ok()?;
    let mut words = [0u32; 4];
    for (i, w) in words.iter_mut().enumerate() {
        let v: Option<f64> = data.raw_get(i + 1).ok()?;
        // Fluid's array views hand unsigned words back as signed integers: take both.
        *w = v.unwrap_or(0.0) as i64 as u32;
    }
    let port: Option<f64> = t.raw_get("pad").ok()?;
    Some(IPAddress {
        data: words,
        kind: if kind == 1.0 { IPADDR::V6 } else { IPADDR::V4 },
        port: port.unwrap_or(0.0) as u16,
    })
}
