//! The NetSocket class: its field table, actions and methods, declared to the kernel.

use crate::callback_check::{self, Callback, Role};
use crate::constants::{NSF, NSF_TABLE, NTC, NTC_TABLE};
use crate::data::{NetClientData, NetSocketData};
use crate::stream::{self, disconnect, with_stream, Ep, How};
use crate::{client, server};
use parasol_core::field::fd::*;
use parasol_core::{
    ActionArgs, ArgSpec, ClassBuilder, FieldKind, MetaClass, ObjectPtr, Res, Value, AC, CCF,
    CLASSID, ERR,
};
use std::sync::Arc;

fn opt_string(v: Value) -> Res<Option<String>> {
    Ok(match v {
        Value::None => None,
        v => Some(v.as_str()?.to_owned()).filter(|s| !s.is_empty()),
    })
}

fn int_in(v: &Value, lo: i64, hi: i64) -> Res<i32> {
    let n = v.to_int()?;
    if (lo..=hi).contains(&n) {
        Ok(n as i32)
    } else {
        Err(ERR::OutOfRange)
    }
}

/// Where Read and Write go on a NetSocket: its UDP socket or its client stream. Read with one
/// borrow, since both actions ask on every message; a server has neither (NoSupport: its
/// ClientSockets have the streams).
enum DataPath {
    Udp,
    Stream(Ep),
}

fn data_path(ptr: &ObjectPtr) -> Res<DataPath> {
    let d = ptr.try_data::<NetSocketData>()?;
    if d.is_udp() {
        Ok(DataPath::Udp)
    } else if d.is_server() {
        Err(ERR::NoSupport)
    } else {
        Ok(DataPath::Stream(Ep::Client(ptr.id())))
    }
}

/// The Read action's routine (also called directly by the typed handle).
pub(crate) fn read(o: &ObjectPtr, buffer: &mut [u8]) -> Res<usize> {
    match data_path(o)? {
        DataPath::Udp => crate::udp::read(o, buffer),
        DataPath::Stream(ep) => stream::read(o, ep, buffer),
    }
}

/// The Write action's routine: the ERR and the bytes taken (also called directly by the typed
/// handle).
pub(crate) fn write(o: &ObjectPtr, buffer: &[u8]) -> (ERR, usize) {
    match data_path(o) {
        Ok(DataPath::Udp) => crate::udp::write(o, buffer),
        Ok(DataPath::Stream(ep)) => stream::write(o, ep, buffer),
        Err(e) => {
            log::warn!(
                "{} Write on a server socket: use the ClientSocket",
                parasol_core::log::ctx(o)
            );
            (e, 0)
        }
    }
}

/// The stream a client NetSocket's data path uses; NoSupport for a server and for a UDP socket
/// (it has none: ShutdownWrite and Outgoing do not apply).
fn role_ep(ptr: &ObjectPtr) -> Res<Ep> {
    match data_path(ptr)? {
        DataPath::Stream(ep) => Ok(ep),
        DataPath::Udp => Err(ERR::NoSupport),
    }
}

