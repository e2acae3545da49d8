//! The server's NetClient / ClientSocket bookkeeping: the Clients list (oldest first, Next/Prev
//! consistent) as clients from three IPs come and go in every order, DisconnectClient and
//! DisconnectSocket with exact Feedback counts, their error codes, and handles to released
//! objects (docs/NETSOCKET.md "Server", "ClientSocket and NetClient").

mod common;

use common::peer::*;
use common::*;
use parasol::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, TcpStream};
use std::time::Duration;

const QUIET: Duration = Duration::from_millis(200);

fn ip(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// One server Feedback call: the socket, the state, and the socket's peer address at that time.
#[derive(Clone, Debug)]
struct Fb {
    cs: ClientSocket,
    state: NTC,
    peer: String,
}

fn recording_server(fb: &Log<Fb>, extra: Vec<(&str, Value)>) -> NetSocket {
    let log = fb.clone();
    let mut f = fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            let peer = c.get_str("Address").unwrap_or_default();
            log.push(Fb { cs: *c, state, peer });
        }),
    };
    f.extend(extra);
    server(f)
}

fn count(fb: &Log<Fb>, state: NTC) -> usize {
    fb.get().iter().filter(|f| f.state == state).count()
}

/// An echo Incoming for the server, so a surviving client can prove it still works.
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

fn ping(what: &str, s: &mut TcpStream, msg: &[u8]) {
    s.write_all(msg).unwrap();
    wait_peer_data(what, s, msg);
}

/// The NetClients through the typed iterator, bounded so a cyclic list cannot hang the test.
fn client_list(server: NetSocket) -> Vec<NetClient> {
    let v: Vec<NetClient> = server.clients().take(64).collect();
    assert!(v.len() < 64, "Clients list does not terminate");
    v
}

/// Live std peers and the model of what the server must show, in NetClient order.
struct Harness {
    server: NetSocket,
    fb: Log<Fb>,
    port: u16,
    peers: Vec<(u8, TcpStream)>,
    model: Vec<(u8, usize)>,
    gone: Vec<NetClient>,
}

impl Harness {
    fn new() -> Harness {
        let fb: Log<Fb> = Log(Default::default());
        let server = recording_server(&fb, fields! {});
        Harness {
            port: server.port().unwrap(),
            server,
            fb,
            peers: Vec::new(),
            model: Vec::new(),
            gone: Vec::new(),
        }
    }

    fn connect(&mut self, last: u8) {
        let before = count(&self.fb, NTC::CONNECTED);
        let s = std_client_v4(last, self.port);
        wait("CONNECTED", || {
            count(&self.fb, NTC::CONNECTED) == before + 1
        });
        let f = self.fb.get().last().cloned().unwrap();
        assert_eq!(f.state, NTC::CONNECTED);
        assert_eq!(
            f.peer,
            s.local_addr().unwrap().to_string(),
            "Feedback names the new socket"
        );
        match self.model.iter_mut().find(|(i, _)| *i == last) {
            Some(m) => m.1 += 1,
            None => self.model.push((last, 1)),
        }
        self.peers.push((last, s));
        self.check(&format!("after connecting from .{last}"));
    }

    /// Drops the oldest live std socket from `127.0.0.<last>`.
    fn drop_one(&mut self, last: u8) {
        let idx = self.peers.iter().position(|(i, _)| *i == last).unwrap();
        let nc_before = self.nc_of(last);
        let (_, s) = self.peers.remove(idx);
        let local = s.local_addr().unwrap().to_string();
        let before = count(&self.fb, NTC::DISCONNECTED);
        drop(s);
        wait("DISCONNECTED", || {
            count(&self.fb, NTC::DISCONNECTED) == before + 1
        });
        let f = self.fb.get().last().cloned().unwrap();
        assert_eq!(f.state, NTC::DISCONNECTED);
        assert_eq!(f.peer, local, "Feedback names the socket whose peer closed");
        wait("ClientSocket released", || !f.cs.exists());
        assert_eq!(f.cs.get("State"), Err(ERR::NoMatchingObject));
        let m = self.model.iter().position(|(i, _)| *i == last).unwrap();
        self.model[m].1 -= 1;
        if self.model[m].1 == 0 {
            self.model.remove(m);
            wait("NetClient released", || !nc_before.exists());
            assert!(
                nc_before.get("IP").is_err(),
                "released NetClient handle fails"
            );
            self.gone.push(nc_before);
        }
        self.check(&format!("after dropping a socket from .{last}"));
    }

