//! The workloads of issue #6: their sizes (full or `--quick`), which servers each one runs,
//! and the table each one prints (unit, direction, targets, notes).

use crate::report::{Better, Goal, Table};
use crate::{load, servers, tls};
use std::sync::Arc;
use std::time::Duration;

/// The workloads of issue #6, and the multi-loop ones.
// The variants are the workloads' names as the tables print them (W2M is "W2 on several loops").
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum W {
    W1,
    W2,
    W3,
    W4,
    W5,
    W6,
    W7,
    /// W2 against several loops (ours) and as many tokio workers.
    W2M,
    /// W3 against several loops and as many tokio workers.
    W3M,
}

/// Every workload, in the order they run.
pub(crate) const ALL: [W; 9] = [
    W::W1,
    W::W2,
    W::W3,
    W::W4,
    W::W5,
    W::W6,
    W::W7,
    W::W2M,
    W::W3M,
];

impl W {
    /// `W1` … `W7`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            W::W1 => "W1",
            W::W2 => "W2",
            W::W3 => "W3",
            W::W4 => "W4",
            W::W5 => "W5",
            W::W6 => "W6",
            W::W7 => "W7",
            W::W2M => "W2M",
            W::W3M => "W3M",
        }
    }

    /// Whether the servers run several loops (ours) or workers (tokio-mt), unpinned.
    pub(crate) fn multi_loop(self) -> bool {
        matches!(self, W::W2M | W::W3M)
    }

    /// Whether the table shows the server's CPU use: it tells whether the server or the
    /// generator and kernel set the pace (a single-threaded server near 100 % is the limit).
    pub(crate) fn cpu_column(self) -> bool {
        self != W::W4
    }

    /// Whether the servers serve TLS.
    pub(crate) fn tls(self) -> bool {
        matches!(self, W::W5 | W::W6 | W::W7)
    }

    /// The servers measured on this workload; `ours` first.
    pub(crate) fn servers(self) -> Vec<&'static str> {
        match self {
            // The Fluid echo server (examples/fluid/echo_server.fluid) on bulk and ping-pong.
            W::W1 | W::W2 => servers::PLAIN.iter().copied().chain(["fluid"]).collect(),
            W::W3 => servers::PLAIN.to_vec(),
            // A thread per connection does not fit 10,000 connections.
            W::W4 => servers::PLAIN
                .iter()
                .copied()
                .filter(|s| *s != "std")
                .collect(),
            W::W5 | W::W6 | W::W7 => servers::TLS.to_vec(),
            // ours-acceptor: the design ReusePort was chosen over, measured beside it.
            W::W2M | W::W3M => vec!["ours", "ours-acceptor", "tokio-mt"],
        }
    }

    /// The read buffer of every server (per connection for tokio and std, shared by all
    /// connections for ours and mio): `bulk` for the bulk workloads, 4 KiB otherwise so the
    /// idle-memory figure is what such a server really holds.
    pub(crate) fn peer_buf(self, bulk: usize) -> usize {
        match self {
            W::W1 | W::W5 => bulk,
            _ => 4 * 1024,
        }
    }
}

/// Workload sizes: full, or tiny with `--quick`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    pub(crate) bulk: u64,
    pub(crate) pp_conns: usize,
    pub(crate) pp_dur: Duration,
    pub(crate) churn_dur: Duration,
    pub(crate) idle_conns: usize,
    pub(crate) tls_bulk: u64,
    /// W6 and W7.
    pub(crate) hs_dur: Duration,
}

impl Sizes {
    /// The sizes for a full run, or for `--quick`; `nofile` caps the idle connections.
    pub(crate) fn new(quick: bool, nofile: u64) -> Sizes {
        const MIB: u64 = 1024 * 1024;
        if quick {
            let short = Duration::from_millis(300);
            return Sizes {
                bulk: 8 * MIB,
                pp_conns: 10,
                pp_dur: short,
                churn_dur: short,
                idle_conns: 200,
                tls_bulk: 4 * MIB,
                hs_dur: short,
            };
        }
        let secs = Duration::from_secs(3);
        Sizes {
            bulk: 1024 * MIB,
            pp_conns: 100,
            pp_dur: secs,
            churn_dur: secs,
            // Each side is a separate process with its own limit; keep some for the rest.
            idle_conns: 10_000.min(nofile.saturating_sub(256) as usize),
            tls_bulk: 1024 * MIB,
            hs_dur: secs,
        }
    }
}

