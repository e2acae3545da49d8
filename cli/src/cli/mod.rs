//! Command-line interface (clap): argument definitions, logging set-up and dispatch.

mod certs;
mod chat;
mod classes;
mod connect;
mod demo;
mod fluid;
mod lookup;
mod out;
mod serve;
mod shutdown;
mod udp;

use clap::{Args, Parser, Subcommand, ValueEnum};
use parasol::ERR;

/// Parasol's object runtime and network classes, from the command line.
#[derive(Parser, Debug)]
#[command(name = "parasol", version, about, propagate_version = true)]
struct Cli {
    /// More log output (-v: debug, -vv: trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors in the log.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a TLS echo server and a few clients on loopback and prints what happens (default).
    Demo(DemoArgs),
    /// Serves TCP (or TLS) connections, or UDP datagrams, until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Connects to HOST PORT: stdin to the socket, the socket to stdout (like ncat; --udp like
    /// ncat -u).
    Connect(ConnectArgs),
    /// Resolves a name to its addresses, or an address to its name, through NetLookup (like
    /// `getent hosts`): one `ADDRESS  NAME` line per address; exit status 2 when not found.
    Lookup(LookupArgs),
    /// Lists the registered classes, or describes one.
    Classes(ClassesArgs),
    /// Runs a Fluid script (Parasol's scripting language) against these classes; arguments
    /// after the script are key=value pairs it reads with arg('key').
    Fluid(FluidArgs),
}

#[derive(Args, Debug)]
pub(crate) struct FluidArgs {
    /// SSL servers the script creates without a certificate get a self-signed one for
    /// localhost (Parasol 2025 does this silently; here it is asked for).
    #[arg(long)]
    pub tls_self_signed: bool,
    /// Parasol 2025's leniency: unknown flag names are dropped and numbers out of a field's
    /// range leave it unchanged, each with a warning, instead of failing the write.
    #[arg(long)]
    pub parasol_compat: bool,
    /// A folder `require 'name'` searches for name.fluid (repeatable; Parasol's scripts:
    /// volume). The script's own folder is searched first.
    #[arg(long = "scripts", value_name = "DIR")]
    pub scripts: Vec<std::path::PathBuf>,
    /// The script (.fluid).
    pub script: std::path::PathBuf,
    /// The script's arguments: key=value (or key, for key=1).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub(crate) struct LookupArgs {
    /// A host name, or an IP address for a reverse lookup.
    pub query: String,
    /// Answer from this hosts-format file (ADDRESS NAME [ALIAS …] per line) instead of the
    /// system's resolver.
    #[arg(long)]
    pub hosts: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(Args, Debug, Default)]
pub(crate) struct DemoArgs {
    /// Number of clients.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Round trips per client.
    #[arg(long, default_value_t = 25)]
    pub round_trips: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Send back everything received.
    Echo,
    /// Read and drop everything.
    Discard,
    /// Send every line to every client.
    Chat,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct ServeArgs {
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long)]
    pub port: u16,
    /// Local address to bind (IP literal or localhost); default: all interfaces.
    #[arg(long)]
    pub address: Option<String>,
    /// What to do with incoming data (UDP: echo or discard).
    #[arg(long, value_enum, default_value_t = Mode::Echo)]
    pub mode: Mode,
    /// Serve UDP datagrams instead of TCP connections: echo sends each datagram back to its
    /// sender, discard drops it.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_self_signed", "multi_connect", "threads"])]
    pub udp: bool,
    /// Message loops, each on its own thread with its own server on the shared port
    /// (SO_REUSEPORT): the kernel spreads new connections among them. Chat lines reach the
    /// clients of every loop.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
    /// TLS certificate (PEM file, or .p12/.pfx, which holds the key too). Without --tls-key
    /// the key is looked for in the same PEM file.
    #[arg(long, conflicts_with = "tls_self_signed")]
    pub tls_cert: Option<String>,
    /// TLS private key (PEM file).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<String>,
    /// Password of a PKCS#12 --tls-cert or of an encrypted --tls-key.
    #[arg(long, requires = "tls_cert")]
    pub tls_password: Option<String>,
    /// TLS with a self-signed certificate for localhost generated at start; its SHA-256
    /// fingerprint is printed.
    #[arg(long)]
    pub tls_self_signed: bool,
    /// With --tls-self-signed: write the certificate to FILE (PEM), for clients to trust
    /// (`connect --tls --ca FILE`, `openssl s_client -CAfile FILE`).
    #[arg(long, requires = "tls_self_signed")]
    pub tls_save_cert: Option<String>,
    /// Require client certificates signed by the CA certificates in FILE (PEM): mutual TLS.
    #[arg(long)]
    pub tls_client_ca: Option<String>,
    /// An identity for clients that ask for NAME by SNI: NAME=CERT,KEY (PEM files; repeatable;
    /// *.example.com covers one label). The --tls-cert identity stays the default.
    #[arg(long = "tls-sni", value_name = "NAME=CERT,KEY")]
    pub tls_sni: Vec<String>,
    /// ALPN protocols accepted, comma-separated, most preferred first (a client offering none
    /// of them is refused).
    #[arg(long, value_name = "LIST")]
    pub alpn: Option<String>,
    /// Most distinct client IP addresses at once.
    #[arg(long)]
    pub client_limit: Option<u32>,
    /// Most sockets per client IP address.
    #[arg(long)]
    pub socket_limit: Option<u32>,
    /// Allow several connections from one IP address.
    #[arg(long)]
    pub multi_connect: bool,
    /// Most bytes queued per client.
    #[arg(long)]
    pub msg_limit: Option<u32>,
    /// Connections the kernel may complete before they are accepted (listen backlog; the kernel
    /// caps it at net.core.somaxconn). Large enough for bursts of clients by default.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub backlog: u32,
    /// Seconds without a byte in either direction before a client is closed (0: never).
    #[arg(long, default_value_t = 0.0)]
    pub idle_timeout: f64,
    /// With TLS: seconds a client may take to complete its handshake (0: no bound).
    #[arg(long, default_value_t = 10.0)]
    pub handshake_timeout: f64,
}

