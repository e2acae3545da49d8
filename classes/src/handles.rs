//! Typed handles for the three classes: the same objects as the generic door, with typed
//! methods and a builder.

use crate::constants::{NSF, NTC};
use crate::data::{ClientSocketData, NetSocketData};
use crate::tls_setup::{from_session, TlsConfig};
use parasol_core::{class_handle, create, Function, ObjectId, Res, Value, AC, ERR};
use parasol_net::tls::rustls::{ClientConfig, ServerConfig};
use parasol_net::tls::{ClientAuth, PeerCertificate, TlsInfo};
use parasol_net::IPAddress;
use std::sync::Arc;
use std::time::Duration;

class_handle! {
    /// A NetSocket: a TCP client, or a server when created with `NSF::SERVER`. A typed handle
    /// (`Copy`) to the object the loop owns; the generic door (`create("NetSocket", …)`,
    /// `get`/`set` by name) reaches the same object.
    ///
    /// A server and a client on loopback, in one loop:
    ///
    /// ```
    /// use parasol_classes::{ClientSocket, NetSocket, NSF, NTC};
    /// use parasol_core::prelude::*;
    /// use std::time::Duration;
    ///
    /// let server = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(0) // an ephemeral port: read it back below
    ///     .flags(NSF::SERVER | NSF::MULTI_CONNECT)
    ///     .server_incoming(|_server: &NetSocket, client: &ClientSocket| client.echo())
    ///     .build()?;
    /// let client = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(server.port()?)
    ///     .build()?;
    /// client.ac_write(b"hello")?; // queued until CONNECTED
    /// let mut echoed = Vec::new();
    /// wait_until(Duration::from_secs(10), || {
    ///     let mut buf = [0u8; 16];
    ///     let n = client.ac_read(&mut buf).unwrap_or(0);
    ///     echoed.extend_from_slice(&buf[..n]);
    ///     echoed == b"hello"
    /// })
    /// .to_result()?;
    /// assert_eq!(client.state(), Ok(NTC::CONNECTED));
    /// assert_eq!(client.peer_addr()?, server.local_addr()?);
    /// client.free()?;
    /// server.free()?;
    /// # Ok::<(), ERR>(())
    /// ```
    pub struct NetSocket = "NetSocket";
}

class_handle! {
    /// One connection accepted by a server NetSocket, owned by its server and grouped under
    /// the [`NetClient`] of its IP address. Callbacks receive it beside the server.
    ///
    /// ```
    /// use parasol_classes::{ClientSocket, NetSocket, NSF};
    /// use parasol_core::prelude::*;
    /// use std::io::Write;
    /// use std::time::Duration;
    ///
    /// let server = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(0)
    ///     .flags(NSF::SERVER | NSF::MULTI_CONNECT)
    ///     .build()?;
    /// let mut peer = std::net::TcpStream::connect(server.local_addr()?).unwrap();
    /// peer.write_all(b"hi").unwrap();
    /// let mut accepted: Option<ClientSocket> = None;
    /// wait_until(Duration::from_secs(10), || {
    ///     accepted = server.clients().flat_map(|c| c.connections()).next();
    ///     accepted.is_some()
    /// })
    /// .to_result()?;
    /// let sock = accepted.unwrap();
    /// assert_eq!(sock.server(), Some(server));
    /// assert_eq!(sock.peer_addr()?, peer.local_addr().unwrap());
    /// server.free()?; // frees its ClientSockets and NetClients too
    /// # Ok::<(), ERR>(())
    /// ```
    pub struct ClientSocket = "ClientSocket";
}

class_handle! {
    /// The connections of a server from one client IP address (the unit ClientLimit counts;
    /// SocketLimit bounds the connections of one NetClient).
    ///
    /// ```
    /// use parasol_classes::{NetSocket, NSF};
    /// use parasol_core::prelude::*;
    /// use std::time::Duration;
    ///
    /// let server = NetSocket::create()
    ///     .address("127.0.0.1")
    ///     .port(0)
    ///     .flags(NSF::SERVER | NSF::MULTI_CONNECT)
    ///     .build()?;
    /// let _a = std::net::TcpStream::connect(server.local_addr()?).unwrap();
    /// let _b = std::net::TcpStream::connect(server.local_addr()?).unwrap();
    /// wait_until(Duration::from_secs(10), || {
    ///     server.clients().next().is_some_and(|c| c.total_connections() == Ok(2))
    /// })
    /// .to_result()?;
    /// let client = server.clients().next().unwrap();
    /// assert_eq!(server.total_clients(), Ok(1)); // both come from 127.0.0.1
    /// assert_eq!(client.ip().map(|ip| address_to_str(&ip)), Ok("127.0.0.1".into()));
    /// # use parasol_net::address_to_str;
    /// server.free()?;
    /// # Ok::<(), ERR>(())
    /// ```
    pub struct NetClient = "NetClient";
}