    fn nc_of(&self, last: u8) -> NetClient {
        client_list(self.server)
            .into_iter()
            .find(|c| nc_ip(*c) == ip(last))
            .unwrap_or_else(|| panic!("no NetClient for .{last}"))
    }

    fn check(&self, step: &str) {
        let server = self.server;
        assert_eq!(
            server.total_clients().unwrap(),
            self.model.len(),
            "{step}: TotalClients"
        );
        let list = client_list(server);
        let ips: Vec<IpAddr> = list.iter().map(|c| nc_ip(*c)).collect();
        let want: Vec<IpAddr> = self.model.iter().map(|(i, _)| ip(*i)).collect();
        assert_eq!(ips, want, "{step}: Clients order (oldest first)");
        let first = server.get("Clients").unwrap();
        match list.first() {
            Some(c) => assert_eq!(
                first.to_object().ok(),
                Some(c.id()),
                "{step}: Clients field"
            ),
            None => assert!(first.is_none(), "{step}: Clients is empty: {first:?}"),
        }
        for (i, c) in list.iter().enumerate() {
            let want_prev = if i == 0 { None } else { Some(list[i - 1]) };
            assert_eq!(c.prev(), want_prev, "{step}: Prev of #{i}");
            assert_eq!(c.next(), list.get(i + 1).copied(), "{step}: Next of #{i}");
            if let Some(p) = c.prev() {
                assert_eq!(p.next(), Some(*c), "{step}: next(prev(x)) == x");
            }
            if let Some(n) = c.next() {
                assert_eq!(n.prev(), Some(*c), "{step}: prev(next(x)) == x");
            }
            assert_eq!(
                c.total_connections().unwrap(),
                self.model[i].1,
                "{step}: TotalConnections #{i}"
            );
            let conns: Vec<ClientSocket> = c.connections().take(64).collect();
            assert_eq!(conns.len(), self.model[i].1, "{step}: Connections of #{i}");
            for (k, cs) in conns.iter().enumerate() {
                let prev = cs.get("Prev").unwrap().to_object().ok();
                let want_prev = if k == 0 {
                    None
                } else {
                    Some(conns[k - 1].id())
                };
                assert_eq!(prev, want_prev, "{step}: ClientSocket.Prev of #{i}/{k}");
                assert_eq!(
                    cs.next().map(|n| n.id()),
                    conns.get(k + 1).map(|n| n.id()),
                    "{step}: ClientSocket.Next of #{i}/{k}"
                );
                assert_eq!(cs.client(), Some(*c), "{step}: ClientSocket.Client");
                assert_eq!(cs.server(), Some(server), "{step}: ClientSocket's server");
                assert_eq!(
                    cs.state().unwrap(),
                    NTC::CONNECTED,
                    "{step}: ClientSocket.State"
                );
            }
            // Connections are oldest first: their peers are in the order the std sockets were
            // opened from that IP.
            let peers: Vec<String> = conns
                .iter()
                .map(|cs| cs.get_str("Address").unwrap())
                .collect();
            let want_peers: Vec<String> = self
                .peers
                .iter()
                .filter(|(l, _)| ip(*l) == ips[i])
                .map(|(_, s)| s.local_addr().unwrap().to_string())
                .collect();
            assert_eq!(
                peers, want_peers,
                "{step}: Connections of #{i} (oldest first)"
            );
        }
        for g in &self.gone {
            assert!(
                !list.contains(g),
                "{step}: a released NetClient is still listed"
            );
        }
    }
}

fn permutations(v: &[u8]) -> Vec<Vec<u8>> {
    if v.len() <= 1 {
        return vec![v.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..v.len() {
        let mut rest = v.to_vec();
        let x = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, x);
            out.push(p);
        }
    }
    out
}

