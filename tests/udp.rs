//! UDP NetSockets on loopback: echo through Incoming on both doors, Parasol's error rules (and
//! its silent losses made errors), dual-stack reporting, IPv6, broadcast and multicast where the
//! kernel allows them on loopback (a part that cannot run says so), and datagrams kept intact
//! for random sizes.

mod common;

use common::*;
use parasol::call_by_name;
use parasol::prelude::*;
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

fn udp_server(address: &str, extra: Vec<(&str, Value)>) -> Res<NetSocket> {
    let mut f = fields! { "Address" => address, "Port" => 0, "Flags" => "UDP|SERVER" };
    f.extend(extra);
    create("NetSocket", f).map(NetSocket::from_id_unchecked)
}

/// An Incoming that sends each datagram back to its sender.
fn echo_back() -> Function {
    Function::new(|s: &NetSocket| -> ERR {
        let mut buf = [0u8; 2048];
        match s.recv_from(&mut buf) {
            Ok(Some((n, from))) => s.send_to(&buf[..n], from).err().unwrap_or(ERR::Okay),
            Ok(None) => ERR::Okay,
            Err(e) => e,
        }
    })
}

fn recv_one(s: NetSocket, buf: &mut [u8]) -> (usize, SocketAddr) {
    let mut got = None;
    wait("a datagram", || {
        got = s.recv_from(buf).unwrap();
        got.is_some()
    });
    got.unwrap()
}

#[test]
fn echo_through_incoming_with_write_to_the_default_destination() {
    setup();
    let server = udp_server("127.0.0.1", fields! { "Incoming" => echo_back() }).unwrap();
    assert_eq!(
        server.state().unwrap(),
        NTC::CONNECTED,
        "connectionless: CONNECTED from Init"
    );
    let got = Bytes::default();
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(server.port().unwrap())
        .flags(NSF::UDP)
        .incoming(client_collect(&got))
        .build()
        .unwrap();
    assert_eq!(client.state().unwrap(), NTC::CONNECTED);
    assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    assert_eq!(client.ac_write(b"one"), Ok(3));
    assert_eq!(client.ac_write(b"two"), Ok(3));
    wait("both echoes", || got.len() == 6);
    assert_eq!(got.get(), b"onetwo");
    assert_eq!(
        client.connect("127.0.0.1", server.port().unwrap()),
        Err(ERR::NoSupport)
    );
    client.free().unwrap();
    server.free().unwrap();
}

#[test]
fn sendto_and_recvfrom_on_the_generic_door() {
    setup();
    let rx = udp_server("127.0.0.1", fields! {}).unwrap();
    let tx = create("NetSocket", fields! { "Flags" => "UDP" }).unwrap();
    let dest = format!("127.0.0.1:{}", rx.port().unwrap());
    let (e, r) = call_by_name(
        tx,
        "SendTo",
        &fields! { "Dest" => dest.as_str(), "Data" => b"hello world".to_vec(), "Length" => 5 },
    );
    assert_eq!(
        (e, r.get("BytesSent").and_then(|v| v.to_int().ok())),
        (ERR::Okay, Some(5))
    );
    let mut got = None;
    wait("the datagram", || {
        let (e, r) = call_by_name(rx.id(), "RecvFrom", &fields! { "BufferSize" => 64 });
        assert_eq!(e, ERR::Okay);
        if r.get("BytesRead").and_then(|v| v.to_int().ok()) == Some(5) {
            got = Some(r);
        }
        got.is_some()
    });
    let r = got.unwrap();
    assert_eq!(r.get("Buffer").unwrap().as_bytes().unwrap(), b"hello");
    let source = r.get("Source").unwrap().to_string();
    assert!(source.starts_with("127.0.0.1"), "{source}");
    assert_eq!(
        call_by_name(
            tx,
            "SendTo",
            &fields! { "Dest" => dest.as_str(), "Data" => b"x".to_vec(), "Length" => 0 }
        )
        .0,
        ERR::NullArgs
    );
    assert_eq!(
        call_by_name(
            tx,
            "SendTo",
            &fields! { "Dest" => dest.as_str(), "Data" => b"x".to_vec(), "Length" => 2 }
        )
        .0,
        ERR::Args,
        "Length beyond Data"
    );
    assert_eq!(
        call_by_name(
            tx,
            "SendTo",
            &fields! { "Dest" => "127.0.0.1:0", "Data" => b"x".to_vec() }
        )
        .0,
        ERR::OutOfRange
    );
    assert_eq!(
        call_by_name(rx.id(), "RecvFrom", &fields! { "BufferSize" => 0 }).0,
        ERR::NullArgs
    );
    assert_eq!(
        call_by_name(rx.id(), "RecvFrom", &fields! { "BufferSize" => -1 }).0,
        ERR::Args
    );
    let (e, r) = call_by_name(rx.id(), "RecvFrom", &fields! { "BufferSize" => 16 });
    assert_eq!(
        (e, r.get("BytesRead").and_then(|v| v.to_int().ok())),
        (ERR::Okay, Some(0)),
        "none waiting"
    );
    tx.free().unwrap();
    rx.free().unwrap();
}

