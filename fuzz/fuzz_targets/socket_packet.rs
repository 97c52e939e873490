//! Fuzzes `socket_packet`: see `leptos_socketio_fuzz::checks::socket_packet` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leptos_socketio_fuzz::checks::socket_packet(data));
