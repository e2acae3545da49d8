//! Fluid's two lexer additions, done before LuaJIT sees the source: `!=` means `~=`, and `//`
//! starts a comment that runs to the end of the line.
//!
//! Parasol patches LuaJIT's lexer for these; this runtime uses LuaJIT as it is and rewrites the
//! source instead, so what a script may say is decided here and a LuaJIT update cannot change
//! it. That is not hypothetical: the LuaJIT that mlua vendors also takes `!`, `&&`, `||`, `+=`,
//! `&`, `|`, `~`, `<<` and `>>`, none of which Fluid has. The pass refuses them, so a script
//! that runs here runs on Parasol too. The rewrite keeps every line where it was (error
//! messages name the script's own lines) and never touches text inside strings or comments.

use std::fmt;

/// A symbol Fluid does not have, where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// 1-based line.
    pub line: usize,
    /// The symbol (`"&&"`, `"!"`, `"+="` …).
    pub symbol: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: unexpected symbol near '{}'", self.line, self.symbol)
    }
}

impl std::error::Error for Refused {}

/// Symbols of other languages (and of LuaJIT forks) that Fluid refuses: longest first, so
/// `&&` is reported as itself rather than as `&`.
const REFUSED: &[&str] = &[
    "..=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "^=", "&", "|", "!", "~", "`",
    "?", "$", "@", "\\",
];

/// Rewrites Fluid source into plain LuaJIT source.
///
/// ```
/// use parasol_fluid::prepass::to_lua;
/// assert_eq!(to_lua("if a != b then // differs").unwrap(), "if a ~= b then -- differs");
/// assert_eq!(to_lua("s = 'a != b // c'").unwrap(), "s = 'a != b // c'");
/// assert_eq!(to_lua("x = a && b").unwrap_err().to_string(), "1: unexpected symbol near '&&'");
/// ```
///
/// # Errors
/// [`Refused`] for a symbol outside strings and comments that Fluid does not have.
pub fn to_lua(source: &str) -> Result<String, Refused> {
    let b = source.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                // A Lua comment: long (`--[[ … ]]`, `--[==[ … ]==]`) or to the end of the line.
                let end = match long_bracket_level(b, i + 2) {
                    Some(level) => long_bracket_end(b, i + 2, level),
                    None => line_end(b, i),
                };
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // Fluid's line comment. `--` followed by `[[` would open a long comment, which
                // `//[[` never does, so a space keeps it a line comment.
                let end = line_end(b, i);
                out.extend_from_slice(b"--");
                if b.get(i + 2) == Some(&b'[') {
                    out.push(b' ');
                }
                out.extend_from_slice(&b[i + 2..end]);
                i = end;
            }
            b'!' if b.get(i + 1) == Some(&b'=') => {
                out.extend_from_slice(b"~=");
                i += 2;
            }
            b'~' if b.get(i + 1) == Some(&b'=') => {
                out.extend_from_slice(b"~=");
                i += 2;
            }
            _ if refused_at(b, i).is_some() => {
                let symbol = refused_at(b, i).unwrap_or_default().to_string();
                let line = 1 + b[..i].iter().filter(|&&c| c == b'\n').count();
                return Err(Refused { line, symbol });
            }
            q @ (b'"' | b'\'') => {
                let end = quoted_end(b, i, q);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'[' => match long_bracket_level(b, i) {
                Some(level) => {
                    let end = long_bracket_end(b, i, level);
                    out.extend_from_slice(&b[i..end]);
                    i = end;
                }
                None => {
                    out.push(b'[');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    // Only ASCII was replaced, and only outside multi-byte sequences: still valid UTF-8.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The refused symbol starting at `i`, if one does. `~` is refused alone (not in `~=`), `-=`
/// never starts a comment here (comments were handled before).
fn refused_at(b: &[u8], i: usize) -> Option<&'static str> {
    let rest = &b[i..];
    REFUSED
        .iter()
        .copied()
        .find(|s| rest.starts_with(s.as_bytes()))
}

/// The index of the newline that ends the line holding `from` (or the end of the text).
fn line_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .map_or(b.len(), |p| from + p)
}

/// `[[`, `[=[`, `[==[` … at `at`: the number of `=` signs.
fn long_bracket_level(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'[') {
        return None;
    }
    let eq = b[at + 1..].iter().take_while(|&&c| c == b'=').count();
    (b.get(at + 1 + eq) == Some(&b'[')).then_some(eq)
}

/// Just past the `]=…=]` closing a long bracket of `level` opened at `at` (or the end of the
/// text, for an unfinished one: LuaJIT then reports it).
fn long_bracket_end(b: &[u8], at: usize, level: usize) -> usize {
    let mut i = at + level + 2;
    while i < b.len() {
        if b[i] == b']' {
            let eq = b[i + 1..].iter().take_while(|&&c| c == b'=').count();
            if eq == level && b.get(i + 1 + eq) == Some(&b']') {
                return i + eq + 2;
            }
        }
        i += 1;
    }
    b.len()
}

/// Just past the quote closing a string opened at `at` (backslash escapes skipped; an
/// unfinished string ends at its line, where LuaJIT reports it).
fn quoted_end(b: &[u8], at: usize, quote: u8) -> usize {
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' | b'\r' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::{to_lua, Refused};

    fn lua(s: &str) -> String {
        to_lua(s).unwrap()
    }

    #[test]
    fn not_equal_becomes_lua_not_equal() {
        assert_eq!(lua("a != b"), "a ~= b");
        assert_eq!(lua("a!=b!=c"), "a~=b~=c");
    }

    #[test]
    fn double_slash_comments_run_to_the_end_of_the_line() {
        assert_eq!(lua("x = 1 // one\ny = 2"), "x = 1 -- one\ny = 2");
        assert_eq!(lua("// a != b"), "-- a != b");
        assert_eq!(lua("x=1//\r\ny"), "x=1--\r\ny");
    }

    #[test]
    fn a_double_slash_comment_never_opens_a_long_comment() {
        assert_eq!(lua("//[[\nx = 1\n]]"), "-- [[\nx = 1\n]]");
        assert_eq!(lua("//[==[ y"), "-- [==[ y");
    }

    #[test]
    fn strings_and_comments_are_left_alone() {
        for s in [
            "s = \"a != b // c\"",
            "s = 'it\\'s != // '",
            "s = [[ != // ]]",
            "s = [==[ ]] != // ]==]",
            "--[[ a != b\n // c ]] x",
            "-- a != b // c",
            "--[=[ ]] != ]=]",
        ] {
            assert_eq!(lua(s), s, "{s}");
        }
        assert_eq!(lua("s = [[ != ]] t = a != b"), "s = [[ != ]] t = a ~= b");
    }

    #[test]
    fn a_long_bracket_ends_at_its_own_level_and_nowhere_else() {
        for long in [
            "[[]]",
            "[[!=]]",
            "[[a]=]!=]]",
            "[=[a]]!=]=]",
            "[=[]=]",
            "[==[a]=]!=]===]!=]==]",
            "[[a]\n!=]]",
            "[==[ ]=] ]] != ]==]",
            "[[]!=]]",
            "[===[]===]",
            "[===[!=]===]",
        ] {
            let src = format!("x = {long} y = a != b");
            assert_eq!(lua(&src), format!("x = {long} y = a ~= b"), "{long:?}");
            // Ending one byte late would swallow the `!=` that follows at once.
            let tight = format!("x = {long}!=b");
            assert_eq!(lua(&tight), format!("x = {long}~=b"), "{tight:?}");
            let comment = format!("--{long} y = a != b");
            assert_eq!(lua(&comment), format!("--{long} y = a ~= b"), "{comment:?}");
        }
    }

    #[test]
    fn unfinished_strings_and_brackets_do_not_swallow_the_rest() {
        assert_eq!(lua("s = 'abc\nx = a != b"), "s = 'abc\nx = a ~= b");
        assert_eq!(lua("s = [[ open"), "s = [[ open");
        assert_eq!(lua("t[1] = a != b"), "t[1] = a ~= b");
        assert_eq!(lua("s = 'x\\"), "s = 'x\\");
    }

    #[test]
    fn floor_division_is_not_a_thing_in_fluid() {
        assert_eq!(lua("x = 7 // 2"), "x = 7 -- 2");
        assert_eq!(lua("x = 7 / 2"), "x = 7 / 2");
    }

    #[test]
    fn symbols_fluid_does_not_have_are_refused_with_their_line() {
        for (src, symbol) in [
            ("a = !b", "!"),
            ("a = b && c", "&&"),
            ("a = b || c", "||"),
            ("a += 1", "+="),
            ("a -= 1", "-="),
            ("a = 1 << 2", "<<"),
            ("a = 4 >> 1", ">>"),
            ("a = 1 & 2", "&"),
            ("a = 1 | 2", "|"),
            ("a = ~1", "~"),
            ("s = `x`", "`"),
            ("s ..= 'x'", "..="),
        ] {
            assert_eq!(
                to_lua(src),
                Err(Refused {
                    line: 1,
                    symbol: symbol.into()
                }),
                "{src}"
            );
        }
        let e = to_lua("x = 1\n\n y = 2 &&").unwrap_err();
        assert_eq!(
            (e.line, e.to_string()),
            (3, "3: unexpected symbol near '&&'".to_string())
        );
    }

    #[test]
    fn what_lua_has_is_let_through() {
        let src = "local t = {1, 2; x = -1}\nif #t >= 2 and t[1] <= 3 or t.x ~= 0 then\n  \
                   print(t[1] .. '!' .. (2 ^ 3) % 5 / 2 * 1, ...)\nend\n::label:: goto label";
        assert_eq!(lua(src), src);
    }
}
