//! Accept failing with EMFILE must not busy-loop the server, and it recovers once descriptors
//! are available again. Its own test binary: it lowers this process's descriptor limit.

mod common;

use common::*;
use parasol::prelude::*;
use std::time::Duration;

/// Fills every free descriptor number below the highest one in use, so that with the limit set
/// to `returned + 1` no descriptor at all is left. Returns the fillers and the limit.
fn use_up_descriptors() -> (Vec<std::fs::File>, u64) {
    use std::os::fd::AsRawFd;
    let highest = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap();
    let mut fillers = Vec::new();
    loop {
        let f = std::fs::File::open("/dev/null").unwrap();
        let fd = f.as_raw_fd() as u64;
        fillers.push(f);
        if fd >= highest {
            return (fillers, fd + 1);
        }
    }
}

/// CPU time of this thread (getrusage needs no descriptor, unlike /proc).
fn thread_cpu() -> Duration {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) }, 0);
    let tv =
        |t: libc::timeval| Duration::from_micros(t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

#[test]
fn emfile_backs_off_and_recovers() {
    logcap::install();
    let connected = Log::<NTC>::default();
    let c = connected.clone();
    let server = server(fields! {
        "Flags" => "SERVER|MULTI_CONNECT",
        "Feedback" => Function::new(move |_s: &NetSocket, _c: &ClientSocket, state: NTC| c.push(state)),
    });
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) };
    // Five clients wait in the backlog; then no descriptor is left for accept().
    let clients: Vec<_> = (0..5)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", server.port().unwrap())).unwrap())
        .collect();
    let (fillers, limit) = use_up_descriptors();
    let tight = libc::rlimit {
        rlim_cur: limit,
        rlim_max: old.rlim_max,
    };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &tight) }, 0);
    let cpu_before = thread_cpu();
    let _ = process_messages(Some(Duration::from_millis(500)));
    let cpu = thread_cpu() - cpu_before;
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) }, 0);
    assert!(connected.get().is_empty(), "nothing could be accepted");
    assert!(
        cpu < Duration::from_millis(200),
        "the loop spun: {cpu:?} of CPU in 500 ms"
    );
    wait("all accepted after recovery", || connected.len() == 5);
    // About five retries failed; the episode is one ERROR line and one line when it ends.
    assert_eq!(
        logcap::count(log::Level::Error, "accept failed"),
        1,
        "{:#?}",
        logcap::all()
    );
    assert_eq!(logcap::count(log::Level::Warn, "accepting again after"), 1);
    drop(clients);
    drop(fillers);
}
