//! Read and Write through the typed handles, the data path of every message.
//!
//! `NetSocket::ac_read` and friends call the class's own routine directly
//! ([`parasol_core::direct_action`]: same context, deferred free and panic rule as the generic
//! door) instead of packing `ActionArgs` and dispatching through the class's action table. When
//! the object is being freed or someone subscribed to the action, they take the generic door,
//! which refuses or notifies as the kernel documents: both doors behave alike.

use crate::handles::{ClientSocket, NetSocket};
use parasol_core::err::WriteError;
use parasol_core::{direct_action, ObjectId, ObjectPtr, Res, AC, ERR};

/// A class's Read and Write routines, as registered in its action table.
pub(crate) struct DataRoutines {
    read: fn(&ObjectPtr, &mut [u8]) -> Res<usize>,
    write: fn(&ObjectPtr, &[u8]) -> (ERR, usize),
}

pub(crate) const NETSOCKET: DataRoutines = DataRoutines {
    read: crate::netsocket::read,
    write: crate::netsocket::write,
};

pub(crate) const CLIENTSOCKET: DataRoutines = DataRoutines {
    read: crate::clientsocket::read,
    write: crate::clientsocket::write,
};

impl DataRoutines {
    #[inline]
    fn read(&self, id: ObjectId, buf: &mut [u8]) -> Res<usize> {
        let ptr = id.ptr()?;
        match direct_action(&ptr, AC::Read, |o| (self.read)(o, buf)) {
            Some(read) => read?,
            None => id.ac_read(buf),
        }
    }

    #[inline]
    fn write(&self, id: ObjectId, buf: &[u8]) -> (ERR, usize) {
        let Ok(ptr) = id.ptr() else {
            return (ERR::NoMatchingObject, 0);
        };
        match direct_action(&ptr, AC::Write, |o| (self.write)(o, buf)) {
            Some(Ok(written)) => written,
            Some(Err(e)) => (e, 0),
            None => id.ac_write_counted(buf),
        }
    }
}

/// The typed handles' Read and Write: the same actions as the generic door's
/// [`ObjectId::ac_read`], [`ObjectId::ac_write`] and [`ObjectId::ac_write_counted`], with the
/// same results and errors, at less cost per call.
macro_rules! typed_data_path {
    ($handle:ident, $routines:ident) => {
        impl $handle {
            /// The `Read` action: bytes read into `buf` (0: nothing staged now; see the class's
            /// data-path rules). The generic door's [`ObjectId::ac_read`], called directly.
            ///
            /// # Errors
            /// As [`ObjectId::ac_read`]: `Disconnected` once the connection ended,
            /// MarkedForDeletion while the object is being freed, NoMatchingObject once freed.
            #[inline]
            pub fn ac_read(self, buf: &mut [u8]) -> Res<usize> {
                $routines.read(self.id(), buf)
            }

            /// The `Write` action: `Ok` with the bytes accepted (all of them), or a
            /// [`WriteError`] with the code and how many leading bytes were taken. The generic
            /// door's [`ObjectId::ac_write`], called directly.
            ///
            /// # Errors
            /// As [`ObjectId::ac_write`] (e.g. BufferOverflow when the queue is full).
            #[inline]
            pub fn ac_write(self, buf: &[u8]) -> Result<usize, WriteError> {
                WriteError::check($routines.write(self.id(), buf))
            }

            /// The `Write` action returning the ERR and the bytes accepted (see
            /// [`ObjectId::ac_write_counted`]).
            #[inline]
            pub fn ac_write_counted(self, buf: &[u8]) -> (ERR, usize) {
                $routines.write(self.id(), buf)
            }
        }
    };
}

typed_data_path!(NetSocket, NETSOCKET);
typed_data_path!(ClientSocket, CLIENTSOCKET);

/// The echo both socket kinds share: see [`NetSocket::echo`].
pub(crate) fn echo_on(sock: ObjectId, routines: &DataRoutines, msg_limit: usize) -> ERR {
    let queued = sock
        .ptr()
        .ok()
        .and_then(|p| crate::stream::stream_of(&p).map(|s| s.out_len()));
    let Some(queued) = queued else {
        return ERR::NoMatchingObject;
    };
    let mut room = msg_limit.saturating_sub(queued);
    if room == 0 {
        return ERR::Retry;
    }
    let mut buf = [0u8; 16 * 1024];
    while room > 0 {
        let want = room.min(buf.len());
        let n = match routines.read(sock, &mut buf[..want]) {
            Ok(0) => return ERR::Okay,
            Ok(n) => n,
            Err(e) => return e,
        };
        // Within the room the queue has, Write takes everything: nothing read is ever dropped.
        match routines.write(sock, &buf[..n]) {
            (ERR::Okay, _) => room -= n,
            (e, taken) => {
                log::error!(
                    "{} echo: Write took {taken} of {n} bytes ({e:?}) within the queue's room",
                    parasol_core::log::IdCtx(sock)
                );
                return e;
            }
        }
    }
    // The room is used up; what is left is offered again next cycle, and then waits (Retry).
    ERR::Okay
}