/// Reads class data directly (the typed door skips name lookup and Value conversion). A
/// freed object is NoMatchingObject, never a default that reads like a real answer.
fn netsocket<R>(id: ObjectId, f: impl FnOnce(&NetSocketData) -> R) -> Res<R> {
    let ptr = id.ptr()?;
    let d = ptr.try_data::<NetSocketData>()?;
    Ok(f(&d))
}

fn clientsocket<R>(id: ObjectId, f: impl FnOnce(&ClientSocketData) -> R) -> Res<R> {
    let ptr = id.ptr()?;
    let d = ptr.try_data::<ClientSocketData>()?;
    Ok(f(&d))
}

fn int_field(id: ObjectId, name: &str) -> Res<i32> {
    id.get(name)?.to_i32()
}

fn obj_field(id: ObjectId, name: &str) -> Option<ObjectId> {
    id.get(name).ok().and_then(|v| v.to_object().ok())
}

impl NetSocket {
    /// Starts a typed builder (the same as `create("NetSocket", fields)`).
    ///
    /// ```no_run
    /// use parasol_classes::NetSocket;
    /// let client = NetSocket::create().address("127.0.0.1").port(8080).build()?;
    /// # Ok::<(), parasol_core::ERR>(())
    /// ```
    pub fn create() -> NetSocketBuilder {
        NetSocketBuilder {
            fields: Vec::new(),
            adopted: None,
            role: None,
            sni: Vec::new(),
        }
    }

    /// `Connect(Address, Port)` with no time bound. Returns once the socket is CONNECTING;
    /// the outcome arrives through Feedback, State and Error (or before it returns, for a
    /// SYNCHRONOUS socket). The address is an IP literal or a name the installed resolver
    /// answers (`parasol_net::resolve`).
    ///
    /// # Errors
    /// Args for an empty address or port 0; InvalidState on a server or a socket that is not
    /// DISCONNECTED; NoSupport on a UDP socket; NotInitialised before Init; NoMatchingObject
    /// once freed.
    pub fn connect(self, address: &str, port: u16) -> Res<()> {
        let mut args = [Value::from(address), Value::Int(port as i32), Value::None];
        self.method(AC(-1), &mut args).to_result()
    }

    /// `Connect(Address, Port, Timeout)`: as [`NetSocket::connect`], with `timeout` bounding
    /// name resolution, the TCP connect and the TLS handshake together (Error TimeOut).
    ///
    /// # Errors
    /// As [`NetSocket::connect`]; OutOfRange for a timeout beyond `msgloop::MAX_DELAY`.
    pub fn connect_timeout(self, address: &str, port: u16, timeout: Duration) -> Res<()> {
        let mut args = [
            Value::from(address),
            Value::Int(port as i32),
            Value::Double(timeout.as_secs_f64()),
        ];
        self.method(AC(-1), &mut args).to_result()
    }

    /// `GetLocalIPAddress`: the bound or connected local address, with port (as Parasol's
    /// IPAddress; [`NetSocket::local_addr`] gives a `SocketAddr`).
    ///
    /// # Errors
    /// NotInitialised without a socket; NoMatchingObject once freed.
    pub fn local_address(self) -> Res<IPAddress> {
        let mut args = [Value::None];
        self.method(AC(-2), &mut args).to_result()?;
        args[0]
            .downcast_ref::<IPAddress>()
            .copied()
            .ok_or(ERR::Failed)
    }

    /// `DisconnectClient`: closes every socket of `client` gracefully (queued data is sent
    /// first), one DISCONNECTED Feedback each.
    ///
    /// # Errors
    /// NoMatchingObject if `client` is gone; WrongClass if it is not a NetClient; Args if it
    /// belongs to another server.
    pub fn disconnect_client(self, client: NetClient) -> Res<()> {
        self.method(AC(-3), &mut [Value::Object(client.id())])
            .to_result()
    }

