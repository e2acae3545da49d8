//! `examples/tokio_embed.rs` run as a test: a parasol server driven from tokio's `AsyncFd`
//! serves a tokio client on the same thread.

#[allow(dead_code)]
#[path = "../examples/tokio_embed.rs"]
mod example;

#[test]
fn a_parasol_server_runs_inside_tokio() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let echoed = rt
        .block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(30), example::run(200)).await
        })
        .expect("the exchange finished within 30 s")
        .unwrap();
    let expected: String = (0..200).map(|i| format!("message {i}\n")).collect();
    assert_eq!(String::from_utf8(echoed).unwrap(), expected);
}
