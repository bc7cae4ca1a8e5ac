//! Fuzz target `duration`: see `passkey_desk_core::fuzzing::duration`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| passkey_desk_core::fuzzing::duration(data));
