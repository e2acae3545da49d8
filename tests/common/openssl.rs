//! `openssl s_server` as a real TLS peer: started on an ephemeral loopback port, its output
//! lines read on a thread so the test's loop keeps running.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `openssl s_server -naccept 1`; what it prints arrives on `lines`.
pub struct SServer {
    pub child: Child,
    pub port: u16,
    pub lines: mpsc::Receiver<String>,
}

impl SServer {
    /// Starts it with a certificate and key (PEM files) and waits for its port.
    pub fn start(cert: &str, key: &str) -> SServer {
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                cert,
                "-key",
                key,
                "-naccept",
                "1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl is installed by .ci/run");
        let (tx, lines) = mpsc::channel::<String>();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let port = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(10))
                .expect("s_server starts");
            if let Some(rest) = line.strip_prefix("ACCEPT ") {
                break rest.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        SServer { child, port, lines }
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