#[test]
fn parasol_error_rules_and_no_silent_losses() {
    setup();
    let rx = udp_server("127.0.0.1", fields! { "MaxPacketSize" => 100 }).unwrap();
    let tx = NetSocket::create()
        .flags(NSF::UDP)
        .max_packet_size(100)
        .build()
        .unwrap();
    let to = rx.local_addr().unwrap();
    assert_eq!(tx.send_to(&[7u8; 101], to), Err(ERR::DataSize));
    assert_eq!(tx.send_to(&[7u8; 100], to), Ok(100));
    // A short buffer: BufferOverflow, and the datagram is still there for a bigger one.
    let mut small = [0u8; 50];
    wait("the datagram is waiting", || {
        rx.recv_from(&mut small) == Err(ERR::BufferOverflow)
    });
    assert!(parasol::err::take_failure_detail()
        .unwrap()
        .contains("100 bytes"));
    let mut big = [0u8; 100];
    assert_eq!(rx.recv_from(&mut big).unwrap().map(|r| r.0), Some(100));
    assert_eq!(big, [7u8; 100]);
    // Write without a destination is an error, not a lost datagram.
    assert_eq!(
        tx.ac_write(b"lost?").map_err(ERR::from),
        Err(ERR::FieldNotSet)
    );
    assert!(parasol::err::take_failure_detail()
        .unwrap()
        .contains("needs a destination"));
    // TCP sockets refuse the UDP methods with Parasol's codes.
    let tcp = server(fields! {});
    assert_eq!(tcp.send_to(b"x", to), Err(ERR::InvalidState));
    assert_eq!(tcp.recv_from(&mut big), Err(ERR::NoSupport));
    assert_eq!(
        tcp.join_multicast_group("239.1.2.3".parse().unwrap()),
        Err(ERR::NoSupport)
    );
    assert_eq!(
        create("NetSocket", fields! { "Flags" => "UDP|SSL" }).map(|_| ()),
        Err(ERR::NoSupport),
        "no DTLS"
    );
    assert_eq!(
        create(
            "NetSocket",
            fields! { "Flags" => "UDP", "MaxPacketSize" => 70000 }
        )
        .map(|_| ()),
        Err(ERR::OutOfRange)
    );
    assert_eq!(
        create(
            "NetSocket",
            fields! { "Flags" => "UDP", "MulticastTTL" => 256 }
        )
        .map(|_| ()),
        Err(ERR::OutOfRange)
    );
    // A unicast port is never shared: a second socket on it is InUse.
    assert_eq!(
        udp_server("127.0.0.1", fields! { "Port" => rx.port().unwrap() as i32 }).map(|_| ()),
        Err(ERR::InUse)
    );
    // An Address without a Port is no destination: Write says so.
    let half = NetSocket::create()
        .address("127.0.0.1")
        .flags(NSF::UDP)
        .build()
        .unwrap();
    assert_eq!(
        half.ac_write(b"x").map_err(ERR::from),
        Err(ERR::FieldNotSet)
    );
    assert_eq!(half.peer_addr(), Err(ERR::FieldNotSet));
    half.free().unwrap();
    assert_eq!(tx.shutdown_write(), Err(ERR::NoSupport));
    assert_eq!(tx.set_ssl(), Err(ERR::NoSupport));
    // Disable closes the socket: DISCONNECTED, and sends fail.
    tx.ac_disable().unwrap();
    assert_eq!(tx.state().unwrap(), NTC::DISCONNECTED);
    assert_eq!(tx.send_to(b"x", to), Err(ERR::Disconnected));
    tcp.free().unwrap();
    tx.free().unwrap();
    rx.free().unwrap();
}

