//! Flag and lookup tables (Parasol's `FieldDef` lists) and the string forms of their values.
//!
//! Names match case-insensitively with underscores optional on both sides, so `"MULTI_CONNECT"`,
//! `"MultiConnect"` and `"multiconnect"` are one flag. Unlike Parasol, an unknown name is an error
//! (`InvalidValue`, naming the word) rather than silently dropped.

use crate::err::{Res, ERR};
use crate::value::parse_int;

/// One named value of a flag or lookup table. The first entry for a value is its canonical name;
/// later entries with the same value are aliases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Name as Parasol spells it (`"MultiConnect"`).
    pub name: &'static str,
    /// Its value.
    pub value: i64,
}

impl FieldDef {
    /// A table entry.
    pub const fn new(name: &'static str, value: i64) -> FieldDef {
        FieldDef { name, value }
    }
}

/// Compares a user-supplied word with a table name: ASCII case-insensitive, underscores ignored.
fn name_matches(word: &str, name: &str) -> bool {
    let mut a = word.bytes().filter(|&b| b != b'_');
    let mut b = name.bytes().filter(|&b| b != b'_');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(&y) => continue,
            _ => return false,
        }
    }
}

/// Finds a name in a table.
pub fn lookup_name(table: &[FieldDef], word: &str) -> Option<i64> {
    table
        .iter()
        .find(|d| name_matches(word, d.name))
        .map(|d| d.value)
}

/// Parses a flags string such as `"SERVER|MULTI_CONNECT"`. A number (decimal or `0x` hex) is taken
/// as it is. Parasol's prefix operators are honoured: `!` ORs with `current`, `&` ANDs with
/// `current`, `^` overwrites (the default), `~` inverts the assembled value.
///
/// # Errors
/// InvalidValue for a word that is neither a name in `table` nor a number (logged).
pub fn parse_flags(table: &[FieldDef], text: &str, current: i64) -> Res<i64> {
    if let Some(n) = parse_int(text) {
        return Ok(n);
    }
    let mut value = 0i64;
    let mut combine = '^';
    let mut invert = false;
    for raw in text.split('|') {
        let mut word = raw.trim();
        while let Some(op) = word
            .chars()
            .next()
            .filter(|c| matches!(c, '!' | '&' | '^' | '~'))
        {
            if op == '~' {
                invert = true;
            } else {
                combine = op;
            }
            word = word[1..].trim_start();
        }
        if word.is_empty() {
            continue;
        }
        match lookup_name(table, word).or_else(|| parse_int(word)) {
            Some(v) => value |= v,
            None => {
                return Err(crate::err::fail_with(
                    ERR::InvalidValue,
                    format!("unknown flag '{word}' in \"{text}\""),
                ));
            }
        }
    }
    if invert {
        value = !value;
    }
    Ok(match combine {
        '!' => current | value,
        '&' => current & value,
        _ => value,
    })
}

/// Parses a lookup value: a number, or one table name.
///
/// # Errors
/// InvalidValue for text that is neither a number nor a name in `table` (logged).
pub fn parse_lookup(table: &[FieldDef], text: &str) -> Res<i64> {
    if let Some(n) = parse_int(text) {
        return Ok(n);
    }
    lookup_name(table, text.trim()).ok_or_else(|| {
        crate::err::fail_with(ERR::InvalidValue, format!("unknown name '{}'", text.trim()))
    })
}

/// The names of all bits set in `value`, joined by `|` in table order (aliases skipped).
pub fn flags_to_string(table: &[FieldDef], value: i64) -> String {
    let mut out = String::new();
    for (i, d) in table.iter().enumerate() {
        let is_alias = table[..i].iter().any(|p| p.value == d.value);
        if !is_alias && d.value != 0 && value & d.value == d.value {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(d.name);
        }
    }
    out
}

/// The canonical name of a lookup value, or its number when the table has no name for it.
pub fn lookup_to_string(table: &[FieldDef], value: i64) -> String {
    table
        .iter()
        .find(|d| d.value == value)
        .map_or_else(|| value.to_string(), |d| d.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    const T: &[FieldDef] = &[
        FieldDef::new("Server", 1),
        FieldDef::new("SSL", 2),
        FieldDef::new("SSLNoVerify", 4),
        FieldDef::new("DisableServerVerify", 4),
        FieldDef::new("MultiConnect", 8),
    ];

    #[test]
    fn flags_parse_case_and_underscores() {
        assert_eq!(parse_flags(T, "SERVER|MULTI_CONNECT", 0), Ok(9));
        assert_eq!(parse_flags(T, "server | multiconnect", 0), Ok(9));
        assert_eq!(parse_flags(T, "DISABLE_SERVER_VERIFY", 0), Ok(4));
        assert_eq!(parse_flags(T, "SSL_NO_VERIFY", 0), Ok(4));
        assert_eq!(parse_flags(T, "12", 0), Ok(12));
        assert_eq!(parse_flags(T, "", 0), Ok(0));
        assert_eq!(parse_flags(T, "SERVER|BOGUS", 0), Err(ERR::InvalidValue));
    }

    #[test]
    fn flags_prefix_operators() {
        assert_eq!(parse_flags(T, "!SSL", 1), Ok(3));
        assert_eq!(parse_flags(T, "&SSL", 3), Ok(2));
        assert_eq!(parse_flags(T, "~SSL", 0), Ok(!2));
    }

    #[test]
    fn flags_print_skips_aliases() {
        assert_eq!(flags_to_string(T, 13), "Server|SSLNoVerify|MultiConnect");
        assert_eq!(flags_to_string(T, 0), "");
    }

    #[test]
    fn lookups() {
        assert_eq!(parse_lookup(T, "multi_connect"), Ok(8));
        assert_eq!(parse_lookup(T, "4"), Ok(4));
        assert_eq!(parse_lookup(T, "nope"), Err(ERR::InvalidValue));
        assert_eq!(lookup_to_string(T, 2), "SSL");
        assert_eq!(lookup_to_string(T, 99), "99");
    }
}
