//! [`TransportEvent`]: what a transport reports to its Engine.IO socket.

use crate::engine::TransportError;
use crate::protocol::Frame;

/// What a transport reports: a WebSocket opening and its frames, a
/// long-polling answer, or the end of the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportEvent {
    /// The WebSocket opened.
    Open,
    /// A WebSocket frame arrived.
    Frame(Frame),
    /// A long-polling GET answered with this body (an encoded payload).
    Response(String),
    /// A long-polling POST was accepted.
    PostDone,
    /// The transport failed or closed; it reports nothing more.
    Failed(TransportError),
}
