#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sidecar_guard_fuzz::settings(data));
