//! Conversions between `ERR` and `std::io::Error`, so `?` composes both ways: a parasol call
//! inside a function returning `io::Result`, and an OS error inside one returning `Res`.
//!
//! `ERR → io::Error` keeps the code: the error's inner value is the `ERR` itself, so
//! `e.get_ref().and_then(|i| i.downcast_ref::<ERR>())` gives it back, and the kind is the
//! nearest `io::ErrorKind` (ConnectionRefused, TimedOut, …; `Other` when none fits).
//! `io::Error → ERR` uses the kind (and the raw OS error for what kinds do not name).

use super::ERR;
use std::io::{self, ErrorKind as K};

impl ERR {
    /// The `io::ErrorKind` nearest to this code (`Other` when none fits).
    ///
    /// ```
    /// use parasol_core::ERR;
    /// use std::io::ErrorKind;
    /// assert_eq!(ERR::ConnectionRefused.io_kind(), ErrorKind::ConnectionRefused);
    /// assert_eq!(ERR::TimeOut.io_kind(), ErrorKind::TimedOut);
    /// assert_eq!(ERR::Exception.io_kind(), ErrorKind::Other);
    /// ```
    pub fn io_kind(self) -> K {
        match self.without_notified() {
            ERR::ConnectionRefused => K::ConnectionRefused,
            ERR::ConnectionAborted => K::ConnectionAborted,
            ERR::Disconnected => K::ConnectionReset,
            ERR::NetworkUnreachable => K::NetworkUnreachable,
            ERR::HostUnreachable => K::HostUnreachable,
            ERR::TimeOut => K::TimedOut,
            ERR::InUse => K::AddrInUse,
            ERR::WouldBlock | ERR::Retry => K::WouldBlock,
            ERR::NoPermission | ERR::NotAuthorised => K::PermissionDenied,
            ERR::FileNotFound | ERR::NotFound | ERR::DoesNotExist | ERR::HostNotFound => {
                K::NotFound
            }
            ERR::FileExists | ERR::Exists | ERR::ObjectExists | ERR::ResourceExists => {
                K::AlreadyExists
            }
            ERR::Args | ERR::NullArgs | ERR::InvalidValue | ERR::OutOfRange => K::InvalidInput,
            // TLS failures are InvalidData, as rustls-based Rust libraries report them.
            ERR::InvalidData | ERR::Security => K::InvalidData,
            ERR::NoSupport => K::Unsupported,
            ERR::NoMemory | ERR::AllocMemory => K::OutOfMemory,
            ERR::EndOfFile => K::UnexpectedEof,
            ERR::Write => K::WriteZero,
            _ => K::Other,
        }
    }

    /// The code nearest to an `io::ErrorKind` (SystemCall when none fits).
    ///
    /// ```
    /// use parasol_core::ERR;
    /// use std::io::ErrorKind;
    /// assert_eq!(ERR::from_io_kind(ErrorKind::BrokenPipe), ERR::Disconnected);
    /// assert_eq!(ERR::from_io_kind(ErrorKind::Other), ERR::SystemCall);
    /// ```
    pub fn from_io_kind(kind: K) -> ERR {
        match kind {
            K::ConnectionRefused => ERR::ConnectionRefused,
            K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::NotConnected
            | K::UnexpectedEof => ERR::Disconnected,
            K::NetworkUnreachable | K::NetworkDown => ERR::NetworkUnreachable,
            K::HostUnreachable => ERR::HostUnreachable,
            K::TimedOut => ERR::TimeOut,
            K::AddrInUse => ERR::InUse,
            K::PermissionDenied => ERR::PermissionDenied,
            K::WouldBlock => ERR::WouldBlock,
            K::Interrupted => ERR::Retry,
            K::NotFound => ERR::FileNotFound,
            K::AlreadyExists => ERR::FileExists,
            K::InvalidInput => ERR::Args,
            K::InvalidData => ERR::InvalidData,
            K::Unsupported => ERR::NoSupport,
            K::OutOfMemory => ERR::NoMemory,
            K::WriteZero => ERR::Write,
            _ => ERR::SystemCall,
        }
    }
}

impl From<ERR> for io::Error {
    /// An `io::Error` of the nearest kind whose inner error is the `ERR` (its message is
    /// Parasol's text). `ERR::Okay` is not an error; converting it gives kind `Other`.
    fn from(e: ERR) -> io::Error {
        io::Error::new(e.io_kind(), e)
    }
}

impl From<&io::Error> for ERR {
    /// The `ERR` inside an error made from one; otherwise the code nearest the OS error or
    /// kind (too many open files is ArrayFull, as the network classes report it).
    fn from(e: &io::Error) -> ERR {
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ERR>()) {
            return *inner;
        }
        // EMFILE and ENFILE have no kind of their own; their numbers are the same on every
        // Unix this crate supports.
        const ENFILE: i32 = 23;
        const EMFILE: i32 = 24;
        match e.raw_os_error() {
            Some(EMFILE) | Some(ENFILE) => ERR::ArrayFull,
            _ => ERR::from_io_kind(e.kind()),
        }
    }
}

impl From<io::Error> for ERR {
    fn from(e: io::Error) -> ERR {
        ERR::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_mark_works_both_ways() {
        fn io_side() -> io::Result<()> {
            Err(ERR::ConnectionRefused)?;
            Ok(())
        }
        fn parasol_side() -> Result<(), ERR> {
            Err(io::Error::from(K::TimedOut))?;
            Ok(())
        }
        let e = io_side().unwrap_err();
        assert_eq!(e.kind(), K::ConnectionRefused);
        assert_eq!(e.to_string(), ERR::ConnectionRefused.message());
        assert_eq!(ERR::from(e), ERR::ConnectionRefused, "the code round-trips");
        assert_eq!(parasol_side().unwrap_err(), ERR::TimeOut);
    }

    #[test]
    fn os_errors_map_to_the_network_contract() {
        assert_eq!(ERR::from(io::Error::from_raw_os_error(24)), ERR::ArrayFull);
        assert_eq!(ERR::from(io::Error::from_raw_os_error(23)), ERR::ArrayFull);
        assert_eq!(
            ERR::from(io::Error::from(K::ConnectionReset)),
            ERR::Disconnected
        );
        assert_eq!(ERR::from(io::Error::other("x")), ERR::SystemCall);
    }

    #[test]
    fn every_kind_the_conversion_names_maps_back_to_itself() {
        // (ConnectionAborted is one-way: an aborted connection is Disconnected, as the
        // network contract reports every connection lost after it was established.)
        for e in [
            ERR::ConnectionRefused,
            ERR::NetworkUnreachable,
            ERR::HostUnreachable,
            ERR::TimeOut,
            ERR::InUse,
            ERR::WouldBlock,
            ERR::InvalidData,
            ERR::NoSupport,
        ] {
            let kind = e.io_kind();
            assert_ne!(kind, K::Other, "{e:?}");
            let back = ERR::from_io_kind(kind);
            assert_eq!(back.io_kind(), kind, "{e:?} → {kind:?} → {back:?}");
        }
    }
}
