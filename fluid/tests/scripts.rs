//! Runs the Fluid scripts in `tests/scripts/`, each in a fresh script state: each asserts what
//! it checks, so a run that ends with an error fails here with the script's own message.

use parasol::ERR;
use parasol_fluid::{Options, Outcome, Script};
use std::path::PathBuf;

fn script_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scripts")
        .join(name)
}

fn run_with(name: &str, options: Options) -> Outcome {
    let _ = env_logger::builder().is_test(true).try_init();
    parasol::init().expect("classes");
    let script = Script::new(options).expect("script state");
    script.run_file(script_path(name))
}

fn run(name: &str) -> Outcome {
    run_with(name, Options::default())
}

fn passes(outcome: Outcome) {
    assert_eq!(outcome.error, ERR::Okay, "{:?}", outcome.message);
    assert_eq!(outcome.exit_code(), 0, "{outcome:?}");
}

#[test]
fn objects_fields_and_handles() {
    passes(run("objects.fluid"));
}

#[test]
fn actions_and_methods() {
    passes(run("actions.fluid"));
}

#[test]
fn callbacks() {
    passes(run("callbacks.fluid"));
}

#[test]
fn catch_check_and_raise() {
    passes(run("errors.fluid"));
}

#[test]
fn processing_sleep_and_signal() {
    passes(run("processing.fluid"));
}

#[test]
fn constants_and_modules() {
    passes(run("modules.fluid"));
}

#[test]
fn language_and_libraries() {
    passes(run("language.fluid"));
}

#[test]
fn collected_handles_free_their_objects() {
    passes(run("gc.fluid"));
}

#[test]
fn require_and_load_file() {
    passes(run("require.fluid"));
}

#[test]
fn script_arguments() {
    passes(run_with(
        "args.fluid",
        Options {
            args: vec![
                ("greeting".into(), "kia ora".into()),
                ("count".into(), "3".into()),
            ],
            ..Options::default()
        },
    ));
}

#[test]
fn an_ssl_server_without_a_certificate_fails_unless_one_is_given() {
    let refused = run("tls.fluid");
    // obj.new raised, with the code of the failure (Fluid's CaughtError).
    assert_ne!(refused.error, ERR::Okay);
    let message = refused.message.unwrap_or_default();
    assert!(message.contains("tls.fluid"), "{message}");

    let (cert, key) = self_signed();
    passes(run_with(
        "tls.fluid",
        Options {
            server_identity: Some((cert, key)),
            ..Options::default()
        },
    ));
}

#[test]
fn parasol_compatibility_is_asked_for() {
    passes(run("compat.fluid"));
    passes(run_with(
        "compat.fluid",
        Options {
            args: vec![("compat".into(), "1".into())],
            parasol_compat: true,
            ..Options::default()
        },
    ));
}

/// A throw-away certificate for localhost, made with openssl (as the TLS tests of the
/// workspace do).
fn self_signed() -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    (
        std::fs::read_to_string(cert).unwrap(),
        std::fs::read_to_string(key).unwrap(),
    )
}

// How a run ends: the outcome and exit status Parasol's launcher gives.

fn source(text: &str) -> Outcome {
    parasol::init().expect("classes");
    Script::new(Options::default())
        .expect("script state")
        .run_source("inline.fluid", text)
}

#[test]
fn a_script_that_ends_normally_exits_0() {
    let o = source("local x = 1");
    assert_eq!((o.error, o.exit_code(), o.message), (ERR::Okay, 0, None));
}

#[test]
fn an_uncaught_error_is_an_exception_with_the_scripts_line() {
    let o = source("local x = 1\nerror('went wrong')");
    assert_eq!(o.error, ERR::Exception);
    assert_eq!(o.exit_code(), ERR::Exception.0);
    let m = o.message.unwrap();
    assert!(m.contains("inline.fluid\"]:2: went wrong"), "{m}");
    assert!(!m.contains("traceback"), "{m}");
}

#[test]
fn an_uncaught_raise_exits_with_its_code() {
    let o = source("raise(ERR_NoData)");
    assert_eq!(o.error, ERR::NoData);
    assert_eq!(o.exit_code(), ERR::NoData.0);
}

