//! The NetClient class: the group of a server's connections from one IP address.

use crate::data::NetClientData;
use crate::server;
use parasol_core::field::fd::*;
use parasol_core::{ClassBuilder, FieldKind, MetaClass, Res, Value, AC, CCF, CLASSID, ERR};
use std::rc::Rc;
use std::sync::Arc;

/// Registers NetClient.
pub(crate) fn register() -> Res<Arc<MetaClass>> {
    ClassBuilder::<NetClientData>::new("NetClient")
        .version(1.0)
        .category(CCF::NETWORK)
        .doc("The connections of a server from one client IP address (created by the server only).")
        .internal()
        .field("IP", FieldKind::Struct("IPAddress"), FD_READ, |f| {
            f.get(|d| Value::Struct(Rc::new(d.ip)))
                .doc("The client's IP address (IPv4-mapped addresses as IPv4).")
        })
        .field("Next", FieldKind::Object, FD_READ, |f| {
            f.get(|d| d.next.into())
                .doc("Next NetClient of the server.")
        })
        .field("Prev", FieldKind::Object, FD_READ, |f| {
            f.get(|d| d.prev.into())
                .doc("Previous NetClient of the server.")
        })
        .field("Connections", FieldKind::Object, FD_READ, |f| {
            f.get(|d| d.first_socket.into())
                .doc("The first ClientSocket (oldest); each has Next/Prev.")
        })
        .field("TotalConnections", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::Int(d.total_connections))
                .doc("Number of ClientSockets.")
        })
        .field(
            "ClientData",
            FieldKind::Any,
            FD_RW,
            crate::client_data::field,
        )
        .action(AC::Init, |o, _| {
            let has_server = o
                .try_data::<NetClientData>()
                .map(|d| d.server.is_some())
                .unwrap_or(false);
            let owner_ok = o
                .owner()
                .and_then(|s| s.ptr().ok())
                .is_some_and(|p| p.class().id() == CLASSID::NETSOCKET);
            if has_server && owner_ok {
                ERR::Okay
            } else {
                log::warn!(
                    "{} NetClients are created by a server NetSocket",
                    parasol_core::log::ctx(o)
                );
                ERR::UnsupportedOwner
            }
        })
        .action(AC::Free, |o, _| {
            if o.try_data::<NetClientData>()
                .is_ok_and(|d| d.server.is_some())
            {
                for cs in server::sockets_of(o.id()) {
                    let _ = parasol_core::free_resource(cs);
                }
            }
            server::unlink_netclient(o);
            ERR::Okay
        })
        .register()
}
