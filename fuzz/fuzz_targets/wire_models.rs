//! Fuzz target `wire_models`: see `passkey_desk_core::fuzzing::wire_models`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| passkey_desk_core::fuzzing::wire_models(data));