#[test]
fn client_list_stays_consistent_as_ips_leave_in_every_order() {
    setup();
    for order in permutations(&[1, 2, 3]) {
        let mut h = Harness::new();
        h.check("empty");
        // .1 has one socket, .2 two, .3 three, opened round-robin.
        for last in [1, 2, 3, 2, 3, 3] {
            h.connect(last);
        }
        for &last in &order {
            let n = h.model.iter().find(|(i, _)| *i == last).unwrap().1;
            for _ in 0..n {
                h.drop_one(last);
            }
        }
        assert_eq!(h.server.total_clients().unwrap(), 0, "order {order:?}");
        assert_eq!(count(&h.fb, NTC::CONNECTED), 6);
        assert_eq!(
            count(&h.fb, NTC::DISCONNECTED),
            6,
            "one DISCONNECTED per socket"
        );
        h.server.free().unwrap();
    }
}

#[test]
fn client_list_with_interleaved_arrivals_and_departures() {
    setup();
    // Single-socket clients leaving from the front, the middle and the back, and rejoining
    // (a rejoining IP is a new NetClient at the end).
    let orders: [&[(bool, u8)]; 3] = [
        &[
            (true, 1),
            (true, 2),
            (true, 3),
            (false, 2),
            (true, 2),
            (false, 1),
            (true, 1),
            (false, 1),
            (false, 3),
            (false, 2),
        ],
        &[
            (true, 3),
            (true, 1),
            (false, 3),
            (true, 2),
            (true, 3),
            (false, 2),
            (false, 3),
            (true, 2),
            (false, 1),
            (false, 2),
        ],
        &[
            (true, 2),
            (true, 2),
            (true, 1),
            (true, 3),
            (true, 1),
            (false, 2),
            (false, 1),
            (false, 2),
            (false, 3),
            (false, 1),
        ],
    ];
    for ops in orders {
        let mut h = Harness::new();
        for &(connect, last) in ops {
            if connect {
                h.connect(last);
            } else {
                h.drop_one(last);
            }
        }
        assert!(h.model.is_empty());
        assert_eq!(
            count(&h.fb, NTC::CONNECTED),
            count(&h.fb, NTC::DISCONNECTED)
        );
        h.server.free().unwrap();
    }
}

#[test]
fn disconnect_client_closes_every_socket_of_that_ip() {
    setup();
    let fb: Log<Fb> = Log(Default::default());
    let server = recording_server(&fb, fields! { "Incoming" => echo() });
    let port = server.port().unwrap();
    let mut a1 = std_client_v4(1, port);
    let mut a2 = std_client_v4(1, port);
    let mut b = std_client_v4(2, port);
    wait("three CONNECTED", || count(&fb, NTC::CONNECTED) == 3);
    assert_eq!(server.total_clients().unwrap(), 2);
    let nc1 = client_list(server)[0];
    assert_eq!(nc_ip(nc1), ip(1));
    assert_eq!(nc1.total_connections().unwrap(), 2);
    let socks: BTreeSet<i32> = nc1.connections().map(|c| c.uid()).collect();
    assert_eq!(socks.len(), 2);

    // The generic door, as a script would call it.
    let r = server.call("DisconnectClient", &[("Client", Value::Object(nc1.id()))]);
    assert!(r.is_ok(), "DisconnectClient: {:?}", r.err());
    wait("two DISCONNECTED", || count(&fb, NTC::DISCONNECTED) >= 2);
    settle(QUIET);
    let disc: Vec<Fb> = fb
        .get()
        .into_iter()
        .filter(|f| f.state == NTC::DISCONNECTED)
        .collect();
    assert_eq!(
        disc.len(),
        2,
        "exactly one DISCONNECTED per socket: {disc:?}"
    );
    let disc_ids: BTreeSet<i32> = disc.iter().map(|f| f.cs.uid()).collect();
    assert_eq!(
        disc_ids, socks,
        "the DISCONNECTED sockets are the NetClient's"
    );
    wait("NetClient released", || !nc1.exists());
    assert!(nc1.get("TotalConnections").is_err());
    assert_eq!(server.total_clients().unwrap(), 1);
    let list = client_list(server);
    assert_eq!(list.len(), 1);
    assert_eq!(nc_ip(list[0]), ip(2));
    assert_eq!(list[0].prev(), None);
    assert_eq!(list[0].next(), None);
    for f in &disc {
        assert!(!f.cs.exists(), "released ClientSocket {}", f.cs);
    }
    wait_peer_eof(".1 socket 1", &mut a1);
    wait_peer_eof(".1 socket 2", &mut a2);
    assert_eq!(peer_poll(&mut b), PeerRead::Nothing, ".2 untouched");
    ping(".2 still served", &mut b, b"still here");
    assert_eq!(count(&fb, NTC::DISCONNECTED), 2);

    // Typed door for the last one.
    server.disconnect_client(list[0]).unwrap();
    wait("third DISCONNECTED", || count(&fb, NTC::DISCONNECTED) == 3);
    wait_peer_eof(".2", &mut b);
    assert_eq!(server.total_clients().unwrap(), 0);
    assert!(server.clients().next().is_none());
    settle(QUIET);
    assert_eq!(count(&fb, NTC::DISCONNECTED), 3);
    server.free().unwrap();
    assert_eq!(
        count(&fb, NTC::DISCONNECTED),
        3,
        "nothing left to disconnect at Free"
    );
}

