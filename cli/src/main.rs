//! The `parasol` command: a demo of the runtime, an ncat-like client and server, and class
//! introspection. See `parasol --help`.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
