//! The command's TLS for deployments, run as a user would: the self-signed certificate's
//! fingerprint and `--tls-save-cert`, the `openssl req -x509` one-liner, PKCS#12 with a password,
//! mutual TLS, SNI identities, ALPN both ways, the `-v` handshake summary, and the usage errors
//! of the new flags.

#[path = "../../tests/common/mod.rs"]
mod common;
mod support;

use common::pki;
use std::process::Command;
use std::time::Duration;
use support::*;

/// Runs `openssl` with `args`, asserting it succeeded; its stdout.
fn openssl(args: &[&str]) -> String {
    let out = run_with_input(
        Command::new("openssl").args(args),
        b"",
        Duration::from_secs(30),
    );
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `connect` succeeded and echoed `input` back.
fn assert_echoed(out: &std::process::Output, input: &[u8]) {
    assert!(out.status.success(), "{}", stderr(out));
    assert_eq!(out.stdout, input, "{}", stderr(out));
}

#[test]
fn self_signed_prints_its_fingerprint_and_saves_what_clients_trust() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("serve.pem");
    let saved = saved.to_str().unwrap();
    let serve = Serve::start(&[
        "--address",
        "127.0.0.1",
        "--tls-self-signed",
        "--tls-save-cert",
        saved,
        "--alpn",
        "h2,http/1.1",
    ]);
    // The fingerprint printed is the one openssl computes for the saved file.
    let printed = serve
        .banner
        .iter()
        .find_map(|l| l.split("SHA-256 fingerprint ").nth(1))
        .unwrap_or_else(|| panic!("no fingerprint in {:?}", serve.banner))
        .to_owned();
    let openssl_says = openssl(&["x509", "-in", saved, "-noout", "-fingerprint", "-sha256"]);
    assert_eq!(
        openssl_says.trim().split('=').nth(1),
        Some(printed.as_str()),
        "{openssl_says}"
    );
    // Our client trusts it through --ca, without --insecure, and -v summarises the handshake.
    let port = serve.port.to_string();
    let out = run_with_input(
        Command::new(BIN).args([
            "-v",
            "connect",
            "--tls",
            "--ca",
            saved,
            "--alpn",
            "http/1.1",
            "localhost",
            &port,
        ]),
        b"trusted\n",
        Duration::from_secs(30),
    );
    assert_echoed(&out, b"trusted\n");
    let summary = stderr(&out)
        .lines()
        .find(|l| l.starts_with("parasol: TLS: "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no summary line in {}", stderr(&out)));
    for part in [
        "TLSv1.3",
        "ALPN http/1.1",
        "peer CN=localhost",
        "certificate: ok (0)",
    ] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    // openssl trusts it the same way.
    let s_client = openssl(&[
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-CAfile",
        saved,
        "-verify_return_error",
        "-alpn",
        "h2",
    ]);
    assert!(
        s_client.contains("Verify return code: 0 (ok)"),
        "{s_client}"
    );
    assert!(s_client.contains("ALPN protocol: h2"), "{s_client}");
    // Without --ca: OpenSSL's words, one line.
    let out = connect(&["--tls", "localhost", &port], b"x");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("self-signed certificate") && err.contains("ValidCert 18"),
        "{err}"
    );
    // An ALPN list the server does not share: refused (RFC 7301).
    let out = connect(
        &["--tls", "--ca", saved, "--alpn", "h3", "localhost", &port],
        b"x",
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("NoApplicationProtocol"), "{err}");
}

#[test]
fn the_openssl_one_liner_certificate_is_trusted_through_ca() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("c.pem");
    let key = dir.path().join("k.pem");
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
    ]);
    let serve = Serve::start(&["--tls-cert", cert, "--tls-key", key]);
    let port = serve.port.to_string();
    let out = connect(&["--tls", "--ca", cert, "localhost", &port], b"one-liner\n");
    assert_echoed(&out, b"one-liner\n");
}

#[test]
fn pkcs12_with_a_password_needs_no_key_flag() {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("P12 CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let cert = pki::write(&dir, "cert.pem", &leaf.cert);
    let key = pki::write(&dir, "key.pem", &leaf.key);
    let ca_file = pki::write(&dir, "ca.pem", &ca.pem);
    let p12 = dir.path().join("id.p12");
    let p12 = p12.to_str().unwrap();
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        &cert,
        "-inkey",
        &key,
        "-out",
        p12,
        "-passout",
        "pass:s3cret",
    ]);
    let serve = Serve::start(&["--tls-cert", p12, "--tls-password", "s3cret"]);
    let out = connect(
        &[
            "--tls",
            "--ca",
            &ca_file,
            "localhost",
            &serve.port.to_string(),
        ],
        b"from a p12\n",
    );
    assert_echoed(&out, b"from a p12\n");
    // A wrong password: one line that says so, exit 1.
    let out = run_with_input(
        Command::new(BIN).args([
            "serve",
            "--port",
            "0",
            "--tls-cert",
            p12,
            "--tls-password",
            "wrong",
        ]),
        b"",
        Duration::from_secs(30),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("ERR::InvalidData") && err.contains("password"),
        "{err}"
    );
}

