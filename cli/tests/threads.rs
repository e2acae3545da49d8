//! `parasol serve --threads N`: N loops share the port, each client is served by one of them,
//! chat lines reach the clients of every loop in order per sender, and SIGTERM closes every
//! loop gracefully.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::*;

/// Connects `n` clients, one at a time, and returns them with the loop each was accepted on
/// (from serve's "connected (loop i)" lines).
fn connect_clients(serve: &Serve, n: usize) -> (Vec<TcpStream>, Vec<usize>) {
    let mut clients = Vec::new();
    let mut loops = Vec::new();
    for _ in 0..n {
        let c = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let me = c.local_addr().unwrap().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        let line = loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .expect("connected line");
            let l = serve.stderr.recv_timeout(left).expect("serve's log");
            if l.contains(&format!("{me} connected")) {
                break l;
            }
        };
        let index = line
            .rsplit("(loop ")
            .next()
            .and_then(|r| r.trim_end_matches(')').parse().ok())
            .unwrap_or_else(|| panic!("no loop in {line:?}"));
        loops.push(index);
        clients.push(c);
    }
    (clients, loops)
}

#[test]
fn echo_on_four_loops_then_sigterm_closes_them_all() {
    let mut serve = Serve::start(&["--threads", "4", "--multi-connect"]);
    let (mut clients, loops) = connect_clients(&serve, 24);
    let used: BTreeSet<usize> = loops.iter().copied().collect();
    assert!(used.iter().all(|&i| i < 4), "{loops:?}");
    // 24 connections all hashed to one of four listeners: probability 4 × 4^-24.
    assert!(used.len() >= 2, "the kernel spread the clients: {loops:?}");
    for (n, c) in clients.iter_mut().enumerate() {
        let msg = format!("hello from client {n}");
        c.write_all(msg.as_bytes()).unwrap();
        let mut back = vec![0u8; msg.len()];
        c.read_exact(&mut back).unwrap();
        assert_eq!(back, msg.as_bytes());
    }
    // Each client waits for the server's close and then closes too, as a client would; the
    // server's close waits for that (bounded).
    let closes: Vec<_> = clients
        .into_iter()
        .map(|mut c| std::thread::spawn(move || c.read_to_end(&mut Vec::new()).unwrap()))
        .collect();
    let status = serve.terminate();
    assert!(status.success(), "serve exit status {status}");
    for c in closes {
        assert_eq!(c.join().unwrap(), 0, "an orderly close");
    }
    let closed: BTreeSet<String> = serve
        .stderr
        .try_iter()
        .filter_map(|l| l.split("loop ").nth(1).map(str::to_owned))
        .filter(|l| l.contains("closed in"))
        .map(|l| l[..1].to_owned())
        .collect();
    assert_eq!(closed.len(), 4, "every loop logged its close: {closed:?}");
}

#[test]
fn chat_reaches_every_loop_in_order_per_sender() {
    const CLIENTS: usize = 9;
    const LINES: usize = 200;
    let serve = Serve::start(&["--mode", "chat", "--threads", "3", "--multi-connect"]);
    let (clients, loops) = connect_clients(&serve, CLIENTS);
    let used: BTreeSet<usize> = loops.iter().copied().collect();
    assert!(used.len() >= 2, "clients on several loops: {loops:?}");
    // Each client reads in a thread of its own until it has every other client's lines.
    let readers: Vec<_> = clients
        .iter()
        .map(|c| {
            let mut r = BufReader::new(c.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut next: HashMap<usize, usize> = HashMap::new();
                let mut line = String::new();
                for _ in 0..(CLIENTS - 1) * LINES {
                    line.clear();
                    r.read_line(&mut line).expect("a chat line");
                    let (who, n): (usize, usize) = line
                        .trim_end()
                        .split_once(' ')
                        .and_then(|(w, n)| Some((w.parse().ok()?, n.parse().ok()?)))
                        .unwrap_or_else(|| panic!("not a chat line: {line:?}"));
                    let expected = next.entry(who).or_default();
                    assert_eq!(n, *expected, "client {who}'s lines in order");
                    *expected += 1;
                }
                next
            })
        })
        .collect();
    // Everyone talks at once, one line per write.
    let writers: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(who, c)| {
            let mut w = c.try_clone().unwrap();
            std::thread::spawn(move || {
                for n in 0..LINES {
                    w.write_all(format!("{who} {n}\n").as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    for (me, r) in readers.into_iter().enumerate() {
        let got = r.join().expect("reader");
        assert_eq!(
            got.len(),
            CLIENTS - 1,
            "client {me} heard every other client"
        );
        assert!(got.values().all(|&n| n == LINES), "{got:?}");
        assert!(!got.contains_key(&me), "no echo to the sender");
    }
}

/// A python3 TLS client that connects `n` times, each time offering the session of the
/// connection before (TLS 1.3 tickets are single use), and prints how many were resumed.
const PY_RESUMER: &str = r#"
import socket, ssl, sys
port, ca, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
session, resumed = None, 0
for i in range(n):
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            s.sendall(b"ping")
            assert s.recv(4) == b"ping"
            resumed += s.session_reused
            session = s.session
print(resumed)
"#;

#[test]
fn tls_on_three_loops_resumes_whichever_loop_a_client_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let cert = cert.to_str().unwrap();
    let serve = Serve::start(&[
        "--threads",
        "3",
        "--multi-connect",
        "--tls-self-signed",
        "--tls-save-cert",
        cert,
    ]);
    const N: usize = 16;
    let out = run_with_input(
        std::process::Command::new("python3").args([
            "-c",
            PY_RESUMER,
            &serve.port.to_string(),
            cert,
            &N.to_string(),
        ]),
        b"",
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resumed: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let loops: BTreeSet<String> = serve
        .stderr
        .try_iter()
        .filter_map(|l| l.split("connected (loop ").nth(1).map(str::to_owned))
        .collect();
    assert!(
        loops.len() >= 2,
        "connections reached several loops: {loops:?}"
    );
    // One session cache for every loop: every connection after the first resumes.
    assert_eq!(resumed, N - 1, "loops used: {loops:?}");
}
