//! Connection lifecycles: Feedback sequences and Error for every way a connection starts and
//! ends, writes before connect and after disconnect, reconnecting.

mod common;

use common::*;
use parasol::prelude::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

fn client(states: &Log<NTC>, got: &Bytes) -> NetSocket {
    NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Feedback" => client_feedback(states), "Incoming" => client_collect(got) },
        )
        .unwrap(),
    )
    .unwrap()
}

fn closed_port() -> u16 {
    // Bind then drop: nothing listens there afterwards.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn refused() {
    setup();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect("127.0.0.1", closed_port()).unwrap();
    assert_eq!(
        c.state().unwrap(),
        NTC::CONNECTING,
        "Connect returns in CONNECTING even when it fails at once"
    );
    wait("refusal", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::DISCONNECTED]);
    assert_eq!(c.error().unwrap(), ERR::ConnectionRefused);
    // Nothing more happens later.
    let _ = process_messages(Some(Duration::from_millis(20)));
    assert_eq!(states.len(), 2);
}

#[test]
fn host_not_found() {
    setup();
    // An empty resolver map: the name is not found without asking the system's DNS.
    parasol::net::resolve::set_thread_resolver(Some(std::sync::Arc::new(
        parasol::net::resolve::StaticResolver::new(),
    )));
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect("no-such-host.invalid", 80).unwrap();
    assert_eq!(c.state().unwrap(), NTC::CONNECTING);
    wait("lookup failure", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::DISCONNECTED]);
    assert_eq!(c.error().unwrap(), ERR::HostNotFound);
}

#[test]
fn localhost_resolves_and_connects() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect_timeout("localhost", port, std::time::Duration::from_secs_f64(5.0))
        .unwrap();
    wait("connect by name", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::CONNECTED]);
    assert_eq!(c.get_str("Address").unwrap(), "localhost");
}

#[test]
fn connect_timeout_on_full_backlog() {
    setup();
    // A listener that never accepts, with its accept queue filled: further SYNs are dropped.
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.bind(
        &"127.0.0.1:0"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into(),
    )
    .unwrap();
    sock.listen(0).unwrap();
    let addr = sock.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        let _ = s.connect(&addr.into());
        fillers.push(s);
    }
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    let started = Instant::now();
    c.connect_timeout(
        "127.0.0.1",
        addr.port(),
        std::time::Duration::from_secs_f64(0.5),
    )
    .unwrap();
    wait("timeout", || c.state().unwrap() == NTC::DISCONNECTED);
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "timed out after {:?}",
        started.elapsed()
    );
    assert_eq!(c.error().unwrap(), ERR::TimeOut);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::DISCONNECTED]);
    drop(fillers);
}

#[test]
fn graceful_close_delivers_everything_then_okay() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data = pattern(3 << 20, 7);
    let sent = data.clone();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(&sent).unwrap();
        // Dropping closes gracefully (FIN) after everything was written.
    });
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect("127.0.0.1", port).unwrap();
    wait("peer close", || c.state().unwrap() == NTC::DISCONNECTED);
    peer.join().unwrap();
    assert_eq!(got.len(), data.len());
    assert!(got.get() == data, "bytes differ");
    assert_eq!(c.error().unwrap(), ERR::Okay);
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::CONNECTED, NTC::DISCONNECTED]
    );
    // Read after the end: Disconnected.
    let mut b = [0u8; 4];
    assert_eq!(c.ac_read(&mut b), Err(ERR::Disconnected));
}

#[test]
fn reset_gives_disconnected() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect("127.0.0.1", port).unwrap();
    let (s, _) = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    let s = socket2::Socket::from(s);
    s.set_linger(Some(Duration::ZERO)).unwrap();
    drop(s); // RST
    wait("reset seen", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(c.error().unwrap(), ERR::Disconnected);
    assert_eq!(
        states.get(),
        vec![NTC::CONNECTING, NTC::CONNECTED, NTC::DISCONNECTED]
    );
}

#[test]
fn write_before_connect_is_queued_and_sent_in_order() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    assert_eq!(c.ac_write(b"one,"), Ok(4), "never connected: queued");
    assert_eq!(c.out_queue_size().unwrap(), 4);
    c.connect("127.0.0.1", port).unwrap();
    assert_eq!(c.ac_write(b"two,"), Ok(4), "CONNECTING: queued");
    let (mut s, _) = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.ac_write(b"three"), Ok(5));
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    while buf.len() < 13 {
        let _ = wait_until(Duration::from_millis(10), || false);
        let mut b = [0u8; 64];
        match s.read(&mut b) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&b[..n]),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(buf, b"one,two,three");
    assert_eq!(c.out_queue_size().unwrap(), 0);
}

