//! [`TransportKind`]: which transport an Engine.IO connection runs on.
//! The engine decides it; the client shows it (and re-exports it as
//! `leptos_socketio::TransportKind`).

use std::fmt;

/// The transport a connection runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransportKind {
    /// No connection has been made yet.
    #[default]
    None,
    /// A WebSocket.
    WebSocket,
    /// HTTP long-polling (over `fetch` in the browser).
    Polling,
}

impl TransportKind {
    /// `none`, `websocket` or `polling`, as in the Engine.IO URL and the demo
    /// app contract.
    ///
    /// ```
    /// use leptos_socketio::TransportKind;
    ///
    /// assert_eq!(TransportKind::WebSocket.as_str(), "websocket");
    /// assert_eq!(TransportKind::Polling.as_str(), "polling");
    /// assert_eq!(TransportKind::default().as_str(), "none"); // not connected yet
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::None => "none",
            TransportKind::WebSocket => "websocket",
            TransportKind::Polling => "polling",
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
