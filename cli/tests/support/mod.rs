//! What the command's tests share: the binary, a running `parasol serve`, running a command
//! with input within a bound, and whether a tool is installed.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_parasol");

/// A running `parasol serve`, stopped with SIGTERM when dropped.
pub struct Serve {
    pub child: Child,
    pub port: u16,
    pub stderr: mpsc::Receiver<String>,
    /// What serve printed on stdout before its "listening on port" line.
    pub banner: Vec<String>,
}

impl Serve {
    pub fn start(args: &[&str]) -> Serve {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut banner = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            out.read_line(&mut line).unwrap();
            if line.is_empty() || line.contains("listening on port") {
                break;
            }
            banner.push(line.trim_end().to_owned());
        }
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        Serve {
            child,
            port,
            stderr: rx,
            banner,
        }
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe { libc_kill(self.child.id() as i32, 15) };
        wait_child(&mut self.child, Duration::from_secs(15)).expect("serve exits after SIGTERM")
    }

    /// Waits until a stderr line contains `needle`.
    pub fn log_contains(&self, needle: &str, within: Duration) -> bool {
        line_arrives(&self.stderr, needle, within)
    }
}

/// Waits until a line received on `lines` contains `needle` (lines before it are consumed).
pub fn line_arrives(lines: &mpsc::Receiver<String>, needle: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

extern "C" {
    #[link_name = "kill"]
    pub fn libc_kill(pid: i32, sig: i32) -> i32;
}

pub fn wait_child(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// Runs a command with `input` on stdin, bounded in time.
pub fn run_with_input(cmd: &mut Command, input: &[u8], within: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let status = match wait_child(&mut child, within) {
        Some(s) => s,
        None => {
            let _ = child.kill();
            child.wait().unwrap()
        }
    };
    writer.join().unwrap();
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

pub fn connect(args: &[&str], input: &[u8]) -> Output {
    run_with_input(
        Command::new(BIN).arg("connect").args(args),
        input,
        Duration::from_secs(30),
    )
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}