/// Registers NetSocket. Called once by [`crate::register_classes`].
pub(crate) fn register() -> Res<Arc<MetaClass>> {
    ClassBuilder::<NetSocketData>::new("NetSocket")
        .version(1.0)
        .category(CCF::NETWORK)
        .doc("A TCP connection (client) or listener (server, NSF::SERVER), optionally with TLS (NSF::SSL).")
        .field("Address", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.address.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.address = opt_string(v)?;
                    Ok(())
                })
                .doc("Client: host to connect to. Server: local bind address (IP literal or localhost).")
        })
        .field("Backlog", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.backlog))
                .set(|d, v| {
                    d.backlog = int_in(&v, 1, i32::MAX as i64)?;
                    Ok(())
                })
                .doc("listen() backlog.")
        })
        .field("ClientData", FieldKind::Any, FD_RW, crate::client_data::field)
        .field("ClientLimit", FieldKind::Int, FD_RW, |f| {
            f.get(|d| Value::Int(d.client_limit))
                .set(|d, v| {
                    d.client_limit = int_in(&v, 0, i32::MAX as i64)?;
                    Ok(())
                })
                .doc("Server: most distinct client IP addresses at once.")
        })
        .field("Clients", FieldKind::Object, FD_READ, |f| {
            f.get(|d| d.server.first_client.into()).doc("Server: the first NetClient (each has Next/Prev).")
        })
        .field("Error", FieldKind::Error, FD_READ, |f| {
            f.get(|d| Value::Int(d.stream.error.0)).doc("Why the last connection ended or failed.")
        })
        .field("ErrorDetail", FieldKind::Str, FD_READ, |f| {
            f.get(|d| d.stream.error_detail.as_deref().map_or(Value::None, Value::from))
                .doc("What the failure behind Error said: the OS error, the TLS error or alert, the resolver (extension).")
        })
        .field("Feedback", FieldKind::Function, FD_RW, |f| {
            f.get(|d| d.feedback.clone().into())
                .set_obj(|o, v| {
                    let func = v.to_function()?;
                    callback_check::check(Callback::Feedback, &func, role_of(o))?;
                    o.try_data_mut::<NetSocketData>()?.feedback = func;
                    Ok(())
                })
                .doc("State callback: (NetSocket, State) or, on a server, (NetSocket, ClientSocket, State).")
        })
        .field("Flags", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.flags.0))
                .set(|d, v| {
                    d.flags = NSF(v.to_i32()?);
                    Ok(())
                })
                .flags(NSF_TABLE)
                .doc("NSF flags: SERVER, SSL, SSL_NO_VERIFY, MULTI_CONNECT, SYNCHRONOUS, LOG_ALL, BROADCAST, UDP.")
        })
        .field("Handle", FieldKind::Int, FD_RI, |f| {
            f.get(|d| {
                use std::os::fd::AsRawFd;
                let fd = d
                    .stream
                    .conn
                    .as_ref()
                    .map(|c| c.socket_ref().as_raw_fd())
                    .or_else(|| d.server.listener.as_ref().map(|l| l.as_raw_fd()))
                    .or_else(|| d.udp.as_ref().map(|u| u.socket.as_raw_fd()))
                    .or_else(|| d.adopt_fd.as_ref().map(|f| f.as_raw_fd()))
                    .unwrap_or(-1);
                Value::Int(fd)
            })
            .set(|d, v| {
                let fd = int_in(&v, 0, i32::MAX as i64).map_err(|_| ERR::InvalidHandle)?;
                d.adopt_fd = Some(parasol_net::socket::duplicate_tcp_handle(fd)?);
                Ok(())
            })
            .doc("OS descriptor; set before Init to adopt a connected TCP socket (a copy is taken: the caller keeps its own).")
        })
        .field("HandshakeTimeout", FieldKind::Double, FD_RW, |f| {
            f.get(|d| Value::Double(d.handshake_timeout))
                .set(|d, v| {
                    d.handshake_timeout = crate::timeouts::timeout_field(v.to_double()?)?;
                    Ok(())
                })
                .doc("Server (extension): seconds a client may take to complete its TLS handshake before it is closed with Error TimeOut; 0 = no bound. Default 10.")
        })
        .field("IdleTimeout", FieldKind::Double, FD_RW, |f| {
            f.get(|d| Value::Double(d.idle_timeout))
                .set(|d, v| {
                    d.idle_timeout = crate::timeouts::timeout_field(v.to_double()?)?;
                    Ok(())
                })
                .doc("Extension: seconds without a byte in either direction before a connection (a client's own, or each of a server's) is closed gracefully with Error TimeOut; 0 = never (default). Applies from the next CONNECTED.")
        })
        .field("Incoming", FieldKind::Function, FD_RW, |f| {
            f.get_obj(|o| Ok(o.try_data::<NetSocketData>()?.incoming.clone().into()))
                .set_obj(|o, v| {
                    let func = v.to_function()?;
                    callback_check::check(Callback::Incoming, &func, role_of(o))?;
                    let defined = func.defined();
                    o.try_data_mut::<NetSocketData>()?.incoming = func;
                    if defined && o.initialised() {
                        // Bytes kept for Read while no callback was set are offered now.
                        if is_udp(o) {
                            crate::udp::incoming_set(o.id());
                        } else if let Ok(ep) = role_ep(o) {
                            stream::recall(ep);
                        }
                    }
                    Ok(())
                })
                .doc("Data callback: (NetSocket) or, on a server, (NetSocket, ClientSocket) → ERR.")
        })
        .field("MaxPacketSize", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.max_packet_size))
                .set(|d, v| {
                    d.max_packet_size = int_in(&v, 1, parasol_net::udp::MAX_DATAGRAM as i64)?;
                    Ok(())
                })
                .doc("UDP: most bytes one datagram may carry; SendTo and Write refuse more with DataSize. Default 65507.")
        })
        .field("MulticastInterface", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.multicast_interface.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.multicast_interface = opt_string(v)?;
                    Ok(())
                })
                .doc("UDP (extension): the interface for multicast: an IPv4 address (127.0.0.1 keeps it on loopback), an interface name or index. Default: the system's choice.")
        })
        .field("MulticastTTL", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.multicast_ttl))
                .set(|d, v| {
                    d.multicast_ttl = int_in(&v, 0, 255)?;
                    Ok(())
                })
                .doc("UDP: time-to-live (hops) of multicast datagrams; 0 keeps the system's (1).")
        })
        .field("MsgLimit", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.stream.msg_limit as i32))
                .set(|d, v| {
                    d.stream.msg_limit = int_in(&v, 1, i32::MAX as i64)? as usize;
                    Ok(())
                })
                .doc("Most bytes the outgoing queue may hold (per ClientSocket on a server).")
        })
        .field("OutQueueSize", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::Int(d.stream.out_len().min(i32::MAX as usize) as i32))
                .doc("Bytes accepted by Write and not yet handed to the kernel.")
        })
        .field("Outgoing", FieldKind::Function, FD_RW, |f| {
            f.get_obj(|o| Ok(o.try_data::<NetSocketData>()?.outgoing.clone().into()))
                .set_obj(|o, v| {
                    let func = v.to_function()?;
                    callback_check::check(Callback::Outgoing, &func, role_of(o))?;
                    let defined = func.defined();
                    {
                        let mut d = o.try_data_mut::<NetSocketData>()?;
                        d.outgoing = func;
                        d.stream.outgoing_armed = defined;
                    }
                    if defined && o.initialised() {
                        if let Ok(ep) = role_ep(o) {
                            stream::outgoing_set(ep);
                        }
                    }
                    Ok(())
                })
                .doc("Client: called while the queue is empty, to write more → ERR.")
        })
        .field("Port", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(d.port))
                .set(|d, v| {
                    d.port = int_in(&v, 0, 65535)?;
                    Ok(())
                })
                .doc("Client: remote port. Server: local port (0 picks one; read it back after Init).")
        })
        .field("ReusePort", FieldKind::Int, FD_RI, |f| {
            f.get(|d| Value::Int(i32::from(d.reuse_port)))
                .set(|d, v| {
                    d.reuse_port = v.to_int()? != 0;
                    Ok(())
                })
                .doc("Server: 1 shares the port with other servers that set it too (SO_REUSEPORT): the kernel spreads new connections among them, one server per loop (extension).")
        })
        .field("SocketLimit", FieldKind::Int, FD_RW, |f| {
            f.get(|d| Value::Int(d.socket_limit))
                .set(|d, v| {
                    d.socket_limit = int_in(&v, 0, i32::MAX as i64)?;
                    Ok(())
                })
                .doc("Server: most sockets per client IP address.")
        })
        .field("State", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::from(if d.is_server() { NTC::MULTISTATE } else { d.stream.state }))
                .lookup(NTC_TABLE)
                .doc("NTC state; a server reads MULTISTATE.")
        })
        .field("TotalClients", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::Int(d.server.total_clients)).doc("Server: number of NetClients (distinct IPs).")
        })
        .field("ValidCert", FieldKind::Int, FD_READ, |f| {
            f.get(|d| Value::Int(d.client.valid_cert))
                .doc("TLS: 0 if the peer certificate is valid, else an OpenSSL X509_V code.")
        })
        .field("SSLCertificate", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.ssl_certificate.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.ssl_certificate = opt_string(v)?;
                    Ok(())
                })
                .doc("Server TLS certificate chain: PEM file, PEM text, or a .p12/.pfx file.")
        })
        .field("SSLPrivateKey", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.ssl_private_key.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.ssl_private_key = opt_string(v)?;
                    Ok(())
                })
                .doc("Server TLS private key: PEM file or PEM text (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8).")
        })
        .field("SSLKeyPassword", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.ssl_key_password.as_ref().map_or(Value::None, |_| Value::from("********")))
                .set(|d, v| {
                    d.ssl_key_password = opt_string(v)?;
                    Ok(())
                })
                .doc("Password of an encrypted key or PKCS#12 file (reads back masked).")
        })
        .field("SSLCACertificate", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.ssl_ca.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.ssl_ca = opt_string(v)?;
                    Ok(())
                })
                .doc("Client TLS: extra CA certificates to trust (PEM file or PEM text), besides the system store; a server certificate equal to one of them is trusted as is.")
        })
        .field("ALPN", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.tls.alpn.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    let list = opt_string(v)?;
                    if let Some(l) = &list {
                        parasol_net::tls::parse_alpn(l)?;
                    }
                    d.tls.alpn = list;
                    Ok(())
                })
                .doc("TLS: ALPN protocols, comma-separated, most preferred first: offered by a client, accepted by a server (no overlap: the handshake fails, RFC 7301) (extension).")
        })
        .field("ALPNProtocol", FieldKind::Str, FD_READ, crate::tls_setup::alpn_protocol_field)
        .field("PeerCertificate", FieldKind::Str, FD_READ, crate::tls_setup::peer_certificate_field)
        .field("PeerFingerprint", FieldKind::Str, FD_READ, crate::tls_setup::peer_fingerprint_field)
        .field("PeerSubject", FieldKind::Str, FD_READ, crate::tls_setup::peer_subject_field)
        .field("ServerName", FieldKind::Str, FD_RW, |f| {
            f.get(|d| d.tls.server_name.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.tls.server_name = opt_string(v)?;
                    Ok(())
                })
                .doc("Client TLS: the server name sent (SNI) and verified, when it is not Address (extension).")
        })
        .field("SSLClientAuth", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.tls.client_auth.map_or(Value::None, |a| Value::from(a.name())))
                .set(|d, v| {
                    d.tls.client_auth = match opt_string(v)? {
                        None => None,
                        Some(t) => Some(parasol_net::tls::ClientAuth::parse(&t)?),
                    };
                    Ok(())
                })
                .doc("Server TLS: none, optional or require client certificates (default: require when SSLClientCA is set) (extension).")
        })
        .field("SSLClientCA", FieldKind::Str, FD_RI, |f| {
            f.get(|d| d.tls.client_ca.as_deref().map_or(Value::None, Value::from))
                .set(|d, v| {
                    d.tls.client_ca = opt_string(v)?;
                    Ok(())
                })
                .doc("Server TLS: CA certificates client certificates must chain to (PEM file or text); a client certificate equal to one of them is trusted as is (extension).")
        })
        .field("SSLIdentities", FieldKind::Any, FD_RI, |f| {
            f.get(|d| {
                Value::Array(
                    d.tls
                        .sni
                        .iter()
                        .map(|(name, id)| Value::Str(format!("{name}={}", id.certificate.as_deref().unwrap_or(""))))
                        .collect(),
                )
            })
            .set(|d, v| {
                d.tls.sni = crate::tls_setup::parse_sni(&v)?;
                Ok(())
            })
            .doc("Server TLS: identities chosen by the client's server name (SNI), NAME=CERT,KEY each (an array, or one text with ; between entries); SSLCertificate is the default (extension).")
        })
        .field("SSLNoResume", FieldKind::Int, FD_RW, |f| {
            f.get(|d| Value::Int(i32::from(d.tls.no_resumption)))
                .set(|d, v| {
                    d.tls.no_resumption = v.to_int()? != 0;
                    d.client.tls = None; // rebuilt at the next Connect with the new setting
                    Ok(())
                })
                .doc("Client TLS: 1 makes every connection a full handshake instead of resuming an earlier session (extension).")
        })
        .field("TLSConfig", FieldKind::Any, FD_RI, |f| {
            f.get(|d| {
                d.tls
                    .config
                    .clone()
                    .map_or(Value::None, |c| Value::Any(std::rc::Rc::new(c)))
            })
            .set(|d, v| {
                d.tls.config = crate::tls_setup::parse_config(v)?;
                Ok(())
            })
            .doc("TLS: a rustls configuration of your own (Arc<ClientConfig> or Arc<ServerConfig>, as Value::Any), used instead of the SSL fields (extension).")
        })
        .action(AC::Init, |o, _| init(o))
        .action(AC::Free, |o, _| {
            free(o);
            ERR::Okay
        })
        .action(AC::Read, |o, args| {
            let ActionArgs::Read { buffer, result } = args else { return ERR::Args };
            *result = 0;
            match read(o, buffer) {
                Ok(n) => {
                    *result = n;
                    ERR::Okay
                }
                Err(e) => e,
            }
        })
        .action(AC::Write, |o, args| {
            let ActionArgs::Write { buffer, result } = args else { return ERR::Args };
            let (e, n) = write(o, buffer);
            *result = n;
            e
        })
        .action(AC::Disable, |o, _| {
            let is_server = o.try_data::<NetSocketData>().map(|d| d.is_server()).unwrap_or(false);
            if is_udp(o) {
                crate::udp::close(o.id(), None);
            } else if is_server {
                server::stop_listening(o);
            } else {
                disconnect(Ep::Client(o.id()), How::Abort);
            }
            ERR::Okay
        })
        .method(
            "Connect",
            vec![
                ArgSpec::input("Address", FieldKind::Str),
                ArgSpec::input("Port", FieldKind::Int),
                ArgSpec::optional("Timeout", FieldKind::Double),
            ],
            |o, args| {
                let address = args[0].as_str().unwrap_or("").to_owned();
                let port = args[1].to_i32().unwrap_or(0);
                let timeout = if args[2].is_none() { 0.0 } else { args[2].to_double().unwrap_or(-1.0) };
                client::connect(o, &address, port, timeout)
            },
        )
        .method_doc("Connects to Address:Port; Timeout (seconds, 0 = none) bounds resolve + connect + TLS.")
        .method("GetLocalIPAddress", vec![ArgSpec::result("Address", FieldKind::Struct("IPAddress"))], |o, args| {
            let is_server = o.try_data::<NetSocketData>().map(|d| d.is_server()).unwrap_or(false);
            let addr = if is_udp(o) {
                crate::udp::local_address(o).map(parasol_net::IPAddress::from)
            } else if is_server {
                server::local_address(o)
            } else {
                client::local_address(o)
            };
            match addr {
                Some(a) => {
                    args[0] = Value::Struct(std::rc::Rc::new(a));
                    ERR::Okay
                }
                None => ERR::NotInitialised,
            }
        })
        .method_doc("The bound (server) or connected (client) local address, with port.")
        .method("DisconnectClient", vec![ArgSpec::input("Client", FieldKind::Object)], |o, args| {
            let Ok(nc) = args[0].to_object() else { return ERR::NullArgs };
            let Ok(ncp) = nc.ptr() else { return ERR::NoMatchingObject };
            if ncp.class().id() != CLASSID::NETCLIENT {
                return ERR::WrongClass;
            }
            let owner = ncp.try_data::<NetClientData>().ok().and_then(|d| d.server);
            if owner != Some(o.id()) {
                return ERR::Args;
            }
            server::disconnect_client(o.id(), nc);
            ERR::Okay
        })
        .method_doc("Closes every socket of a NetClient gracefully.")
        .method("DisconnectSocket", vec![ArgSpec::input("Socket", FieldKind::Object)], |o, args| {
            let Ok(cs) = args[0].to_object() else { return ERR::NullArgs };
            let Ok(csp) = cs.ptr() else { return ERR::NoMatchingObject };
            if csp.class().id() != CLASSID::CLIENTSOCKET {
                return ERR::WrongClass;
            }
            let owner = csp.try_data::<crate::data::ClientSocketData>().ok().and_then(|d| d.server);
            if owner != Some(o.id()) {
                return ERR::Args;
            }
            disconnect(Ep::Accepted { sock: cs, server: o.id() }, How::Local);
            ERR::Okay
        })
        .method_doc("Closes one ClientSocket gracefully.")
        .method_at(
            AC(-5),
            "SendTo",
            vec![
                ArgSpec::input("Dest", FieldKind::Struct("IPAddress")),
                ArgSpec::input("Data", FieldKind::Bytes),
                ArgSpec::optional("Length", FieldKind::Int),
                ArgSpec::result("BytesSent", FieldKind::Int),
            ],
            |o, args| {
                if !is_udp(o) {
                    return ERR::InvalidState;
                }
                let dest = match dest_arg(&args[0]) {
                    Ok(d) => d,
                    Err(e) => return e,
                };
                let Ok(data) = args[1].as_bytes() else { return ERR::NullArgs };
                let len = match &args[2] {
                    Value::None => data.len(),
                    v => match v.to_int() {
                        Ok(0) => return ERR::NullArgs,
                        Ok(n) if n > 0 && n as usize <= data.len() => n as usize,
                        _ => return ERR::Args,
                    },
                };
                match crate::udp::send_to(o, &data[..len], dest) {
                    Ok(n) => {
                        args[3] = Value::from(n);
                        ERR::Okay
                    }
                    Err(e) => e,
                }
            },
        )
        .method_doc("UDP: sends Data (its first Length bytes) as one datagram to Dest (an IPAddress with Port, or \"host:port\" text).")
        .method_at(
            AC(-6),
            "RecvFrom",
            vec![
                ArgSpec::result("Source", FieldKind::Struct("IPAddress")),
                ArgSpec::result("Buffer", FieldKind::Bytes),
                ArgSpec::input("BufferSize", FieldKind::Int),
                ArgSpec::result("BytesRead", FieldKind::Int),
            ],
            |o, args| {
                if !is_udp(o) {
                    return ERR::NoSupport;
                }
                let size = match args[2].to_int() {
                    Ok(0) | Err(_) => return ERR::NullArgs,
                    Ok(n) if n < 0 => return ERR::Args,
                    // No datagram is larger: a bigger buffer would only cost memory.
                    Ok(n) => (n as usize).min(parasol_net::udp::MAX_DATAGRAM),
                };
                let mut buf = vec![0u8; size];
                match crate::udp::recv_from(o, &mut buf) {
                    Ok(Some((n, from))) => {
                        buf.truncate(n);
                        args[0] = Value::Struct(std::rc::Rc::new(parasol_net::IPAddress::from(from)));
                        args[1] = Value::Bytes(buf);
                        args[3] = Value::from(n);
                        ERR::Okay
                    }
                    Ok(None) => {
                        args[3] = Value::Int(0);
                        ERR::Okay
                    }
                    Err(e) => e,
                }
            },
        )
        .method_doc("UDP: takes the next datagram (Okay with BytesRead 0 when none waits); one larger than BufferSize stays queued: BufferOverflow.")
        .method_at(AC(-7), "JoinMulticastGroup", vec![ArgSpec::input("Group", FieldKind::Str)], |o, args| {
            if !is_udp(o) {
                return ERR::NoSupport;
            }
            match args[0].as_str() {
                Ok(g) => crate::udp::membership(o, g, true),
                Err(_) => ERR::Args,
            }
        })
        .method_doc("UDP: joins a multicast group (on MulticastInterface, or the system's choice).")
        .method_at(AC(-8), "LeaveMulticastGroup", vec![ArgSpec::input("Group", FieldKind::Str)], |o, args| {
            if !is_udp(o) {
                return ERR::NoSupport;
            }
            match args[0].as_str() {
                Ok(g) => crate::udp::membership(o, g, false),
                Err(_) => ERR::Args,
            }
        })
        .method_doc("UDP: leaves a multicast group.")
        .method_at(
            AC(-9),
            "SetSSL",
            crate::ssl::set_ssl_args(),
            crate::ssl::set_ssl_method,
        )
        .method_doc("Parasol's SetSSL(Command, Value): \"EnableSSL\" upgrades a connected plaintext socket to TLS in place (STARTTLS); \"DisableSSL\" is NoSupport on a TLS connection.")
        .method_at(AC(-10), "ShutdownWrite", vec![], |o, _| match role_ep(o) {
            Ok(ep) => stream::shutdown_write(ep),
            Err(e) => e,
        })
        .method_doc("Ends the sending side once the queue is sent (FIN); keeps reading until the peer closes.")
        .register()
}

