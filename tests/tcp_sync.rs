//! SYNCHRONOUS mode: Connect, Write and Read block on the socket (Parasol declared the flag and
//! never implemented it).

mod common;

use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

fn sync_client() -> NetSocket {
    NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Flags" => "SYNCHRONOUS", "MsgLimit" => 8 << 20 },
        )
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn connect_write_read_block() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut got = vec![0u8; 4 << 20];
        s.read_exact(&mut got).unwrap();
        s.write_all(b"thanks").unwrap();
        got
    });
    let c = sync_client();
    c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(5.0))
        .unwrap();
    assert_eq!(
        c.state().unwrap(),
        NTC::CONNECTED,
        "Connect returns once connected"
    );
    let data = pattern(4 << 20, 11);
    assert_eq!(c.ac_write(&data), Ok(data.len()));
    assert_eq!(
        c.out_queue_size().unwrap(),
        0,
        "Write returns once everything reached the kernel"
    );
    let mut b = [0u8; 6];
    let mut have = 0;
    while have < 6 {
        let n = c.ac_read(&mut b[have..]).unwrap();
        assert!(n > 0, "a synchronous Read waits for data");
        have += n;
    }
    assert_eq!(&b, b"thanks");
    assert!(peer.join().unwrap() == data);
}

#[test]
fn connect_failure_is_returned() {
    setup();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = sync_client();
    assert_eq!(
        c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(5.0)),
        Err(ERR::ConnectionRefused)
    );
    assert_eq!(c.state().unwrap(), NTC::DISCONNECTED);
    // An empty resolver map: the name is not found without asking the system's DNS.
    parasol::net::resolve::set_thread_resolver(Some(std::sync::Arc::new(
        parasol::net::resolve::StaticResolver::new(),
    )));
    assert_eq!(
        c.connect_timeout(
            "no-such-host.invalid",
            80,
            std::time::Duration::from_secs_f64(5.0)
        ),
        Err(ERR::HostNotFound)
    );
}

#[test]
fn read_times_out_with_the_connect_timeout() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let c = sync_client();
    c.connect_timeout("127.0.0.1", port, std::time::Duration::from_secs_f64(0.3))
        .unwrap();
    let _peer = listener.accept().unwrap();
    let started = std::time::Instant::now();
    let mut b = [0u8; 4];
    assert_eq!(c.ac_read(&mut b), Err(ERR::TimeOut));
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[test]
fn a_write_that_cannot_reach_the_kernel_in_time_says_timeout_with_its_count() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // Small buffers on the peer's side (inherited by the accepted socket), so the kernel cannot
    // take megabytes that nobody reads.
    let size: libc::c_int = 16 * 1024;
    // SAFETY: setsockopt on the listener's own descriptor with a c_int option value.
    let r = unsafe {
        libc::setsockopt(
            std::os::fd::AsRawFd::as_raw_fd(&listener),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            &size as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0);
    let port = listener.local_addr().unwrap().port();
    let c = sync_client();
    c.connect_timeout("127.0.0.1", port, Duration::from_secs_f64(0.3))
        .unwrap();
    let _peer = listener.accept().unwrap(); // never reads
    small_send_buffer(c.id());
    let data = pattern(6 << 20, 3);
    // Taken into the queue (within MsgLimit), but the queue cannot drain: the Write waits for
    // the timeout and says so, with the count of what it took.
    assert_eq!(c.ac_write_counted(&data), (ERR::TimeOut, data.len()));
}
