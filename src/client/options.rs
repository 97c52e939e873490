//! [`SocketOptions`]: how to reach the server, with socket.io-client's defaults.

use std::time::Duration;

use crate::client::{NamespaceOptions, ReconnectOptions, DEFAULT_MAX_BUFFERED_EMITS};
use crate::engine::{TransportMode, DEFAULT_WEBSOCKET_DEADLINE};
use crate::protocol::Value;

/// Options of a [`Socket`](crate::Socket). Every field has a default that
/// matches socket.io-client; set them with the builder methods.
///
/// ```
/// use leptos_socketio::SocketOptions;
/// use std::time::Duration;
///
/// let options = SocketOptions::new("https://chat.example.com")
///     .auth(serde_json::json!({ "token": "s3cret" }).into())
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
    /// Query parameters added to every Engine.IO request (after any in
    /// [`url`](Self::url)), as socket.io-client's `query`; the server reads
    /// them from the handshake (`socket.handshake.query` in Node). `EIO`,
    /// `transport`, `sid` and `t` are Engine.IO's own: using one fails the
    /// connection with [`UrlError::ReservedQueryKey`](crate::client::UrlError).
    /// Default: none.
    pub query: Vec<(String, String)>,
    /// How long `emit_with_ack` waits for the server. Default: forever
    /// (`None`), as socket.io-client.
    pub ack_timeout: Option<Duration>,
    /// socket.io-client's `retries`: re-send each emit until acked, up to
    /// this many extra times, one emit in flight at a time. Each try waits
    /// [`ack_timeout`](Self::ack_timeout) (or the emit's own timeout), or
    /// 10 000 ms when neither is set. Default: 0 (off).
    pub retries: u32,
    /// How many emits may wait to be sent: those made while disconnected
    /// (sent in order once connected) and, with [`retries`](Self::retries),
    /// those queued behind the one waiting for its ack. When that many
    /// wait, the next emit fails with
    /// [`EmitError::BufferFull`](crate::EmitError::BufferFull) (through
    /// its future for `emit_with_ack`) and the waiting ones are kept, so a
    /// page that emits on a timer cannot grow without end through a long
    /// outage. Volatile emits never wait. Default: 1 000
    /// ([`DEFAULT_MAX_BUFFERED_EMITS`]); socket.io-client has no bound.
    pub max_buffered_emits: usize,
    /// Durable emits ([`Socket::emit_durable`](crate::Socket::emit_durable))
    /// are on: set by [`durable`](Self::durable). Off by default, so a page
    /// that does not use them does not carry their code.
    pub durable: Option<Durable>,
    /// How long the transport may take to open and complete the Engine.IO
    /// handshake. Default: 20 000 ms (socket.io-client's `timeout`).
    pub connect_timeout: Duration,
    /// Which transports to use and in which order. Default:
    /// [`TransportMode::Auto`] — WebSocket first, long-polling when it cannot
    /// open within [`websocket_deadline`](Self::websocket_deadline), probing
    /// WebSocket again from polling.
    pub transports: TransportMode,
    /// In `Auto` mode, how long the WebSocket may take to open and complete
    /// the handshake before polling is used instead. Default: 2 500 ms.
    pub websocket_deadline: Duration,
    /// In `Auto` mode, remember the transport that worked (in
    /// `localStorage`, per server, for a day) and try it first on the next
    /// page load. Default: `true`.
    pub remember_transport: bool,
    /// Reconnection after a lost connection. Default: on, 1 000 ms doubling
    /// to 5 000 ms with randomization 0.5, unlimited attempts.
    pub reconnection: ReconnectOptions,
    /// Send cookies with polling requests to another origin (fetch
    /// `credentials: "include"`; the server must allow credentials).
    /// Default: `false`.
    pub with_credentials: bool,
    /// Extra HTTP headers on polling requests (browsers cannot set headers
    /// on a WebSocket). Default: none.
    pub extra_headers: Vec<(String, String)>,
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

    /// Adds a query parameter (see [`query`](Self::query)).
    ///
    /// ```
    /// use leptos_socketio::SocketOptions;
    ///
    /// let options = SocketOptions::new("http://127.0.0.1:3000").query("room", "lobby");
    /// assert_eq!(options.query, [("room".to_owned(), "lobby".to_owned())]);
    /// ```
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
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

    /// Turns durable emits on ([`Socket::emit_durable`](crate::Socket::emit_durable)):
    /// emits kept in storage until the server has them, sent again after
    /// reconnections and reloads, shared by the tabs of the origin.
    ///
    /// ```
    /// use leptos_socketio::SocketOptions;
    ///
    /// let options = SocketOptions::new("http://127.0.0.1:3000").durable();
    /// assert!(options.durable.is_some());
    /// ```
    pub fn durable(mut self) -> Self {
        self.durable = Some(Durable::ON);
        self
    }

    /// Sets [`max_buffered_emits`](Self::max_buffered_emits).
    ///
    /// ```
    /// use leptos_socketio::SocketOptions;
    ///
    /// // A dashboard that reports every second: keep at most a minute offline.
    /// let options = SocketOptions::new("http://127.0.0.1:3000").max_buffered_emits(60);
    /// assert_eq!(options.max_buffered_emits, 60);
    /// ```
    pub fn max_buffered_emits(mut self, max: usize) -> Self {
        self.max_buffered_emits = max;
        self
    }

    /// Sets [`transports`](Self::transports).
    pub fn transports(mut self, mode: TransportMode) -> Self {
        self.transports = mode;
        self
    }

    /// Sets [`websocket_deadline`](Self::websocket_deadline).
    pub fn websocket_deadline(mut self, deadline: Duration) -> Self {
        self.websocket_deadline = deadline;
        self
    }

    /// Sets [`remember_transport`](Self::remember_transport).
    pub fn remember_transport(mut self, remember: bool) -> Self {
        self.remember_transport = remember;
        self
    }

    /// Sets [`reconnection`](Self::reconnection).
    pub fn reconnection(mut self, reconnection: ReconnectOptions) -> Self {
        self.reconnection = reconnection;
        self
    }

    /// Sets [`with_credentials`](Self::with_credentials).
    pub fn with_credentials(mut self, with_credentials: bool) -> Self {
        self.with_credentials = with_credentials;
        self
    }

    /// Adds an extra HTTP header to polling requests.
    pub fn extra_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The options of each namespace opened with these.
    pub(crate) fn namespace_options(&self) -> NamespaceOptions {
        NamespaceOptions {
            auth: self.auth.clone(),
            ack_timeout: self.ack_timeout,
            retries: self.retries,
            max_buffered_emits: self.max_buffered_emits,
        }
    }
}

