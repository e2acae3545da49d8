//! Helpers shared by the integration tests: loop driving with deadlines, recorders, raw peers.

#![allow(dead_code)]

pub mod logcap;
pub mod openssl;
pub mod pki;

use parasol::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// The default deadline for waiting on a condition.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Registers the classes and installs a test logger (once).
pub fn setup() {
    parasol::init().expect("register classes");
    let _ = env_logger::builder().is_test(true).try_init();
}

/// Drives the loop until `cond` holds; panics with `what` on timeout.
pub fn wait(what: &str, cond: impl FnMut() -> bool) {
    assert_eq!(
        wait_for(DEADLINE, cond),
        ERR::Okay,
        "timed out waiting for {what}"
    );
}

/// Drives the loop until `cond` holds or `deadline` passes, returning the loop's result. Each
/// cycle sleeps at most 5 ms, so conditions set by other threads (peers on std sockets) are seen
/// promptly too.
pub fn wait_for(deadline: Duration, mut cond: impl FnMut() -> bool) -> ERR {
    // `cond` is never called again once it said true (callers may consume a message in it).
    let end = std::time::Instant::now() + deadline;
    loop {
        let left = end.saturating_duration_since(std::time::Instant::now());
        match wait_until(left.min(Duration::from_millis(5)), &mut cond) {
            ERR::TimeOut if !left.is_zero() => continue,
            r => return r,
        }
    }
}

/// A shared list that callbacks append to.
#[derive(Clone)]
pub struct Log<T>(pub Rc<RefCell<Vec<T>>>);

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log(Rc::default())
    }
}

impl<T: Clone> Log<T> {
    pub fn push(&self, v: T) {
        self.0.borrow_mut().push(v);
    }
    pub fn get(&self) -> Vec<T> {
        self.0.borrow().clone()
    }
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
}

/// A shared byte buffer.
#[derive(Clone, Default)]
pub struct Bytes(pub Rc<RefCell<Vec<u8>>>);

impl Bytes {
    pub fn extend(&self, b: &[u8]) {
        self.0.borrow_mut().extend_from_slice(b);
    }
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }
    pub fn get(&self) -> Vec<u8> {
        self.0.borrow().clone()
    }
}

/// Feedback recorder for a client NetSocket.
pub fn client_feedback(log: &Log<NTC>) -> Function {
    let log = log.clone();
    Function::new(move |_s: &NetSocket, state: NTC| log.push(state))
}

/// Incoming that appends everything it reads.
pub fn client_collect(buf: &Bytes) -> Function {
    let buf = buf.clone();
    Function::new(move |s: &NetSocket| -> ERR {
        let mut chunk = [0u8; 65536];
        loop {
            match s.ac_read(&mut chunk) {
                Ok(0) => return ERR::Okay,
                Ok(n) => buf.extend(&chunk[..n]),
                Err(e) => return e,
            }
        }
    })
}

/// A server NetSocket on 127.0.0.1 with an ephemeral port.
pub fn server(extra: Vec<(&str, Value)>) -> NetSocket {
    let mut f = fields! { "Address" => "127.0.0.1", "Port" => 0, "Flags" => "SERVER" };
    for (k, v) in extra {
        if let Some(slot) = f.iter_mut().find(|(n, _)| *n == k) {
            slot.1 = v;
        } else {
            f.push((k, v));
        }
    }
    NetSocket::from_id(create("NetSocket", f).expect("server")).unwrap()
}

/// Deterministic pseudo-random bytes.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A small kernel send buffer for the sender, so most of a Write waits in our queue (loopback's
/// own buffers can take megabytes at once).
pub fn small_send_buffer(sender: ObjectId) {
    let fd = sender.get("Handle").unwrap().to_i32().unwrap();
    let size: libc::c_int = 16 * 1024;
    // SAFETY: setsockopt on the sender's own descriptor with a c_int option value.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            &size as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0);
}

/// Raises this process's soft descriptor limit to the hard one (children inherit it); returns
/// the limit now in force.
pub fn raise_fd_limit() -> u64 {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct given.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
        l.rlim_cur = l.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut l);
    }
    l.rlim_cur
}

/// Raw std peers and server-side recorders (limits / clients / ipv6 / disable / bulk tests).
pub mod peer;

/// Waits for `server` to accept a connection and returns the first ClientSocket it holds.
pub fn first_accepted(server: NetSocket) -> ClientSocket {
    let mut accepted = None;
    wait("a connection accepted", || {
        accepted = server.clients().flat_map(|c| c.connections()).next();
        accepted.is_some()
    });
    accepted.unwrap()
}

/// A MULTI_CONNECT server on 127.0.0.1, a client connected to it and the server's ClientSocket
/// for it, both ends CONNECTED.
pub fn connected_pair() -> (NetSocket, NetSocket, ClientSocket) {
    let server = server(fields! { "Flags" => "SERVER|MULTI_CONNECT" });
    let client = NetSocket::create()
        .address("127.0.0.1")
        .port(server.port().unwrap())
        .build()
        .unwrap();
    wait("accepted", || {
        server
            .clients()
            .flat_map(|c| c.connections())
            .any(|c| c.state().unwrap() == NTC::CONNECTED)
            && client.state().unwrap() == NTC::CONNECTED
    });
    let cs = server
        .clients()
        .next()
        .unwrap()
        .connections()
        .next()
        .unwrap();
    (server, client, cs)
}