#[test]
fn write_after_disconnect_fails_until_reconnect() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    c.connect("127.0.0.1", port).unwrap();
    let (s, _) = listener.accept().unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    drop(s);
    wait("disconnected", || c.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(
        c.ac_write(b"late").map_err(ERR::from),
        Err(ERR::Disconnected)
    );
    assert_eq!(c.ac_write_counted(b"late"), (ERR::Disconnected, 0));

    // Reconnect on the same object (Parasol cannot).
    c.connect("127.0.0.1", port).unwrap();
    let (mut s2, _) = listener.accept().unwrap();
    wait("reconnected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(c.error().unwrap(), ERR::Okay, "Connect resets Error");
    c.ac_write(b"again").unwrap();
    s2.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = [0u8; 5];
    let mut have = 0;
    while have < 5 {
        let _ = wait_until(Duration::from_millis(5), || false);
        have += s2.read(&mut b[have..]).unwrap();
    }
    assert_eq!(&b, b"again");
    assert_eq!(
        states.get(),
        vec![
            NTC::CONNECTING,
            NTC::CONNECTED,
            NTC::DISCONNECTED,
            NTC::CONNECTING,
            NTC::CONNECTED
        ]
    );
}

#[test]
fn connect_argument_and_state_errors() {
    setup();
    let (states, got) = (Log::default(), Bytes::default());
    let c = client(&states, &got);
    assert_eq!(c.connect("", 80), Err(ERR::Args));
    assert_eq!(
        c.call(
            "Connect",
            &[("Address", "127.0.0.1".into()), ("Port", 0.into())]
        )
        .unwrap_err(),
        ERR::Args
    );
    assert_eq!(
        c.call(
            "Connect",
            &[("Address", "127.0.0.1".into()), ("Port", 70000.into())]
        )
        .unwrap_err(),
        ERR::Args
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    c.connect("127.0.0.1", port).unwrap();
    assert_eq!(
        c.connect("127.0.0.1", port),
        Err(ERR::InvalidState),
        "already connecting"
    );
    let server = server(fields! {});
    assert_eq!(
        server.connect("127.0.0.1", port),
        Err(ERR::InvalidState),
        "a server cannot connect"
    );
    let raw = NetSocket::from_id(new_object("NetSocket").unwrap()).unwrap();
    assert_eq!(raw.connect("127.0.0.1", port), Err(ERR::NotInitialised));
    raw.free().unwrap();
    assert!(states.len() >= 1);
}

#[test]
fn init_connects_when_address_and_port_are_set() {
    setup();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let states = Log::default();
    let c = create(
        "NetSocket",
        fields! { "Feedback" => client_feedback(&states), "Address" => "127.0.0.1", "Port" => port as i32 },
    )
    .unwrap();
    let c = NetSocket::from_id(c).unwrap();
    assert_eq!(states.get(), vec![NTC::CONNECTING]);
    let _peer = listener.accept().unwrap().0;
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(
        c.set("Port", 1),
        Err(ERR::NoFieldAccess),
        "Port is set-before-Init"
    );
    assert_eq!(c.set("Flags", "SERVER"), Err(ERR::NoFieldAccess));
}

/// True while `fd` is an open descriptor of this process.
fn fd_is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only reads the descriptor table.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

#[test]
fn handle_adoption_by_number_takes_a_copy_the_caller_keeps_its_own() {
    setup();
    use std::os::fd::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let std_client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (mut peer, _) = listener.accept().unwrap();
    let fd = std_client.as_raw_fd();
    let (states, got) = (Log::default(), Bytes::default());
    let c = create(
        "NetSocket",
        fields! { "Handle" => fd, "Feedback" => client_feedback(&states), "Incoming" => client_collect(&got) },
    )
    .unwrap();
    let c = NetSocket::from_id(c).unwrap();
    assert_eq!(
        c.state().unwrap(),
        NTC::CONNECTED,
        "adopted socket is CONNECTED at Init"
    );
    let ours = c.get("Handle").unwrap().to_i32().unwrap();
    assert!(
        ours >= 0 && ours != fd,
        "the NetSocket works on its own copy"
    );
    peer.write_all(b"ping").unwrap();
    wait("data on adopted socket", || got.get() == b"ping");
    c.ac_write(b"pong").unwrap();
    let mut b = [0u8; 4];
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    peer.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"pong");
    c.free().unwrap();
    drop(peer); // the lingering close waits for the peer's side to close
    wait("the copy is closed", || parasol::net::linger::active() == 0);
    // The caller's descriptor is untouched and still theirs to close (a double close would abort
    // this debug build in the drop, or close an unrelated descriptor in release).
    assert!(fd_is_open(fd));
    assert!(
        std_client.local_addr().is_ok(),
        "still a socket of this process"
    );
    drop(std_client);
}

#[test]
fn handle_adoption_refuses_what_is_not_a_connected_tcp_socket() {
    setup();
    use std::os::fd::AsRawFd;
    // Not a descriptor at all, or a negative number.
    assert_eq!(
        create("NetSocket", fields! { "Handle" => 9999 }).unwrap_err(),
        ERR::InvalidHandle
    );
    assert_eq!(
        create("NetSocket", fields! { "Handle" => -1 }).unwrap_err(),
        ERR::InvalidHandle
    );
    // A connected UDP socket is not a TCP stream.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.connect(udp.local_addr().unwrap()).unwrap();
    assert_eq!(
        create("NetSocket", fields! { "Handle" => udp.as_raw_fd() }).unwrap_err(),
        ERR::InvalidHandle
    );
    // A TCP socket that is not connected (a listener) fails Init.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_eq!(
        create("NetSocket", fields! { "Handle" => listener.as_raw_fd() }).unwrap_err(),
        ERR::InvalidHandle
    );
    // A pipe.
    let mut fds = [0i32; 2];
    // SAFETY: pipe(2) fills the two-element array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    assert_eq!(
        create("NetSocket", fields! { "Handle" => fds[0] }).unwrap_err(),
        ERR::InvalidHandle
    );
    // Every one of the caller's descriptors is still open and theirs.
    assert!(fd_is_open(udp.as_raw_fd()) && fd_is_open(listener.as_raw_fd()));
    assert!(fd_is_open(fds[0]) && fd_is_open(fds[1]));
    // SAFETY: closing the pipe this test opened.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
}

