//! Server children: every server runs in its own process (this binary re-executed with the hidden
//! `serve-impl` subcommand) so that no two servers share an allocator, a runtime or a CPU budget,
//! and so the RSS of one server can be read from `/proc` without the load generator in it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a child needs to serve one workload.
#[derive(Clone, Debug)]
pub struct ServeSpec {
    /// Server implementation name (`ours`, `mio`, `tokio-ct`, ...).
    pub name: &'static str,
    /// Read size of every server (per connection for tokio and std, shared by ours and mio).
    pub buf: usize,
    /// PEM files of the TLS identity, for the TLS servers.
    pub tls: Option<(String, String)>,
    /// The CPU the server is pinned to (the generator keeps the others).
    pub cpu: Option<usize>,
    /// Ours' loops, tokio-mt's workers (default: 1 and 2).
    pub loops: Option<usize>,
}

/// A running server child; killed when dropped.
pub struct ServerChild {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl ServerChild {
    /// Re-executes this binary as `serve-impl` and waits for the port it prints on stdout.
    pub fn spawn(spec: &ServeSpec) -> Result<ServerChild, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.arg("serve-impl")
            .arg(spec.name)
            .arg("--buf")
            .arg(spec.buf.to_string());
        if let Some(cpu) = spec.cpu {
            cmd.arg("--cpu").arg(cpu.to_string());
        }
        if let Some(n) = spec.loops {
            cmd.arg("--loops").arg(n.to_string());
        }
        if let Some((cert, key)) = &spec.tls {
            cmd.arg("--cert").arg(cert).arg("--key").arg(key);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("spawning {}: {e}", spec.name))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = match read {
            Ok(n) if n > 0 => line.trim().parse::<u16>().ok(),
            _ => None,
        };
        match port {
            Some(port) => Ok(ServerChild { child, port }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("{}: no port from child (got {line:?})", spec.name))
            }
        }
    }

    /// The child's process id (for `/proc/<pid>/...`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails if the child already exited (crashed under load).
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(format!("server exited: {status}")),
            _ => Ok(()),
        }
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        // The servers serve until killed; SIGKILL is fine since nothing is flushed on exit.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident set size of a process in bytes (`VmRSS` of `/proc/<pid>/status`).
pub fn vm_rss(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no VmRSS for {pid}"))
}

/// Number of open descriptors of a process: how we know a server has accepted every
/// connection without asking it.
pub fn open_fds(pid: u32) -> Result<usize, String> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .map_err(|e| format!("/proc/{pid}/fd: {e}"))
}

/// Waits until `pid` has at least `want` descriptors open, or fails after `timeout`.
pub fn wait_for_fds(pid: u32, want: usize, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let n = open_fds(pid)?;
        if n >= want {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("server has {n} fds open, expected {want}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Raises the RLIMIT_NOFILE soft limit to the hard limit; returns the new soft limit.
/// Called by the parent and by every child (W4 holds 10,000 sockets on each side).
pub fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let want = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                return want.rlim_cur;
            }
        }
        lim.rlim_cur
    }
}

/// CPU time (user + system) a process has used so far, in seconds.
pub fn cpu_secs(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15, i.e. indexes 11 and 12 after the name.
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Ok((ticks(11) + ticks(12)) as f64 / hz)
}

/// The CPUs this process may run on.
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; we pass its real size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return vec![];
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

/// Pins the calling thread, and the threads it creates afterwards, to `cpus`.
pub fn pin_to(cpus: &[usize]) -> bool {
    // SAFETY: as above; CPU_SET only writes inside the set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in cpus {
            libc::CPU_SET(c, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}
