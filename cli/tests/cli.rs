//! The `parasol` binary, run as a user would: demo, serve ↔ connect in every mode, real tools
//! (nc, curl, openssl) against serve, connect against openssl s_server, signals, errors.

#[path = "../../tests/common/mod.rs"]
mod common;

use common::pki;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod support;

use support::*;

#[test]
fn demo_exits_zero_with_every_byte_echoed() {
    let out = run_with_input(&mut Command::new(BIN), b"", Duration::from_secs(30));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = text
        .lines()
        .find(|l| l.starts_with("summary:"))
        .expect("summary line");
    assert!(text.contains("echoed intact"), "{text}");
    // sent == echoed == intact
    let nums: Vec<u64> = summary
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(nums[2], nums[3], "{summary}");
    assert_eq!(nums[3], nums[4], "{summary}");
    assert!(text.contains("client 0: Handshaking") && text.contains("client 0: Connected"));
    // `parasol demo` is the same.
    let out = run_with_input(
        Command::new(BIN).args(["demo", "--clients", "2", "--round-trips", "3"]),
        b"",
        Duration::from_secs(30),
    );
    assert!(out.status.success());
}

#[test]
fn connect_serve_echo_round_trip() {
    let serve = Serve::start(&["--mode", "echo"]);
    let data = common::pattern(3 << 20, 5);
    let out = connect(&["127.0.0.1", &serve.port.to_string()], &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), data.len());
    assert!(out.stdout == data);
    // By name, too.
    let out = connect(&["localhost", &serve.port.to_string()], b"by name\n");
    assert_eq!(out.stdout, b"by name\n");
}

#[test]
fn connect_serve_discard() {
    let serve = Serve::start(&["--mode", "discard"]);
    let out = connect(
        &["127.0.0.1", &serve.port.to_string()],
        &common::pattern(1 << 20, 1),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn connect_serve_chat_and_slow_consumer() {
    chat_with_a_slow_consumer(&[]);
}

/// On several loops the slow consumer, the listener and the talker may each be on any of them:
/// the slow one is still dropped on its own loop and the listener still gets every line.
#[test]
fn chat_with_a_slow_consumer_on_three_loops() {
    chat_with_a_slow_consumer(&["--threads", "3"]);
}

fn chat_with_a_slow_consumer(extra: &[&str]) {
    let mut args = vec![
        "--mode",
        "chat",
        "--multi-connect",
        "--msg-limit",
        "1048576",
    ];
    args.extend_from_slice(extra);
    let serve = Serve::start(&args);
    let port = serve.port.to_string();
    // A listener client that keeps stdin open.
    let mut listener = Command::new(BIN)
        .args(["connect", "127.0.0.1", &port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lout = BufReader::new(listener.stdout.take().unwrap());
    assert!(serve.log_contains("connected", Duration::from_secs(10)));
    // A slow consumer: connects with a tiny receive window and never reads.
    let slow = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    slow.set_recv_buffer_size(4096).unwrap();
    slow.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], serve.port)).into())
        .unwrap();
    assert!(serve.log_contains("connected", Duration::from_secs(10)));
    // A talker sends 13 MB of lines, more than the slow one's socket buffers and queue can hold:
    // it overflows and is dropped. Each 256 KiB step waits until the listener has it, so the
    // listener is never more than one step behind and is never mistaken for a slow consumer.
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let lines = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (r, l) = (received.clone(), lines.clone());
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = lout.read(&mut buf) {
            if n == 0 {
                break;
            }
            l.fetch_add(
                buf[..n].iter().filter(|&&b| b == b'\n').count(),
                std::sync::atomic::Ordering::SeqCst,
            );
            r.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let mut flood = Vec::new();
    for i in 0..400_000 {
        flood.extend_from_slice(format!("line {i} of the chat flood test\n").as_bytes());
    }
    let mut talker = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    assert!(serve.log_contains("connected", Duration::from_secs(10)));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sent = 0;
    for step in flood.chunks(256 * 1024) {
        talker.write_all(step).unwrap();
        sent += step.len();
        while received.load(std::sync::atomic::Ordering::SeqCst) < sent {
            assert!(
                Instant::now() < deadline,
                "listener stalled at {} of {sent}",
                received.load(std::sync::atomic::Ordering::SeqCst)
            );
            std::thread::yield_now();
        }
    }
    assert_eq!(
        lines.load(std::sync::atomic::Ordering::SeqCst),
        400_000,
        "listener got every line"
    );
    assert!(
        serve.log_contains("slow consumer", Duration::from_secs(10)),
        "slow consumer disconnected with a log line"
    );
    drop(talker);
    drop(slow);
    drop(listener.stdin.take());
    assert!(wait_child(&mut listener, Duration::from_secs(10)).is_some_and(|s| s.success()));
}

#[test]
fn nc_against_serve() {
    if !have("nc") {
        panic!("nc is missing (.ci/run installs netcat-openbsd)");
    }
    let serve = Serve::start(&["--mode", "echo"]);
    let out = run_with_input(
        Command::new("nc").args(["-N", "127.0.0.1", &serve.port.to_string()]),
        b"hello from nc\n",
        Duration::from_secs(15),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from nc\n");
}

#[test]
fn curl_raw_http_against_echo() {
    if !have("curl") {
        panic!("curl is missing (.ci/run installs it)");
    }
    let serve = Serve::start(&["--mode", "echo"]);
    // The echo server sends the request back; curl (HTTP/0.9 allowed) prints it until its time
    // limit, since an echo never ends a response.
    let out = run_with_input(
        Command::new("curl").args([
            "-s",
            "--http0.9",
            "-m",
            "2",
            &format!("http://127.0.0.1:{}/probe", serve.port),
        ]),
        b"",
        Duration::from_secs(15),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("GET /probe HTTP/1.1\r\n"), "{text:?}");
    assert!(text.contains("Host: 127.0.0.1"), "{text:?}");
}

#[test]
fn openssl_s_client_against_serve_tls() {
    let serve = Serve::start(&["--mode", "echo", "--tls-self-signed"]);
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", serve.port),
            "-quiet",
            "-no_ign_eof",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl is installed by .ci/run");
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    stdin.write_all(b"over tls\n").unwrap();
    stdin.flush().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = out.read_line(&mut line);
        let _ = tx.send(line);
    });
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(15)).unwrap(),
        "over tls\n"
    );
    drop(stdin);
    assert!(wait_child(&mut child, Duration::from_secs(10)).is_some());
}

