//! The object data of the three classes. Class code borrows these only briefly and never while
//! a user callback runs.

use crate::constants::{NSF, NTC};
use parasol_core::msgloop::{IoToken, TimerId};
use parasol_core::{Function, ObjectId, Value, ERR};
use parasol_net::tls::{ClientTemplate, ServerTls};
use parasol_net::{Connection, IPAddress, OutQueue};
use std::collections::HashMap;
use std::net::IpAddr;

/// The per-connection state shared by a client NetSocket and a ClientSocket.
#[derive(Debug, Default)]
pub(crate) struct Stream {
    pub conn: Option<Connection>,
    pub token: Option<IoToken>,
    /// Bytes written before a socket exists (during name resolution, or before Connect).
    pub pre_queue: OutQueue,
    pub state: NTC,
    pub msg_limit: usize,
    /// The Outgoing callback is being pumped.
    pub outgoing_armed: bool,
    /// Incoming returned Retry: reading waits for the queue to drain to half of MsgLimit.
    pub paused: bool,
    /// A connection existed and ended; Write fails until the next Connect.
    pub ended: bool,
    /// ShutdownWrite was called: send FIN once the queue is empty.
    pub close_write_pending: bool,
    /// The I/O handler is running (Read outside it re-arms the loop when staged data runs out).
    pub in_handler: bool,
    /// Why the last connection ended.
    pub error: ERR,
    /// What the failure behind `error` said (the OS error, the TLS error, the resolver), for
    /// the ErrorDetail field.
    pub error_detail: Option<String>,
    /// The NetSocket's flags (a ClientSocket's server's), copied when the connection starts, so
    /// the data path need not look the server up.
    pub flags: NSF,
    /// Handshake and idle timers, while a bound applies.
    pub timers: Option<Box<crate::timeouts::ConnTimers>>,
}

impl Stream {
    pub fn out_len(&self) -> usize {
        self.conn
            .as_ref()
            .map_or(self.pre_queue.len(), |c| c.out_len() + self.pre_queue.len())
    }
}

/// Client-side state of a NetSocket.
#[derive(Debug, Default)]
pub(crate) struct ClientSide {
    /// Addresses left to try for the current Connect (after the one in progress).
    pub fallback: Vec<std::net::SocketAddr>,
    pub connect_timer: Option<TimerId>,
    /// Increments on every Connect and disconnect; stale resolver results and timers are ignored.
    pub generation: u64,
    pub tls: Option<ClientTemplate>,
    pub valid_cert: i32,
}

/// Server-side state of a NetSocket.
#[derive(Debug, Default)]
pub(crate) struct ServerSide {
    pub listener: Option<mio::net::TcpListener>,
    pub token: Option<IoToken>,
    pub tls: Option<ServerTls>,
    pub by_ip: HashMap<IpAddr, ObjectId>,
    pub first_client: Option<ObjectId>,
    pub last_client: Option<ObjectId>,
    pub total_clients: i32,
    /// Accepting is suspended after an error such as EMFILE until this timer fires.
    pub accept_retry: Option<TimerId>,
    /// Accept failures in the current episode (logged once when it starts and once when it ends).
    pub accept_failures: u32,
}

/// NetSocket data.
#[derive(Debug)]
pub(crate) struct NetSocketData {
    pub address: Option<String>,
    pub port: i32,
    pub flags: NSF,
    pub backlog: i32,
    /// Server: listen with SO_REUSEPORT, sharing the port with other servers (other loops).
    pub reuse_port: bool,
    pub client_limit: i32,
    pub socket_limit: i32,
    /// Our own copy of the descriptor given through `Handle`, adopted at Init.
    pub adopt_fd: Option<std::os::fd::OwnedFd>,
    pub ssl_certificate: Option<String>,
    pub ssl_private_key: Option<String>,
    pub ssl_key_password: Option<String>,
    pub ssl_ca: Option<String>,
    /// TLS extensions: ALPN list, the client's server name (SNI), client certificates on a
    /// server, SNI identities, resumption, a user's own rustls configuration.
    pub tls: crate::tls_setup::TlsFields,
    pub client_data: Value,
    pub feedback: Function,
    pub incoming: Function,
    pub outgoing: Function,
    pub timeout: f64,
    /// Server: seconds a ClientSocket may spend in the TLS handshake (0 = no bound).
    pub handshake_timeout: f64,
    /// Seconds without bytes in either direction before a connection is closed (0 = never).
    pub idle_timeout: f64,
    pub stream: Stream,
    pub client: ClientSide,
    pub server: ServerSide,
    /// UDP: most bytes one datagram may carry (SendTo and Write refuse more with DataSize).
    pub max_packet_size: i32,
    /// UDP: IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS; 0 keeps the system's (1).
    pub multicast_ttl: i32,
    /// UDP (extension): the interface multicast membership and sends use.
    pub multicast_interface: Option<String>,
    /// The socket of a UDP NetSocket, from Init until closed.
    pub udp: Option<crate::udp::UdpSide>,
}

impl Default for NetSocketData {
    fn default() -> Self {
        NetSocketData {
            address: None,
            port: 0,
            flags: NSF::NIL,
            backlog: crate::constants::DEFAULT_BACKLOG,
            reuse_port: false,
            client_limit: crate::constants::DEFAULT_CLIENT_LIMIT,
            socket_limit: crate::constants::DEFAULT_SOCKET_LIMIT,
            adopt_fd: None,
            ssl_certificate: None,
            ssl_private_key: None,
            ssl_key_password: None,
            ssl_ca: None,
            tls: crate::tls_setup::TlsFields::default(),
            client_data: Value::None,
            feedback: Function::default(),
            incoming: Function::default(),
            outgoing: Function::default(),
            timeout: 0.0,
            handshake_timeout: crate::constants::DEFAULT_HANDSHAKE_TIMEOUT,
            idle_timeout: 0.0,
            stream: Stream {
                msg_limit: crate::constants::DEFAULT_MSG_LIMIT as usize,
                ..Stream::default()
            },
            client: ClientSide::default(),
            server: ServerSide::default(),
            max_packet_size: parasol_net::udp::DEFAULT_MAX_PACKET as i32,
            multicast_ttl: 0,
            multicast_interface: None,
            udp: None,
        }
    }
}

impl NetSocketData {
    /// A TCP server (a UDP socket has one role whatever its flags: it binds, sends and
    /// receives itself, and its callbacks take the client's form).
    pub fn is_server(&self) -> bool {
        self.flags.contains(NSF::SERVER) && !self.is_udp()
    }

    /// A UDP socket (`NSF::UDP`).
    pub fn is_udp(&self) -> bool {
        self.flags.contains(NSF::UDP)
    }
}

/// ClientSocket data.
#[derive(Debug, Default)]
pub(crate) struct ClientSocketData {
    pub server: Option<ObjectId>,
    pub client: Option<ObjectId>,
    pub next: Option<ObjectId>,
    pub prev: Option<ObjectId>,
    pub connect_time: i64,
    pub client_data: Value,
    pub incoming: Function,
    pub outgoing: Function,
    pub peer: Option<std::net::SocketAddr>,
    pub stream: Stream,
}

/// NetClient data.
#[derive(Debug, Default)]
pub(crate) struct NetClientData {
    pub server: Option<ObjectId>,
    pub ip: IPAddress,
    pub next: Option<ObjectId>,
    pub prev: Option<ObjectId>,
    pub first_socket: Option<ObjectId>,
    pub last_socket: Option<ObjectId>,
    pub total_connections: i32,
    pub client_data: Value,
}
