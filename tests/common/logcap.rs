//! A logger that keeps every record, for tests that check what is logged (and how often). A
//! test binary that uses it calls [`install`] instead of `setup`'s env_logger.

#![allow(dead_code)]

use std::sync::Mutex;

static LINES: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{}", record.args());
        LINES.lock().unwrap().push((record.level(), line));
    }
    fn flush(&self) {}
}

/// Installs the capturing logger (once per process) and registers the classes.
pub fn install() {
    parasol::init().expect("register classes");
    if log::set_logger(&Capture).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}

/// Lines at `level` or more severe that contain `needle`.
pub fn count(level: log::Level, needle: &str) -> usize {
    LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, s)| *l <= level && s.contains(needle))
        .count()
}

/// Every captured line (for failure messages).
pub fn all() -> Vec<String> {
    LINES
        .lock()
        .unwrap()
        .iter()
        .map(|(l, s)| format!("{l} {s}"))
        .collect()
}
