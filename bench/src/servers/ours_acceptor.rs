//! `ours-acceptor`: the design `ReusePort` was chosen over, kept so the choice stays measured.
//! One thread accepts every connection and hands each to the next of N loops in turn
//! (`LoopHandle::post`), where it becomes a NetSocket adopting the socket, with the same
//! echo rule as `ours` (`NetSocket::echo`: never queue past MsgLimit). Freed when it ends.

use parasol::prelude::*;
use parasol::Loops;
use std::net::TcpListener;
use std::time::Duration;

/// Serves until killed with `loops` loops behind one acceptor thread (this one).
pub fn serve(loops: usize) -> Result<(), String> {
    parasol::init().map_err(|e| format!("parasol::init: {e:?}"))?;
    let group = Loops::start(loops.max(1), |_| Ok(Loops::run_until_quit))
        .map_err(|e| format!("starting {loops} loops: {e:?}"))?;
    // std's listener: backlog 128, as every peer.
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    super::announce(listener.local_addr().map_err(|e| e.to_string())?.port());
    let handles = group.handles().to_vec();
    for (n, stream) in listener.incoming().enumerate() {
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors: back off rather than spin (as the tokio peer does).
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let _ = stream.set_nonblocking(true);
        let posted = handles[n % handles.len()].post(move || {
            let adopted = NetSocket::create()
                .adopt(stream)
                .client_incoming(|s| s.echo())
                .client_feedback(|s, state| {
                    if state == NTC::DISCONNECTED {
                        let _ = s.free();
                    }
                })
                .build();
            if let Err(e) = adopted {
                eprintln!("ours-acceptor: adopting a connection: {e:?}");
            }
        });
        if let Err(e) = posted {
            return Err(format!("posting to a loop: {e:?}"));
        }
    }
    Ok(())
}