fn is_udp(o: &ObjectPtr) -> bool {
    o.try_data::<NetSocketData>().is_ok_and(|d| d.is_udp())
}

/// SendTo's destination: an IPAddress with its Port, or text such as `127.0.0.1:9000`.
fn dest_arg(v: &Value) -> Res<std::net::SocketAddr> {
    let addr = match v {
        Value::Struct(_) => v
            .downcast_ref::<parasol_net::IPAddress>()
            .map(|a| a.socket_addr()),
        Value::Str(s) => s.trim().parse::<std::net::SocketAddr>().ok(),
        Value::None => return Err(ERR::NullArgs),
        _ => None,
    };
    let addr = addr.ok_or(ERR::Args)?;
    if addr.port() == 0 {
        return Err(ERR::OutOfRange);
    }
    Ok(addr)
}

/// Before Init either form of a callback may be set; from Init the role is fixed.
fn role_of(o: &ObjectPtr) -> Role {
    match o.try_data::<NetSocketData>() {
        // A UDP socket's callbacks take the client's form, whatever its flags.
        Ok(d) if o.initialised() && d.is_server() => Role::Server,
        Ok(_) if o.initialised() => Role::Client,
        _ => Role::Unknown,
    }
}

/// The callbacks set before Init must fit the role Flags gave the socket.
fn check_callbacks(d: &NetSocketData) -> Res<()> {
    let role = if d.is_server() {
        Role::Server
    } else {
        Role::Client
    };
    callback_check::check(Callback::Feedback, &d.feedback, role)?;
    callback_check::check(Callback::Incoming, &d.incoming, role)?;
    callback_check::check(Callback::Outgoing, &d.outgoing, role)
}