#[test]
fn connect_tls_against_openssl_s_server() {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let ca_file = pki::write(&dir, "ca.pem", &ca.pem);
    let s_server = common::openssl::SServer::start(&cert, &key);
    let (port, rx) = (s_server.port.to_string(), &s_server.lines);
    let out = connect(
        &["--tls", "--ca", &ca_file, "localhost", &port],
        b"hello s_server\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = false;
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(10)) {
        if l == "hello s_server" {
            seen = true;
            break;
        }
    }
    assert!(seen, "s_server printed our line");
}

#[test]
fn connect_tls_without_the_private_ca_says_why_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let s_server = common::openssl::SServer::start(&cert, &key);
    let out = connect(
        &["--tls", "localhost", &s_server.port.to_string()],
        b"never sent\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("ERR::Security")
            && err.contains("unable to get local issuer certificate")
            && err.contains("ValidCert 20"),
        "{err}"
    );
}

#[test]
fn sigterm_with_a_client_connected_exits_gracefully() {
    let mut serve = Serve::start(&["--mode", "echo"]);
    let mut client = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client.write_all(b"ping").unwrap();
    let mut b = [0u8; 4];
    client.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"ping");
    // The client sees an orderly close, and closes too (the server's close waits for that).
    let close = std::thread::spawn(move || client.read_to_end(&mut Vec::new()).unwrap());
    let status = serve.terminate();
    assert!(status.success(), "serve exit status {status}");
    assert_eq!(close.join().unwrap(), 0);
}

