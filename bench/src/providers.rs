//! The crypto provider choice (issue #4), by measurement: rustls with aws-lc-rs and with ring,
//! client and server in memory (no sockets, no syscalls), ECDSA P-256 certificate:
//! TLS 1.3 bulk throughput (64 KiB writes) and full handshakes per second.

use crate::tls::{self, Identity};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{
    ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection,
};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Configs {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
}

fn configs(provider: CryptoProvider, id: &Identity) -> Result<Configs, String> {
    let provider = Arc::new(provider);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&id.cert_path)
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_file(&id.key_path).map_err(|e| e.to_string())?;
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    let mut roots = RootCertStore::empty();
    roots.add(id.ca.clone()).map_err(|e| e.to_string())?;
    let mut client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.resumption = rustls::client::Resumption::disabled();
    Ok(Configs {
        client: Arc::new(client),
        server: Arc::new(server),
    })
}

/// Moves every pending TLS byte from `from` to `to` and processes it.
fn transfer(from: &mut Connection, to: &mut Connection, wire: &mut Vec<u8>) -> Result<(), String> {
    wire.clear();
    while from.wants_write() {
        from.write_tls(wire).map_err(|e| e.to_string())?;
    }
    let mut rd = &wire[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).map_err(|e| e.to_string())?;
        to.process_new_packets().map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn handshake(c: &Configs, wire: &mut Vec<u8>) -> Result<(Connection, Connection), String> {
    let mut client: Connection = ClientConnection::new(c.client.clone(), tls::server_name())
        .map_err(|e| e.to_string())?
        .into();
    let mut server: Connection = ServerConnection::new(c.server.clone())
        .map_err(|e| e.to_string())?
        .into();
    while client.is_handshaking() || server.is_handshaking() {
        transfer(&mut client, &mut server, wire)?;
        transfer(&mut server, &mut client, wire)?;
    }
    Ok((client, server))
}

fn handshakes_per_sec(c: &Configs, budget: Duration) -> Result<f64, String> {
    let mut wire = Vec::with_capacity(1 << 16);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        handshake(c, &mut wire)?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// MB/s of plaintext sent client → server (encrypt, move, decrypt), 64 KiB writes.
fn bulk_mb_per_sec(c: &Configs, total: usize) -> Result<f64, String> {
    let mut wire = Vec::with_capacity(1 << 20);
    let (mut client, mut server) = handshake(c, &mut wire)?;
    let chunk = vec![0x5au8; 64 * 1024];
    let mut sink = vec![0u8; 64 * 1024];
    let start = Instant::now();
    let mut moved = 0;
    while moved < total {
        client
            .writer()
            .write_all(&chunk)
            .map_err(|e| e.to_string())?;
        wire.clear();
        while client.wants_write() {
            client.write_tls(&mut wire).map_err(|e| e.to_string())?;
        }
        // Feed the server record by record, draining its plaintext as it goes (rustls holds
        // little unread plaintext).
        let mut rd = &wire[..];
        while !rd.is_empty() {
            server.read_tls(&mut rd).map_err(|e| e.to_string())?;
            server.process_new_packets().map_err(|e| e.to_string())?;
            loop {
                match server.reader().read(&mut sink) {
                    Ok(0) => break,
                    Ok(n) => moved += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.to_string()),
                }
            }
        }
    }
    Ok(moved as f64 / 1e6 / start.elapsed().as_secs_f64())
}

/// Prints the comparison; `quick` shortens it for CI.
pub fn report(quick: bool) -> Result<(), String> {
    let id = tls::generate()?;
    let (bulk, budget) = if quick {
        (16 << 20, Duration::from_millis(200))
    } else {
        (1 << 30, Duration::from_secs(3))
    };
    println!("\nCrypto provider, in memory (TLS 1.3, ECDSA P-256, no sockets): median of 3");
    println!(
        "{:<10} {:>16} {:>18}",
        "provider", "bulk MB/s", "handshakes/s"
    );
    for (name, provider) in [
        ("aws-lc-rs", rustls::crypto::aws_lc_rs::default_provider()),
        ("ring", rustls::crypto::ring::default_provider()),
    ] {
        let c = configs(provider, &id)?;
        let mut b = Vec::new();
        let mut h = Vec::new();
        for _ in 0..3 {
            b.push(bulk_mb_per_sec(&c, bulk)?);
            h.push(handshakes_per_sec(&c, budget)?);
        }
        b.sort_by(f64::total_cmp);
        h.sort_by(f64::total_cmp);
        println!("{:<10} {:>16.0} {:>18.0}", name, b[1], h[1]);
    }
    println!("  note: one handshake here is both sides' work (client and server in one thread)");
    Ok(())
}
