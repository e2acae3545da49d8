//! The detail behind a returned `ERR`: the OS error, the file, the TLS error. An `ERR` says what
//! kind of failure happened; a caller showing it to a person also wants why. Code that returns
//! an error records the why with [`fail_with`] (which logs it at debug level: the caller decides
//! whether to show it, so one failure is one line), and [`take_failure_detail`] hands it to the
//! caller — `try_create`'s `CreateError::detail`, a socket's `ErrorDetail` field.
//!
//! The detail is per thread, like `errno`: the last failure recorded on this thread, until it
//! is taken or cleared.

use super::ERR;
use std::cell::RefCell;

thread_local! {
    static DETAIL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records `detail` as the reason for `e`, logs it at debug level and returns `e`, so a
/// failure site reads `return Err(fail_with(ERR::FileNotFound, format!(…)))`.
///
/// ```
/// use parasol_core::err::{fail_with, take_failure_detail};
/// use parasol_core::ERR;
/// let e = fail_with(ERR::FileNotFound, "cert.pem: No such file or directory");
/// assert_eq!(e, ERR::FileNotFound);
/// assert_eq!(take_failure_detail().as_deref(), Some("cert.pem: No such file or directory"));
/// assert_eq!(take_failure_detail(), None); // taken
/// ```
pub fn fail_with(e: ERR, detail: impl Into<String>) -> ERR {
    let detail = detail.into();
    log::debug!("{e:?}: {detail}");
    DETAIL.with(|d| *d.borrow_mut() = Some(detail));
    e
}

/// Takes the detail of the last failure recorded on this thread, if any.
pub fn take_failure_detail() -> Option<String> {
    DETAIL.with(|d| d.borrow_mut().take())
}

/// Forgets any recorded detail (before an operation whose failure should carry only its own).
pub fn clear_failure_detail() {
    DETAIL.with(|d| *d.borrow_mut() = None);
}
