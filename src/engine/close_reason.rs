//! Why an Engine.IO session ended.

use crate::engine::TransportError;
use crate::protocol::DecodeError;

/// Why an Engine.IO session closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseReason {
    /// The server sent no ping within `pingInterval + pingTimeout`: the
    /// connection is presumed dead (a frozen server or a silent network).
    #[error("the server sent no heartbeat in time; the connection is presumed dead")]
    PingTimeout,
    /// The server sent an Engine.IO `close` packet.
    #[error("the server closed the session")]
    ServerClosed,
    /// The transport (WebSocket or polling) closed or failed underneath.
    #[error("the connection was lost: {0}")]
    TransportClosed(TransportError),
    /// The server did not complete the Engine.IO handshake in time.
    #[error("the server did not complete the Engine.IO handshake in time")]
    HandshakeTimeout,
    /// The server sent something that is not valid Engine.IO v4.
    #[error("the server sent an invalid packet: {0}")]
    ProtocolError(DecodeError),
    /// The server sent a valid packet at a moment the protocol does not allow.
    #[error("the server broke the Engine.IO protocol: it sent {0}")]
    UnexpectedPacket(&'static str),
    /// The application closed the session.
    #[error("the client closed the connection")]
    ClientClosed,
}

impl CloseReason {
    /// Whether a client should try to reconnect after this reason: every
    /// reason but an explicit close by the application.
    pub fn is_recoverable(&self) -> bool {
        !matches!(self, CloseReason::ClientClosed)
    }
}
