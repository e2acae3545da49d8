#![no_main]

#[path = "../logic/flags_lookup.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| logic::run(data));