    /// `DisconnectSocket`: closes one ClientSocket gracefully (queued data is sent first).
    ///
    /// # Errors
    /// NoMatchingObject if `socket` is gone; WrongClass if it is not a ClientSocket; Args if it
    /// belongs to another server.
    pub fn disconnect_socket(self, socket: ClientSocket) -> Res<()> {
        self.method(AC(-4), &mut [Value::Object(socket.id())])
            .to_result()
    }

    /// `SetSSL(…, "EnableSSL")`: STARTTLS on a connected plaintext client; the state goes
    /// HANDSHAKING, then CONNECTED (or DISCONNECTED with Error Security).
    ///
    /// # Errors
    /// NoSupport on a server or a UDP socket; InvalidState unless CONNECTED (already
    /// encrypted: Okay, nothing to do); the error of making the TLS session (logged);
    /// NoMatchingObject once freed.
    pub fn set_ssl(self) -> Res<()> {
        self.method(AC(-9), &mut [Value::from("EnableSSL"), Value::None])
            .to_result()
    }

    /// `ShutdownWrite`: sends FIN once the queue is empty; keeps reading until the peer closes.
    /// Accepted while CONNECTING or HANDSHAKING (it takes effect at CONNECTED).
    ///
    /// # Errors
    /// NoSupport on a server; InvalidState when DISCONNECTED; NoMatchingObject once freed.
    pub fn shutdown_write(self) -> Res<()> {
        self.method(AC(-10), &mut []).to_result()
    }

    /// The connection state (a server reads `MULTISTATE`; a UDP socket is CONNECTED from Init
    /// until closed).
    ///
    /// # Errors
    /// NoMatchingObject once freed (never a DISCONNECTED that reads like a real state).
    pub fn state(self) -> Res<NTC> {
        netsocket(self.id(), |d| {
            if d.is_server() {
                NTC::MULTISTATE
            } else {
                d.stream.state
            }
        })
    }

