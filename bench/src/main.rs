//! `parasol-bench`: the parasol NetSocket echo server measured side by side with its peers (a
//! minimal mio echo, tokio current-thread and multi-thread, std threads, tokio-rustls and a
//! rustls+mio server) on the same workloads, driven by one load generator. See issue #6 and
//! README "Benchmarks".
//!
//! Every server runs in its own child process (this binary, `serve-impl NAME`); the load
//! generator runs here. Unless `--no-pin`, each server is pinned to one CPU and the generator
//! to the others, so that a single-threaded server has a core to itself and the figures do not
//! depend on how the scheduler shares two cores among three busy threads. Each table shows per
//! server the median of the runs, the min–max, the server's CPU use and the ratio of ours to
//! that server, with PASS/MISS against the targets.
//!
//! ```text
//! cargo run --release -p parasol-bench -- [--quick] [--target HOST:PORT] [--only W1,W3] [--runs N]
//! ```

mod callgrind;
mod child;
mod load;
mod providers;
mod report;
mod servers;
mod soak;
mod tls;
mod workloads;

use child::{ServeSpec, ServerChild};
use clap::{Parser, Subcommand};
use load::handshake::Kind;
use load::Target;
use report::{Row, Table, Verdict};
use std::net::ToSocketAddrs;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use workloads::{selected, table, Ctx, Sizes, W};

/// Command line.
#[derive(Parser, Debug)]
#[command(
    name = "parasol-bench",
    about = "Side-by-side echo benchmark: parasol NetSocket vs mio, tokio, std and rustls peers"
)]
struct Cli {
    /// Tiny workloads that check every echoed byte (for CI); speed is not judged.
    #[arg(long)]
    quick: bool,
    /// Drive an external echo server at HOST:PORT with the same generator (W1–W3 only).
    #[arg(long, value_name = "HOST:PORT")]
    target: Option<String>,
    /// Only these workloads, e.g. `W1,W3`.
    #[arg(long, value_delimiter = ',', value_name = "W1,W2,...")]
    only: Vec<String>,
    /// Runs per server and workload; the table shows the median [default: 5, or 1 with --quick].
    #[arg(long)]
    runs: Option<usize>,
    /// Do not pin: by default each server gets one CPU to itself and the generator the others.
    #[arg(long)]
    no_pin: bool,
    /// Loops of ours and workers of tokio-mt on the multi-loop workloads (W2M, W3M)
    /// [default: the CPUs this process may use].
    #[arg(long)]
    loops: Option<usize>,
    /// The read size of every server on the bulk workloads (W1, W5), in bytes.
    #[arg(long, default_value_t = 256 * 1024, value_name = "BYTES")]
    read_size: usize,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Instructions per kernel operation and per echo round trip, counted by valgrind's
    /// callgrind: deterministic, so regressions show even on a noisy machine.
    Callgrind,
    /// Internal: run one operation N times (under callgrind).
    #[command(hide = true)]
    CallgrindOp {
        /// Operation name.
        op: String,
        /// Iterations.
        n: u64,
    },
    /// The crypto provider comparison: aws-lc-rs vs ring, in memory.
    Providers,
    /// Soak: CLIENTS clients each echo BYTES bytes, CONCURRENCY at a time, every byte checked
    /// (SHA-256); peak RSS and descriptors before and after, per server.
    Soak {
        /// Clients in all.
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        /// Bytes each client echoes.
        #[arg(long, default_value_t = 1 << 20)]
        bytes: usize,
        /// Clients connected at once.
        #[arg(long, default_value_t = 100)]
        concurrency: usize,
        /// Servers to soak.
        #[arg(long, value_delimiter = ',', default_value = "ours,mio,tokio-ct")]
        servers: Vec<String>,
    },
    /// Internal: run one server in this process, print its port, serve until killed.
    #[command(hide = true)]
    ServeImpl {
        /// Server name (ours, mio, tokio-ct, tokio-mt, std, tokio-rustls, rustls-mio).
        name: String,
        /// Read size (per connection for tokio and std, one shared buffer for ours and mio).
        #[arg(long, default_value_t = 64 * 1024)]
        buf: usize,
        /// TLS certificate chain (PEM file).
        #[arg(long)]
        cert: Option<String>,
        /// TLS private key (PEM file).
        #[arg(long)]
        key: Option<String>,
        /// Pin the server to this CPU.
        #[arg(long)]
        cpu: Option<usize>,
        /// Ours' loops, tokio-mt's workers.
        #[arg(long)]
        loops: Option<usize>,
    },
}

/// One run's figures: the main metric and the table's extra columns.
struct Sample {
    value: f64,
    extras: Vec<f64>,
}

