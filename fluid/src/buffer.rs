//! `string.alloc(n)`: a byte buffer that `acRead` fills in place.
//!
//! Fluid returns a Lua string from `string.alloc` and lets `acRead` write into the string's own
//! memory. LuaJIT interns strings, so that memory can be shared: `buf:sub(1, #buf)` returns the
//! very same string, and a later string with the same bytes can be handed the buffer itself;
//! a read into one then changes the other. Here the buffer is a userdata of its own, so it
//! never has a second alias: it reads like a string (`#buf`, `tostring(buf)`, `buf .. s`,
//! `buf:sub(1, n)`, `buf:match(p)` and the other string methods) and every string it gives out
//! is a copy.

use mlua::{
    AnyUserData, Lua, MetaMethod, MultiValue, UserData, UserDataMethods, Value as LuaValue,
};

/// Largest buffer `string.alloc` makes (1 GiB): a script asking for more has made a mistake.
pub(crate) const MAX_ALLOC: usize = 1 << 30;

/// A mutable byte buffer seen by scripts as a string.
pub(crate) struct Buffer(pub(crate) Vec<u8>);

/// The string methods a buffer answers, each on a copy of its bytes.
const STRING_METHODS: &[&str] = &[
    "byte",
    "find",
    "format",
    "gmatch",
    "gsub",
    "len",
    "lower",
    "match",
    "rep",
    "reverse",
    "upper",
    "split",
    "trim",
    "rtrim",
    "startsWith",
    "endsWith",
    "hash",
    "escXML",
    "cap",
    "decap",
];

impl UserData for Buffer {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        // `sub` is what read loops call on every message: done here without the copy of the
        // whole buffer that the generic route makes.
        m.add_method("sub", |lua, this, (i, j): (Option<i64>, Option<i64>)| {
            let (from, to) = lua_sub_range(this.0.len(), i.unwrap_or(1), j.unwrap_or(-1));
            lua.create_string(&this.0[from..to])
        });
        for &name in STRING_METHODS {
            m.add_method(name, move |lua, this, args: MultiValue| {
                let string: mlua::Table = lua.globals().get("string")?;
                let f: mlua::Function = string.get(name)?;
                let mut all = args;
                all.push_front(LuaValue::String(lua.create_string(&this.0)?));
                f.call::<MultiValue>(all)
            });
        }
        m.add_meta_method(MetaMethod::Len, |_, this, ()| Ok(this.0.len()));
        m.add_meta_method(MetaMethod::ToString, |lua, this, ()| {
            lua.create_string(&this.0)
        });
        m.add_meta_function(MetaMethod::Concat, |lua, (a, b): (LuaValue, LuaValue)| {
            let mut out = bytes_of(lua, &a)?;
            out.extend_from_slice(&bytes_of(lua, &b)?);
            lua.create_string(&out)
        });
    }
}

/// The bytes of a string, number or buffer (what `..` accepts).
fn bytes_of(lua: &Lua, v: &LuaValue) -> mlua::Result<Vec<u8>> {
    match v {
        LuaValue::UserData(ud) if ud.is::<Buffer>() => Ok(ud.borrow::<Buffer>()?.0.clone()),
        LuaValue::String(s) => Ok(s.as_bytes().to_vec()),
        LuaValue::Number(_) | LuaValue::Integer(_) => Ok(lua
            .coerce_string(v.clone())?
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_default()),
        other => Err(mlua::Error::runtime(format!(
            "attempt to concatenate a {} value",
            other.type_name()
        ))),
    }
}

/// Lua's `string.sub(s, i, j)` range over a string of `len` bytes, as byte offsets.
pub(crate) fn lua_sub_range(len: usize, i: i64, j: i64) -> (usize, usize) {
    let len = len as i64;
    let i = if i < 0 {
        (len + i + 1).max(1)
    } else {
        i.max(1)
    };
    let j = if j < 0 { len + j + 1 } else { j.min(len) };
    let from = (i - 1).clamp(0, len) as usize;
    let to = j.clamp(0, len) as usize;
    (from, to.max(from))
}

/// `string.alloc(n)`: a zero-filled buffer of n bytes (Fluid leaves it uninitialised; zeroes
/// are one of the values that allows).
pub(crate) fn alloc(lua: &Lua, size: f64) -> mlua::Result<AnyUserData> {
    if !(0.0..=MAX_ALLOC as f64).contains(&size) || size.fract() != 0.0 {
        return Err(mlua::Error::runtime(format!(
            "bad argument #1 to 'alloc' (size {size} is not a whole number from 0 to {MAX_ALLOC})"
        )));
    }
    lua.create_userdata(Buffer(vec![0; size as usize]))
}

#[cfg(test)]
mod tests {
    use super::lua_sub_range;

    #[test]
    fn sub_ranges_follow_lua() {
        assert_eq!(lua_sub_range(10, 1, -1), (0, 10));
        assert_eq!(lua_sub_range(10, 1, 3), (0, 3));
        assert_eq!(lua_sub_range(10, -3, -1), (7, 10));
        assert_eq!(lua_sub_range(10, 5, 2), (4, 4));
        assert_eq!(lua_sub_range(10, 0, 0), (0, 0));
        assert_eq!(lua_sub_range(10, 11, 20), (10, 10));
        assert_eq!(lua_sub_range(10, -20, 2), (0, 2));
        assert_eq!(lua_sub_range(0, 1, -1), (0, 0));
        assert_eq!(lua_sub_range(10, 3, 100), (2, 10));
        assert_eq!(lua_sub_range(10, 2, -3), (1, 8));
        assert_eq!(lua_sub_range(10, 1, -11), (0, 0));
    }
}