#[test]
fn incoming_that_fails_closes_and_one_that_declines_leaves_the_datagram_queued() {
    setup();
    let states = Log::<NTC>::default();
    let st = states.clone();
    let failing = udp_server(
        "127.0.0.1",
        fields! {
            "Incoming" => Function::new(|_s: &NetSocket| ERR::Failed),
            "Feedback" => Function::new(move |_s: &NetSocket, state: NTC| st.push(state)),
        },
    )
    .unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"x", failing.local_addr().unwrap()).unwrap();
    wait("closed", || failing.state().unwrap() == NTC::DISCONNECTED);
    assert_eq!(failing.error().unwrap(), ERR::Failed);
    assert_eq!(states.get(), vec![NTC::DISCONNECTED]);

    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let c = calls.clone();
    let declining = udp_server(
        "127.0.0.1",
        fields! { "Incoming" => Function::new(move |_s: &NetSocket| { c.set(c.get() + 1); ERR::Okay }) },
    )
    .unwrap();
    peer.send_to(b"kept", declining.local_addr().unwrap())
        .unwrap();
    wait("Incoming offered the datagram", || calls.get() >= 1);
    let mut buf = [0u8; 8];
    assert_eq!(
        declining.recv_from(&mut buf).unwrap().map(|r| r.0),
        Some(4),
        "the datagram Incoming did not take is still there"
    );
    assert_eq!(&buf[..4], b"kept");
    failing.free().unwrap();
    declining.free().unwrap();
}

#[test]
fn ipv4_senders_on_a_dual_stack_socket_are_reported_as_ipv4() {
    setup();
    // "::" is dual-stack whatever the host's default; no Address binds the same way.
    for address in ["::", ""] {
        let rx = match udp_server(address, fields! {}) {
            Ok(s) => s,
            Err(e) => {
                println!("NOTE: cannot run here: no dual-stack UDP socket ({e:?})");
                return;
            }
        };
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(b"v4", ("127.0.0.1", rx.port().unwrap()))
            .unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = recv_one(rx, &mut buf);
        assert_eq!(
            (n, from),
            (2, peer.local_addr().unwrap()),
            "Address {address:?}"
        );
        // And back: an IPv4 destination from the dual-stack socket.
        assert_eq!(rx.send_to(b"ok", from), Ok(2));
        let mut back = [0u8; 8];
        peer.set_read_timeout(Some(DEADLINE)).unwrap();
        assert_eq!(peer.recv(&mut back).unwrap(), 2);
        rx.free().unwrap();
    }
}

#[test]
fn ipv6_on_loopback() {
    setup();
    let rx = match udp_server("::1", fields! {}) {
        Ok(s) => s,
        Err(e) => {
            println!("NOTE: cannot run here: ::1 is not available ({e:?})");
            return;
        }
    };
    let tx = NetSocket::create()
        .address("::1")
        .port(rx.port().unwrap())
        .flags(NSF::UDP)
        .build()
        .unwrap();
    assert_eq!(tx.ac_write(b"six"), Ok(3));
    let mut buf = [0u8; 8];
    let (n, from) = recv_one(rx, &mut buf);
    assert_eq!((&buf[..n], from.is_ipv6()), (&b"six"[..], true));
    tx.free().unwrap();
    rx.free().unwrap();
}

#[test]
fn broadcast_needs_the_broadcast_flag() {
    setup();
    // 127.255.255.255 is loopback's broadcast address: nothing leaves the machine.
    let rx = match udp_server("127.255.255.255", fields! {}) {
        Ok(s) => s,
        Err(e) => {
            println!("NOTE: cannot run here: cannot bind 127.255.255.255 ({e:?})");
            return;
        }
    };
    let dest = SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(127, 255, 255, 255)),
        rx.port().unwrap(),
    );
    let plain = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .flags(NSF::UDP)
        .build()
        .unwrap();
    assert_eq!(plain.send_to(b"all", dest), Err(ERR::NoPermission));
    let caster = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .flags(NSF::UDP | NSF::BROADCAST)
        .build()
        .unwrap();
    assert_eq!(caster.send_to(b"all", dest), Ok(3));
    let mut buf = [0u8; 8];
    assert_eq!(recv_one(rx, &mut buf).0, 3);
    plain.free().unwrap();
    caster.free().unwrap();
    rx.free().unwrap();
}

