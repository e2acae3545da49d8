//! Server admission limits: ClientLimit (distinct IPs), SocketLimit (sockets per IP) and
//! MULTI_CONNECT. Over-limit connections are accepted and closed at once: the peer sees EOF, no
//! Feedback fires, and the counts do not move (docs/NETSOCKET.md "Server", Limits).

mod common;

use common::peer::*;
use common::*;
use parasol::prelude::*;
use std::time::Duration;

/// Time given to the loop to (wrongly) fire a callback for a rejected connection.
const QUIET: Duration = Duration::from_millis(200);

fn limited_server(extra: Vec<(&str, Value)>, fb: &Log<(ClientSocket, NTC)>) -> NetSocket {
    let mut f = fields! { "Feedback" => server_feedback(fb) };
    f.extend(extra);
    server(f)
}

fn only_client(server: NetSocket) -> NetClient {
    let all: Vec<NetClient> = server.clients().collect();
    assert_eq!(all.len(), 1, "exactly one NetClient");
    all[0]
}

#[test]
fn client_limit_rejects_a_new_ip_with_eof_and_no_feedback() {
    setup();
    let fb = fb_log();
    let server = limited_server(fields! { "ClientLimit" => 1 }, &fb);
    let port = server.port().unwrap();

    let mut a = std_client_v4(1, port);
    wait("first client CONNECTED", || fb.len() == 1);
    assert_eq!(fb.get()[0].1, NTC::CONNECTED);
    assert_eq!(server.total_clients().unwrap(), 1);

    let mut b = std_client_v4(2, port);
    wait_peer_eof("over-ClientLimit peer from 127.0.0.2", &mut b);
    settle(QUIET);
    assert_eq!(
        fb.len(),
        1,
        "no Feedback for the rejected client: {:?}",
        fb.get()
    );
    assert_eq!(server.total_clients().unwrap(), 1);
    let nc = only_client(server);
    assert_eq!(nc_ip(nc), std::net::IpAddr::from([127, 0, 0, 1]));
    assert_eq!(nc.total_connections().unwrap(), 1);
    assert_eq!(
        peer_poll(&mut a),
        PeerRead::Nothing,
        "first client unaffected"
    );

    // The limit counts clients present at once: when the first leaves, a new IP is welcome.
    drop(a);
    wait("first client DISCONNECTED", || fb.len() == 2);
    assert_eq!(fb.get()[1].1, NTC::DISCONNECTED);
    wait("NetClient released", || {
        server.total_clients().unwrap() == 0
    });
    let mut c = std_client_v4(2, port);
    wait("127.0.0.2 accepted once below the limit", || fb.len() == 3);
    assert_eq!(fb.get()[2].1, NTC::CONNECTED);
    assert_eq!(
        nc_ip(only_client(server)),
        std::net::IpAddr::from([127, 0, 0, 2])
    );
    assert_eq!(peer_poll(&mut c), PeerRead::Nothing);
    server.free().unwrap();
    wait_peer_eof("client of a freed server", &mut c);
}

#[test]
fn client_limit_can_be_raised_after_init() {
    setup();
    let fb = fb_log();
    let server = limited_server(fields! { "ClientLimit" => 1 }, &fb);
    let port = server.port().unwrap();
    let _a = std_client_v4(1, port);
    wait("first CONNECTED", || fb.len() == 1);
    server.set("ClientLimit", 2).unwrap();
    assert_eq!(server.get("ClientLimit").unwrap().to_int().unwrap(), 2);
    let mut b = std_client_v4(2, port);
    wait("second IP CONNECTED", || fb.len() == 2);
    assert_eq!(fb.get()[1].1, NTC::CONNECTED);
    assert_eq!(server.total_clients().unwrap(), 2);
    let mut c = std_client_v4(3, port);
    wait_peer_eof("third IP over the raised limit", &mut c);
    settle(QUIET);
    assert_eq!(fb.len(), 2);
    assert_eq!(server.total_clients().unwrap(), 2);
    assert_eq!(peer_poll(&mut b), PeerRead::Nothing);
    server.free().unwrap();
}

#[test]
fn socket_limit_rejects_the_third_socket_from_one_ip() {
    setup();
    let fb = fb_log();
    let server = limited_server(
        fields! { "SocketLimit" => 2, "Flags" => "SERVER|MULTI_CONNECT" },
        &fb,
    );
    let port = server.port().unwrap();
    let mut s1 = std_client_v4(1, port);
    let mut s2 = std_client_v4(1, port);
    wait("two sockets CONNECTED", || fb.len() == 2);
    assert!(fb.get().iter().all(|(_, s)| *s == NTC::CONNECTED));
    let nc = only_client(server);
    assert_eq!(nc.total_connections().unwrap(), 2);

    let mut s3 = std_client_v4(1, port);
    wait_peer_eof("third socket over SocketLimit 2", &mut s3);
    settle(QUIET);
    assert_eq!(
        fb.len(),
        2,
        "no Feedback for the rejected socket: {:?}",
        fb.get()
    );
    assert_eq!(server.total_clients().unwrap(), 1);
    assert_eq!(nc.total_connections().unwrap(), 2);
    assert_eq!(nc.connections().count(), 2);
    assert_eq!(peer_poll(&mut s1), PeerRead::Nothing);
    assert_eq!(peer_poll(&mut s2), PeerRead::Nothing);

    // Another IP has its own allowance.
    let _o = std_client_v4(2, port);
    wait("other IP CONNECTED", || fb.len() == 3);
    assert_eq!(server.total_clients().unwrap(), 2);

    // A freed slot can be used again.
    drop(s1);
    wait("s1 DISCONNECTED", || {
        count_state(&fb, NTC::DISCONNECTED) == 1
    });
    assert_eq!(nc.total_connections().unwrap(), 1);
    let mut s4 = std_client_v4(1, port);
    wait("slot reused", || count_state(&fb, NTC::CONNECTED) == 4);
    assert_eq!(nc.total_connections().unwrap(), 2);
    assert_eq!(peer_poll(&mut s4), PeerRead::Nothing);
    server.free().unwrap();
}

