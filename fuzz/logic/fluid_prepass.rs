//! Fuzz target `fluid_prepass`: arbitrary text through the Fluid pre-pass
//! (`parasol_fluid::prepass::to_lua`), which rewrites `!=` and `//` comments and refuses the
//! symbols Fluid does not have.
//!
//! Invariants: no panic; a refusal names a line that exists and a symbol that is in the text;
//! an accepted text keeps its number of lines (messages name the script's own lines), and
//! differs from the input only where `!=` became `~=`, `//` became `--` (with a space before a
//! `[`), so undoing those gives the input back.

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.matches('\n').count() + 1;
    match parasol_fluid::prepass::to_lua(text) {
        Err(refused) => {
            assert!(refused.line >= 1 && refused.line <= lines, "{refused:?}");
            assert!(text.contains(&refused.symbol), "{refused:?}");
        }
        Ok(lua) => {
            assert_eq!(lua.matches('\n').count() + 1, lines, "line count kept");
            // Walk both texts together: every difference is one of the rewrites.
            let (a, b) = (text.as_bytes(), lua.as_bytes());
            let (mut i, mut j) = (0, 0);
            while i < a.len() {
                if a[i] == b[j] {
                    i += 1;
                    j += 1;
                } else if a[i..].starts_with(b"!=") && b[j..].starts_with(b"~=") {
                    i += 2;
                    j += 2;
                } else if a[i..].starts_with(b"//") && b[j..].starts_with(b"--") {
                    i += 2;
                    j += 2;
                    if a.get(i) == Some(&b'[') && b.get(j) == Some(&b' ') {
                        j += 1;
                    }
                } else {
                    panic!("unexpected change at byte {i}: {text:?} -> {lua:?}");
                }
            }
            assert_eq!(j, b.len(), "nothing added at the end");
        }
    }
}
