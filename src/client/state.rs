//! What a person (or a UI) sees of a connection: its state and its transport.

use std::fmt;

/// The state of a [`Socket`](crate::Socket)'s connection.
///
/// [`as_str`](Self::as_str) gives the exact words of the demo app contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConnectionState {
    /// The first connection is being made.
    #[default]
    Connecting,
    /// Connected to the namespace: emits go out at once.
    Connected,
    /// The connection was lost; the client is trying again.
    Reconnecting,
    /// Not connected, and not trying: after [`Socket::disconnect`](crate::Socket::disconnect),
    /// when reconnection gave up, or outside a browser.
    Disconnected,
}

impl ConnectionState {
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    ///
    /// ```
    /// use leptos_socketio::ConnectionState;
    ///
    /// assert_eq!(ConnectionState::Reconnecting.as_str(), "reconnecting");
    /// // e.g. a CSS class for the chat's status bar
    /// let class = format!("status {}", ConnectionState::Connected.as_str());
    /// assert_eq!(class, "status connected");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Disconnected => "disconnected",
        }
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Re-exported from the engine, which decides it; kept here, where a
/// person reads about what a connection shows.
pub use crate::engine::TransportKind;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_transports_print_the_contract_words() {
        let states = [
            ConnectionState::Connecting,
            ConnectionState::Connected,
            ConnectionState::Reconnecting,
            ConnectionState::Disconnected,
        ];
        let words: Vec<_> = states.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            words,
            ["connecting", "connected", "reconnecting", "disconnected"]
        );
        assert_eq!(TransportKind::default().to_string(), "none");
        assert_eq!(TransportKind::WebSocket.to_string(), "websocket");
        assert_eq!(TransportKind::Polling.to_string(), "polling");
    }
}
