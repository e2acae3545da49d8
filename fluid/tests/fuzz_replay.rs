//! Replays the Fluid fuzz corpora on stable: every file of `fuzz/corpus/<target>/` (and of
//! `fuzz/artifacts/<target>/`, if present) goes through the `run()` the cargo-fuzz target calls
//! (`fuzz/logic/<target>.rs`), so CI checks the targets' invariants without nightly.

#[path = "../../fuzz/logic/fluid_door.rs"]
mod fluid_door;
#[path = "../../fuzz/logic/fluid_prepass.rs"]
mod fluid_prepass;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "artifacts"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) {
            files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target}");
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    for f in inputs(target) {
        let data = std::fs::read(&f).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target}: {} failed", f.display());
    }
}

#[test]
fn fluid_prepass_corpus() {
    replay("fluid_prepass", fluid_prepass::run);
}

#[test]
fn fluid_door_corpus() {
    replay("fluid_door", fluid_door::run);
}