fn measure(w: W, ctx: &Ctx, t: &Target, pid: Option<u32>) -> Result<Sample, String> {
    let s = &ctx.sizes;
    let one = |value| Sample {
        value,
        extras: vec![],
    };
    Ok(match w {
        W::W1 => one(load::bulk::plain(t, s.bulk, ctx.quick)?),
        W::W2 | W::W2M => {
            let r = load::pingpong::run(t, s.pp_conns, s.pp_dur)?;
            Sample {
                value: r.per_sec,
                extras: vec![r.p50_us, r.p99_us],
            }
        }
        W::W3 | W::W3M => one(load::churn::run(t, s.churn_dur)?),
        W::W4 => {
            let pid = pid.ok_or("W4 needs a server child")?;
            let r = load::idle::run(t, pid, s.idle_conns)?;
            Sample {
                value: r.after_echo,
                extras: vec![r.after_open],
            }
        }
        W::W5 => {
            let c = ctx.bulk_client.clone().ok_or("no TLS client")?;
            one(load::bulk::tls(t, s.tls_bulk, ctx.quick, c)?)
        }
        W::W6 => {
            let c = ctx.hs_client.clone().ok_or("no TLS client")?;
            one(load::handshake::run(t, s.hs_dur, Kind::Full, c)?.per_sec)
        }
        W::W7 => {
            let c = ctx.hs_client.clone().ok_or("no TLS client")?;
            let r = load::handshake::run(t, s.hs_dur, Kind::Resumed, c)?;
            if r.other > 0 {
                eprintln!(
                    "  W7: {} handshake(s) not resumed (full ones), not counted",
                    r.other
                );
            }
            Sample {
                value: r.per_sec,
                extras: vec![r.other as f64],
            }
        }
    })
}

/// One run of workload `w` against server `name` (a fresh child), or against `external`.
fn run_once(
    w: W,
    name: &'static str,
    ctx: &Ctx,
    external: Option<Target>,
) -> Result<Sample, String> {
    if let Some(t) = external {
        let mut s = measure(w, ctx, &t, None)?;
        if w.cpu_column() {
            s.extras.push(f64::NAN); // not our child: its CPU time is not ours to read
        }
        return Ok(s);
    }
    let tls = ctx
        .identity
        .as_ref()
        .filter(|_| w.tls())
        .map(|id| (id.cert_path.clone(), id.key_path.clone()));
    let multi = w.multi_loop();
    let spec = ServeSpec {
        name,
        buf: w.peer_buf(ctx.bulk_buf),
        tls,
        // The multi-loop servers are not pinned: their threads and the generator's share the
        // CPUs as the scheduler sees fit.
        cpu: if multi { None } else { ctx.server_cpu },
        loops: multi.then_some(ctx.loops),
    };
    let mut child = ServerChild::spawn(&spec)?;
    let t = Target {
        addr: ([127, 0, 0, 1], child.port).into(),
    };
    let cpu0 = child::cpu_secs(child.pid())?;
    let start = Instant::now();
    let mut r = measure(w, ctx, &t, Some(child.pid()));
    let busy = (child::cpu_secs(child.pid())? - cpu0) / start.elapsed().as_secs_f64();
    child.check_alive()?;
    if let (Ok(s), true) = (&mut r, w.cpu_column()) {
        s.extras.push(busy * 100.0);
        if multi {
            // CPU-seconds per second ÷ units per second: the server's CPU per unit, in µs.
            s.extras.push(busy / s.value * 1e6);
        }
    }
    r
}

