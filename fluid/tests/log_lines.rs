//! What the door logs when a callback fails: a warning naming the object and the script's
//! position for an error, debug for a raise of Terminate (how a script closes a connection).

use parasol::ERR;
use parasol_fluid::{Options, Script};
use std::sync::Mutex;

static LINES: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, r: &log::Record) {
        if r.target().starts_with("parasol_fluid") {
            LINES
                .lock()
                .unwrap()
                .push((r.level(), r.args().to_string()));
        }
    }
    fn flush(&self) {}
}

#[test]
fn a_failing_callback_is_a_warning_naming_its_object_and_a_raise_of_terminate_is_debug() {
    log::set_boxed_logger(Box::new(Capture)).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    parasol::init().unwrap();
    let script = Script::new(Options::default()).unwrap();
    let o = script.run_source(
        "logged.fluid",
        "include 'network'\n\
         local proc = processing.new({ timeout = 5 })\n\
         local server = obj.new('netsocket', { port = 0, flags = 'SERVER|MULTI_CONNECT',\n\
            feedback = function(Server, Client, State)\n\
               if State == NTC_CONNECTED then error('feedback broke') end\n\
               if State == NTC_DISCONNECTED then proc.signal() end\n\
            end,\n\
            incoming = function(Server, Client) raise(ERR_Terminate) end })\n\
         server_id = server.id\n\
         local client = obj.new('netsocket', { feedback = function(Socket, State)\n\
            if State == NTC_CONNECTED then Socket.acWrite('x') end end })\n\
         client.mtConnect('127.0.0.1', server.port)\n\
         assert(proc.sleep() == ERR_Okay)",
    );
    assert_eq!(o.error, ERR::Okay, "{:?}", o.message);
    let server: i32 = script.lua().globals().get("server_id").unwrap();
    let lines = LINES.lock().unwrap().clone();
    let warned = lines.iter().any(|(level, text)| {
        *level == log::Level::Warn
            && text.contains(&format!("callback on #{server} failed"))
            && text.contains("logged.fluid\"]:5: feedback broke")
    });
    assert!(warned, "{lines:#?}");
    let terminate = lines
        .iter()
        .find(|(_, text)| text.contains("raised ERR::Terminate"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(terminate.0, log::Level::Debug, "{lines:#?}");
}
