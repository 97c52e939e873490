//! Fuzzes `engine_packet`: see `leptos_socketio_fuzz::checks::engine_packet` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leptos_socketio_fuzz::checks::engine_packet(data));
