//! IPv6: a server bound to ::1 with our client, a dual-stack server (no Address) accepting IPv4
//! and IPv6 peers, and GetLocalIPAddress for v4 / v6 servers and connected clients
//! (docs/NETSOCKET.md "Server", IPAddress).

mod common;

use common::peer::*;
use common::*;
use parasol::prelude::*;
use parasol::IPADDR;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};

const V4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const V6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

/// True when ::1 can be bound here; prints a note otherwise.
fn have_ipv6(test: &str) -> bool {
    match TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) {
        Ok(_) => true,
        Err(e) => {
            println!("NOTE: {test}: ::1 is not available ({e}); IPv6 part skipped");
            false
        }
    }
}

fn echo() -> Function {
    Function::new(|_s: &NetSocket, c: &ClientSocket| -> ERR {
        let mut b = [0u8; 4096];
        match c.ac_read(&mut b) {
            Ok(n) => {
                assert_eq!(c.ac_write(&b[..n]), Ok(n));
                ERR::Okay
            }
            Err(e) => e,
        }
    })
}

/// A client NetSocket with Feedback and collecting Incoming, connected to `addr`:`port`.
fn our_client(addr: &str, port: u16, states: &Log<NTC>, got: &Bytes) -> NetSocket {
    let c = NetSocket::from_id(
        create(
            "NetSocket",
            fields! { "Feedback" => client_feedback(states), "Incoming" => client_collect(got) },
        )
        .unwrap(),
    )
    .unwrap();
    c.connect(addr, port).unwrap();
    c
}

/// GetLocalIPAddress through both doors; they must agree.
fn local_both(s: NetSocket) -> IPAddress {
    let typed = s.local_address().expect("local_address()");
    let res = s
        .call("GetLocalIPAddress", &[])
        .expect("call GetLocalIPAddress");
    let generic = *res
        .get("Address")
        .expect("Address result")
        .downcast_ref::<IPAddress>()
        .expect("Address is an IPAddress");
    assert_eq!(typed, generic, "typed and generic GetLocalIPAddress agree");
    typed
}

#[test]
fn server_on_v6_loopback_exchanges_data_with_our_client() {
    setup();
    if !have_ipv6("server_on_v6_loopback") {
        return;
    }
    let fb = fb_log();
    let server = server(fields! {
        "Address" => "::1", "Feedback" => server_feedback(&fb), "Incoming" => echo(),
    });
    let port = server.port().unwrap();
    assert_ne!(port, 0);
    // An ::1 server is IPv6 only: nothing answers on 127.0.0.1 at that port.
    assert!(
        TcpStream::connect((V4, port)).is_err(),
        "::1 server reached over IPv4"
    );

    let states = Log::default();
    let got = Bytes::default();
    let client = our_client("::1", port, &states, &got);
    wait("CONNECTED", || client.state().unwrap() == NTC::CONNECTED);
    assert_eq!(client.ac_write(b"over six"), Ok(8));
    wait("echo", || got.len() >= 8);
    assert_eq!(got.get(), b"over six");
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::CONNECTED]);
    assert_eq!(fb.len(), 1);

    let nc = server.clients().next().unwrap();
    let ip = nc.ip().unwrap();
    assert_eq!(ip.kind, IPADDR::V6);
    assert_eq!(ip.ip(), V6);
    assert_eq!(nc.get_str("IP").unwrap(), "::1");

    // Both ends agree on the connection's addresses.
    let local = local_both(client);
    assert_eq!(local.kind, IPADDR::V6);
    assert_eq!(local.ip(), V6);
    let cs = nc.connections().next().unwrap();
    assert_eq!(
        cs.get_str("Address").unwrap(),
        local.socket_addr().to_string(),
        "the server's view of the peer is the client's local address"
    );
    client.free().unwrap();
    wait("server sees the client go", || fb.len() == 2);
    server.free().unwrap();
}