#[test]
fn disconnect_socket_closes_one_socket_and_the_netclient_goes_with_the_last() {
    setup();
    let fb: Log<Fb> = Log(Default::default());
    let server = recording_server(&fb, fields! { "Incoming" => echo() });
    let port = server.port().unwrap();
    let mut a1 = std_client_v4(1, port);
    let mut a2 = std_client_v4(1, port);
    let mut b = std_client_v4(2, port);
    wait("three CONNECTED", || count(&fb, NTC::CONNECTED) == 3);
    let nc1 = client_list(server)[0];
    let conns: Vec<ClientSocket> = nc1.connections().collect();
    assert_eq!(conns.len(), 2);
    assert_eq!(
        conns[0].get_str("Address").unwrap(),
        a1.local_addr().unwrap().to_string()
    );
    assert_eq!(
        conns[1].get_str("Address").unwrap(),
        a2.local_addr().unwrap().to_string()
    );
    assert_eq!(conns[0].next(), Some(conns[1]));

    server.disconnect_socket(conns[0]).unwrap();
    wait("one DISCONNECTED", || count(&fb, NTC::DISCONNECTED) >= 1);
    wait_peer_eof("first .1 socket", &mut a1);
    settle(QUIET);
    let disc: Vec<Fb> = fb
        .get()
        .into_iter()
        .filter(|f| f.state == NTC::DISCONNECTED)
        .collect();
    assert_eq!(disc.len(), 1, "{disc:?}");
    assert_eq!(disc[0].cs, conns[0]);
    wait("ClientSocket released", || !conns[0].exists());
    assert_eq!(conns[0].get("State"), Err(ERR::NoMatchingObject));
    assert!(nc1.exists(), "the NetClient stays while it has a socket");
    assert_eq!(nc1.total_connections().unwrap(), 1);
    assert_eq!(nc1.connections().collect::<Vec<_>>(), vec![conns[1]]);
    assert_eq!(conns[1].next(), None);
    assert_eq!(server.total_clients().unwrap(), 2);
    assert_eq!(peer_poll(&mut a2), PeerRead::Nothing);
    ping("second .1 socket still served", &mut a2, b"abc");

    let r = server.call(
        "DisconnectSocket",
        &[("Socket", Value::Object(conns[1].id()))],
    );
    assert!(r.is_ok(), "DisconnectSocket: {:?}", r.err());
    wait("second DISCONNECTED", || count(&fb, NTC::DISCONNECTED) >= 2);
    wait_peer_eof("second .1 socket", &mut a2);
    wait("NetClient goes with its last socket", || !nc1.exists());
    settle(QUIET);
    assert_eq!(count(&fb, NTC::DISCONNECTED), 2);
    assert_eq!(server.total_clients().unwrap(), 1);
    assert_eq!(nc_ip(client_list(server)[0]), ip(2));
    ping(".2 still served", &mut b, b"xyz");
    server.free().unwrap();
    assert_eq!(
        count(&fb, NTC::DISCONNECTED),
        3,
        "Free disconnects the rest"
    );
    wait_peer_eof(".2 after Free", &mut b);
}

