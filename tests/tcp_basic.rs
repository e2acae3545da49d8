//! Client ↔ server basics: greeting and reply both ways, Feedback sequences.

mod common;

use common::*;
use parasol::prelude::*;

#[test]
fn greeting_and_reply_both_ways() {
    setup();
    let server_got = Bytes::default();
    let server_states = Log::<NTC>::default();
    let sg = server_got.clone();
    let ss = server_states.clone();
    let server = server(fields! {
        "Feedback" => Function::new(move |_s: &NetSocket, c: &ClientSocket, state: NTC| {
            ss.push(state);
            if state == NTC::CONNECTED {
                c.ac_write(b"Hello client").unwrap();
            }
        }),
        "Incoming" => Function::new(move |_s: &NetSocket, c: &ClientSocket| -> ERR {
            let mut b = [0u8; 256];
            let n = c.ac_read(&mut b).unwrap();
            sg.extend(&b[..n]);
            ERR::Okay
        }),
    });
    let port = server.port().unwrap();
    assert_ne!(port, 0, "ephemeral port is read back");

    let client_got = Bytes::default();
    let states = Log::<NTC>::default();
    let cg = client_got.clone();
    let client = NetSocket::from_id(
        create(
            "NetSocket",
            fields! {
                "Feedback" => client_feedback(&states),
                "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
                    let mut b = [0u8; 256];
                    let n = s.ac_read(&mut b).unwrap();
                    cg.extend(&b[..n]);
                    if cg.get() == b"Hello client" {
                        s.ac_write(b"Hello server").unwrap();
                    }
                    ERR::Okay
                }),
            },
        )
        .unwrap(),
    )
    .unwrap();
    client.connect("127.0.0.1", port).unwrap();
    assert_eq!(client.state().unwrap(), NTC::CONNECTING);
    wait("reply", || server_got.get() == b"Hello server");
    assert_eq!(client_got.get(), b"Hello client");
    assert_eq!(states.get(), vec![NTC::CONNECTING, NTC::CONNECTED]);
    assert_eq!(server_states.get(), vec![NTC::CONNECTED]);
    assert_eq!(server.total_clients().unwrap(), 1);
    assert_eq!(server.get_str("State").unwrap(), "Multistate");

    client.free().unwrap();
    wait("server sees disconnect", || server_states.len() == 2);
    assert_eq!(server_states.get()[1], NTC::DISCONNECTED);
    wait("netclient released", || {
        server.total_clients().unwrap() == 0
    });
    assert!(server.clients().next().is_none());
    server.free().unwrap();
}
