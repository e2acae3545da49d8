//! The command's standard output. `println!` panics when stdout is closed (`parasol classes |
//! head -1` closes it after one line); here a closed stdout ends the command quietly with
//! status 0, as the tools it sits in a pipeline with do, and any other write error is one line
//! on stderr and status 1.

use std::io::{self, Write};

/// `println!` that ends the command quietly when stdout is gone.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes one line to stdout (see the module docs).
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|_| out.write_all(b"\n")) {
        gone(e);
    }
}

/// Flushes stdout (see the module docs).
pub(crate) fn flush() {
    if let Err(e) = io::stdout().flush() {
        gone(e);
    }
}

fn gone(e: io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("parasol: writing to stdout: {e}");
    std::process::exit(1);
}
