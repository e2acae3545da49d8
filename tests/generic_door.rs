//! Hostile use of the by-name door on live network objects: lifecycle actions called as
//! actions, absurd method arguments, and calls on released handles. Each must give an ERR and
//! leave every object consistent (lists that end, a server that frees cleanly).

mod common;

use common::*;
use parasol::prelude::*;

#[test]
fn init_on_live_objects_is_double_init_and_changes_nothing() {
    setup();
    let (server, client, cs) = connected_pair();
    let nc = cs.client().unwrap();
    for obj in [cs.id(), nc.id(), server.id(), client.id()] {
        assert_eq!(obj.act(AC::Init), Err(ERR::DoubleInit), "action on {obj}");
        assert_eq!(obj.call("Init", &[]).unwrap_err(), ERR::DoubleInit);
        assert_eq!(obj.call("acInit", &[]).unwrap_err(), ERR::DoubleInit);
    }
    // The NetClient still holds exactly one socket, and walking the list ends.
    assert_eq!(nc.total_connections().unwrap(), 1);
    assert_eq!(nc.connections().take(10).count(), 1);
    assert_eq!(server.clients().take(10).count(), 1);
    // Both ends still talk.
    let got = Bytes::default();
    client.set("Incoming", client_collect(&got)).unwrap();
    cs.ac_write(b"still fine").unwrap();
    wait("data after the refused Inits", || {
        got.get() == b"still fine"
    });
    // DisconnectClient and Free end normally.
    server.disconnect_client(nc).unwrap();
    wait("client sees the close", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    assert!(!cs.exists() && !nc.exists());
    server.free().unwrap();
    client.free().unwrap();
}

#[test]
fn free_as_an_action_frees_a_client_socket_once() {
    setup();
    let states: Log<NTC> = Log::default();
    let st = states.clone();
    let server = server(fields! {
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, s: NTC| st.push(s)),
    });
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(server.port().unwrap())
        .build()
        .unwrap();
    wait("accepted", || states.get() == vec![NTC::CONNECTED]);
    let cs = server
        .clients()
        .next()
        .unwrap()
        .connections()
        .next()
        .unwrap();
    assert_eq!(cs.call("Free", &[]).map(|_| ()), Ok(()));
    assert!(!cs.exists());
    assert_eq!(states.get(), vec![NTC::CONNECTED, NTC::DISCONNECTED]);
    assert_eq!(server.total_clients().unwrap(), 0);
    assert_eq!(cs.act(AC::Free), Err(ERR::NoMatchingObject));
    assert_eq!(
        cs.ac_write(b"x").map_err(ERR::from),
        Err(ERR::NoMatchingObject)
    );
    assert_eq!(
        cs.call("ShutdownWrite", &[]).unwrap_err(),
        ERR::NoMatchingObject
    );
    wait("client sees the close", || {
        client.state().unwrap() == NTC::DISCONNECTED
    });
    server.free().unwrap();
    client.free().unwrap();
}

#[test]
fn connect_timeouts_beyond_the_clock_are_refused_and_the_socket_stays_usable() {
    setup();
    let server = server(fields! {});
    let states = Log::default();
    let c = NetSocket::create()
        .feedback(client_feedback(&states))
        .build()
        .unwrap();
    for (timeout, want) in [
        (1e19, ERR::OutOfRange),
        (1e20, ERR::OutOfRange),
        (f64::MAX, ERR::OutOfRange),
        (f64::NAN, ERR::Args),
        (f64::INFINITY, ERR::Args),
        (-1.0, ERR::Args),
    ] {
        let (e, _) = c.call_raw(
            "Connect",
            &[
                ("Address", "127.0.0.1".into()),
                ("Port", Value::Int(server.port().unwrap() as i32)),
                ("Timeout", Value::Double(timeout)),
            ],
        );
        assert_eq!(e, want, "Timeout {timeout}");
        assert_eq!(c.state().unwrap(), NTC::DISCONNECTED);
    }
    // The typed door's Duration cannot be NaN or negative; too long is still OutOfRange.
    assert_eq!(
        c.connect_timeout(
            "127.0.0.1",
            server.port().unwrap(),
            std::time::Duration::MAX
        ),
        Err(ERR::OutOfRange)
    );
    // By name too.
    let (e, _) = c.call_raw(
        "Connect",
        &[
            ("Address", "127.0.0.1".into()),
            ("Port", Value::Int(server.port().unwrap() as i32)),
            ("Timeout", Value::Double(1e19)),
        ],
    );
    assert_eq!(e, ERR::OutOfRange);
    assert!(states.get().is_empty(), "no Feedback for a refused Connect");
    // The longest accepted timeout works, and the socket connects.
    c.connect_timeout(
        "127.0.0.1",
        server.port().unwrap(),
        std::time::Duration::from_secs(1_000_000_000),
    )
    .unwrap();
    wait("connected", || c.state().unwrap() == NTC::CONNECTED);
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::CONNECTED]);
    c.free().unwrap();
    server.free().unwrap();
}