#[test]
fn without_multi_connect_a_second_socket_from_one_ip_gets_eof() {
    setup();
    let fb = fb_log();
    let server = limited_server(fields! {}, &fb);
    let flags = server.get_str("Flags").unwrap();
    assert!(
        !flags.to_ascii_uppercase().contains("MULTI"),
        "MULTI_CONNECT is off by default: {flags}"
    );
    let port = server.port().unwrap();
    let mut a = std_client_v4(1, port);
    wait("first CONNECTED", || fb.len() == 1);
    let mut b = std_client_v4(1, port);
    wait_peer_eof("second socket from 127.0.0.1 without MULTI_CONNECT", &mut b);
    settle(QUIET);
    assert_eq!(
        fb.len(),
        1,
        "no Feedback for the rejected socket: {:?}",
        fb.get()
    );
    assert_eq!(server.total_clients().unwrap(), 1);
    assert_eq!(only_client(server).total_connections().unwrap(), 1);
    assert_eq!(peer_poll(&mut a), PeerRead::Nothing);
    // A different IP is a different client and is still welcome.
    let _c = std_client_v4(2, port);
    wait("other IP CONNECTED", || fb.len() == 2);
    assert_eq!(server.total_clients().unwrap(), 2);
    server.free().unwrap();
}

#[test]
fn with_multi_connect_both_sockets_share_one_netclient() {
    setup();
    let fb = fb_log();
    let server = limited_server(fields! { "Flags" => "SERVER|MULTI_CONNECT" }, &fb);
    let port = server.port().unwrap();
    let mut a = std_client_v4(1, port);
    let mut b = std_client_v4(1, port);
    wait("both CONNECTED", || fb.len() == 2);
    assert!(fb.get().iter().all(|(_, s)| *s == NTC::CONNECTED));
    assert_eq!(server.total_clients().unwrap(), 1);
    let nc = only_client(server);
    assert_eq!(nc.total_connections().unwrap(), 2);
    let socks: Vec<ClientSocket> = nc.connections().collect();
    assert_eq!(socks.len(), 2);
    assert_ne!(socks[0], socks[1]);
    for (cs, _) in fb.get() {
        assert!(
            socks.contains(&cs),
            "Feedback socket {cs} is one of the NetClient's"
        );
        assert_eq!(cs.client(), Some(nc));
    }
    assert_eq!(peer_poll(&mut a), PeerRead::Nothing);
    assert_eq!(peer_poll(&mut b), PeerRead::Nothing);
    server.free().unwrap();
    wait_peer_eof("a", &mut a);
    wait_peer_eof("b", &mut b);
}

#[test]
fn socket_limit_lowered_after_init_keeps_existing_sockets() {
    setup();
    let fb = fb_log();
    let server = limited_server(fields! { "Flags" => "SERVER|MULTI_CONNECT" }, &fb);
    let port = server.port().unwrap();
    let mut s: Vec<_> = (0..3).map(|_| std_client_v4(1, port)).collect();
    wait("three CONNECTED", || fb.len() == 3);
    server.set("SocketLimit", 2).unwrap();
    let mut extra = std_client_v4(1, port);
    wait_peer_eof("socket over the lowered SocketLimit", &mut extra);
    settle(QUIET);
    assert_eq!(fb.len(), 3, "{:?}", fb.get());
    let nc = only_client(server);
    assert_eq!(
        nc.total_connections().unwrap(),
        3,
        "existing sockets are kept"
    );
    for p in s.iter_mut() {
        assert_eq!(peer_poll(p), PeerRead::Nothing);
    }
    // Two leave: now at 1 < 2, one more is accepted.
    s.truncate(1);
    wait("two DISCONNECTED", || {
        count_state(&fb, NTC::DISCONNECTED) == 2
    });
    let mut again = std_client_v4(1, port);
    wait("accepted below the limit", || {
        count_state(&fb, NTC::CONNECTED) == 4
    });
    assert_eq!(nc.total_connections().unwrap(), 2);
    assert_eq!(peer_poll(&mut again), PeerRead::Nothing);
    server.free().unwrap();
}
