#![no_main]

#[path = "../logic/tls_settings.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| logic::run(data));
