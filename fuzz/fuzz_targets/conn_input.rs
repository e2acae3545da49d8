#![no_main]

#[path = "../logic/conn_input.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| logic::run(data));