/// Everything a measurement needs besides the server.
pub(crate) struct Ctx {
    pub(crate) quick: bool,
    pub(crate) sizes: Sizes,
    pub(crate) nofile: u64,
    /// The read size of every server on W1 and W5 (`--read-size`).
    pub(crate) bulk_buf: usize,
    pub(crate) identity: Option<tls::Identity>,
    /// W5: verifying client, default versions.
    pub(crate) bulk_client: Option<Arc<rustls::ClientConfig>>,
    /// W6 and W7: TLS 1.3 only, no resumption (W7 gives each connection slot a copy that
    /// resumes, `tls::with_session_store`); verifying only with --quick.
    pub(crate) hs_client: Option<Arc<rustls::ClientConfig>>,
    /// The CPU every single-loop server child is pinned to, if any.
    pub(crate) server_cpu: Option<usize>,
    /// Ours' loops and tokio-mt's workers on W2M and W3M.
    pub(crate) loops: usize,
}

/// The column of the multi-loop workloads that compares CPU cost.
pub(crate) const CPU_PER_UNIT: &str = "server CPU µs/unit";

/// The empty table of a workload: title, unit, targets and notes.
pub(crate) fn table(w: W, ctx: &Ctx, external: bool) -> Table {
    let s = &ctx.sizes;
    let mib = |b: u64| b / (1024 * 1024);
    let vs_plain = vec![
        Goal::AtLeast {
            peer: "tokio-ct",
            min: 1.0,
        },
        Goal::AtLeast {
            peer: "mio",
            min: 0.95,
        },
    ];
    let (title, unit, better, extras, goals, notes) = match w {
        W::W1 => (
            format!(
                "W1 echo, 1 connection, 64 KiB writes, {} MiB each way",
                mib(s.bulk)
            ),
            "MB/s",
            Better::Higher,
            vec![],
            vs_plain,
            vec![
                "MB/s = 10^6 bytes echoed per second, first write to last byte read".into(),
                if ctx.quick {
                    "both directions hashed (SHA-256) and compared".into()
                } else {
                    "the generator writes with vmsplice+splice and reads with MSG_TRUNC (no \
                     copies on its side; data is only checked with --quick)"
                        .into()
                },
            ],
        ),
        W::W2 => (
            format!(
                "W2 64-byte ping-pong, {} connections, {:.1} s",
                s.pp_conns,
                s.pp_dur.as_secs_f64()
            ),
            "round trips/s",
            Better::Higher,
            vec!["p50 µs", "p99 µs"],
            vs_plain
                .iter()
                .cloned()
                .chain([
                    Goal::ShareOfOurs {
                        server: "fluid",
                        min: 0.5,
                    },
                    // 10× Parasol's own Fluid echo server as shipped (5.6 K round trips/s
                    // over 100 connections on this machine class, measured once).
                    Goal::ServerAtLeast {
                        server: "fluid",
                        min: 56_000.0,
                    },
                ])
                .collect(),
            vec![
                "each connection: send 64 B, wait for the echo, check it, repeat".into(),
                "server CPU % near 100: the server, not the generator, sets the pace".into(),
                "fluid: examples/fluid/echo_server.fluid through the Fluid door (LuaJIT)".into(),
            ],
        ),
        W::W3 => (
            format!(
                "W3 connection churn, {:.1} s (connect, 1 byte each way, close)",
                s.churn_dur.as_secs_f64()
            ),
            "connections/s",
            Better::Higher,
            vec![],
            vs_plain,
            vec![format!(
                "2 generator threads × {} connections in flight, source addresses 127.0.0.2–65",
                load::churn::IN_FLIGHT
            )],
        ),
        W::W4 => {
            let mut notes = vec![
                "server VmRSS growth ÷ connections, after one byte echoed on each; \
                 'after open' is before any byte"
                    .to_string(),
            ];
            if !ctx.quick && s.idle_conns < 10_000 {
                notes.push(format!(
                    "only {} connections: RLIMIT_NOFILE hard limit is {}",
                    s.idle_conns, ctx.nofile
                ));
            }
            (
                format!("W4 {} idle connections, server memory", s.idle_conns),
                "B/conn",
                Better::Lower,
                vec!["after open B/conn"],
                vec![Goal::AtMost { max: 1024.0 }],
                notes,
            )
        }
        W::W5 => (
            format!(
                "W5 TLS echo, 1 connection, 64 KiB writes, {} MiB each way",
                mib(s.tls_bulk)
            ),
            "MB/s",
            Better::Higher,
            vec![],
            vec![Goal::AtLeast {
                peer: "tokio-rustls",
                min: 0.95,
            }],
            vec!["rustls 0.23 + aws-lc-rs everywhere, ECDSA P-256 certificate".into()],
        ),
        W::W6 => (
            format!(
                "W6 TLS 1.3 full handshakes, {:.1} s (connect, handshake, 1 byte each way, close)",
                s.hs_dur.as_secs_f64()
            ),
            "handshakes/s",
            Better::Higher,
            vec![],
            vec![Goal::AtLeast {
                peer: "rustls-mio",
                min: 0.9,
            }],
            vec![
                format!(
                    "ECDSA P-256, no resumption (the client keeps no session; the servers are \
                     set up as in W7), 2 generator threads × {} in flight",
                    load::handshake::IN_FLIGHT
                ),
                if ctx.quick {
                    "the client verifies the certificate (--quick)".into()
                } else {
                    "the client skips certificate/signature verification so that it \
                     stays cheaper than the server (a verifying client costs ~2× a server)"
                        .into()
                },
            ],
        ),
        W::W7 => (
            format!(
                "W7 TLS 1.3 resumed handshakes, {:.1} s (connect, resume, 1 byte each way, close)",
                s.hs_dur.as_secs_f64()
            ),
            "handshakes/s",
            Better::Higher,
            vec!["not resumed"],
            vec![],
            vec![
                format!(
                    "every server: stateful resumption, a ServerSessionMemoryCache of {} \
                     sessions, {} TLS 1.3 tickets per handshake (ours: net/src/tls/server.rs; \
                     the peers are set the same way)",
                    tls::SERVER_SESSIONS,
                    tls::TLS13_TICKETS
                ),
                format!(
                    "client: rustls' default in-memory session store (Resumption::default()), \
                     one per connection slot, 2 generator threads × {} slots; one full handshake \
                     per slot before the clock starts",
                    load::handshake::IN_FLIGHT
                ),
                "only handshakes with handshake_kind() == Resumed are counted; 'not resumed' \
                 counts the full ones (a server that never resumes fails the row)"
                    .into(),
            ],
        ),
        W::W2M | W::W3M => {
            let (what, unit, per, extras) = if w == W::W2M {
                (
                    format!(
                        "W2M 64-byte ping-pong on {} loops, {} connections, {:.1} s",
                        ctx.loops,
                        s.pp_conns,
                        s.pp_dur.as_secs_f64()
                    ),
                    "round trips/s",
                    "round trip",
                    vec!["p50 µs", "p99 µs"],
                )
            } else {
                (
                    format!(
                        "W3M connection churn on {} loops, {:.1} s (connect, 1 byte each way, close)",
                        ctx.loops,
                        s.churn_dur.as_secs_f64()
                    ),
                    "connections/s",
                    "connection",
                    vec![],
                )
            };
            (
                what,
                unit,
                Better::Higher,
                extras,
                vec![
                    Goal::AtLeast {
                        peer: "tokio-mt",
                        min: 1.0,
                    },
                    Goal::ExtraAtMost {
                        column: CPU_PER_UNIT,
                        peer: "tokio-mt",
                        max: 1.0,
                    },
                ],
                vec![
                    format!(
                        "ours: {n} loops on {n} threads, one ReusePort server each (the kernel \
                         spreads connections); ours-acceptor: one thread accepts and hands \
                         each connection to the next loop in turn (the alternative design); \
                         tokio-mt: the multi-thread runtime with {n} workers, one accept loop",
                        n = ctx.loops
                    ),
                    "nothing pinned: the servers' threads and the generator's share every CPU"
                        .into(),
                    format!(
                        "{CPU_PER_UNIT}: the server's CPU time (user + system) ÷ {per}s served; \
                         the generator's share of the CPUs is not in it"
                    ),
                ],
            )
        }
    };
    let mut notes = notes;
    if !external {
        notes.push(format!(
            "every server reads at most {} KiB per call (ours and mio: one buffer for all \
             connections; tokio, tokio-rustls and std: one per connection)",
            w.peer_buf(ctx.bulk_buf) / 1024
        ));
    }
    let mut extras = extras;
    if w.cpu_column() {
        extras.push("server CPU %");
    }
    if w.multi_loop() {
        extras.push(CPU_PER_UNIT);
    }
    Table {
        title,
        unit,
        better,
        extras,
        rows: vec![],
        goals,
        notes,
    }
}

pub(crate) fn selected(only: &[String], external: bool) -> Result<Vec<W>, String> {
    let mut ws = Vec::new();
    for o in only.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        let w = ALL
            .iter()
            .copied()
            .find(|w| w.id().eq_ignore_ascii_case(o))
            .ok_or_else(|| format!("unknown workload {o:?} (W1..W7, W2M, W3M)"))?;
        if !ws.contains(&w) {
            ws.push(w);
        }
    }
    if ws.is_empty() {
        ws = ALL.to_vec();
    }
    if external {
        // An external server: only the plaintext echo workloads make sense (no pid, no TLS).
        ws.retain(|w| matches!(w, W::W1 | W::W2 | W::W3 | W::W2M | W::W3M));
    }
    Ok(ws)
}
