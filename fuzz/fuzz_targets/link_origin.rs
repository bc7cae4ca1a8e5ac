//! Fuzz target `link_origin`: see `passkey_desk_core::fuzzing::link_origin`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| passkey_desk_core::fuzzing::link_origin(data));