impl Default for SocketOptions {
    fn default() -> Self {
        Self {
            url: String::new(),
            path: "/socket.io/".to_owned(),
            auth: None,
            query: Vec::new(),
            ack_timeout: None,
            retries: 0,
            max_buffered_emits: DEFAULT_MAX_BUFFERED_EMITS,
            durable: None,
            connect_timeout: Duration::from_millis(20_000),
            transports: TransportMode::Auto,
            websocket_deadline: DEFAULT_WEBSOCKET_DEADLINE,
            remember_transport: true,
            reconnection: ReconnectOptions::default(),
            with_credentials: false,
            extra_headers: Vec::new(),
        }
    }
}

/// Durable emits, turned on by [`SocketOptions::durable`]. It carries the
/// code that runs them, so only a page that turns them on includes it.
#[derive(Clone, Copy)]
pub struct Durable {
    /// Makes a client's durable state from its seed.
    pub(crate) make: fn(u64) -> Box<dyn crate::client::durable::DurableHooks>,
    /// After every step of the core: store, load, send.
    pub(crate) step: fn(&crate::client::runtime::Runtime, crate::time::Instant),
    /// When a namespace is joined: what storage holds for it.
    pub(crate) load: fn(&crate::client::runtime::Runtime, &str),
    /// When the runtime's timer must wake for them.
    pub(crate) deadline: fn(&crate::client::runtime::Runtime) -> Option<crate::time::Instant>,
}

impl Durable {
    const ON: Durable = Durable {
        make: crate::client::durable::new_durable,
        step: crate::client::runtime::Runtime::durable_step,
        load: crate::client::runtime::Runtime::durable_load,
        deadline: crate::client::runtime::Runtime::durable_deadline,
    };
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Durable")
    }
}

/// Every `Durable` is the same switch.
impl PartialEq for Durable {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