#[test]
fn disconnect_methods_reject_bad_arguments_by_name() {
    setup();
    let fb: Log<Fb> = Log(Default::default());
    let server = recording_server(&fb, fields! {});
    let other_fb: Log<Fb> = Log(Default::default());
    let other = recording_server(&other_fb, fields! {});
    let mut a = std_client_v4(1, server.port().unwrap());
    let mut o = std_client_v4(1, other.port().unwrap());
    wait("both CONNECTED", || fb.len() == 1 && other_fb.len() == 1);
    let nc = client_list(server)[0];
    let cs = nc.connections().next().unwrap();
    let other_nc = client_list(other)[0];
    let other_cs = other_nc.connections().next().unwrap();

    let err = |name: &str, args: &[(&str, Value)]| server.call(name, args).err();

    // Missing argument.
    let missing = err("DisconnectClient", &[]);
    println!("DisconnectClient with no argument -> {missing:?}");
    assert!(
        matches!(missing, Some(ERR::NullArgs) | Some(ERR::Args)),
        "missing Client: {missing:?}"
    );
    let missing = err("DisconnectSocket", &[]);
    println!("DisconnectSocket with no argument -> {missing:?}");
    assert!(
        matches!(missing, Some(ERR::NullArgs) | Some(ERR::Args)),
        "missing Socket: {missing:?}"
    );
    let null = err("DisconnectClient", &[("Client", Value::None)]);
    println!("DisconnectClient with Client = None -> {null:?}");
    assert!(
        matches!(null, Some(ERR::NullArgs) | Some(ERR::Args)),
        "{null:?}"
    );
    let null = err("DisconnectSocket", &[("Socket", Value::None)]);
    println!("DisconnectSocket with Socket = None -> {null:?}");
    assert!(
        matches!(null, Some(ERR::NullArgs) | Some(ERR::Args)),
        "{null:?}"
    );

    // Wrong class.
    assert_eq!(
        err("DisconnectClient", &[("Client", Value::Object(cs.id()))]),
        Some(ERR::WrongClass),
        "a ClientSocket passed to DisconnectClient"
    );
    assert_eq!(
        err(
            "DisconnectClient",
            &[("Client", Value::Object(server.id()))]
        ),
        Some(ERR::WrongClass),
        "a NetSocket passed to DisconnectClient"
    );
    assert_eq!(
        err("DisconnectSocket", &[("Socket", Value::Object(nc.id()))]),
        Some(ERR::WrongClass),
        "a NetClient passed to DisconnectSocket"
    );

    // Another server's objects.
    assert_eq!(
        err(
            "DisconnectClient",
            &[("Client", Value::Object(other_nc.id()))]
        ),
        Some(ERR::Args),
        "a NetClient of another server"
    );
    assert_eq!(server.disconnect_client(other_nc), Err(ERR::Args));
    assert_eq!(
        err(
            "DisconnectSocket",
            &[("Socket", Value::Object(other_cs.id()))]
        ),
        Some(ERR::Args),
        "a ClientSocket of another server"
    );
    assert_eq!(server.disconnect_socket(other_cs), Err(ERR::Args));

    // A client NetSocket has no clients to disconnect (and must not panic).
    let client = NetSocket::from_id(create("NetSocket", fields! {}).unwrap()).unwrap();
    let r = client.disconnect_client(nc);
    println!("DisconnectClient on a client NetSocket -> {r:?}");
    assert!(r.is_err(), "DisconnectClient on a client NetSocket: {r:?}");
    client.free().unwrap();

    // Nothing was disconnected by any of that.
    settle(QUIET);
    assert_eq!(fb.len(), 1, "{:?}", fb.get());
    assert_eq!(other_fb.len(), 1);
    assert_eq!(nc.total_connections().unwrap(), 1);
    assert_eq!(other_nc.total_connections().unwrap(), 1);
    assert_eq!(peer_poll(&mut a), PeerRead::Nothing);
    assert_eq!(peer_poll(&mut o), PeerRead::Nothing);

    // Released handles fail with an error, never touch freed memory.
    server.disconnect_socket(cs).unwrap();
    wait("DISCONNECTED", || fb.len() == 2);
    wait("released", || !cs.exists() && !nc.exists());
    assert_eq!(cs.get("State"), Err(ERR::NoMatchingObject));
    assert_eq!(cs.get_str("State"), Err(ERR::NoMatchingObject));
    assert!(cs.ac_write(b"x").is_err());
    assert!(cs.ac_read(&mut [0u8; 4]).is_err());
    assert!(cs.set("ClientData", 1).is_err());
    assert!(ClientSocket::from_id(cs.id()).is_err());
    assert!(nc.get("IP").is_err());
    assert_eq!(nc.ip(), Err(ERR::NoMatchingObject));
    assert_eq!(nc.total_connections(), Err(ERR::NoMatchingObject));
    assert_eq!(cs.state(), Err(ERR::NoMatchingObject));
    assert_eq!(cs.error(), Err(ERR::NoMatchingObject));
    let again = server.disconnect_socket(cs);
    println!("DisconnectSocket with a released ClientSocket -> {again:?}");
    assert!(again.is_err());
    let again = server.disconnect_client(nc);
    println!("DisconnectClient with a released NetClient -> {again:?}");
    assert!(again.is_err());
    wait_peer_eof("disconnected peer", &mut a);
    settle(QUIET);
    assert_eq!(fb.len(), 2, "no second DISCONNECTED: {:?}", fb.get());
    assert_eq!(server.total_clients().unwrap(), 0);
    server.free().unwrap();
    other.free().unwrap();
    wait_peer_eof("other server's peer", &mut o);
}

