//! [`TransportError`]: why a transport failed, as the browser reported it.

/// Why a transport (a WebSocket or a long-polling request) failed. Every
/// one of them ends the transport; the engine falls back, or the client
/// reconnects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The WebSocket closed, or could not open. Browsers report a refused or
    /// cut connection as code 1006 with no reason; they give no more detail.
    #[error("the WebSocket closed (code {code}{})", if reason.is_empty() { String::new() } else { format!(": {reason}") })]
    WebSocketClosed {
        /// The close code (1000 normal, 1006 abnormal: refused or cut).
        code: u16,
        /// The close reason the server gave, often empty.
        reason: String,
    },
    /// A polling request got a non-2xx answer. `400` with `Session ID
    /// unknown` means the server no longer knows the session (it restarted,
    /// or the session timed out there).
    #[error("the server answered HTTP {status}: {message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// The server's message (Engine.IO servers send `{"message": …}`).
        message: String,
    },
    /// A polling request failed before an answer: refused, reset, aborted, or
    /// blocked by the browser (e.g. CORS).
    #[error("the polling request failed: {0}")]
    Network(String),
    /// The transport could not be created at all (e.g. an invalid URL).
    #[error("the transport could not be opened: {0}")]
    Unavailable(String),
}

impl TransportError {
    /// The error of a non-2xx answer to a long-polling request: Engine.IO
    /// servers answer with `{"code":1,"message":"Session ID unknown"}`,
    /// whose `message` is kept; any other body is kept as it is, cut at
    /// 200 characters.
    ///
    /// ```
    /// use leptos_socketio::engine::TransportError;
    ///
    /// let err = TransportError::from_http(400, r#"{"code":1,"message":"Session ID unknown"}"#);
    /// assert!(err.is_session_unknown());
    /// ```
    pub fn from_http(status: u16, body: &str) -> Self {
        let message = crate::protocol::json::parse(body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| body.chars().take(200).collect());
        TransportError::Http { status, message }
    }

    /// Whether the server said it no longer knows the session.
    pub fn is_session_unknown(&self) -> bool {
        matches!(self, TransportError::Http { status: 400, message } if message.contains("Session ID unknown"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_failure() {
        let ws = TransportError::WebSocketClosed {
            code: 1006,
            reason: String::new(),
        };
        assert_eq!(ws.to_string(), "the WebSocket closed (code 1006)");
        let http = TransportError::Http {
            status: 400,
            message: "Session ID unknown".into(),
        };
        assert_eq!(
            http.to_string(),
            "the server answered HTTP 400: Session ID unknown"
        );
        assert!(http.is_session_unknown());
        assert!(!ws.is_session_unknown());
    }
}
