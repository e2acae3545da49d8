//! `serve --udp` and `connect --udp`, like ncat's `-u`: a UDP NetSocket that echoes or drops
//! datagrams, and a client that sends each chunk of stdin as one datagram and prints what comes
//! back.

use super::out::outln;
use super::{fail, ConnectArgs, Mode, ServeArgs};
use parasol::net::resolve::{self, Caching};
use parasol::prelude::*;
use std::cell::Cell;
use std::io::{Read, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The largest datagram the command sends or expects.
const DATAGRAM: usize = 65_507;

/// After stdin ends, `connect --udp` exits once no reply has come for this long.
const REPLY_IDLE: Duration = Duration::from_secs(1);

pub(crate) fn serve(args: &ServeArgs) -> i32 {
    if args.mode == Mode::Chat {
        eprintln!("parasol: serve --udp: chat needs connections; use echo or discard");
        return 2;
    }
    let echo = args.mode == Mode::Echo;
    let mut fields = fields! {
        "Name" => "Server",
        "Port" => args.port as i32,
        "Flags" => "SERVER|UDP",
        "Incoming" => Function::new(move |s: &NetSocket| -> ERR {
            let mut buf = vec![0u8; DATAGRAM];
            loop {
                match s.recv_from(&mut buf) {
                    Ok(Some((n, from))) => {
                        log::debug!("{n} bytes from {from}");
                        // An empty datagram has nothing to echo (SendTo takes at least a byte).
                        if echo && n > 0 {
                            if let Err(e) = s.send_to(&buf[..n], from) {
                                // One datagram is lost, as UDP allows; at debug level, so a
                                // peer cannot flood the log with datagrams that fail.
                                log::debug!("echo to {from}: {e:?}");
                            }
                        }
                    }
                    Ok(None) => return ERR::Okay,
                    Err(e) => return e,
                }
            }
        }),
    };
    if let Some(a) = &args.address {
        fields.push(("Address", a.into()));
    }
    let (stop, server, port) = match super::serve::start(fields) {
        Ok(started) => started,
        Err(code) => return code,
    };
    outln!(
        "listening on port {port} (UDP {})",
        if echo { "echo" } else { "discard" }
    );
    super::out::flush();
    while !stop.get() {
        if wait_until(Duration::from_secs(3600), || stop.get()) == ERR::Terminate {
            break;
        }
    }
    let _ = server.free();
    0
}

pub(crate) fn connect(args: &ConnectArgs) -> i32 {
    // Resolved here, through the same resolver as NetLookup, so the socket gets a literal.
    let ip = match resolve::resolve_name_blocking(&args.host, Caching::Use) {
        Ok(r) => r.addresses[0],
        Err(e) => return fail(&format!("connect {}", args.host), e),
    };
    let last_reply = Rc::new(Cell::new(Instant::now()));
    let lr = last_reply.clone();
    let stdout_gone = Rc::new(Cell::new(false));
    let gone = stdout_gone.clone();
    let sock = match NetSocket::create()
        .address(&ip.to_string())
        .port(args.port)
        .flags(NSF::UDP)
        .client_incoming(move |s: &NetSocket| -> ERR {
            let mut buf = vec![0u8; DATAGRAM];
            let mut out = std::io::stdout().lock();
            loop {
                match s.recv_from(&mut buf) {
                    Ok(Some((n, _))) => {
                        lr.set(Instant::now());
                        if out.write_all(&buf[..n]).and_then(|_| out.flush()).is_err() {
                            gone.set(true);
                            return ERR::Okay;
                        }
                    }
                    Ok(None) => return ERR::Okay,
                    Err(e) => return e,
                }
            }
        })
        .build()
    {
        Ok(s) => s,
        Err(e) => return fail(&format!("connect {}:{}", args.host, args.port), e),
    };
    // stdin on its own thread: each chunk read is one datagram, sent from the loop.
    let handle = match LoopHandle::current() {
        Ok(h) => h,
        Err(e) => return fail("message loop", e),
    };
    let uid = sock.uid();
    let ended = Rc::new(Cell::new(false));
    let msg = parasol::allocate_msg_id();
    let e2 = ended.clone();
    let lr = last_reply.clone();
    let added = parasol::add_msg_handler(
        msg,
        Function::new(move |_t: i32, chunk: &[u8]| -> ERR {
            let Some(sock) = ObjectId::from_uid(uid).and_then(|id| NetSocket::from_id(id).ok())
            else {
                return ERR::Okay;
            };
            if chunk.is_empty() {
                e2.set(true);
                lr.set(Instant::now());
            } else if let Err(e) = sock.ac_write(chunk) {
                eprintln!("parasol: sending {} bytes: {:?}", chunk.len(), e.error);
            }
            ERR::Okay
        }),
    );
    if let Err(e) = added {
        return fail("message loop", e);
    }
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0u8; DATAGRAM];
            loop {
                let n = stdin.read(&mut buf).unwrap_or(0);
                if handle.send_message(msg, buf[..n].to_vec()).is_err() || n == 0 {
                    break;
                }
            }
        })
        .ok();
    let done = || stdout_gone.get() || (ended.get() && last_reply.get().elapsed() >= REPLY_IDLE);
    while !done() {
        if wait_until(Duration::from_millis(100), done) == ERR::Terminate {
            break;
        }
    }
    let _ = std::io::stdout().flush();
    let error = sock.error().unwrap_or(ERR::Okay);
    let _ = sock.free();
    if error.is_ok() {
        0
    } else {
        fail(&format!("{}:{}", args.host, args.port), error)
    }
}
