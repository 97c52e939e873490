//! Fuzzes `reassembler`: see `leptos_socketio_fuzz::checks::reassembler` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leptos_socketio_fuzz::checks::reassembler(data));
