//! `fluid`: the Fluid echo server of the examples (`examples/fluid/echo_server.fluid`), run as
//! it is through the Fluid door, so the figure is what a ported script gets.

use parasol_fluid::{Options, Script};

/// The example, compiled into the benchmark so it measures exactly the shipped text.
const ECHO_SERVER: &str = include_str!("../../../examples/fluid/echo_server.fluid");

/// Serves until killed. The port is announced from a hook on `obj.new` (the example prints it
/// to stderr, which the benchmark does not read, so its `print` is silenced); the example
/// itself runs unchanged.
pub fn serve(read_chunk: usize) -> Result<(), String> {
    parasol::init().map_err(|e| format!("parasol::init: {e:?}"))?;
    let options = Options {
        args: vec![
            ("port".into(), "0".into()),
            ("buffer".into(), read_chunk.to_string()),
        ],
        ..Options::default()
    };
    let script = Script::new(options).map_err(|e| format!("Fluid state: {e:?}"))?;
    let lua = script.lua();
    let hook = lua
        .create_function(|_, port: u16| {
            super::announce(port);
            Ok(())
        })
        .and_then(|f| lua.globals().set("bench_announce", f))
        .and_then(|()| lua.globals().set("bench_source", ECHO_SERVER));
    hook.map_err(|e| format!("Fluid hook: {e}"))?;
    let outcome = script.run_source(
        "bench",
        "print = function() end -- the example's banner: the benchmark reads its own\n\
         local new = obj.new\n\
         obj.new = function(class, fields)\n\
            local h = new(class, fields)\n\
            if class:lower() == 'netsocket' then bench_announce(h.port) end\n\
            return h\n\
         end\n\
         exec(bench_source)\n",
    );
    match outcome.exit_code() {
        0 => Ok(()),
        _ => Err(format!(
            "the Fluid echo server stopped: {:?}",
            outcome.message
        )),
    }
}