#[test]
fn multicast_on_loopback_join_receive_leave() {
    setup();
    let group: IpAddr = "239.255.71.12".parse().unwrap();
    // Every multicast socket here names loopback's interface, so nothing leaves the machine.
    let rx = udp_server(
        "239.255.71.12",
        fields! { "MulticastInterface" => "127.0.0.1" },
    )
    .unwrap();
    match rx.join_multicast_group(group) {
        Ok(()) => {}
        // Only "no interface can join" means the kernel lacks multicast on loopback; any
        // other answer is a failure of the runtime.
        Err(ERR::NetworkUnreachable) => {
            println!("NOTE: cannot run here: joining {group} on loopback: NetworkUnreachable");
            rx.free().unwrap();
            return;
        }
        Err(e) => panic!("joining {group} on loopback: {e:?}"),
    }
    assert_eq!(
        rx.join_multicast_group(group),
        Err(ERR::InUse),
        "joined already"
    );
    assert_eq!(
        rx.join_multicast_group("127.0.0.1".parse().unwrap()),
        Err(ERR::Args),
        "not a group"
    );
    assert_eq!(
        rx.join_multicast_group("ff01::1".parse().unwrap()),
        Err(ERR::Args),
        "an IPv6 group on an IPv4 socket"
    );
    // An interface index that does not exist: no interface can join.
    let nowhere = udp_server(
        "239.255.71.13",
        fields! { "MulticastInterface" => "999999" },
    )
    .unwrap();
    assert_eq!(
        nowhere.join_multicast_group("239.255.71.13".parse().unwrap()),
        Err(ERR::NetworkUnreachable)
    );
    nowhere.free().unwrap();
    let tx = NetSocket::create()
        .address("239.255.71.12")
        .port(rx.port().unwrap())
        .flags(NSF::UDP)
        .multicast_interface("127.0.0.1")
        .multicast_ttl(1)
        .build()
        .unwrap();
    assert_eq!(tx.get("MulticastTTL").unwrap().to_int(), Ok(1));
    // A second member on this host shares the group's address and port.
    let rx2 = udp_server(
        "239.255.71.12",
        fields! { "Port" => rx.port().unwrap() as i32, "MulticastInterface" => "127.0.0.1" },
    )
    .unwrap();
    rx2.join_multicast_group(group).unwrap();
    assert_eq!(tx.ac_write(b"to the group"), Ok(12));
    let mut buf = [0u8; 32];
    let (n, _) = recv_one(rx, &mut buf);
    assert_eq!(&buf[..n], b"to the group");
    let (n, _) = recv_one(rx2, &mut buf);
    assert_eq!(&buf[..n], b"to the group", "every member gets it");
    rx2.free().unwrap();
    rx.leave_multicast_group(group).unwrap();
    assert_eq!(
        rx.leave_multicast_group(group),
        Err(ERR::Args),
        "not joined"
    );
    assert_eq!(
        create(
            "NetSocket",
            fields! { "Flags" => "UDP", "MulticastInterface" => "no-such-if0" }
        )
        .map(|_| ()),
        Err(ERR::Args)
    );
    tx.free().unwrap();
    rx.free().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    /// Datagrams of random sizes arrive whole and unchanged, one per RecvFrom, through a
    /// reader with a random buffer size (too small: BufferOverflow, then a big enough one).
    #[test]
    fn datagrams_arrive_whole(sizes in prop::collection::vec(1usize..4000, 1..12), reader in 1usize..4096) {
        setup();
        let rx = udp_server("127.0.0.1", fields! {}).unwrap();
        let tx = NetSocket::create().flags(NSF::UDP).build().unwrap();
        let to = rx.local_addr().unwrap();
        let sent: Vec<Vec<u8>> = sizes.iter().enumerate().map(|(i, n)| pattern(*n, i as u64)).collect();
        for d in &sent {
            prop_assert_eq!(tx.send_to(d, to), Ok(d.len()));
        }
        let mut got = Vec::new();
        let mut small = vec![0u8; reader];
        let mut big = vec![0u8; 4096];
        wait("every datagram", || {
            match rx.recv_from(&mut small) {
                Ok(Some((n, _))) => got.push(small[..n].to_vec()),
                Err(ERR::BufferOverflow) => {
                    let (n, _) = rx.recv_from(&mut big).unwrap().unwrap();
                    got.push(big[..n].to_vec());
                }
                Ok(None) => {}
                Err(e) => panic!("{e:?}"),
            }
            got.len() == sent.len()
        });
        prop_assert_eq!(got, sent);
        tx.free().unwrap();
        rx.free().unwrap();
    }
}

