//! The typed door to UDP NetSockets: datagrams as byte slices and `SocketAddr`s.

use crate::data::NetSocketData;
use crate::handles::{NetSocket, NetSocketBuilder};
use parasol_core::{Res, ERR};
use std::net::{IpAddr, SocketAddr};

impl NetSocket {
    /// `SendTo`: sends `data` as one datagram to `dest` (all of it or nothing). An IPv4
    /// destination from a dual-stack socket is sent as IPv4.
    ///
    /// ```
    /// use parasol_classes::{NetSocket, NSF};
    /// let rx = NetSocket::create().address("127.0.0.1").port(0).flags(NSF::UDP | NSF::SERVER).build()?;
    /// let tx = NetSocket::create().flags(NSF::UDP).build()?;
    /// assert_eq!(tx.send_to(b"ping", rx.local_addr()?)?, 4);
    /// let mut buf = [0u8; 16];
    /// let mut got = None;
    /// parasol_core::wait_until(std::time::Duration::from_secs(5), || {
    ///     got = rx.recv_from(&mut buf).ok().flatten();
    ///     got.is_some()
    /// });
    /// let (n, from) = got.expect("a datagram on loopback");
    /// assert_eq!((&buf[..n], from.port()), (&b"ping"[..], tx.local_addr()?.port()));
    /// # rx.free()?; tx.free()?;
    /// # Ok::<(), parasol_core::ERR>(())
    /// ```
    ///
    /// # Errors
    /// InvalidState on a TCP socket; NullArgs for no data; OutOfRange for port 0; DataSize
    /// beyond MaxPacketSize (or the path's limit); BufferOverflow when the send buffer is full
    /// (nothing sent); NoPermission for a broadcast address without `NSF::BROADCAST`;
    /// NetworkUnreachable / HostUnreachable; Disconnected once closed.
    pub fn send_to(self, data: &[u8], dest: SocketAddr) -> Res<usize> {
        let ptr = self.ptr()?;
        if !ptr.try_data::<NetSocketData>()?.is_udp() {
            return Err(ERR::InvalidState);
        }
        crate::udp::send_to(&ptr, data, dest)
    }

    /// `RecvFrom`: takes the next datagram into `buf`, with its sender (an IPv4 sender on a
    /// dual-stack socket is reported as IPv4); `None` when none waits. A datagram larger than
    /// `buf` is never truncated: it stays queued and the answer is BufferOverflow.
    ///
    /// # Errors
    /// NoSupport on a TCP socket; NullArgs for an empty buffer; BufferOverflow as above;
    /// Disconnected once closed.
    pub fn recv_from(self, buf: &mut [u8]) -> Res<Option<(usize, SocketAddr)>> {
        let ptr = self.ptr()?;
        if !ptr.try_data::<NetSocketData>()?.is_udp() {
            return Err(ERR::NoSupport);
        }
        crate::udp::recv_from(&ptr, buf)
    }

    /// `JoinMulticastGroup`: receives datagrams sent to `group` (on MulticastInterface).
    ///
    /// # Errors
    /// NoSupport on a TCP socket; Args for an address that is not a multicast group;
    /// NetworkUnreachable when no interface can join it; Disconnected once closed.
    pub fn join_multicast_group(self, group: IpAddr) -> Res<()> {
        self.membership(group, true)
    }

    /// `LeaveMulticastGroup`.
    ///
    /// # Errors
    /// As [`NetSocket::join_multicast_group`]; Args for a group not joined.
    pub fn leave_multicast_group(self, group: IpAddr) -> Res<()> {
        self.membership(group, false)
    }

    fn membership(self, group: IpAddr, join: bool) -> Res<()> {
        let ptr = self.ptr()?;
        if !ptr.try_data::<NetSocketData>()?.is_udp() {
            return Err(ERR::NoSupport);
        }
        crate::udp::membership(&ptr, &group.to_string(), join).to_result()
    }
}

impl NetSocketBuilder {
    /// MaxPacketSize (UDP): most bytes one datagram may carry (default 65,507).
    pub fn max_packet_size(self, n: usize) -> Self {
        self.with("MaxPacketSize", n)
    }
    /// MulticastTTL (UDP): hops of multicast datagrams (0: the system's, 1).
    pub fn multicast_ttl(self, ttl: u8) -> Self {
        self.with("MulticastTTL", ttl as i32)
    }
    /// MulticastInterface (UDP, extension): an IPv4 address, interface name or index.
    pub fn multicast_interface(self, interface: &str) -> Self {
        self.with("MulticastInterface", interface)
    }
}
