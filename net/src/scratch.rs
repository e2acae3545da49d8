//! The per-thread read buffer: incoming bytes are read into it first, so the loop knows data is
//! there before it calls Incoming, and no connection owns a read buffer while idle. A connection
//! keeps its own (exact-size) copy only of bytes a callback left unread.

use std::cell::RefCell;

/// Size of one read from the kernel.
pub const SCRATCH_SIZE: usize = 64 * 1024;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Takes a buffer of `SCRATCH_SIZE` initialised bytes (reused; allocated only when the pool is
/// empty, e.g. in a nested loop).
pub fn take() -> Vec<u8> {
    POOL.with(|p| p.borrow_mut().pop())
        .unwrap_or_else(|| vec![0u8; SCRATCH_SIZE])
}

/// Returns a buffer to the pool (at most two are kept).
pub fn give_back(buf: Vec<u8>) {
    if buf.len() == SCRATCH_SIZE {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 2 {
                p.push(buf);
            }
        });
    }
}