fn init(o: &ObjectPtr) -> ERR {
    let (is_server, adopt, address, port, template) = {
        let Ok(mut d) = o.try_data_mut::<NetSocketData>() else {
            return ERR::InUse;
        };
        if let Err(e) = check_callbacks(&d) {
            return e;
        }
        // Flags are fixed from here on (set-before-Init); the data path reads this copy.
        d.stream.flags = d.flags;
        (
            d.is_server(),
            d.adopt_fd.take(),
            d.address.clone(),
            d.port,
            (d.flags.contains(NSF::SSL) && !d.is_server() && !d.is_udp())
                .then(|| crate::tls_setup::client_template(&d)),
        )
    };
    if is_udp(o) {
        return crate::udp::init(o);
    }
    if is_server {
        return server::init(o);
    }
    if let Some(template) = template {
        match template {
            Ok(t) => {
                if let Ok(mut d) = o.try_data_mut::<NetSocketData>() {
                    d.client.tls = Some(t);
                }
            }
            Err(e) => return e,
        }
    }
    if let Some(fd) = adopt {
        return client::adopt(o, fd).err().unwrap_or(ERR::Okay);
    }
    match address {
        Some(a) if port > 0 => {
            // Init connects as if Connect were called.
            client::connect_from(o, &a, port, 0.0, true)
        }
        _ => ERR::Okay,
    }
}

fn free(o: &ObjectPtr) {
    if is_udp(o) {
        crate::udp::close_freed(o.id());
        return;
    }
    let is_server = o
        .try_data::<NetSocketData>()
        .map(|d| d.is_server())
        .unwrap_or(false);
    if is_server {
        server::free(o);
    } else {
        disconnect(Ep::Client(o.id()), How::Freed);
    }
    let _ = with_stream(Ep::Client(o.id()), |s| s.pre_queue.clear());
}
