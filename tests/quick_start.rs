//! The quick start of README.md and of the crate docs is this test's code, verbatim: it runs
//! here, then its echo server is driven by a client that writes 16 MiB while reading slowly,
//! and every byte must come back (SHA-256). A first echo that loses data cannot be documented.

use parasol::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::sync::mpsc;

/// The markers, as lines of the test body (indented: not these constants themselves).
const MARK_BEGIN: &str = "\n    // quick-start:begin\n";
const MARK_END: &str = "\n    // quick-start:end\n";

#[test]
#[rustfmt::skip] // the snippet is shown as written
fn the_quick_start_echo_survives_a_slow_reader() -> Result<(), ERR> {
    let _ = env_logger::builder().is_test(true).try_init();
    // quick-start:begin
    use parasol::prelude::*;
    use std::time::Duration;

    parasol::init()?;                                   // registers the network classes
    let server = create("NetSocket", fields! {
        "Port" => 0, "Flags" => "SERVER|MULTI_CONNECT",
        // echo() reads only what this client's queue can take and returns Retry when it is full:
        // a slow reader slows the sender instead of losing data (see ClientSocket::echo).
        "Incoming" => Function::new(|_server: &NetSocket, client: &ClientSocket| client.echo()),
    })?;
    let port = server.get("Port")?.to_int()? as u16;    // 0 binds an ephemeral port; read it back
    let client = NetSocket::create().address("127.0.0.1").port(port).build()?;   // typed, same object
    client.ac_write(b"hello")?;                         // queued until CONNECTED
    wait_until(Duration::from_secs(1), || client.state() == Ok(NTC::CONNECTED)).to_result()?;
    // quick-start:end

    // The snippet's own client got its echo.
    let mut hello = [0u8; 5];
    assert_eq!(
        wait_until(Duration::from_secs(10), || client.out_queue_size().unwrap() == 0),
        ERR::Okay
    );
    let mut got = 0;
    assert_eq!(
        wait_until(Duration::from_secs(10), || {
            got += client.ac_read(&mut hello[got..]).unwrap_or(0);
            got == 5
        }),
        ERR::Okay
    );
    assert_eq!(&hello, b"hello");

    // A peer that writes 16 MiB as fast as it can and reads it back slowly.
    const TOTAL: usize = 16 << 20;
    let data: Vec<u8> = (0..TOTAL as u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let want = Sha256::digest(&data);
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let peer = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut writer = peer.try_clone().unwrap();
        let w = std::thread::spawn(move || {
            writer.write_all(&data).unwrap();
            writer.shutdown(std::net::Shutdown::Write).unwrap();
        });
        let mut reader = peer;
        let (mut hash, mut n, mut buf) = (Sha256::new(), 0usize, vec![0u8; 16 * 1024]);
        loop {
            // Slow: a pause per 16 KiB (about 8 MB/s), far below what the echo can send.
            std::thread::sleep(Duration::from_millis(2));
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => {
                    hash.update(&buf[..k]);
                    n += k;
                }
            }
        }
        w.join().unwrap();
        done_tx.send((n, hash.finalize())).unwrap();
    });
    // The peer's thread cannot wake the loop: look at its channel at least every 5 ms.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let (n, hash) = loop {
        if let Ok(r) = done.try_recv() {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "the slow reader did not finish");
        let _ = process_messages(Some(Duration::from_millis(5)));
    };
    assert_eq!(n, TOTAL, "bytes echoed");
    assert_eq!(hash, want, "content echoed");
    server.free()?;
    client.free()?;
    Ok(())
}

/// The marked region of this file, without its indentation.
fn snippet() -> Vec<String> {
    let src = include_str!("quick_start.rs");
    let begin = src.find(MARK_BEGIN).unwrap() + MARK_BEGIN.len();
    let end = src[begin..].find(MARK_END).unwrap() + begin;
    src[begin..end]
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l).trim_end().to_string())
        .collect()
}

fn contains_block(doc: &[String], block: &[String]) -> bool {
    doc.windows(block.len()).any(|w| w == block)
}

#[test]
fn readme_and_crate_docs_show_exactly_this_snippet() {
    let block = snippet();
    assert!(block.len() > 5);
    let readme: Vec<String> = include_str!("../README.md")
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    assert!(
        contains_block(&readme, &block),
        "README.md's quick start differs from tests/quick_start.rs:\n{}",
        block.join("\n")
    );
    let crate_docs: Vec<String> = include_str!("../src/lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end().to_string())
        .collect();
    assert!(
        contains_block(&crate_docs, &block),
        "the crate docs' example differs from tests/quick_start.rs:\n{}",
        block.join("\n")
    );
}
