//! `parasol fluid SCRIPT [key=value …]`: runs a Fluid script, like Parasol's launcher.

use super::{serve, shutdown, FluidArgs};
use parasol::LoopHandle;
use parasol_fluid::{Options, Script};

/// The script's arguments as Parasol's launcher makes them: `key=value`, or `key` alone for
/// `key=1`.
fn script_args(raw: &[String]) -> Vec<(String, String)> {
    raw.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.clone(), "1".to_string()),
        })
        .collect()
}

/// Runs the script; the exit code is Parasol's: the error's code when the script failed,
/// 13 (Failed) when it only set its errorString, else 0.
pub(crate) fn run(args: &FluidArgs) -> i32 {
    let server_identity = match args.tls_self_signed {
        true => match serve::self_signed(None) {
            Ok(identity) => Some(identity),
            Err(code) => return code,
        },
        false => None,
    };
    let options = Options {
        args: script_args(&args.args),
        script_dirs: args.scripts.clone(),
        parasol_compat: args.parasol_compat,
        server_identity,
    };
    // SIGINT/SIGTERM end the script's sleep with Terminate, as a quit message does in Parasol.
    if let Err(e) = LoopHandle::current()
        .map_err(|e| std::io::Error::other(format!("{e:?}")))
        .and_then(|h| shutdown::quit_on_signal(vec![h]))
    {
        eprintln!("parasol: watching for signals: {e}");
        return 1;
    }
    let script = match Script::new(options) {
        Ok(s) => s,
        Err(e) => return super::fail("starting the Fluid state", e),
    };
    let outcome = script.run_file(&args.script);
    drop(script);
    if let Some(message) = &outcome.message {
        eprintln!("parasol: {}: {message}", args.script.display());
    }
    outcome.exit_code()
}

#[cfg(test)]
mod tests {
    use super::script_args;

    #[test]
    fn arguments_are_split_at_the_first_equals_sign() {
        let raw = ["file=a=b.fluid".to_string(), "verbose".to_string()];
        assert_eq!(
            script_args(&raw),
            vec![
                ("file".to_string(), "a=b.fluid".to_string()),
                ("verbose".to_string(), "1".to_string())
            ]
        );
    }
}
