//! Browser transports (wasm32 only). Each one is a small wrapper that owns
//! every JS callback it registers and detaches them when dropped.

mod websocket;

pub(crate) use websocket::{TransportEvent, WebSocketTransport};
