//! `parasol fluid`: the examples as a user runs them (against slow and silent peers), exit
//! statuses, arguments and the TLS opt-in.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::{libc_kill, wait_child, BIN};

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/fluid")
        .join(name)
        .display()
        .to_string()
}

/// A running `parasol fluid SCRIPT …` whose script prints "listening on port N" (to stderr,
/// where Fluid's print goes); killed when dropped.
struct Running {
    child: Child,
    port: u16,
    stderr: mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(BIN)
            .arg("fluid")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let port = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the script announces its port");
            if let Some(p) = line.split("listening on port ").nth(1) {
                break p.trim().parse().unwrap();
            }
        };
        Running {
            child,
            port,
            stderr: rx,
        }
    }

    fn log_contains(&self, needle: &str, within: Duration) -> bool {
        support::line_arrives(&self.stderr, needle, within)
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe { libc_kill(self.child.id() as i32, 15) };
        wait_child(&mut self.child, Duration::from_secs(15)).expect("exits after SIGTERM")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn the_echo_example_returns_every_byte_to_a_slow_reader_and_stops_on_sigterm() {
    let mut server = Running::start(&[&example("echo_server.fluid"), "port=0"]);
    let data = pattern(3 << 20);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut w = s.try_clone().unwrap();
    let sent = data.clone();
    let writer = std::thread::spawn(move || w.write_all(&sent).unwrap());
    let mut got = Vec::with_capacity(data.len());
    let mut buf = [0u8; 4096];
    while got.len() < data.len() {
        // A slow reader: small reads with pauses, so the server's queue fills and it must
        // hold the rest in the kernel rather than drop it.
        if got.len() < (1 << 20) {
            std::thread::sleep(Duration::from_micros(200));
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed after {} bytes", got.len());
        got.extend_from_slice(&buf[..n]);
    }
    writer.join().unwrap();
    assert!(got == data, "every byte back, in order");
    drop(s);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
}

#[test]
fn the_chat_example_sends_lines_to_the_others_and_drops_a_client_that_does_not_read() {
    let server = Running::start(&[&example("chat_server.fluid"), "port=0"]);
    let connect = || {
        let s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        assert!(server.log_contains("joined", Duration::from_secs(10)));
        s
    };
    let mut alice = connect();
    let bob = connect();
    // The silent client takes little into its kernel buffer, so the server's queue fills soon.
    let silent = {
        let sock =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        sock.set_recv_buffer_size(4096).unwrap();
        sock.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], server.port)).into())
            .unwrap();
        assert!(server.log_contains("joined", Duration::from_secs(10)));
        TcpStream::from(sock)
    };
    // A line in two pieces arrives whole; the sender does not get its own line back.
    alice.write_all(b"hel").unwrap();
    alice.write_all(b"lo\n").unwrap();
    let mut bob_lines = BufReader::new(bob.try_clone().unwrap());
    let mut line = String::new();
    bob_lines.read_line(&mut line).unwrap();
    assert_eq!(line, "hello\n");
    // Alice floods; bob keeps reading; the silent client's queue fills and it is dropped
    // instead of stalling the others.
    let line_text = format!("{}\n", "x".repeat(1023));
    let total = 16384;
    let mut a = alice.try_clone().unwrap();
    let text = line_text.clone();
    let flood = std::thread::spawn(move || {
        for _ in 0..total {
            a.write_all(text.as_bytes()).unwrap();
        }
    });
    for i in 0..total {
        line.clear();
        bob_lines.read_line(&mut line).unwrap();
        assert_eq!(line, line_text, "line {i}");
    }
    flood.join().unwrap();
    assert!(server.log_contains("is not reading", Duration::from_secs(10)));
    drop(silent);
    alice
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    assert!(
        alice.read(&mut [0u8; 16]).is_err(),
        "nothing comes back to the sender"
    );
}

fn run_script(text: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.fluid");
    std::fs::write(&path, text).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("fluid").args(args).arg(&path);
    support::run_with_input(&mut cmd, b"", Duration::from_secs(30))
}

#[test]
fn exit_statuses_are_parasols() {
    let ok = run_script("print('fine')", &[]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&ok.stderr),
        "fine\n",
        "print goes to stderr"
    );
    assert!(ok.stdout.is_empty());

    let failed = run_script(
        "obj.find('self').errorString = 'Ran 2 tests, passed 1'",
        &[],
    );
    assert_eq!(failed.status.code(), Some(13));

    let raised = run_script("\n\nerror('broken')", &[]);
    assert_eq!(raised.status.code(), Some(parasol::ERR::Exception.0));
    let err = String::from_utf8_lossy(&raised.stderr);
    assert!(err.contains("t.fluid\"]:3: broken"), "{err}");

    let syntax = run_script("local x = 1 &&", &[]);
    assert_eq!(syntax.status.code(), Some(parasol::ERR::Syntax.0));
    assert!(String::from_utf8_lossy(&syntax.stderr).contains("unexpected symbol near '&&'"));

    let missing = Command::new(BIN)
        .args(["fluid", "/no/such/script.fluid"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(parasol::ERR::File.0));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/script.fluid"));
}

#[test]
fn arguments_after_the_script_reach_arg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("args.fluid");
    std::fs::write(
        &path,
        "assert(arg('file') == 'a=b.fluid' and arg('verbose') == '1' and arg('x') == nil)",
    )
    .unwrap();
    let o = Command::new(BIN)
        .arg("fluid")
        .arg(&path)
        .args(["file=a=b.fluid", "verbose"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn an_ssl_server_gets_a_certificate_only_when_asked() {
    let script = "include 'network'\n\
                  local s = obj.new('netsocket', { port = 0, flags = 'SERVER|SSL' })\n\
                  print('ssl server on ', s.port)";
    let refused = run_script(script, &[]);
    assert_ne!(refused.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("t.fluid\"]:2:"));
    let given = run_script(script, &["--tls-self-signed"]);
    assert_eq!(
        given.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&given.stderr)
    );
    assert!(String::from_utf8_lossy(&given.stdout).contains("SHA-256 fingerprint"));
}
