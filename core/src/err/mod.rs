//! `ERR`: Parasol's error codes, as a transparent newtype over `i32`.
//!
//! A newtype (not a Rust `enum`) keeps Parasol's aliases (`ERR::Okay == ERR::True`), lets the
//! `Notified` bit be OR'd into a result, and round-trips codes this build does not name.

mod detail;
mod io;
mod table;
mod write;

pub use detail::{clear_failure_detail, fail_with, take_failure_detail};
pub use write::WriteError;

use std::fmt;

/// A Parasol error code. `ERR::Okay` (0) is success; see the associated constants for every code.
///
/// ```
/// use parasol_core::ERR;
/// assert_eq!(ERR::ConnectionRefused.0, 131);
/// assert_eq!(ERR::Okay.to_string(), "Operation successful.");
/// assert!(ERR::Okay.is_ok() && !ERR::Failed.is_ok());
/// ```
///
/// `ERR` composes with `std::io::Error` both ways (`?` converts), with the nearest
/// `io::ErrorKind`:
///
/// ```
/// use parasol_core::ERR;
/// fn open() -> std::io::Result<()> {
///     Err(ERR::ConnectionRefused)?;            // ERR → io::Error
///     Ok(())
/// }
/// let e = open().unwrap_err();
/// assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(ERR::from(e), ERR::ConnectionRefused); // and back, code intact
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
#[must_use = "an ERR reports whether the call succeeded; check it (`?` after `.to_result()`) or say why not"]
pub struct ERR(pub i32);

impl ERR {
    /// True for `ERR::Okay` only.
    #[inline]
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// True for every code other than `ERR::Okay`.
    #[inline]
    pub const fn is_err(self) -> bool {
        self.0 != 0
    }

    /// Parasol's message text for this code (`GetErrorMsg`): the table text for 1..195,
    /// "Operation successful." for 0 and "Unknown error code." for anything else.
    pub fn message(self) -> &'static str {
        match usize::try_from(self.0) {
            Ok(i) if i < table::MESSAGES.len() => table::MESSAGES[i],
            _ => "Unknown error code.",
        }
    }

    /// The primary Parasol name of this code (`"ConnectionRefused"`), or `None` if unnamed.
    pub fn name(self) -> Option<&'static str> {
        match usize::try_from(self.0) {
            Ok(i) if i < table::NAMES.len() => Some(table::NAMES[i]),
            _ if self == ERR::Notified => Some("Notified"),
            _ => None,
        }
    }

    /// Looks a code up by any of its Parasol names, case-insensitively (`"timeout"` → 30).
    pub fn from_name(name: &str) -> Option<ERR> {
        table::ALL_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| ERR(v))
    }

    /// Every name of every code, aliases included (`("Timeout", 30)`, `("TimeOut", 30)` …): what a
    /// script door publishes as its `ERR_*` constants.
    ///
    /// ```
    /// use parasol_core::ERR;
    /// assert!(ERR::all_names().any(|(n, e)| n == "TimeOut" && e == ERR::TimeOut));
    /// ```
    pub fn all_names() -> impl Iterator<Item = (&'static str, ERR)> {
        table::ALL_NAMES.iter().map(|&(n, v)| (n, ERR(v)))
    }

    /// `Ok(())` for `ERR::Okay`, `Err(self)` otherwise; bridges Parasol results into `?`.
    #[inline]
    pub fn to_result(self) -> Result<(), ERR> {
        if self.is_ok() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// This code without the `Notified` flag bit.
    #[inline]
    pub const fn without_notified(self) -> ERR {
        ERR(self.0 & !ERR::Notified.0)
    }
}

impl fmt::Display for ERR {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl fmt::Debug for ERR {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "ERR::{n}"),
            None => write!(f, "ERR({})", self.0),
        }
    }
}

impl std::error::Error for ERR {}

impl From<Result<(), ERR>> for ERR {
    fn from(r: Result<(), ERR>) -> ERR {
        match r {
            Ok(()) => ERR::Okay,
            Err(e) => e,
        }
    }
}

/// Result type of fallible kernel functions.
pub type Res<T> = Result<T, ERR>;