    /// Why the last connection ended or failed (`Okay`: it has not failed).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn error(self) -> Res<ERR> {
        netsocket(self.id(), |d| d.stream.error)
    }

    /// What the failure behind [`NetSocket::error`] said — the OS error, the TLS error or
    /// alert, the resolver's reason — when there was one (field `ErrorDetail`, an extension).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn error_detail(self) -> Res<Option<String>> {
        netsocket(self.id(), |d| d.stream.error_detail.clone())
    }

    /// The port (a server's bound port after Init).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn port(self) -> Res<u16> {
        netsocket(self.id(), |d| d.port as u16)
    }

    /// Bytes accepted by Write and not yet handed to the kernel.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn out_queue_size(self) -> Res<usize> {
        netsocket(self.id(), |d| d.stream.out_len())
    }

    /// Most bytes the outgoing queue may hold (per ClientSocket on a server).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn msg_limit(self) -> Res<usize> {
        netsocket(self.id(), |d| d.stream.msg_limit)
    }

    /// Echoes what has arrived, for use as (or in) an Incoming callback: reads only what the
    /// outgoing queue can still take (MsgLimit − OutQueueSize), writes it back, and returns
    /// `ERR::Retry` when the queue is full, so a slow reader slows the sender (TCP flow control)
    /// instead of losing data, and the socket never holds more than MsgLimit. Returns `Okay`
    /// after echoing, or the error of a Read or Write.
    ///
    /// It is the hand-written rule, packaged:
    ///
    /// ```no_run
    /// # use parasol_classes::NetSocket;
    /// # use parasol_core::ERR;
    /// # fn incoming(s: &NetSocket) -> ERR {
    /// let (Ok(limit), Ok(queued)) = (s.msg_limit(), s.out_queue_size()) else {
    ///     return ERR::NoMatchingObject;
    /// };
    /// let room = limit - queued;
    /// if room == 0 {
    ///     return ERR::Retry; // the peer reads slowly: leave the rest in the kernel for now
    /// }
    /// let mut buf = vec![0u8; room.min(65536)];
    /// match s.ac_read(&mut buf) {
    ///     // Write takes all of it: it fits in the room. Never return a BufferOverflow from
    ///     // Incoming after reading more than the room: those bytes would be gone.
    ///     Ok(n) => s.ac_write_counted(&buf[..n]).0,
    ///     Err(e) => e,
    /// }
    /// # }
    /// ```
    pub fn echo(self) -> ERR {
        match self.msg_limit() {
            Ok(limit) => crate::typed_io::echo_on(self.id(), &crate::typed_io::NETSOCKET, limit),
            Err(e) => e,
        }
    }

    /// TLS certificate verification result (0 = valid).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn valid_cert(self) -> Res<i32> {
        int_field(self.id(), "ValidCert")
    }

    /// Client TLS: the ALPN protocol agreed, once CONNECTED (`None` without TLS or ALPN).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn alpn_protocol(self) -> Res<Option<String>> {
        netsocket(self.id(), |d| from_session(d, |t| t.alpn_protocol()))
    }

    /// Client TLS: the server's certificate (subject, SHA-256 fingerprint, chain as PEM), once
    /// CONNECTED; on a resumed session, the one of the handshake it resumes. `None` without
    /// TLS.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn peer_certificate(self) -> Res<Option<PeerCertificate>> {
        netsocket(self.id(), |d| from_session(d, |t| t.peer_certificate()))
    }

    /// Client TLS: the handshake's outcome (version, cipher suite, ALPN, resumed, the server's
    /// certificate, ValidCert); its `Display` is the command's `-v` summary line. `None`
    /// without TLS or while handshaking.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn tls_info(self) -> Res<Option<TlsInfo>> {
        netsocket(self.id(), |d| from_session(d, |t| t.info()))
    }

    /// Server: number of NetClients.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn total_clients(self) -> Res<usize> {
        netsocket(self.id(), |d| d.server.total_clients.max(0) as usize)
    }

    /// Server: the NetClients, oldest first.
    pub fn clients(self) -> impl Iterator<Item = NetClient> {
        std::iter::successors(
            obj_field(self.id(), "Clients").map(NetClient::from_id_unchecked),
            |c| obj_field(c.id(), "Next").map(NetClient::from_id_unchecked),
        )
    }

    /// Sets a callback field (`"Feedback"`, `"Incoming"`, `"Outgoing"`) on the generic door;
    /// the typed setters (`set_server_incoming`, …) check the signature at compile time.
    ///
    /// # Errors
    /// UnsupportedField for another name; NoMatchingObject once freed.
    pub fn set_callback(self, field: &str, f: Function) -> Res<()> {
        self.set(field, f)
    }
}

impl ClientSocket {
    /// The connection state.
    ///
    /// # Errors
    /// NoMatchingObject once freed (never a DISCONNECTED that reads like a real state).
    pub fn state(self) -> Res<NTC> {
        clientsocket(self.id(), |d| d.stream.state)
    }

    /// The NetClient this socket belongs to.
    pub fn client(self) -> Option<NetClient> {
        obj_field(self.id(), "Client").map(NetClient::from_id_unchecked)
    }

    /// The server NetSocket.
    pub fn server(self) -> Option<NetSocket> {
        self.owner().map(NetSocket::from_id_unchecked)
    }

    /// Next socket of the same NetClient.
    pub fn next(self) -> Option<ClientSocket> {
        obj_field(self.id(), "Next").map(ClientSocket::from_id_unchecked)
    }