#[derive(Args, Debug)]
pub(crate) struct ConnectArgs {
    /// Host name or IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Use TLS.
    #[arg(long)]
    pub tls: bool,
    /// UDP: each chunk of stdin is one datagram to HOST PORT, and datagrams that come back go
    /// to stdout. After stdin ends, the command exits once no reply has come for a second.
    #[arg(long, conflicts_with = "tls")]
    pub udp: bool,
    /// With --tls: do not verify the server's certificate.
    #[arg(long, requires = "tls")]
    pub insecure: bool,
    /// With --tls: also trust the CA certificates in FILE (PEM); a server certificate equal to
    /// one of them is trusted as it is.
    #[arg(long, requires = "tls")]
    pub ca: Option<String>,
    /// With --tls: present this certificate (PEM) when the server asks for one (mutual TLS).
    #[arg(long, requires_all = ["tls", "key"])]
    pub cert: Option<String>,
    /// With --cert: its private key (PEM).
    #[arg(long, requires = "cert")]
    pub key: Option<String>,
    /// With --tls: ALPN protocols to offer, comma-separated, most preferred first.
    #[arg(long, requires = "tls", value_name = "LIST")]
    pub alpn: Option<String>,
    /// With --tls: the server name to send (SNI) and verify, when it is not HOST.
    #[arg(long, requires = "tls", value_name = "NAME")]
    pub servername: Option<String>,
    /// Seconds allowed for name resolution, connection and TLS handshake (0: none).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

#[derive(Args, Debug)]
pub(crate) struct ClassesArgs {
    /// A class to describe.
    pub name: Option<String>,
}

fn init_logging(cli: &Cli, default: &str) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (_, 0) => default,
        (_, 1) => "debug",
        _ => "trace",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format_timestamp_millis()
        .init();
}

/// Prints an error the way every subcommand reports one — on one line, with the detail the
/// library recorded for it (the file, the OS error …) — and gives the exit code.
pub(crate) fn fail(context: &str, e: ERR) -> i32 {
    fail_with_detail(context, e, parasol::err::take_failure_detail())
}

/// [`fail`] with the detail given (a socket's ErrorDetail).
pub(crate) fn fail_with_detail(context: &str, e: ERR, detail: Option<String>) -> i32 {
    match detail {
        Some(d) => eprintln!("parasol: {context}: {e:?} ({e}): {d}"),
        None => eprintln!("parasol: {context}: {e:?} ({e})"),
    }
    1
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Some(Command::Serve(_)) => "info",
        _ => "warn",
    };
    init_logging(&cli, default_level);
    if let Err(e) = parasol::init() {
        return fail("registering classes", e);
    }
    match cli.command.unwrap_or(Command::Demo(DemoArgs {
        clients: 4,
        round_trips: 25,
    })) {
        Command::Demo(a) => demo::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Connect(a) => connect::run(&a),
        Command::Lookup(a) => lookup::run(&a),
        Command::Classes(a) => classes::run(&a),
        Command::Fluid(a) => fluid::run(&a),
    }
}