#[test]
fn mutual_tls_with_a_client_ca() {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("Server CA");
    let client_ca = pki::ca("Client CA");
    let leaf = pki::leaf(&ca, &["localhost"]);
    let alice = pki::leaf(&client_ca, &["alice"]);
    let eve = pki::leaf(&pki::ca("Eve CA"), &["eve"]);
    let w = |n: &str, t: &str| pki::write(&dir, n, t);
    let (cert, key, ca_file) = (
        w("cert.pem", &leaf.cert),
        w("key.pem", &leaf.key),
        w("ca.pem", &ca.pem),
    );
    let client_ca_file = w("client-ca.pem", &client_ca.pem);
    let (alice_cert, alice_key) = (w("alice.pem", &alice.cert), w("alice.key", &alice.key));
    let (eve_cert, eve_key) = (w("eve.pem", &eve.cert), w("eve.key", &eve.key));
    let serve = Serve::start(&[
        "-v",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--tls-client-ca",
        &client_ca_file,
    ]);
    let port = serve.port.to_string();
    let out = connect(
        &[
            "--tls",
            "--ca",
            &ca_file,
            "--cert",
            &alice_cert,
            "--key",
            &alice_key,
            "localhost",
            &port,
        ],
        b"alice\n",
    );
    assert_echoed(&out, b"alice\n");
    assert!(
        serve.log_contains("peer CN=alice", Duration::from_secs(10)),
        "serve -v summarises the client's certificate"
    );
    // Without a certificate, and with one the client CA did not sign: refused, and the server
    // logs why.
    let out = connect(&["--tls", "--ca", &ca_file, "localhost", &port], b"x");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        serve.log_contains("sent no certificate", Duration::from_secs(10)),
        "the server says why"
    );
    let out = connect(
        &[
            "--tls",
            "--ca",
            &ca_file,
            "--cert",
            &eve_cert,
            "--key",
            &eve_key,
            "localhost",
            &port,
        ],
        b"x",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        serve.log_contains("client certificate refused", Duration::from_secs(10)),
        "the server says why"
    );
}

#[test]
fn sni_identities_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let ca = pki::ca("SNI CA");
    let default = pki::leaf(&ca, &["localhost"]);
    let a = pki::leaf(&ca, &["a.test"]);
    let w = |n: &str, t: &str| pki::write(&dir, n, t);
    let ca_file = w("ca.pem", &ca.pem);
    let sni = format!("a.test={},{}", w("a.pem", &a.cert), w("a.key", &a.key));
    let serve = Serve::start(&[
        "--tls-cert",
        &w("d.pem", &default.cert),
        "--tls-key",
        &w("d.key", &default.key),
        "--tls-sni",
        &sni,
    ]);
    let port = serve.port.to_string();
    for (name, subject) in [("a.test", "CN=a.test"), ("localhost", "CN=localhost")] {
        let out = run_with_input(
            Command::new(BIN).args([
                "-v",
                "connect",
                "--tls",
                "--ca",
                &ca_file,
                "--servername",
                name,
                "127.0.0.1",
                &port,
            ]),
            b"sni\n",
            Duration::from_secs(30),
        );
        assert_echoed(&out, b"sni\n");
        assert!(
            stderr(&out).contains(&format!("peer {subject},"))
                || stderr(&out).contains(&format!("peer {subject} ")),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn usage_errors_of_the_tls_flags_exit_2() {
    for args in [
        &["serve", "--port", "0", "--alpn", "h2"][..],
        &["serve", "--port", "0", "--tls-client-ca", "ca.pem"],
        &["serve", "--port", "0", "--tls-save-cert", "x.pem"],
        &["serve", "--port", "0", "--tls-password", "x"],
        &["connect", "h", "1", "--cert", "c.pem", "--key", "k.pem"],
        &["connect", "h", "1", "--tls", "--cert", "c.pem"],
        &["connect", "h", "1", "--alpn", "h2"],
        &["connect", "h", "1", "--servername", "x"],
    ] {
        let out = run_with_input(Command::new(BIN).args(args), b"", Duration::from_secs(10));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}