#[test]
fn ipv6_multicast_on_loopback_where_the_kernel_allows() {
    setup();
    // Interface-local scope (ff01::) on the loopback interface: by definition it never leaves
    // the machine. Some kernels (gVisor among them) have no IPv6 multicast on loopback.
    let group: IpAddr = "ff01::7177".parse().unwrap();
    let rx = match udp_server("::", fields! { "MulticastInterface" => "lo" }) {
        Ok(s) => s,
        Err(e) => {
            println!("NOTE: cannot run here: no IPv6 UDP socket or no interface lo ({e:?})");
            return;
        }
    };
    match rx.join_multicast_group(group) {
        Ok(()) => {}
        Err(ERR::NetworkUnreachable) => {
            println!("NOTE: cannot run here: joining {group} on lo: NetworkUnreachable");
            rx.free().unwrap();
            return;
        }
        Err(e) => panic!("joining {group} on lo: {e:?}"),
    }
    let tx = NetSocket::create()
        .address("::1")
        .port(9)
        .flags(NSF::UDP)
        .multicast_interface("lo")
        .build()
        .unwrap();
    let to = SocketAddr::new(group, rx.port().unwrap());
    match tx.send_to(b"six to the group", to) {
        Ok(n) => assert_eq!(n, 16),
        Err(e @ (ERR::NetworkUnreachable | ERR::HostUnreachable)) => {
            println!("NOTE: cannot run here: sending to {group} on lo: {e:?}");
            tx.free().unwrap();
            rx.free().unwrap();
            return;
        }
        Err(e) => panic!("sending to {group} on lo: {e:?}"),
    }
    let mut buf = [0u8; 32];
    let (n, _) = recv_one(rx, &mut buf);
    assert_eq!(&buf[..n], b"six to the group");
    tx.free().unwrap();
    rx.free().unwrap();
}

#[test]
fn multicast_ttl_is_applied_and_zero_keeps_the_systems() {
    setup();
    let ttl_of = |s: NetSocket| {
        let fd = s.duplicate_fd().unwrap();
        socket2::SockRef::from(&fd).multicast_ttl_v4().unwrap()
    };
    let set = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .flags(NSF::UDP)
        .multicast_ttl(5)
        .build()
        .unwrap();
    assert_eq!(ttl_of(set), 5);
    let default = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .flags(NSF::UDP)
        .build()
        .unwrap();
    assert_eq!(ttl_of(default), 1, "the system's default");
    set.free().unwrap();
    default.free().unwrap();
}

#[test]
fn free_is_silent_disable_says_disconnected_once_and_incoming_set_late_gets_what_waits() {
    setup();
    let states = Log::<NTC>::default();
    let st = states.clone();
    let rx = udp_server(
        "127.0.0.1",
        fields! { "Feedback" => Function::new(move |_s: &NetSocket, state: NTC| st.push(state)) },
    )
    .unwrap();
    assert_eq!(
        rx.local_address().unwrap().socket_addr(),
        rx.local_addr().unwrap()
    );
    // A datagram waits with no Incoming; setting one offers it.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"early", rx.local_addr().unwrap()).unwrap();
    // The datagram is queued when send_to returns: these passes handle its readiness while no
    // Incoming is set, so only setting one can offer it now.
    for _ in 0..3 {
        let _ = process_messages(Some(std::time::Duration::ZERO));
    }
    let got = Bytes::default();
    rx.set("Incoming", client_collect(&got)).unwrap();
    wait("the waiting datagram", || got.get() == b"early");
    rx.ac_disable().unwrap();
    rx.ac_disable().unwrap();
    assert_eq!(states.get(), vec![NTC::DISCONNECTED], "once");
    rx.free().unwrap();
    let heard = Log::<NTC>::default();
    let h = heard.clone();
    let quiet = udp_server(
        "127.0.0.1",
        fields! { "Feedback" => Function::new(move |_s: &NetSocket, state: NTC| h.push(state)) },
    )
    .unwrap();
    quiet.free().unwrap();
    assert!(
        heard.get().is_empty(),
        "no Feedback at Free: {:?}",
        heard.get()
    );
}

#[test]
fn multicast_interface_of_the_other_family_is_kept_for_membership() {
    setup();
    // An interface by name on an IPv4 socket, and an IPv4 address on a dual-stack one: Init
    // succeeds (the interface serves membership; sends keep the system's choice).
    let v4 = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .flags(NSF::UDP)
        .multicast_interface("lo")
        .build();
    assert!(v4.is_ok(), "{v4:?}");
    let dual = NetSocket::create()
        .flags(NSF::UDP)
        .multicast_interface("127.0.0.1")
        .build();
    assert!(dual.is_ok(), "{dual:?}");
    v4.unwrap().free().unwrap();
    dual.unwrap().free().unwrap();
}
