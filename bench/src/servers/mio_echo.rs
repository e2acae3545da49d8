//! `mio`: the floor of what mio allows for an echo server. Edge-triggered, one shared read
//! buffer, reads until WouldBlock and writes straight back; only bytes the kernel refused are
//! kept per connection, and reading stops while any are pending (backpressure).

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};

const LISTENER: Token = Token(usize::MAX);

struct Conn {
    stream: TcpStream,
    /// Echo bytes the kernel did not take yet; empty almost always, so never allocated then.
    pending: Vec<u8>,
}

/// Slab of connections indexed by token, with a free list so tokens are reused.
#[derive(Default)]
struct Slab {
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
}

impl Slab {
    fn insert(&mut self, c: Conn) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.conns[i] = Some(c);
                i
            }
            None => {
                self.conns.push(Some(c));
                self.conns.len() - 1
            }
        }
    }

    fn remove(&mut self, i: usize) {
        if self.conns[i].take().is_some() {
            self.free.push(i);
        }
    }
}

/// Writes `pending` out; true when it is all gone.
fn flush(c: &mut Conn) -> io::Result<bool> {
    while !c.pending.is_empty() {
        match c.stream.write(&c.pending) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                c.pending.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Handles one readiness event; `Ok(false)` closes the connection.
fn drive(c: &mut Conn, buf: &mut [u8]) -> io::Result<bool> {
    loop {
        if !flush(c)? {
            // Kernel send buffer full: stop reading until WRITABLE fires again.
            return Ok(true);
        }
        let n = match c.stream.read(buf) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(true),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut off = 0;
        while off < n {
            match c.stream.write(&buf[off..n]) {
                Ok(k) => off += k,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        c.pending.extend_from_slice(&buf[off..n]);
    }
}

/// Serves until killed; `read_chunk` is the one read buffer every connection shares.
pub fn serve(read_chunk: usize) -> Result<(), String> {
    let err = |e: io::Error| e.to_string();
    let mut poll = Poll::new().map_err(err)?;
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).map_err(err)?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .map_err(err)?;
    super::announce(listener.local_addr().map_err(err)?.port());

    let mut slab = Slab::default();
    let mut events = Events::with_capacity(1024);
    let mut buf = vec![0u8; read_chunk];
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e.to_string());
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                // Drain the accept queue: edge-triggered, so one event may stand for many.
                loop {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            let i = slab.conns.len();
                            let i = slab.free.last().copied().unwrap_or(i);
                            if poll
                                .registry()
                                .register(
                                    &mut stream,
                                    Token(i),
                                    Interest::READABLE | Interest::WRITABLE,
                                )
                                .is_ok()
                            {
                                slab.insert(Conn {
                                    stream,
                                    pending: Vec::new(),
                                });
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        // EMFILE and friends: drop this round, the next event retries.
                        Err(_) => break,
                    }
                }
                continue;
            }
            let i = ev.token().0;
            let keep = match slab.conns.get_mut(i).and_then(Option::as_mut) {
                Some(c) => drive(c, &mut buf).unwrap_or(false),
                None => continue,
            };
            if !keep {
                slab.remove(i); // dropping the stream deregisters and closes it
            }
        }
    }
}