#[test]
fn an_error_string_alone_makes_the_run_fail() {
    let o = source("obj.find('self').errorString = 'Ran 3 tests, passed 2'");
    assert_eq!(o.error, ERR::Okay);
    assert_eq!(o.error_string.as_deref(), Some("Ran 3 tests, passed 2"));
    assert_eq!(o.exit_code(), ERR::Failed.0);
}

#[test]
fn a_syntax_error_names_the_line() {
    let o = source("local a = 1\nif a != then end");
    assert_eq!(o.error, ERR::Syntax);
    let m = o.message.unwrap();
    assert!(m.contains(":2:"), "{m}");
}

#[test]
fn what_fluid_does_not_have_is_a_syntax_error_though_luajit_takes_it() {
    for src in [
        "local a = !true",
        "local a = 1\na += 1",
        "local a = true && false",
    ] {
        let o = source(src);
        assert_eq!(o.error, ERR::Syntax, "{src}");
        assert!(
            o.message.unwrap().contains("unexpected symbol near"),
            "{src}"
        );
    }
}

#[test]
fn objects_the_script_holds_are_freed_when_it_ends() {
    parasol::init().expect("classes");
    let script = Script::new(Options::default()).unwrap();
    let o = script.run_source(
        "hold.fluid",
        "held = obj.new('netsocket', { port = 0, flags = 'SERVER' })\nport = held.port",
    );
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
    let port: u16 = script.lua().globals().get("port").unwrap();
    drop(script);
    // The listening socket went with the script: the port can be bound again.
    std::net::TcpListener::bind(("0.0.0.0", port)).expect("the port is free");
}

#[test]
fn one_script_per_thread_at_a_time() {
    parasol::init().expect("classes");
    let first = Script::new(Options::default()).unwrap();
    assert_eq!(Script::new(Options::default()).err(), Some(ERR::InUse));
    drop(first);
    let second = Script::new(Options::default()).expect("the thread is free again");
    drop(second);
}

#[test]
fn a_callback_left_behind_by_an_ended_script_does_nothing() {
    parasol::init().expect("classes");
    let script = Script::new(Options::default()).unwrap();
    // A detached timer object outlives the script; its callback must not reach a dead state.
    let o = script.run_source(
        "left.fluid",
        "local n = obj.new('netlookup', { callback = function() error('must not run') end })\n\
         n.detach()\n\
         lookup = n.id",
    );
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
    let uid: i32 = script.lua().globals().get("lookup").unwrap();
    drop(script);
    let lookup = parasol::ObjectId::from_uid(uid).unwrap();
    assert!(lookup.exists(), "detached: still there");
    // Resolving an IP literal calls back at once; the script is gone, so nothing runs.
    let (e, _) = lookup.call_raw("BlockingResolveName", &[("HostName", "127.0.0.1".into())]);
    assert_eq!(e, ERR::Okay);
    lookup.free().unwrap();
}

#[test]
fn hostile_scripts_get_errors_not_crashes() {
    passes(run("hostile.fluid"));
}

#[test]
fn a_script_state_is_closed_when_the_script_is_dropped() {
    parasol::init().expect("classes");
    let script = Script::new(Options::default()).unwrap();
    let o = script.run_source(
        "closed.fluid",
        "server = obj.new('netsocket', { port = 0, flags = 'SERVER',\n\
            feedback = function() end, incoming = function() end })\n\
         local b = string.alloc(16)\n\
         mSys.SubscribeTimer(60, function() end)",
    );
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
    let weak = script.lua().weak();
    drop(script);
    // Nothing the door keeps (its tables, the callbacks left in objects, the timer) holds the
    // Lua state alive: a script run after script run does not pile up states.
    assert!(
        weak.try_upgrade().is_none(),
        "the Lua state outlived its script"
    );
}

#[test]
fn creating_a_network_object_includes_the_network_constants() {
    let o = source(
        "assert(NTC_CONNECTED == nil)\n\
         local s = obj.new('netsocket', {})\n\
         assert(NTC_CONNECTED == 3 and NSF_SERVER == 1)",
    );
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
}