#[test]
fn dual_stack_server_accepts_v4_and_v6() {
    setup();
    let fb = fb_log();
    let server = NetSocket::from_id(
        create(
            "NetSocket",
            fields! {
                "Port" => 0, "Flags" => "SERVER",
                "Feedback" => server_feedback(&fb), "Incoming" => echo(),
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(server.get("Address").unwrap().is_none(), "no Address set");
    let port = server.port().unwrap();
    assert_ne!(port, 0);

    let mut a = std_connect_from(V4, SocketAddr::new(V4, port));
    wait("v4 CONNECTED", || fb.len() == 1);
    a.write_all(b"four").unwrap();
    wait_peer_data("v4 echo", &mut a, b"four");

    // A second IPv4 client (another IP, as MULTI_CONNECT is off).
    let mut a2 = std_connect_from(IpAddr::from([127, 0, 0, 2]), SocketAddr::new(V4, port));
    wait("second v4 CONNECTED", || fb.len() == 2);
    a2.write_all(b"four two").unwrap();
    wait_peer_data("second v4 echo", &mut a2, b"four two");

    let v4_ips: Vec<IPAddress> = server.clients().map(|c| c.ip().unwrap()).collect();
    assert_eq!(v4_ips.len(), 2);
    for (ip, want) in v4_ips.iter().zip([V4, IpAddr::from([127, 0, 0, 2])]) {
        assert_eq!(
            ip.kind,
            IPADDR::V4,
            "IPv4-mapped peers are treated as IPv4: {ip:?}"
        );
        assert_eq!(ip.ip(), want);
    }
    assert_eq!(v4_ips[0].data[0], 0x7F00_0001, "V4 in Data[0], host order");

    if have_ipv6("dual_stack_server") {
        let states = Log::default();
        let got = Bytes::default();
        let client = our_client("::1", port, &states, &got);
        wait("v6 CONNECTED on the server", || fb.len() == 3);
        wait("v6 client CONNECTED", || {
            client.state().unwrap() == NTC::CONNECTED
        });
        client.ac_write(b"six").unwrap();
        wait("v6 echo", || got.len() >= 3);
        assert_eq!(got.get(), b"six");

        let mut b = std_connect_from(V6, SocketAddr::new(V6, port));
        // Same IP as our client, no MULTI_CONNECT: rejected with EOF, proving v6 peers are keyed
        // by their own address.
        wait_peer_eof("second ::1 socket without MULTI_CONNECT", &mut b);

        let ips: Vec<IpAddr> = server.clients().map(nc_ip).collect();
        assert_eq!(ips, vec![V4, IpAddr::from([127, 0, 0, 2]), V6]);
        assert_eq!(server.total_clients().unwrap(), 3);
        let last = server.clients().last().unwrap();
        assert_eq!(last.ip().unwrap().kind, IPADDR::V6);
        client.free().unwrap();
        wait("v6 client gone", || server.total_clients().unwrap() == 2);
    }
    server.free().unwrap();
    wait_peer_eof("v4 peer after server Free", &mut a);
}

#[test]
fn get_local_ip_address_of_servers() {
    setup();
    let s4 = server(fields! {});
    let a = local_both(s4);
    assert_eq!(a.kind, IPADDR::V4);
    assert_eq!(a.ip(), V4);
    assert_eq!(a.data[0], 0x7F00_0001);
    assert_eq!(a.port, s4.port().unwrap());
    assert_ne!(a.port, 0);
    s4.free().unwrap();

    let named = server(fields! { "Address" => "localhost" });
    let a = local_both(named);
    assert_eq!(
        (a.kind, a.ip(), a.port),
        (IPADDR::V4, V4, named.port().unwrap())
    );
    named.free().unwrap();

    let any = NetSocket::from_id(
        create("NetSocket", fields! { "Port" => 0, "Flags" => "SERVER" }).unwrap(),
    )
    .unwrap();
    let a = local_both(any);
    assert!(
        a.ip().is_unspecified(),
        "dual-stack server bound to any: {a:?}"
    );
    assert_eq!(a.port, any.port().unwrap());
    println!(
        "dual-stack server local address: {:?} {}",
        a.kind,
        a.socket_addr()
    );
    any.free().unwrap();

    if have_ipv6("get_local_ip_address_of_servers") {
        let s6 = server(fields! { "Address" => "::1" });
        let a = local_both(s6);
        assert_eq!(a.kind, IPADDR::V6);
        assert_eq!(a.ip(), V6);
        assert_eq!(
            a.data,
            [0, 0, 0, u32::from_ne_bytes([0, 0, 0, 1])],
            "network order"
        );
        assert_eq!(a.port, s6.port().unwrap());
        assert_ne!(a.port, 0);
        s6.free().unwrap();
    }
}

/// Connects our client to a std listener at `ip` and checks GetLocalIPAddress against the
/// peer address std sees on the accepted socket.
fn check_client_local_address(ip: IpAddr) {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let states = Log::default();
    let got = Bytes::default();
    let client = our_client(&ip.to_string(), port, &states, &got);
    let mut accepted: Option<(TcpStream, SocketAddr)> = None;
    wait("accept and CONNECTED", || {
        if accepted.is_none() {
            accepted = listener.accept().ok();
        }
        accepted.is_some() && client.state().unwrap() == NTC::CONNECTED
    });
    let (mut peer, peer_addr) = accepted.unwrap();
    let a = local_both(client);
    assert_eq!(a.kind, if ip.is_ipv4() { IPADDR::V4 } else { IPADDR::V6 });
    assert_eq!(
        a.socket_addr(),
        peer_addr,
        "client's local address is what the peer sees"
    );
    assert_eq!(peer.peer_addr().unwrap(), a.socket_addr());
    assert_ne!(a.port, 0);
    // And the link works.
    peer.write_all(b"hi").unwrap();
    wait("data", || got.len() == 2);
    client.free().unwrap();
    peer.set_nonblocking(true).unwrap();
    wait_peer_eof("client freed", &mut peer);
    // A client that is not connected has no local address.
    let idle = NetSocket::from_id(create("NetSocket", fields! {}).unwrap()).unwrap();
    let r = idle.local_address();
    assert!(r.is_err(), "unconnected client: {r:?}");
    let (e, _) = idle.call_raw("GetLocalIPAddress", &[]);
    assert!(e.is_err(), "unconnected client (generic): {e:?}");
    idle.free().unwrap();
}

#[test]
fn get_local_ip_address_of_connected_clients() {
    setup();
    check_client_local_address(V4);
    if have_ipv6("get_local_ip_address_of_connected_clients") {
        check_client_local_address(V6);
    }
}

/// A server whose Address is `::` takes IPv4 clients too: IPV6_V6ONLY is turned off
/// explicitly, so the host's `net.ipv6.bindv6only` default does not decide.
#[test]
fn a_server_on_the_ipv6_wildcard_is_dual_stack() {
    setup();
    if !have_ipv6("a_server_on_the_ipv6_wildcard_is_dual_stack") {
        return;
    }
    let s = server(
        fields! { "Address" => "::", "Flags" => "SERVER|MULTI_CONNECT", "Incoming" => echo() },
    );
    let fd = s.duplicate_fd().unwrap();
    let sock = socket2::SockRef::from(&fd);
    assert_eq!(sock.only_v6().ok(), Some(false), "IPV6_V6ONLY is off");
    let mut c = std::net::TcpStream::connect(("127.0.0.1", s.port().unwrap())).unwrap();
    c.write_all(b"four").unwrap();
    let mut back = [0u8; 4];
    let peer = std::thread::spawn(move || {
        c.read_exact(&mut back).unwrap();
        back
    });
    wait("an IPv4 client", || peer.is_finished());
    assert_eq!(&peer.join().unwrap(), b"four");
    s.free().unwrap();
}
