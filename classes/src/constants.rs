//! NetSocket constants with Parasol's numbers: `NSF` flags, `NTC` states, and their name tables.

use parasol_core::field::FieldDef;
use parasol_core::function::FromValue;
use parasol_core::Value;
use std::fmt;

/// NetSocket flags (`NetSocket.Flags`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NSF(pub i32);

#[allow(missing_docs)]
impl NSF {
    pub const NIL: NSF = NSF(0);
    /// Listen for and accept connections.
    pub const SERVER: NSF = NSF(0x01);
    /// TLS on all traffic.
    pub const SSL: NSF = NSF(0x02);
    /// TLS client: do not enforce certificate verification (ValidCert still reports it).
    pub const SSL_NO_VERIFY: NSF = NSF(0x04);
    /// Alias of `SSL_NO_VERIFY` (Parasol's later name).
    pub const DISABLE_SERVER_VERIFY: NSF = NSF(0x04);
    /// Server: allow several sockets per client IP.
    pub const MULTI_CONNECT: NSF = NSF(0x08);
    /// Blocking Connect / Write / Read.
    pub const SYNCHRONOUS: NSF = NSF(0x10);
    /// Log every state change and transfer at info level.
    pub const LOG_ALL: NSF = NSF(0x20);
    /// UDP: allow sending to broadcast addresses (SO_BROADCAST).
    pub const BROADCAST: NSF = NSF(0x40);
    /// A UDP (datagram) socket instead of TCP.
    pub const UDP: NSF = NSF(0x80);

    /// True when every bit of `other` is set.
    pub fn contains(self, other: NSF) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for NSF {
    type Output = NSF;
    fn bitor(self, rhs: NSF) -> NSF {
        NSF(self.0 | rhs.0)
    }
}

impl fmt::Debug for NSF {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NSF({})",
            parasol_core::field::flags_to_string(NSF_TABLE, self.0 as i64)
        )
    }
}

impl From<NSF> for Value {
    fn from(f: NSF) -> Value {
        Value::Int(f.0)
    }
}

/// Names of the NSF flags (Parasol's CamelCase; underscores and case are ignored when parsing).
pub const NSF_TABLE: &[FieldDef] = &[
    FieldDef::new("Server", 0x01),
    FieldDef::new("SSL", 0x02),
    FieldDef::new("SSLNoVerify", 0x04),
    FieldDef::new("DisableServerVerify", 0x04),
    FieldDef::new("MultiConnect", 0x08),
    FieldDef::new("Synchronous", 0x10),
    FieldDef::new("LogAll", 0x20),
    FieldDef::new("Broadcast", 0x40),
    FieldDef::new("UDP", 0x80),
];

/// NetLookup flags (`NetLookup.Flags`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct NLF(pub i32);

impl NLF {
    /// No flags.
    pub const NIL: NLF = NLF(0);
    /// Always ask the resolver (a fresh answer still refreshes the cache).
    pub const NO_CACHE: NLF = NLF(0x01);

    /// True when every bit of `other` is set.
    pub fn contains(self, other: NLF) -> bool {
        self.0 & other.0 == other.0
    }
}

impl From<NLF> for Value {
    fn from(f: NLF) -> Value {
        Value::Int(f.0)
    }
}

/// Names of the NLF flags.
pub const NLF_TABLE: &[FieldDef] = &[FieldDef::new("NoCache", 0x01)];

/// Connection states (`State`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NTC(pub i32);

#[allow(missing_docs)]
impl NTC {
    pub const DISCONNECTED: NTC = NTC(0);
    pub const CONNECTING: NTC = NTC(1);
    pub const HANDSHAKING: NTC = NTC(2);
    pub const CONNECTED: NTC = NTC(3);
    /// What a server reads: it holds many connections.
    pub const MULTISTATE: NTC = NTC(4);

    /// Parasol's name of the state.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "Disconnected",
            1 => "Connecting",
            2 => "Handshaking",
            3 => "Connected",
            4 => "Multistate",
            _ => "Unknown",
        }
    }
}

impl fmt::Debug for NTC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NTC::{}", self.name().to_ascii_uppercase())
    }
}

impl fmt::Display for NTC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<NTC> for Value {
    fn from(s: NTC) -> Value {
        Value::Int(s.0)
    }
}

impl FromValue for NTC {
    const KIND: parasol_core::function::ArgKind = parasol_core::function::ArgKind::Int;
    fn from_value(v: &Value) -> Option<NTC> {
        v.to_i32().ok().map(NTC)
    }
}

/// Names of the NTC states.
pub const NTC_TABLE: &[FieldDef] = &[
    FieldDef::new("Disconnected", 0),
    FieldDef::new("Connecting", 1),
    FieldDef::new("Handshaking", 2),
    FieldDef::new("Connected", 3),
    FieldDef::new("Multistate", 4),
];

/// Default `MsgLimit`: 1 MiB (Parasol: 1024768).
pub const DEFAULT_MSG_LIMIT: i32 = 1 << 20;
/// Default `Backlog`.
pub const DEFAULT_BACKLOG: i32 = 10;
/// Default `ClientLimit`.
pub const DEFAULT_CLIENT_LIMIT: i32 = 1024;
/// Default `SocketLimit`.
pub const DEFAULT_SOCKET_LIMIT: i32 = 256;
/// Default `HandshakeTimeout` of a TLS server, in seconds: a client that has not completed its
/// handshake by then is closed (Error TimeOut), so silent or half-open clients cannot hold a
/// server's descriptors and memory (extension; Parasol has no bound).
pub const DEFAULT_HANDSHAKE_TIMEOUT: f64 = 10.0;
