//! Fluid's two lexer additions, done before LuaJIT sees the source: `!=` means `~=`, and `//`
//! starts a comment that runs to the end of the line.
//!
//! Parasol patches LuaJIT's lexer for these; this runtime uses LuaJIT as it is and rewrites the
//! source instead, so what a script may say is decided here and a LuaJIT update cannot change
//! it. The rewrite keeps every line where it was (error messages name the script's own lines)
//! and never touches text inside strings or comments.

/// Rewrites Fluid source into plain LuaJIT source.
///
/// ```
/// use parasol_fluid::prepass::to_lua;
/// assert_eq!(to_lua("if a != b then // differs"), "if a ~= b then -- differs");
/// assert_eq!(to_lua("s = 'a != b // c'"), "s = 'a != b // c'");
/// ```
pub fn to_lua(source: &str) -> String {
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
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
    use super::to_lua;

    #[test]
    fn not_equal_becomes_lua_not_equal() {
        assert_eq!(to_lua("a != b"), "a ~= b");
        assert_eq!(to_lua("a!=b!=c"), "a~=b~=c");
        // A lone `!` is left for LuaJIT to refuse.
        assert_eq!(to_lua("!a"), "!a");
    }

    #[test]
    fn double_slash_comments_run_to_the_end_of_the_line() {
        assert_eq!(to_lua("x = 1 // one\ny = 2"), "x = 1 -- one\ny = 2");
        assert_eq!(to_lua("// a != b"), "-- a != b");
        assert_eq!(to_lua("x=1//\r\ny"), "x=1--\r\ny");
    }

    #[test]
    fn a_double_slash_comment_never_opens_a_long_comment() {
        assert_eq!(to_lua("//[[\nx = 1\n]]"), "-- [[\nx = 1\n]]");
        assert_eq!(to_lua("//[==[ y"), "-- [==[ y");
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
            assert_eq!(to_lua(s), s, "{s}");
        }
        assert_eq!(to_lua("s = [[ != ]] t = a != b"), "s = [[ != ]] t = a ~= b");
    }

    #[test]
    fn unfinished_strings_and_brackets_do_not_swallow_the_rest() {
        assert_eq!(to_lua("s = 'abc\nx = a != b"), "s = 'abc\nx = a ~= b");
        assert_eq!(to_lua("s = [[ open"), "s = [[ open");
        assert_eq!(to_lua("t[1] = a != b"), "t[1] = a ~= b");
        assert_eq!(to_lua("s = 'x\\"), "s = 'x\\");
    }

    #[test]
    fn floor_division_is_not_a_thing_in_fluid() {
        assert_eq!(to_lua("x = 7 // 2"), "x = 7 -- 2");
        assert_eq!(to_lua("x = 7 / 2"), "x = 7 / 2");
    }
}