    /// Bytes accepted by Write and not yet handed to the kernel.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn out_queue_size(self) -> Res<usize> {
        clientsocket(self.id(), |d| d.stream.out_len())
    }

    /// `ShutdownWrite`: sends FIN once the queue is empty; keeps reading until the peer closes.
    ///
    /// # Errors
    /// InvalidState once DISCONNECTED; NoMatchingObject once freed.
    pub fn shutdown_write(self) -> Res<()> {
        self.method(AC(-10), &mut []).to_result()
    }

    /// Why the connection ended (field `Error`, an extension; `Okay` while it has not failed).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn error(self) -> Res<ERR> {
        clientsocket(self.id(), |d| d.stream.error)
    }

    /// What the failure behind [`ClientSocket::error`] said, when there was one (field
    /// `ErrorDetail`, an extension): e.g. why a client's TLS handshake failed.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn error_detail(self) -> Res<Option<String>> {
        clientsocket(self.id(), |d| d.stream.error_detail.clone())
    }

    /// Most bytes this socket's outgoing queue may hold (its server's MsgLimit).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn msg_limit(self) -> Res<usize> {
        clientsocket(self.id(), |d| d.stream.msg_limit)
    }

    /// `ConnectTime`: when the connection was accepted, on the loop's monotonic clock
    /// (`precise_time()`, counted from the process's first use of it), to the millisecond.
    /// [`ClientSocket::connected_for`] gives its age.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn connect_time(self) -> Res<Duration> {
        clientsocket(self.id(), |d| {
            Duration::from_millis(d.connect_time.max(0) as u64)
        })
    }

    /// How long ago the connection was accepted (to the millisecond).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn connected_for(self) -> Res<Duration> {
        let now = Duration::from_micros(parasol_core::precise_time().max(0) as u64);
        Ok(now.saturating_sub(self.connect_time()?))
    }

    /// Echoes what has arrived without ever losing or over-buffering data: see
    /// [`NetSocket::echo`].
    ///
    /// ```no_run
    /// use parasol_classes::{ClientSocket, NetSocket};
    /// use parasol_core::prelude::*;
    /// let server = create("NetSocket", fields! {
    ///     "Port" => 0, "Flags" => "SERVER|MULTI_CONNECT",
    ///     "Incoming" => Function::new(|_s: &NetSocket, client: &ClientSocket| client.echo()),
    /// })?;
    /// # Ok::<(), ERR>(())
    /// ```
    pub fn echo(self) -> ERR {
        match self.msg_limit() {
            Ok(limit) => crate::typed_io::echo_on(self.id(), &crate::typed_io::CLIENTSOCKET, limit),
            Err(e) => e,
        }
    }

    /// `SetSSL(…, "EnableSSL")`: STARTTLS with the server's certificate.
    ///
    /// # Errors
    /// InvalidState unless CONNECTED (already encrypted: Okay, nothing to do); FieldNotSet if
    /// the server has no SSLCertificate (logged); NoMatchingObject once freed.
    pub fn set_ssl(self) -> Res<()> {
        self.method(AC(-9), &mut [Value::from("EnableSSL"), Value::None])
            .to_result()
    }

    /// TLS: the ALPN protocol agreed with this client, once CONNECTED.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn alpn_protocol(self) -> Res<Option<String>> {
        clientsocket(self.id(), |d| from_session(d, |t| t.alpn_protocol()))
    }

    /// TLS: the client's certificate (mutual TLS), once CONNECTED (on a resumed session, the one
    /// of the handshake it resumes); `None` when the server did not ask or the client sent none
    /// (SSLClientAuth optional).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn peer_certificate(self) -> Res<Option<PeerCertificate>> {
        clientsocket(self.id(), |d| from_session(d, |t| t.peer_certificate()))
    }

    /// TLS: the handshake's outcome with this client (see [`NetSocket::tls_info`]).
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn tls_info(self) -> Res<Option<TlsInfo>> {
        clientsocket(self.id(), |d| from_session(d, |t| t.info()))
    }
}

impl NetClient {
    /// The client's IP address.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn ip(self) -> Res<IPAddress> {
        self.get("IP")?
            .downcast_ref::<IPAddress>()
            .copied()
            .ok_or(ERR::FieldTypeMismatch)
    }

    /// Number of sockets.
    ///
    /// # Errors
    /// NoMatchingObject once freed.
    pub fn total_connections(self) -> Res<usize> {
        Ok(int_field(self.id(), "TotalConnections")?.max(0) as usize)
    }

    /// The sockets, oldest first.
    pub fn connections(self) -> impl Iterator<Item = ClientSocket> {
        std::iter::successors(
            obj_field(self.id(), "Connections").map(ClientSocket::from_id_unchecked),
            |c| obj_field(c.id(), "Next").map(ClientSocket::from_id_unchecked),
        )
    }

    /// Next NetClient of the server.
    pub fn next(self) -> Option<NetClient> {
        obj_field(self.id(), "Next").map(NetClient::from_id_unchecked)
    }

    /// Previous NetClient of the server.
    pub fn prev(self) -> Option<NetClient> {
        obj_field(self.id(), "Prev").map(NetClient::from_id_unchecked)
    }
}

