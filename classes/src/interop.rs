//! The typed handles speak `std`: socket addresses as `std::net::SocketAddr`, the descriptor as
//! `AsRawFd`, and an owned duplicate of it as `OwnedFd`.
//!
//! The handles implement `AsRawFd` but not `AsFd`: a handle is a `Copy` name for an object the
//! loop owns, so it cannot promise what `AsFd` promises (that the descriptor outlives the
//! borrow) — freeing the object through another copy closes it. [`NetSocket::duplicate_fd`]
//! gives an `OwnedFd` that no free can close.

use crate::data::{ClientSocketData, NetSocketData};
use crate::handles::{ClientSocket, NetSocket};
use parasol_core::{ObjectPtr, Res, ERR};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// Which end of a socket to ask about.
#[derive(Clone, Copy)]
enum End {
    Local,
    Peer,
}

/// The descriptor of a NetSocket (its listener when a server, its connection otherwise) or of
/// a ClientSocket; `None` when there is none (not initialised, connecting by name, ended).
fn raw_fd(ptr: &ObjectPtr) -> Option<RawFd> {
    if let Ok(d) = ptr.try_data::<NetSocketData>() {
        if let Some(l) = &d.server.listener {
            return Some(l.as_raw_fd());
        }
        if let Some(u) = &d.udp {
            return Some(u.socket.as_raw_fd());
        }
        return d.stream.conn.as_ref().map(|c| c.socket_ref().as_raw_fd());
    }
    let d = ptr.try_data::<ClientSocketData>().ok()?;
    d.stream.conn.as_ref().map(|c| c.socket_ref().as_raw_fd())
}

fn addr(ptr: &ObjectPtr, end: End) -> Res<SocketAddr> {
    let result = if let Ok(d) = ptr.try_data::<NetSocketData>() {
        if d.is_udp() {
            // Connectionless: the peer is the default destination, when there is one.
            let u = d.udp.as_ref().ok_or(ERR::Disconnected)?;
            return match end {
                End::Local => u
                    .socket
                    .local_addr()
                    .map(parasol_net::udp::unmapped)
                    .map_err(|e| ERR::from(&e)),
                End::Peer => u.dest.ok_or(ERR::FieldNotSet),
            };
        }
        match (&d.server.listener, end) {
            (Some(l), End::Local) => l.local_addr(),
            (Some(_), End::Peer) => return Err(ERR::NoSupport),
            (None, _) => {
                let conn = d.stream.conn.as_ref().ok_or(ERR::Disconnected)?;
                match end {
                    End::Local => conn.socket_ref().local_addr(),
                    End::Peer => conn.socket_ref().peer_addr(),
                }
            }
        }
    } else {
        let d = ptr
            .try_data::<ClientSocketData>()
            .map_err(|_| ERR::WrongClass)?;
        match end {
            End::Local => {
                let conn = d.stream.conn.as_ref().ok_or(ERR::Disconnected)?;
                conn.socket_ref().local_addr()
            }
            // Kept from accept: still known after the peer has gone.
            End::Peer => return d.peer.ok_or(ERR::Disconnected),
        }
    };
    result.map_err(|e| ERR::from(&e))
}

fn duplicate(ptr: &ObjectPtr) -> Res<OwnedFd> {
    let fd = raw_fd(ptr).ok_or(ERR::Disconnected)?;
    // SAFETY: `fd` is open: it belongs to the object's socket, which lives in the object's
    // data and cannot be closed while this thread runs this function (the loop is
    // single-threaded), and the borrow ends before the function returns.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    borrowed.try_clone_to_owned().map_err(|e| {
        log::error!("Duplicating a socket descriptor: {e}");
        ERR::from(&e)
    })
}

impl NetSocket {
    /// The local address: where a server listens (with the port it was given), or a client's
    /// end of its connection.
    ///
    /// # Errors
    /// Disconnected without a socket (before Init, while connecting by name, after the
    /// connection ended); NoMatchingObject if the object is gone.
    pub fn local_addr(self) -> Res<SocketAddr> {
        addr(&self.ptr()?, End::Local)
    }

    /// The address a client is connected to.
    ///
    /// # Errors
    /// NoSupport on a server (its clients have the peers: [`ClientSocket::peer_addr`]);
    /// Disconnected without a connection; NoMatchingObject if the object is gone.
    pub fn peer_addr(self) -> Res<SocketAddr> {
        addr(&self.ptr()?, End::Peer)
    }

    /// An owned duplicate of the socket's descriptor (`F_DUPFD_CLOEXEC`), e.g. to set a
    /// socket option this crate does not expose. It refers to the same socket; closing it
    /// does not close the object's.
    ///
    /// # Errors
    /// Disconnected without a socket; the OS error's code if duplication fails.
    pub fn duplicate_fd(self) -> Res<OwnedFd> {
        duplicate(&self.ptr()?)
    }
}

impl ClientSocket {
    /// The server's end of this connection.
    ///
    /// # Errors
    /// Disconnected once the connection has ended; NoMatchingObject if the object is gone.
    pub fn local_addr(self) -> Res<SocketAddr> {
        addr(&self.ptr()?, End::Local)
    }

    /// The client's address and port, as accepted (still known after the peer has gone).
    ///
    /// # Errors
    /// NoMatchingObject if the object is gone.
    pub fn peer_addr(self) -> Res<SocketAddr> {
        addr(&self.ptr()?, End::Peer)
    }

    /// An owned duplicate of the connection's descriptor; see [`NetSocket::duplicate_fd`].
    ///
    /// # Errors
    /// Disconnected once the connection has ended; the OS error's code if duplication fails.
    pub fn duplicate_fd(self) -> Res<OwnedFd> {
        duplicate(&self.ptr()?)
    }
}

impl AsRawFd for NetSocket {
    /// The socket's descriptor, or -1 when it has none (see the module notes on why there is
    /// no `AsFd`).
    fn as_raw_fd(&self) -> RawFd {
        self.ptr().ok().and_then(|p| raw_fd(&p)).unwrap_or(-1)
    }
}

impl AsRawFd for ClientSocket {
    /// The connection's descriptor, or -1 once it has ended.
    fn as_raw_fd(&self) -> RawFd {
        self.ptr().ok().and_then(|p| raw_fd(&p)).unwrap_or(-1)
    }
}
