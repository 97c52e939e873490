//! [`SocketOptions`]: how to reach the server, with socket.io-client's defaults.

use std::time::Duration;

use crate::protocol::Value;

/// Options of a [`Socket`](crate::Socket). Every field has a default that
/// matches socket.io-client; set them with the builder methods.
///
/// ```
/// use leptos_socketio::SocketOptions;
/// use std::time::Duration;
///
/// let options = SocketOptions::new("https://chat.example.com")
///     .auth(serde_json::json!({ "token": "s3cret" }))
///     .ack_timeout(Duration::from_secs(10));
/// assert_eq!(options.path, "/socket.io/");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SocketOptions {
    /// The server, e.g. `http://127.0.0.1:3000`. Empty means the page's own
    /// origin. A path in it names the namespace, as in socket.io-client
    /// (`https://host/admin` connects to namespace `/admin`).
    pub url: String,
    /// Where the server mounts Engine.IO. Default: `/socket.io/`.
    pub path: String,
    /// Sent with the namespace CONNECT, e.g. `{"token": "…"}`. Default: none.
    pub auth: Option<Value>,
    /// How long `emit_with_ack` waits for the server. Default: forever
    /// (`None`), as socket.io-client.
    pub ack_timeout: Option<Duration>,
    /// socket.io-client's `retries`: re-send each emit until acked, up to
    /// this many extra times, one emit in flight at a time. Default: 0 (off).
    pub retries: u32,
    /// How long the transport may take to open and complete the Engine.IO
    /// handshake. Default: 20 000 ms (socket.io-client's `timeout`).
    pub connect_timeout: Duration,
}

impl SocketOptions {
    /// Options for the server at `url`, every other field at its default.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Sets [`path`](Self::path).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets [`auth`](Self::auth).
    pub fn auth(mut self, auth: Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets [`ack_timeout`](Self::ack_timeout).
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = Some(timeout);
        self
    }

    /// Sets [`retries`](Self::retries).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}

impl Default for SocketOptions {
    fn default() -> Self {
        Self {
            url: String::new(),
            path: "/socket.io/".to_owned(),
            auth: None,
            ack_timeout: None,
            retries: 0,
            connect_timeout: Duration::from_millis(20_000),
        }
    }
}