/// Typed builder for NetSocket (fields are applied in call order, then Init).
#[must_use]
pub struct NetSocketBuilder {
    fields: Vec<(&'static str, Value)>,
    /// A socket handed over by [`NetSocketBuilder::adopt`], closed once the NetSocket has its
    /// own copy.
    adopted: Option<std::os::fd::OwnedFd>,
    /// The role a typed callback was written for (`server_*` or `client_*`), checked against
    /// the flags at build time.
    pub(crate) role: Option<crate::callback_check::Role>,
    /// Identities added by [`NetSocketBuilder::sni_identity`], set as SSLIdentities at build.
    sni: Vec<Value>,
}

impl NetSocketBuilder {
    pub(crate) fn with(mut self, name: &'static str, v: impl Into<Value>) -> Self {
        self.fields.push((name, v.into()));
        self
    }
    /// Address.
    pub fn address(self, a: &str) -> Self {
        self.with("Address", a)
    }
    /// Port.
    pub fn port(self, p: u16) -> Self {
        self.with("Port", p as i32)
    }
    /// Flags.
    pub fn flags(self, f: NSF) -> Self {
        self.with("Flags", f)
    }
    /// MsgLimit.
    pub fn msg_limit(self, n: usize) -> Self {
        self.with("MsgLimit", n)
    }
    /// Backlog.
    pub fn backlog(self, n: i32) -> Self {
        self.with("Backlog", n)
    }
    /// ReusePort: share this server's port with other servers that set it too, typically one
    /// per loop of a [`parasol_core::Loops`] group; the kernel spreads new connections among
    /// them (SO_REUSEPORT).
    pub fn reuse_port(self, share: bool) -> Self {
        self.with("ReusePort", i32::from(share))
    }
    /// ClientLimit.
    pub fn client_limit(self, n: i32) -> Self {
        self.with("ClientLimit", n)
    }
    /// SocketLimit.
    pub fn socket_limit(self, n: i32) -> Self {
        self.with("SocketLimit", n)
    }
    /// SSLCertificate: a server's certificate chain (PEM file, PEM text, or a .p12/.pfx
    /// file).
    pub fn ssl_certificate(self, certificate: &str) -> Self {
        self.with("SSLCertificate", certificate)
    }
    /// SSLPrivateKey: a server's private key (PEM file or text).
    pub fn ssl_private_key(self, key: &str) -> Self {
        self.with("SSLPrivateKey", key)
    }
    /// SSLKeyPassword: the password of an encrypted key or PKCS#12 file.
    pub fn ssl_key_password(self, password: &str) -> Self {
        self.with("SSLKeyPassword", password)
    }
    /// SSLCACertificate: CA certificates a client trusts besides the system's (PEM file or
    /// text).
    pub fn ssl_ca_certificate(self, ca: &str) -> Self {
        self.with("SSLCACertificate", ca)
    }
    /// SSLCertificate, SSLPrivateKey on a client: the certificate it presents when a server
    /// asks for one (mutual TLS). On a server, the same two fields are its own identity.
    pub fn client_certificate(self, certificate: &str, key: &str) -> Self {
        self.with("SSLCertificate", certificate)
            .with("SSLPrivateKey", key)
    }
    /// ALPN: protocols a client offers or a server accepts, most preferred first. A server
    /// whose list shares nothing with a client's refuses it (RFC 7301).
    pub fn alpn(self, protocols: &[&str]) -> Self {
        self.with("ALPN", protocols.join(","))
    }
    /// ServerName: the name a client sends (SNI) and verifies the certificate against, when
    /// it is not the address it connects to.
    pub fn server_name(self, name: &str) -> Self {
        self.with("ServerName", name)
    }
    /// SSLClientCA: a server verifies client certificates against these CA certificates (PEM
    /// file or text) and, unless [`Self::client_auth`] says otherwise, requires one.
    pub fn client_ca(self, ca: &str) -> Self {
        self.with("SSLClientCA", ca)
    }
    /// SSLClientAuth: whether a server asks for client certificates.
    pub fn client_auth(self, mode: ClientAuth) -> Self {
        self.with("SSLClientAuth", mode.name())
    }
    /// Adds an identity a server presents to clients that ask for `name` by SNI (`*.example.com`
    /// covers one label). SSLCertificate stays the default for other names.
    pub fn sni_identity(mut self, name: &str, certificate: &str, key: &str) -> Self {
        self.sni
            .push(Value::Str(format!("{name}={certificate},{key}")));
        self
    }
    /// SSLNoResume: `false` makes every connection of a client a full handshake (resumption
    /// is on by default).
    pub fn resumption(self, resume: bool) -> Self {
        self.with("SSLNoResume", i32::from(!resume))
    }
    /// TLSConfig: a client's own rustls configuration, used as it is instead of the SSL
    /// fields (its roots, verifier, client certificate, ALPN, resumption). ValidCert then reads
    /// 0, or the code of the certificate error that failed the handshake.
    pub fn tls_client_config(self, config: Arc<ClientConfig>) -> Self {
        self.with(
            "TLSConfig",
            Value::Any(std::rc::Rc::new(TlsConfig::Client(config))),
        )
    }
    /// TLSConfig: a server's own rustls configuration, used as it is instead of the SSL fields.
    /// `NSF::SSL` still decides whether accepted connections start in TLS (without it,
    /// clients may upgrade with SetSSL).
    pub fn tls_server_config(self, config: Arc<ServerConfig>) -> Self {
        self.with(
            "TLSConfig",
            Value::Any(std::rc::Rc::new(TlsConfig::Server(config))),
        )
    }
    /// HandshakeTimeout (TLS servers): how long a client may take to complete its handshake
    /// (`Duration::ZERO`: no bound; default 10 s).
    pub fn handshake_timeout(self, timeout: Duration) -> Self {
        self.with("HandshakeTimeout", timeout.as_secs_f64())
    }
    /// IdleTimeout: how long a connection may pass no byte either way before it is closed
    /// (`Duration::ZERO`: never, the default).
    pub fn idle_timeout(self, timeout: Duration) -> Self {
        self.with("IdleTimeout", timeout.as_secs_f64())
    }
    /// Feedback callback.
    pub fn feedback(self, f: Function) -> Self {
        self.with("Feedback", f)
    }
    /// Incoming callback.
    pub fn incoming(self, f: Function) -> Self {
        self.with("Incoming", f)
    }
    /// Outgoing callback.
    pub fn outgoing(self, f: Function) -> Self {
        self.with("Outgoing", f)
    }
    /// Any field by name.
    pub fn field(self, name: &'static str, v: impl Into<Value>) -> Self {
        self.with(name, v)
    }
    /// Adopts an already connected TCP socket, taking ownership of it (a `std::net::TcpStream`,
    /// a `socket2::Socket` or an `OwnedFd`): the NetSocket is CONNECTED at Init and closes it
    /// when freed. The safe counterpart of setting `Handle` to a number, which leaves the
    /// caller's descriptor with the caller.
    ///
    /// ```no_run
    /// use parasol_classes::{NetSocket, NTC};
    /// let stream = std::net::TcpStream::connect("127.0.0.1:7000").unwrap();
    /// let sock = NetSocket::create().adopt(stream).build()?;
    /// assert_eq!(sock.state(), Ok(NTC::CONNECTED));
    /// # Ok::<(), parasol_core::ERR>(())
    /// ```
    pub fn adopt(mut self, socket: impl Into<std::os::fd::OwnedFd>) -> Self {
        use std::os::fd::AsRawFd;
        let fd = socket.into();
        self.fields.push(("Handle", Value::Int(fd.as_raw_fd())));
        self.adopted = Some(fd);
        self
    }
    /// Creates and initialises the NetSocket.
    ///
    /// # Errors
    /// What `create("NetSocket", …)` returns for these fields (each logged with its field);
    /// Args when a typed callback was written for the other role (a `server_*` callback on a
    /// client, or a `client_*` one on a server).
    pub fn build(mut self) -> Res<NetSocket> {
        crate::register_classes()?;
        if !self.sni.is_empty() {
            let sni: std::rc::Rc<[Value]> = std::mem::take(&mut self.sni).into();
            self.fields.push(("SSLIdentities", Value::Array(sni)));
        }
        let made = create("NetSocket", self.fields).map(NetSocket::from_id_unchecked);
        // The NetSocket holds its own copy of an adopted socket; this one closes here.
        drop(self.adopted);
        let sock = made?;
        if let Some(role) = self.role {
            if let Err(e) = crate::callback_check::check_role(role, sock) {
                let _ = sock.free();
                return Err(e);
            }
        }
        Ok(sock)
    }
}
