//! Fuzzes `payload`: see `leptos_socketio_fuzz::checks::payload` for the property.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leptos_socketio_fuzz::checks::payload(data));
