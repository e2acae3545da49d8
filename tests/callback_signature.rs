//! The generic door refuses a callback whose parameters cannot take what the class passes:
//! Args when the field is set (or at Init, when the role decides), with a detail naming the
//! form expected — instead of a callback that silently never runs.

mod common;

use common::*;
use parasol::prelude::*;

#[test]
fn a_callback_that_cannot_take_the_arguments_is_refused_when_set() {
    setup();
    let e = parasol::try_create(
        "NetSocket",
        fields! {
            "Address" => "127.0.0.1", "Port" => 9,
            "Incoming" => Function::new(|_text: &str| ERR::Okay),
        },
    )
    .unwrap_err();
    assert_eq!((e.error, e.field.as_deref()), (ERR::Args, Some("Incoming")));
    let detail = e.detail.unwrap();
    assert!(
        detail.contains("(NetSocket) (client) or (NetSocket, ClientSocket) (server)")
            && detail.contains("takes (string)"),
        "{detail}"
    );
}

#[test]
fn the_role_decides_at_init() {
    setup();
    // A client's Feedback form on what Flags make a server: accepted when set (the role is not
    // fixed yet), refused by Init.
    let e = parasol::try_create(
        "NetSocket",
        fields! {
            "Feedback" => Function::new(|_s: &NetSocket, _state: NTC| {}),
            "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER",
        },
    )
    .unwrap_err();
    assert_eq!((e.error, e.field.as_deref()), (ERR::Args, None));
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|d| d.contains("(NetSocket, ClientSocket, int)")),
        "{e}"
    );

    // After Init only the socket's own form is accepted.
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(9)
        .build()
        .unwrap();
    assert_eq!(
        client.set(
            "Incoming",
            Function::new(|_s: &NetSocket, _c: &ClientSocket| ERR::Okay)
        ),
        Err(ERR::Args)
    );
    assert_eq!(
        client.set("Incoming", Function::new(|_s: &NetSocket| ERR::Okay)),
        Ok(())
    );
    // Fewer parameters than passed is fine (the rest are ignored), and so is a raw Function.
    assert_eq!(
        client.set("Feedback", Function::new(|_s: ObjectId| ERR::Okay)),
        Ok(())
    );
    assert_eq!(
        client.set("Outgoing", Function::raw(|_args| ERR::Okay)),
        Ok(())
    );
    client.free().unwrap();
}

#[test]
fn a_clientsocket_callback_takes_the_server_form() {
    setup();
    let server = NetSocket::create()
        .address("127.0.0.1")
        .port(0)
        .flags(NSF::SERVER | NSF::MULTI_CONNECT)
        .build()
        .unwrap();
    let _peer = std::net::TcpStream::connect(server.local_addr().unwrap()).unwrap();
    let cs = first_accepted(server);
    assert_eq!(
        cs.set("Incoming", Function::new(|_n: i32| ERR::Okay)),
        Err(ERR::Args)
    );
    assert_eq!(
        cs.set(
            "Incoming",
            Function::new(|_s: &NetSocket, c: &ClientSocket| c.echo())
        ),
        Ok(())
    );
    server.free().unwrap();
}