/// Runs one workload over every server, `runs` times, interleaving the servers run by run so
/// that drift of the machine hits them all alike.
fn run_workload(w: W, ctx: &Ctx, runs: usize, external: Option<Target>) -> Table {
    let mut t = table(w, ctx, external.is_some());
    let names = if external.is_some() {
        vec!["target"]
    } else {
        w.servers()
    };
    t.rows = names
        .iter()
        .map(|n| Row {
            server: n.to_string(),
            extras: vec![vec![]; t.extras.len()],
            ..Row::default()
        })
        .collect();
    for run in 1..=runs {
        for (i, name) in names.iter().enumerate() {
            if t.rows[i].error.is_some() {
                continue; // a server that failed once is not measured again
            }
            match run_once(w, name, ctx, external) {
                Ok(s) => {
                    eprintln!(
                        "  {} run {run}/{runs} {name:<12} {} {}",
                        w.id(),
                        report::num(s.value),
                        t.unit
                    );
                    let row = &mut t.rows[i];
                    row.values.push(s.value);
                    for (col, x) in row.extras.iter_mut().zip(s.extras) {
                        col.push(x);
                    }
                }
                Err(e) => {
                    eprintln!("  {} run {run}/{runs} {name:<12} FAILED: {e}", w.id());
                    t.rows[i].error = Some(e);
                }
            }
            // Let the kernel finish tearing the last connections down.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    t
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.cmd {
        Some(Cmd::CallgrindOp { op, n }) => {
            callgrind::run_op(op, *n);
            return ExitCode::SUCCESS;
        }
        Some(Cmd::Callgrind) => {
            return if callgrind::report() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        Some(Cmd::Soak {
            clients,
            bytes,
            concurrency,
            servers,
        }) => {
            let args = soak::SoakArgs {
                clients: *clients,
                bytes: *bytes,
                concurrency: (*concurrency).max(1),
                servers: servers.clone(),
            };
            return match soak::report(&args) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("parasol-bench soak: {e}");
                    ExitCode::from(2)
                }
            };
        }
        Some(Cmd::Providers) => {
            return match providers::report(cli.quick) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("parasol-bench providers: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    if let Some(Cmd::ServeImpl {
        name,
        buf,
        cert,
        key,
        cpu,
        loops,
    }) = cli.cmd
    {
        let tls = cert.zip(key);
        return match servers::serve(&name, buf, tls, cpu, loops) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("serve-impl {name}: {e}");
                ExitCode::from(2)
            }
        };
    }
    match bench(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("parasol-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// The benchmark proper; `Ok(false)` when a server failed or returned wrong data.
fn bench(cli: &Cli) -> Result<bool, String> {
    let nofile = child::raise_nofile();
    let quick = cli.quick;
    let runs = cli.runs.unwrap_or(if quick { 1 } else { 5 }).max(1);
    let external = match &cli.target {
        Some(hp) => Some(Target {
            addr: hp
                .to_socket_addrs()
                .map_err(|e| format!("--target {hp}: {e}"))?
                .next()
                .ok_or_else(|| format!("--target {hp}: no address"))?,
        }),
        None => None,
    };
    let cpus = child::allowed_cpus();
    // One CPU for the server, the rest for the generator: the servers are single-threaded,
    // and without pinning three busy threads (server, generator writer and reader) share two
    // CPUs, which leaves the servers at 60–80 % and the figures to the scheduler.
    let server_cpu = match (&external, cli.no_pin, cpus.as_slice()) {
        (None, false, [.., last]) if cpus.len() >= 2 => {
            let rest: Vec<usize> = cpus.iter().copied().filter(|c| c != last).collect();
            if !child::pin_to(&rest) {
                return Err("cannot pin the generator (try --no-pin)".into());
            }
            Some(*last)
        }
        _ => None,
    };
    let ws = selected(&cli.only, external.is_some())?;
    if ws.is_empty() {
        return Err("no workload selected (--target supports W1–W3)".into());
    }
    let mut ctx = Ctx {
        quick,
        sizes: Sizes::new(quick, nofile),
        nofile,
        bulk_buf: cli.read_size.max(1),
        loops: cli.loops.unwrap_or(cpus.len()).max(1),
        identity: None,
        bulk_client: None,
        hs_client: None,
        server_cpu,
    };
    if ws.iter().any(|w| w.tls()) {
        let id = tls::generate()?;
        ctx.bulk_client = Some(tls::client_config(&id.ca, tls::Verify::Full, false)?);
        let hs_verify = if quick {
            tls::Verify::Full
        } else {
            tls::Verify::Skip
        };
        ctx.hs_client = Some(tls::client_config(&id.ca, hs_verify, true)?);
        ctx.identity = Some(id);
    }
    println!(
        "parasol-bench{}: {runs} run(s) per server, median shown; {} CPUs; each server in its \
         own child process, one load generator (≤ 2 threads) in this one; RLIMIT_NOFILE {nofile}",
        if quick {
            " --quick (checks data, not speed)"
        } else {
            ""
        },
        cpus.len(),
    );
    match server_cpu {
        Some(c) => println!(
            "pinning: every single-loop server (tokio-mt's 2 workers too) on CPU {c}, the \
             generator on the other CPU(s); the multi-loop workloads (W2M, W3M) unpinned"
        ),
        None => println!("pinning: none"),
    }
    if let Some(t) = &external {
        println!("target: external echo server at {}", t.addr);
    }
    let judge = !quick && external.is_none();
    let mut verdicts: Vec<Verdict> = Vec::new();
    let mut ok = true;
    for w in ws {
        eprintln!("{} ...", w.id());
        // The multi-loop workloads run unpinned: the generator may use every CPU too.
        let generator_pinned = server_cpu.is_some() && w.multi_loop();
        if generator_pinned && !child::pin_to(&cpus) {
            return Err("cannot unpin the generator".into());
        }
        let t = run_workload(w, &ctx, runs, external);
        if generator_pinned {
            let rest: Vec<usize> = cpus
                .iter()
                .copied()
                .filter(|c| Some(*c) != server_cpu)
                .collect();
            if !child::pin_to(&rest) {
                return Err("cannot pin the generator again".into());
            }
        }
        ok &= t.rows.iter().all(|r| r.error.is_none());
        verdicts.extend(t.print(judge));
    }
    if judge && !verdicts.is_empty() {
        println!("\ntargets:");
        for v in &verdicts {
            println!("  {} {}", if v.pass { "PASS" } else { "MISS" }, v.what);
        }
    }
    if !ok {
        println!("\nFAILED: at least one server failed or returned wrong data (see above)");
    } else if quick {
        println!("\nquick: every server echoed every byte intact");
    }
    Ok(ok)
}
