//! Modules as scripts see them: `include` constants, `mod.load('core' | 'network')`, the
//! `mSys` functions and the network module's address functions.
//!
//! Constants are flat globals named as in Fluid (`ERR_Okay`, `NTC_CONNECTED`, `NSF_SERVER`),
//! made from the kernel's and the classes' own tables, so a code can never differ between a
//! script and the Rust API. The core constants exist from the start; a module's appear once
//! it is included, loaded, or one of its classes is first created.

use crate::convert::{fill_ip_address_table, ip_address_from};
use crate::state;
use mlua::{Lua, Table, Value as LuaValue};
use parasol::classes::constants::{NLF_TABLE, NSF_TABLE, NTC_TABLE};
use parasol::field::FieldDef;
use parasol::net::{address_to_str, str_to_address};
use parasol::{AC, ERR};

/// Parasol's `LOC_*`: what `AnalysePath` finds.
const LOC: &[(&str, i32)] = &[("DIRECTORY", 1), ("VOLUME", 2), ("FILE", 3)];
/// Parasol's `IPADDR_*`.
const IPADDR: &[(&str, i32)] = &[("V4", 0), ("V6", 1)];
/// The message types a script can send.
const MSGID: &[(&str, i32)] = &[("QUIT", 1000)];

/// The classes of the network module: creating one includes its constants.
const NETWORK_CLASSES: &[&str] = &["NetSocket", "ClientSocket", "NetClient", "NetLookup"];

/// `SSLNoVerify` → `SSL_NO_VERIFY`: a table name as Fluid's constant suffix.
pub(crate) fn constant_name(camel: &str) -> String {
    let chars: Vec<char> = camel.chars().collect();
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let starts_word = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if starts_word {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn set_table_constants(g: &Table, prefix: &str, table: &[FieldDef]) -> mlua::Result<()> {
    for d in table {
        g.raw_set(
            format!("{prefix}_{}", constant_name(d.name)),
            d.value as f64,
        )?;
    }
    Ok(())
}

fn set_pairs(g: &Table, prefix: &str, pairs: &[(&str, i32)]) -> mlua::Result<()> {
    for (name, v) in pairs {
        g.raw_set(format!("{prefix}_{name}"), f64::from(*v))?;
    }
    Ok(())
}

/// The core constants: every ERR and action by its kernel name, LOC_, MSGID_.
pub(crate) fn include_core(lua: &Lua) -> mlua::Result<()> {
    state::mark_included("core");
    let g = lua.globals();
    for (name, code) in ERR::all_names() {
        g.raw_set(format!("ERR_{name}"), f64::from(code.0))?;
    }
    for id in 1..256 {
        if let Some(name) = AC(id).name() {
            g.raw_set(format!("AC_{name}"), f64::from(id))?;
        }
    }
    set_pairs(&g, "LOC", LOC)?;
    set_pairs(&g, "MSGID", MSGID)
}

/// `include 'network'` (once): NTC_, NSF_, NLF_, IPADDR_.
fn include_network(lua: &Lua) -> mlua::Result<()> {
    if !state::mark_included("network") {
        return Ok(());
    }
    let g = lua.globals();
    set_table_constants(&g, "NTC", NTC_TABLE)?;
    set_table_constants(&g, "NSF", NSF_TABLE)?;
    set_table_constants(&g, "NLF", NLF_TABLE)?;
    set_pairs(&g, "IPADDR", IPADDR)
}

/// `include name`: nil, or the message to raise.
pub(crate) fn include(lua: &Lua, name: String) -> mlua::Result<Option<String>> {
    if name.is_empty() || name.len() >= 32 || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(Some(format!(
            "Failed to process include file: {}",
            ERR::Syntax.message()
        )));
    }
    match name.to_ascii_lowercase().as_str() {
        "core" => Ok(None),
        "network" => include_network(lua).map(|()| None),
        _ => Ok(Some(format!(
            "Failed to process include file: {} (this runtime has the core and network modules)",
            ERR::CreateObject.message()
        ))),
    }
}

/// Creating an object of a module's class includes the module, as in Fluid.
pub(crate) fn auto_include(lua: &Lua, class: &str) -> mlua::Result<()> {
    if NETWORK_CLASSES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(class))
    {
        include_network(lua)?;
    }
    Ok(())
}

/// `mNet.StrToAddress(text, ipaddress)`: fills the IPAddress table, returns the ERR.
pub(crate) fn str_to_address_lua(
    lua: &Lua,
    (text, target): (Option<String>, Option<Table>),
) -> mlua::Result<i32> {
    let (Some(text), Some(target)) = (text, target) else {
        return Ok(ERR::NullArgs.0);
    };
    match str_to_address(&text) {
        Ok(ip) => {
            fill_ip_address_table(lua, &target, &ip)?;
            Ok(ERR::Okay.0)
        }
        Err(e) => Ok(e.0),
    }
}

/// `mNet.AddressToStr(ipaddress)`: the address as text, nil for something that is not one.
pub(crate) fn address_to_str_lua(_: &Lua, ip: LuaValue) -> mlua::Result<Option<String>> {
    Ok(match ip {
        LuaValue::Table(t) => ip_address_from(&t).map(|ip| address_to_str(&ip)),
        _ => None,
    })
}

/// `mSys.AnalysePath(path)`: `err, LOC_*`.
pub(crate) fn analyse_path(_: &Lua, path: String) -> mlua::Result<(i32, Option<i32>)> {
    Ok(match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => (ERR::Okay.0, Some(1)),
        Ok(_) => (ERR::Okay.0, Some(3)),
        Err(_) => (ERR::DoesNotExist.0, None),
    })
}

#[cfg(test)]
mod tests {
    use super::constant_name;

    #[test]
    fn table_names_become_fluid_constant_names() {
        for (camel, fluid) in [
            ("Server", "SERVER"),
            ("SSL", "SSL"),
            ("SSLNoVerify", "SSL_NO_VERIFY"),
            ("MultiConnect", "MULTI_CONNECT"),
            ("LogAll", "LOG_ALL"),
            ("NoCache", "NO_CACHE"),
            ("Multistate", "MULTISTATE"),
            ("UDP", "UDP"),
            ("DisableServerVerify", "DISABLE_SERVER_VERIFY"),
        ] {
            assert_eq!(constant_name(camel), fluid);
        }
    }
}