#[test]
fn connect_to_a_closed_port_fails_with_the_err_name() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = connect(&["127.0.0.1", &port.to_string()], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ConnectionRefused"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["serve"][..],
        &["serve", "--port", "x"],
        &["connect", "host"],
        &["bogus"],
        &["connect", "h", "1", "--insecure"],
        &["serve", "--port", "0", "--udp", "--tls-self-signed"],
        &["connect", "h", "1", "--udp", "--tls"],
        &["lookup"],
    ] {
        let out = run_with_input(Command::new(BIN).args(args), b"", Duration::from_secs(10));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn classes_introspection() {
    let out = run_with_input(
        Command::new(BIN).arg("classes"),
        b"",
        Duration::from_secs(10),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for c in ["NetSocket", "ClientSocket", "NetClient"] {
        assert!(text.contains(c), "{text}");
    }
    let out = run_with_input(
        Command::new(BIN).args(["classes", "netsocket"]),
        b"",
        Duration::from_secs(10),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("MsgLimit") && text.contains("1048576"),
        "{text}"
    );
    assert!(
        text.contains("Connect(Address: string, Port: int, Timeout?: double)"),
        "{text}"
    );
    assert!(text.contains("Read, Write"), "{text}");
    let out = run_with_input(
        Command::new(BIN).args(["classes", "Nonsense"]),
        b"",
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MissingClass"));
}

/// Runs the binary with stdout a pipe whose reading end is already closed (`… | head -1` once
/// head has gone): every write meets EPIPE.
fn run_with_closed_stdout(args: &[&str]) -> Output {
    use std::os::fd::FromRawFd;
    let mut fds = [0i32; 2];
    // SAFETY: pipe(2) fills the two-element array with new descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here alone.
    let (read_end, write_end) = unsafe {
        (
            std::os::fd::OwnedFd::from_raw_fd(fds[0]),
            std::os::fd::OwnedFd::from_raw_fd(fds[1]),
        )
    };
    drop(read_end);
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_child(&mut child, Duration::from_secs(60)).expect("exits");
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    Output {
        status,
        stdout: Vec::new(),
        stderr,
    }
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    for args in [&["classes"][..], &["classes", "NetSocket"], &["demo"]] {
        let out = run_with_closed_stdout(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{args:?}: exit {:?}, stderr: {stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_burst_of_1000_clients_is_served_in_full() {
    // Room for 1000 client descriptors here and 1000 in the server (it inherits the limit).
    let limit = common::raise_fd_limit() as usize;
    let clients: usize = if limit >= 2600 {
        1000
    } else {
        (limit - 300) / 2
    };
    let serve = Serve::start(&["--multi-connect", "--socket-limit", "5000", "-q"]);
    let port = serve.port;
    // Ten threads connect at the same moment, 100 each: all of them must be echoed.
    let gate = std::sync::Arc::new(std::sync::Barrier::new(10));
    let workers: Vec<_> = (0..10)
        .map(|t| {
            let gate = gate.clone();
            std::thread::spawn(move || {
                gate.wait();
                let mut open = Vec::new();
                let mut failures = Vec::new();
                for i in 0..clients / 10 {
                    match TcpStream::connect(("127.0.0.1", port)) {
                        Ok(s) => open.push((i, s)),
                        Err(e) => failures.push(format!("connect {t}/{i}: {e}")),
                    }
                }
                for (i, s) in open.iter_mut() {
                    let msg = format!("client {t}/{i:04}\n");
                    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
                    let mut back = vec![0u8; msg.len()];
                    let r = s
                        .write_all(msg.as_bytes())
                        .and_then(|_| s.read_exact(&mut back));
                    match r {
                        Ok(()) if back == msg.as_bytes() => {}
                        Ok(()) => failures.push(format!("{t}/{i}: wrong echo")),
                        Err(e) => failures.push(format!("{t}/{i}: {e}")),
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {clients} clients failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

/// A burst of idle connections larger than NetSocket's default Backlog (10) must fit in serve's
/// accept queue (`--backlog`, 4096 by default). On overflow Linux answers with SYN cookies, and a late ACK of a connection that
/// already closed can then pass as a cookie and create an ESTABLISHED socket no client owns:
/// serve kept such descriptors open and its graceful close waited its full 10 s bound. The
/// server is stopped (SIGSTOP) while the burst connects, so only the kernel's queue holds it.
#[cfg(target_os = "linux")]
#[test]
fn serve_accept_queue_holds_a_burst() {
    let mut serve = Serve::start(&[
        "--mode",
        "echo",
        "--multi-connect",
        "--socket-limit",
        "1000",
    ]);
    let pid = serve.child.id() as i32;
    let fds = || std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let baseline = fds();
    let somaxconn: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(128);
    let n = 200.min(somaxconn - 1);
    unsafe { libc_kill(pid, libc::SIGSTOP) };
    let clients: Vec<TcpStream> = (0..n)
        .map(|_| {
            TcpStream::connect_timeout(&([127, 0, 0, 1], serve.port).into(), Duration::from_secs(2))
                .expect("connect while serve is stopped")
        })
        .collect();
    unsafe { libc_kill(pid, libc::SIGCONT) };
    let count = |needle: &str, want: usize| {
        let mut seen = 0;
        while seen < want && serve.log_contains(needle, Duration::from_secs(10)) {
            seen += 1;
        }
        seen
    };
    assert_eq!(
        count(" connected", n),
        n,
        "every connection of the burst accepted"
    );
    assert_eq!(fds(), baseline + n);
    drop(clients);
    assert_eq!(count(" disconnected (ERR::Okay)", n), n, "every close seen");
    let deadline = Instant::now() + Duration::from_secs(10);
    while fds() > baseline && Instant::now() < deadline {
        std::thread::park_timeout(Duration::from_millis(10));
    }
    assert_eq!(
        fds(),
        baseline,
        "no server descriptor left after the clients closed"
    );
    let started = Instant::now();
    assert!(serve.terminate().success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "graceful close is prompt"
    );
}

/// A peer process killed mid-transfer (SIGKILL: no close of its own, the kernel resets or
/// closes for it) ends its connection on the server, which releases it and keeps serving.
#[test]
fn a_killed_peer_is_released_and_the_server_keeps_serving() {
    let serve = Serve::start(&["--mode", "echo", "--multi-connect"]);
    let pid = serve.child.id() as i32;
    let fds = || std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let baseline = fds();
    let mut peer = Command::new(BIN)
        .args(["connect", "127.0.0.1", &serve.port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Keep data flowing both ways, then kill it in the middle.
    let mut stdin = peer.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let chunk = vec![b'k'; 64 * 1024];
        while stdin.write_all(&chunk).is_ok() {}
    });
    assert!(serve.log_contains(" connected", Duration::from_secs(10)));
    unsafe { libc_kill(peer.id() as i32, 9) };
    let _ = peer.wait();
    feeder.join().unwrap();
    assert!(
        serve.log_contains(" disconnected", Duration::from_secs(10)),
        "the server noticed the killed peer"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while fds() > baseline && Instant::now() < deadline {
        std::thread::park_timeout(Duration::from_millis(10));
    }
    assert_eq!(fds(), baseline, "its descriptor was released");
    // And the next client is served.
    let out = connect(&["127.0.0.1", &serve.port.to_string()], b"after the kill\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "after the kill\n");
}

/// One failure is one line: the library logs what it also returns at debug only, and the
/// command prints the code with the detail the library recorded (the file, the OS error).
#[test]
fn a_failure_is_one_line_with_its_detail() {
    // The command fails with status 1 and exactly one stderr line, which it returns.
    let one_line_failure = |args: &[&str]| {
        let out = run_with_input(Command::new(BIN).args(args), b"", Duration::from_secs(10));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        err
    };
    let err = one_line_failure(&[
        "serve",
        "--port",
        "0",
        "--tls-cert",
        "/nonexistent/parasol-cli-test.pem",
        "--tls-key",
        "/nonexistent/parasol-cli-test.key",
    ]);
    assert!(
        err.contains("ERR::FileNotFound") && err.contains("/nonexistent/parasol-cli-test.pem"),
        "{err}"
    );
    // On several loops the shared TLS configuration is built first: the same one line.
    let err = one_line_failure(&[
        "serve",
        "--port",
        "0",
        "--threads",
        "2",
        "--tls-cert",
        "/nonexistent/parasol-cli-test.pem",
    ]);
    assert!(
        err.contains("ERR::FileNotFound") && err.contains("/nonexistent/parasol-cli-test.pem"),
        "{err}"
    );
    // A port in use fails on loop 0, and the command says so once.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = one_line_failure(&[
        "serve",
        "--port",
        &port,
        "--address",
        "127.0.0.1",
        "--threads",
        "2",
    ]);
    assert!(err.contains("ERR::InUse"), "{err}");

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = one_line_failure(&["connect", "127.0.0.1", &closed.to_string()]);
    assert!(
        err.contains("ERR::ConnectionRefused") && err.contains("refused"),
        "{err}"
    );
}

#[test]
fn serve_udp_echo_and_discard_with_connect_udp() {
    let serve = Serve::start(&["--udp", "--address", "127.0.0.1"]);
    let out = connect(
        &["--udp", "127.0.0.1", &serve.port.to_string()],
        b"hello over udp\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"hello over udp\n");
    // A second peer: python's socket module, where it is installed.
    if have("python3") {
        let script = format!(
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10); \
             s.sendto(b'from python', ('127.0.0.1', {})); print(s.recvfrom(64)[0].decode())",
            serve.port
        );
        let out = run_with_input(
            Command::new("python3").args(["-c", &script]),
            b"",
            Duration::from_secs(20),
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "from python");
    } else {
        println!("NOTE: python3 is not installed; its part is skipped");
    }
    // A hostile peer: an empty datagram (nothing to echo), the largest one, then a plain one.
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let big = common::pattern(65_507, 9);
    for d in [&b""[..], &big, b"after"] {
        peer.send_to(d, ("127.0.0.1", serve.port)).unwrap();
    }
    let mut buf = vec![0u8; 70_000];
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], &big[..], "the largest datagram comes back whole");
    let n = peer.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"after");
    let discard = Serve::start(&["--udp", "--mode", "discard", "--address", "127.0.0.1"]);
    let out = connect(
        &["--udp", "127.0.0.1", &discard.port.to_string()],
        b"dropped\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "discard sends nothing back");
    let chat = run_with_input(
        Command::new(BIN).args(["serve", "--port", "0", "--udp", "--mode", "chat"]),
        b"",
        Duration::from_secs(10),
    );
    assert_eq!(chat.status.code(), Some(2), "chat needs connections");
}

#[test]
fn lookup_prints_what_netlookup_returns() {
    // localhost and its addresses are answered without asking the system.
    let out = run_with_input(
        Command::new(BIN).args(["lookup", "localhost"]),
        b"",
        Duration::from_secs(10),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "127.0.0.1       localhost\n::1             localhost\n"
    );
    let out = run_with_input(
        Command::new(BIN).args(["lookup", "127.0.0.1"]),
        b"",
        Duration::from_secs(10),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "127.0.0.1       localhost\n"
    );
    // A hosts file answers instead of the system, both ways.
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, "# test names\n127.0.0.5 db.test db\n::5 db.test\n").unwrap();
    let hosts = hosts.to_str().unwrap();
    let run = |q: &str| {
        run_with_input(
            Command::new(BIN).args(["lookup", "--hosts", hosts, q]),
            b"",
            Duration::from_secs(10),
        )
    };
    let out = run("db.test");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "127.0.0.5       db.test\n::5             db.test\n"
    );
    let out = run("127.0.0.5");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "127.0.0.5       db.test\n"
    );
    let out = run("nosuch.test");
    assert_eq!(out.status.code(), Some(2), "not found, as getent");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HostNotFound") && err.contains("nosuch.test"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let out = run("127.0.0.77");
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.path().join("bad"), "not-an-address name\n").unwrap();
    let out = run_with_input(
        Command::new(BIN).args([
            "lookup",
            "--hosts",
            dir.path().join("bad").to_str().unwrap(),
            "x",
        ]),
        b"",
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}
