#![no_main]

#[path = "../logic/fluid_prepass.rs"]
mod logic;

libfuzzer_sys::fuzz_target!(|data: &[u8]| logic::run(data));
