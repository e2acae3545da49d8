//! Error text as scripts see it.

use parasol::ERR;

/// The message of a Lua error, without mlua's wrapping (a callback's traceback, the Rust
/// function it passed through): what Fluid would print.
pub(crate) fn message(e: &mlua::Error) -> String {
    match e {
        // mlua appends a traceback to the message; Fluid shows the message alone.
        mlua::Error::RuntimeError(m) => match m.find("\nstack traceback:") {
            Some(at) => m[..at].to_string(),
            None => m.clone(),
        },
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::CallbackError { cause, .. } => message(cause),
        mlua::Error::WithContext { cause, .. } => message(cause),
        other => other.to_string(),
    }
}

/// Parasol's text for a code (`GetErrorMsg`).
pub(crate) fn text(code: ERR) -> &'static str {
    code.message()
}

/// A failure with the detail the kernel recorded for it, when there is one: "Invalid value
/// (unknown flag name 'SEVER')".
pub(crate) fn text_with_detail(code: ERR) -> String {
    match parasol::err::take_failure_detail() {
        Some(detail) => format!("{} ({detail})", code.message()),
        None => code.message().to_string(),
    }
}
