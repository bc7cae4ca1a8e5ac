//! Fuzz target `error_body`: see `passkey_desk_core::fuzzing::error_body`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| passkey_desk_core::fuzzing::error_body(data));
