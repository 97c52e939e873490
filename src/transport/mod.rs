//! Browser transports (wasm32 only). Each one is a small wrapper that owns
//! every JS callback it registers and detaches them when dropped. They only
//! move bytes; every decision is the engine's.

mod polling;
mod websocket;

pub(crate) use polling::{PollingConfig, PollingTransport};
pub(crate) use websocket::WebSocketTransport;
