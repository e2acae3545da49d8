//! [`WriteError`]: a Write that did not take everything, with the count of what it took.

use super::ERR;
use std::fmt;

/// What [`crate::ObjectId::ac_write`] returns when a Write did not take all of the data: the
/// code, and how many leading bytes were taken before it (Parasol's `Result`), so the caller
/// can keep the rest instead of losing or resending it. `?` turns it into its `ERR` (or an
/// `io::Error`) where the count does not matter.
///
/// ```
/// use parasol_core::err::WriteError;
/// use parasol_core::ERR;
/// let e = WriteError { error: ERR::BufferOverflow, written: 3 };
/// assert_eq!(e, ERR::BufferOverflow);
/// let rest = &b"abcdef"[e.written..];
/// assert_eq!(rest, b"def");
/// let code: ERR = e.into();
/// assert_eq!(code, ERR::BufferOverflow);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteError {
    /// Why the Write stopped (e.g. `BufferOverflow`: the queue is full).
    pub error: ERR,
    /// Leading bytes taken before it (0 for most errors).
    pub written: usize,
}

impl WriteError {
    /// A Write's code and count as `ac_write` reports them: `Ok(count)` when the code is Okay,
    /// else the error with the count.
    ///
    /// ```
    /// use parasol_core::err::WriteError;
    /// use parasol_core::ERR;
    /// assert_eq!(WriteError::check((ERR::Okay, 5)), Ok(5));
    /// assert_eq!(
    ///     WriteError::check((ERR::BufferOverflow, 3)),
    ///     Err(WriteError { error: ERR::BufferOverflow, written: 3 })
    /// );
    /// ```
    #[inline]
    pub fn check((error, written): (ERR, usize)) -> Result<usize, WriteError> {
        match error {
            ERR::Okay => Ok(written),
            error => Err(WriteError { error, written }),
        }
    }
}

impl PartialEq<ERR> for WriteError {
    fn eq(&self, other: &ERR) -> bool {
        self.error == *other
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} after {} bytes were taken",
            self.error, self.written
        )
    }
}

impl std::error::Error for WriteError {}

impl From<WriteError> for ERR {
    fn from(e: WriteError) -> ERR {
        e.error
    }
}

impl From<WriteError> for std::io::Error {
    fn from(e: WriteError) -> std::io::Error {
        std::io::Error::new(std::io::Error::from(e.error).kind(), e)
    }
}