/// Fills a ClientSocket's kernel buffers and queue while its std peer does not read; returns the
/// bytes taken (sent or queued).
fn fill_client_socket(cs: ClientSocket, data: &[u8]) -> usize {
    let mut taken = 0;
    loop {
        let end = (taken + 65536).min(data.len());
        let (e, n) = cs.ac_write_counted(&data[taken..end]);
        taken += n;
        if e == ERR::BufferOverflow {
            return taken;
        }
        assert_eq!(e, ERR::Okay, "Write");
        assert!(
            taken < data.len(),
            "everything was taken: the queue never filled"
        );
    }
}

/// Reads until EOF (driving the loop), returning everything received.
fn read_to_eof(what: &str, s: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut end = None;
    wait(what, || {
        loop {
            match peer_poll(s) {
                PeerRead::Data(d) => got.extend_from_slice(&d),
                PeerRead::Nothing => break,
                other => {
                    end = Some(other);
                    break;
                }
            }
        }
        end.is_some()
    });
    assert_eq!(
        end,
        Some(PeerRead::Eof),
        "{what}: after {} bytes",
        got.len()
    );
    got
}

#[test]
fn disconnect_client_and_socket_are_graceful_queued_data_is_delivered() {
    setup();
    let fb: Log<Fb> = Log(Default::default());
    let server = recording_server(&fb, fields! {});
    let port = server.port().unwrap();
    let mut a1 = std_client_v4(1, port);
    let mut a2 = std_client_v4(1, port);
    let mut b = std_client_v4(2, port);
    wait("three CONNECTED", || count(&fb, NTC::CONNECTED) == 3);
    let list = client_list(server);
    let conns: Vec<ClientSocket> = list[0].connections().collect();
    let cs_b = list[1].connections().next().unwrap();
    let d1 = pattern(8 << 20, 11);
    let d2 = pattern(8 << 20, 12);
    let d3 = pattern(8 << 20, 13);
    let t1 = fill_client_socket(conns[0], &d1);
    let t2 = fill_client_socket(conns[1], &d2);
    let t3 = fill_client_socket(cs_b, &d3);
    assert!(conns[0].out_queue_size().unwrap() > 0 && conns[1].out_queue_size().unwrap() > 0);

    server.disconnect_client(list[0]).unwrap();
    wait("two DISCONNECTED", || count(&fb, NTC::DISCONNECTED) == 2);
    assert_eq!(server.total_clients().unwrap(), 1);
    let got1 = read_to_eof(".1 socket 1", &mut a1);
    let got2 = read_to_eof(".1 socket 2", &mut a2);
    assert_eq!(
        got1.len(),
        t1,
        "DisconnectClient delivered every byte taken (socket 1)"
    );
    assert!(got1 == d1[..t1], "socket 1 data");
    assert_eq!(
        got2.len(),
        t2,
        "DisconnectClient delivered every byte taken (socket 2)"
    );
    assert!(got2 == d2[..t2], "socket 2 data");

    server.disconnect_socket(cs_b).unwrap();
    wait("third DISCONNECTED", || count(&fb, NTC::DISCONNECTED) == 3);
    let got3 = read_to_eof(".2", &mut b);
    assert_eq!(
        got3.len(),
        t3,
        "DisconnectSocket delivered every byte taken"
    );
    assert!(got3 == d3[..t3], ".2 data");
    assert_eq!(server.total_clients().unwrap(), 0);
    settle(QUIET);
    assert_eq!(count(&fb, NTC::DISCONNECTED), 3);
    server.free().unwrap();
}
