//! Properties of the Fluid pre-pass over random source-like text (the same invariants as the
//! fuzz target, which this reuses): only `!=` and `//` change, every line keeps its number,
//! a refusal names a line that exists and a symbol in the text.

#[path = "../../fuzz/logic/fluid_prepass.rs"]
mod fluid_prepass;

use proptest::prelude::*;

/// Pieces Fluid source is made of, the tricky ones over-represented.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a", "b1", " ", "\n", "\r\n", "\t", "=", "==", "!=", "~=", "!", "~", "/", "//", "-", "--",
        "[", "]", "[[", "]]", "[=[", "]=]", "[==[", "]==]", "'", "\"", "\\", "\\'", "\\\"", "..",
        "...", "+", "*", "&", "&&", "|", "||", "<", "<<", ">", ">>", "+=", "(", ")", "{", "}", ",",
        ";", ":", "::", "#", "%", "^", "é", "0x1F", "1e5", "`", "?",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn only_fluids_two_additions_change(pieces in prop::collection::vec(piece(), 0..80)) {
        fluid_prepass::run(pieces.concat().as_bytes());
    }

    #[test]
    fn any_text_is_rewritten_or_refused_without_panicking(text in ".{0,200}") {
        fluid_prepass::run(text.as_bytes());
    }
}
