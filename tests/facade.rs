//! The facade composes with the rest of a Rust program: glob imports of the crate and of its
//! prelude shadow no crate a program uses (this file would not compile if they did), and `?`
//! carries parasol errors into `io::Result` and OS errors into `Res`.

mod common;

// Both globs, as a program might write them.
#[allow(unused_imports)]
use parasol::prelude::*;
#[allow(unused_imports)]
use parasol::*;

#[test]
fn glob_imports_shadow_no_crate() {
    // `core`, `std`, `alloc`-free paths and the `log` crate's macros resolve to the crates.
    assert_eq!(core::cmp::max(1, 2), 2);
    assert_eq!(::core::cmp::min(1, 2), 1);
    assert_eq!(std::cmp::max(3, 4), 4);
    log::info!("the log crate, not a parasol module");
    assert!(log::max_level() >= log::LevelFilter::Off);
    // The parasol names still arrive through the globs.
    assert_eq!(ERR::Okay.0, 0);
    let _: Option<NetSocket> = None;
}

#[test]
fn question_mark_carries_errors_both_ways() {
    fn io_caller() -> std::io::Result<()> {
        parasol::init()?;
        NetSocket::create()
            .address("127.0.0.1")
            .port(0)
            .field("Flags", "SERVER|NoSuchFlag")
            .build()?;
        Ok(())
    }
    let e = io_caller().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(ERR::from(e), ERR::InvalidValue);

    fn parasol_caller() -> Res<()> {
        std::fs::read("/nonexistent/parasol-facade-test")?;
        Ok(())
    }
    assert_eq!(parasol_caller().unwrap_err(), ERR::FileNotFound);
}

#[test]
fn typed_handles_give_std_addresses_and_descriptors() {
    use std::os::fd::AsRawFd;
    parasol::init().unwrap();
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::MULTI_CONNECT)
        .build()
        .unwrap();
    let local = server.local_addr().unwrap();
    assert_eq!(local.ip(), std::net::Ipv4Addr::LOCALHOST);
    assert_ne!(local.port(), 0);
    assert_eq!(server.peer_addr(), Err(ERR::NoSupport));
    assert!(server.as_raw_fd() >= 0);

    let peer = std::net::TcpStream::connect(local).unwrap();
    let cs = common::first_accepted(server);
    assert_eq!(cs.peer_addr().unwrap(), peer.local_addr().unwrap());
    assert_eq!(cs.local_addr().unwrap(), local);
    // The duplicate is the same socket: its peer is our std stream.
    let dup = std::net::TcpStream::from(cs.duplicate_fd().unwrap());
    assert_eq!(dup.peer_addr().unwrap(), peer.local_addr().unwrap());
    drop(dup); // closes the duplicate only
    assert!(cs.as_raw_fd() >= 0);
    assert!(cs.local_addr().is_ok(), "the object's socket is still open");

    server.free().unwrap();
    assert_eq!(server.as_raw_fd(), -1);
    assert_eq!(server.local_addr(), Err(ERR::NoMatchingObject));
}

#[test]
fn ip_addresses_convert_from_std() {
    let v4 = IPAddress::from(std::net::Ipv4Addr::new(127, 0, 0, 1));
    assert_eq!(address_to_str(&v4), "127.0.0.1");
    let v6 = IPAddress::from(std::net::Ipv6Addr::LOCALHOST);
    assert_eq!(address_to_str(&v6), "::1");
}

/// The public API names no mio type, so a mio upgrade is not a breaking change for users. A
/// source scan (rustdoc JSON needs nightly): no public function, re-export, alias or trait
/// signature in the kernel, the classes or the facade mentions mio. Internal fields of
/// crate-private structs may hold mio types; public items may not.
#[test]
fn the_public_api_names_no_mio_type() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut offending = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = ["core/src", "classes/src", "src"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let l = line.trim_start();
                let public = [
                    "pub fn ",
                    "pub use ",
                    "pub type ",
                    "pub trait ",
                    "pub const ",
                ]
                .iter()
                .any(|p| l.starts_with(p));
                if public && l.contains("mio") {
                    offending.push(format!("{}:{}: {l}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offending.is_empty(),
        "mio in the public API:\n{}",
        offending.join("\n")
    );
}
