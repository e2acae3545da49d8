//! The echo servers measured side by side. Each runs in its own child process (see
//! `child.rs`), prints its port on stdout, then serves until killed.

pub mod fluid_echo;
pub mod mio_echo;
pub mod ours;
pub mod ours_acceptor;
pub mod std_echo;
pub mod tls_servers;
pub mod tokio_echo;

use std::io::Write;

/// Plaintext servers.
pub const PLAIN: [&str; 5] = ["ours", "mio", "tokio-ct", "tokio-mt", "std"];
/// TLS servers.
pub const TLS: [&str; 3] = ["ours", "tokio-rustls", "rustls-mio"];

/// Tells the parent which port we listen on (the first line of stdout).
pub(crate) fn announce(port: u16) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{port}");
    let _ = out.flush();
}

/// Runs server `name` until killed (the `serve-impl` subcommand). `tls` holds the paths of the
/// certificate chain and key PEM files; with it `ours` serves TLS. `cpu`: pin every thread of
/// the server (tokio-mt's workers included) to that CPU. `loops`: ours' loops and tokio-mt's
/// workers (default 1 and 2).
pub fn serve(
    name: &str,
    buf: usize,
    tls: Option<(String, String)>,
    cpu: Option<usize>,
    loops: Option<usize>,
) -> Result<(), String> {
    if let Some(cpu) = cpu {
        if !crate::child::pin_to(&[cpu]) {
            return Err(format!("cannot pin to CPU {cpu}"));
        }
    }
    crate::child::raise_nofile();
    match (name, tls) {
        ("ours", tls) => ours::serve(tls, buf, loops.unwrap_or(1)),
        ("ours-acceptor", None) => ours_acceptor::serve(loops.unwrap_or(1)),
        ("mio", None) => mio_echo::serve(buf),
        ("fluid", None) => fluid_echo::serve(buf),
        ("tokio-ct", None) => tokio_echo::serve(None, buf),
        ("tokio-mt", None) => tokio_echo::serve(Some(loops.unwrap_or(2)), buf),
        ("std", None) => std_echo::serve(buf),
        ("tokio-rustls", Some(tls)) => tls_servers::serve_tokio_rustls(&tls, buf),
        ("rustls-mio", Some(tls)) => tls_servers::serve_rustls_mio(&tls),
        (other, tls) => Err(format!(
            "unknown server {other:?} (TLS: {})",
            if tls.is_some() { "yes" } else { "no" }
        )),
    }
}
