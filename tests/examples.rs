//! The ported examples, run as tests: `lookup` against a resolver map, `udp_echo` against a std
//! socket, two `multicast_chat` members on loopback, `mutual_tls`'s server and client, and
//! `several_loops` (whose start is in README.md verbatim) serving echo clients from 3 loops.

mod common;

#[allow(dead_code)]
#[path = "../examples/lookup.rs"]
mod lookup;
#[allow(dead_code)]
#[path = "../examples/multicast_chat.rs"]
mod multicast_chat;
#[allow(dead_code)]
#[path = "../examples/mutual_tls.rs"]
mod mutual_tls;
#[allow(dead_code)]
#[path = "../examples/several_loops.rs"]
mod several_loops;
#[allow(dead_code)]
#[path = "../examples/udp_echo.rs"]
mod udp_echo;

use common::*;
use parasol::net::resolve::{set_thread_resolver, StaticResolver};
use parasol::ERR;
use std::cell::RefCell;
use std::net::{IpAddr, UdpSocket};
use std::rc::Rc;
use std::sync::Arc;

#[test]
fn lookup_answers_on_both_doors() {
    setup();
    let ip: IpAddr = "127.0.0.5".parse().unwrap();
    set_thread_resolver(Some(Arc::new(StaticResolver::new().host("db.test", [ip]))));
    let lines = lookup::run(&["db.test".into(), "127.0.0.5".into(), "nosuch.test".into()]).unwrap();
    set_thread_resolver(None);
    for want in [
        "generic: db.test has address 127.0.0.5",
        "generic: db.test has address 127.0.0.5", // the reverse answer carries the address
        "generic: ERR::HostNotFound (The Internet host name could not be resolved.)",
        "typed: db.test has addresses [127.0.0.5]",
        "typed: 127.0.0.5 is db.test",
        "typed: nosuch.test: ERR::HostNotFound (The Internet host name could not be resolved.)",
    ] {
        assert!(
            lines.iter().any(|l| l == want),
            "{want:?} not in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), 6, "{lines:#?}");
}

#[test]
fn udp_echo_sends_each_datagram_back() {
    setup();
    let server = udp_echo::serve(0).unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_nonblocking(true).unwrap();
    peer.send_to(b"ping", ("127.0.0.1", server.port().unwrap()))
        .unwrap();
    let mut buf = [0u8; 16];
    let mut got = 0;
    wait("the echo", || {
        got = peer.recv(&mut buf).unwrap_or(0);
        got > 0
    });
    assert_eq!(&buf[..got], b"ping");
    server.free().unwrap();
}

#[test]
fn multicast_chat_members_hear_each_other_on_loopback() {
    setup();
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let (a_log, b_log) = (heard.clone(), heard.clone());
    let a = match multicast_chat::join("127.0.0.1", port, move |_f, t| {
        a_log.borrow_mut().push(format!("a heard {t}"))
    }) {
        Ok(m) => m,
        Err(ERR::NetworkUnreachable) => {
            println!("NOTE: cannot run here: no multicast on loopback");
            return;
        }
        Err(e) => panic!("joining on loopback: {e:?}"),
    };
    let b = multicast_chat::join("127.0.0.1", port, move |_f, t| {
        b_log.borrow_mut().push(format!("b heard {t}"))
    })
    .unwrap();
    multicast_chat::say(a, "alice: hi").unwrap();
    wait("both members heard it", || heard.borrow().len() == 2);
    let mut got = heard.borrow().clone();
    got.sort();
    assert_eq!(got, vec!["a heard alice: hi", "b heard alice: hi"]);
    a.free().unwrap();
    b.free().unwrap();
}

#[test]
fn mutual_tls_greets_the_client_by_its_certificate() {
    setup();
    let pki = mutual_tls::make_pki().unwrap();
    let server = mutual_tls::serve(&pki).unwrap();
    let lines = mutual_tls::visit(&pki, server.port().unwrap()).unwrap();
    assert_eq!(
        lines[1], "server certificate: CN=api.example.test",
        "{lines:?}"
    );
    assert_eq!(lines[2], "ALPN: http/1.1", "{lines:?}");
    assert_eq!(
        lines[3], "server says: hello CN=alice, over http/1.1",
        "{lines:?}"
    );
    assert!(lines[0].contains("certificate: ok (0)"), "{lines:?}");
    server.free().unwrap();
}

#[test]
fn several_loops_serve_one_port_and_stop_on_quit() {
    use std::io::{Read, Write};
    let (loops, port) = several_loops::start(3, 0).unwrap();
    assert_eq!(loops.len(), 3);
    let mut clients: Vec<std::net::TcpStream> = (0..30)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    for (n, c) in clients.iter_mut().enumerate() {
        c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let msg = format!("client {n}");
        c.write_all(msg.as_bytes()).unwrap();
        let mut back = vec![0u8; msg.len()];
        c.read_exact(&mut back).unwrap();
        assert_eq!(back, msg.as_bytes());
    }
    // The clients close as the loops do (each loop waits for its clients' ends, bounded).
    let ends: Vec<_> = clients
        .into_iter()
        .map(|mut c| std::thread::spawn(move || c.read_to_end(&mut Vec::new()).unwrap()))
        .collect();
    loops.quit();
    loops.join().unwrap();
    for e in ends {
        assert_eq!(e.join().unwrap(), 0, "an orderly close");
    }
}

#[test]
fn readme_shows_several_loops_start_verbatim() {
    let src = include_str!("../examples/several_loops.rs");
    let begin = src.find("// BEGIN README\n").unwrap() + "// BEGIN README\n".len();
    let end = src.find("// END README").unwrap();
    assert!(
        include_str!("../README.md").contains(&src[begin..end]),
        "README.md's \"Several loops\" code differs from examples/several_loops.rs"
    );
}