#[test]
fn typed_adopt_takes_ownership() {
    setup();
    use std::os::fd::AsRawFd;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let std_client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let given = std_client.as_raw_fd();
    let (mut peer, _) = listener.accept().unwrap();
    let got = Bytes::default();
    let c = NetSocket::create()
        .incoming(client_collect(&got))
        .adopt(std_client)
        .build()
        .unwrap();
    assert_eq!(c.state().unwrap(), NTC::CONNECTED);
    peer.write_all(b"typed").unwrap();
    wait("data on the adopted socket", || got.get() == b"typed");
    c.free().unwrap();
    // The NetSocket's close is the only one: the peer sees EOF.
    let mut rest = Vec::new();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let reader = std::thread::spawn(move || peer.read_to_end(&mut rest));
    wait("peer EOF", || reader.is_finished());
    assert_eq!(reader.join().unwrap().unwrap(), 0);
    let _ = given; // closed with the NetSocket (its number may already be reused)
}

#[test]
fn server_free_fires_one_disconnected_per_client_and_closes_them() {
    setup();
    let states = Log::<(i32, NTC)>::default();
    let st = states.clone();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| st.push((c.uid(), state))),
    });
    let mut peers: Vec<std::net::TcpStream> = (0..3)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap())
        .collect();
    wait("three connected", || states.len() == 3);
    let sockets: Vec<ClientSocket> = server.clients().flat_map(|c| c.connections()).collect();
    assert_eq!(sockets.len(), 3);
    server.free().unwrap();
    let s = states.get();
    assert_eq!(s.len(), 6, "{s:?}");
    for cs in &sockets {
        let mine: Vec<NTC> = s
            .iter()
            .filter(|(u, _)| *u == cs.uid())
            .map(|(_, st)| *st)
            .collect();
        assert_eq!(mine, vec![NTC::CONNECTED, NTC::DISCONNECTED]);
        assert!(!cs.exists(), "ClientSocket released with its server");
        assert_eq!(cs.get("State"), Err(ERR::NoMatchingObject));
    }
    for p in &mut peers {
        p.set_nonblocking(true).unwrap();
    }
    let mut b = [0u8; 8];
    wait("peers see EOF", || {
        peers.iter_mut().all(|p| matches!(p.read(&mut b), Ok(0)))
    });
}
