#![no_main]

#[path = "../logic/lookup_udp.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| logic::run(data));
