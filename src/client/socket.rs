//! [`Socket`]: the handle applications hold for one namespace.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use futures_channel::oneshot;

use crate::client::durable::DurableResult;
use crate::client::listeners::{Direction, Listeners};
use crate::client::sync::{MaybeSend, MaybeSync, Shared};
use crate::client::{
    AckSender, ConnectionState, DataError, DurableError, EmitError, Emitter, EventListener,
    Manager, OutboxError, SocketOptions, TransportKind,
};
use crate::protocol::{from_args, Value};

/// The namespace named by the options' URL (`/` when it names none).
fn namespace_of(options: &SocketOptions) -> String {
    crate::client::url::ServerUrl::parse(&options.url)
        .map(|u| u.namespace)
        .unwrap_or_else(|_| "/".to_owned())
}

/// A connection to one namespace of a Socket.IO server.
///
/// Cheap to clone (every clone is the same socket) and `Send + Sync`, so
/// Leptos views, contexts and closures can hold it. It leaves its namespace
/// when [`disconnect`](Self::disconnect) is called; the connection closes
/// when no namespace is left or the last clone of everything drops.
/// In the browser it connects as [`SocketOptions::transports`] says
/// (WebSocket first, long-polling as the fallback) and reconnects on its own
/// after a loss; natively with the `native` feature it does the same on
/// tokio, and without it (server rendering) it is inert and stays
/// [`ConnectionState::Disconnected`]. When the page is left
/// (`pagehide`) it leaves its namespace and the connection closes, so the
/// browser may keep the page in its back/forward cache; a page restored
/// from that cache (`pageshow`) joins again, unless
/// [`disconnect`](Self::disconnect) was called or reconnection had given
/// up.
///
/// Handlers (`on`, `on_with_ack`, `on_any`, …) are `Send + Sync` natively,
/// where a client may be used from several threads ([`MaybeSend`],
/// [`MaybeSync`]); in the browser any closure will do.
///
/// Data is typed through serde: [`emit`](Self::emit) takes any
/// `Serialize` value (a tuple is sent as several arguments), handlers and
/// acknowledgements decode into any `DeserializeOwned` type, and binary
/// (`bytes::Bytes`, `serde_bytes::ByteBuf`, or [`Value::Binary`]) may sit
/// anywhere in the data.
///
/// ```no_run
/// use leptos_socketio::{Socket, SocketOptions};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Ping { n: u32 }
///
/// # async fn demo() -> Result<(), leptos_socketio::AckError> {
/// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
/// let _guard = socket.on("ping", |ping: Result<Ping, _>| match ping {
///     Ok(ping) => println!("ping {}", ping.n),
///     Err(err) => eprintln!("{err}"),
/// });
/// let reply: Ping = socket.emit_with_ack("echo", Ping { n: 1 }).await?;
/// assert_eq!(reply.n, 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Socket {
    manager: Manager,
    namespace: Arc<str>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("namespace", &self.namespace)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// Connects to the server of `options` and joins the namespace named by
    /// its URL's path (`/` when there is none) on a new connection.
    ///
    /// ```
    /// use leptos_socketio::{Socket, SocketOptions};
    ///
    /// let chat = Socket::new(SocketOptions::new("http://127.0.0.1:3000/chat"));
    /// assert_eq!(chat.namespace(), "/chat");
    /// ```
    pub fn new(options: SocketOptions) -> Self {
        let namespace = namespace_of(&options);
        Manager::new(options).socket(&namespace)
    }

    /// A socket that never connects, whatever the platform (server
    /// rendering, where a page is rendered and not connected).
    #[cfg_attr(not(any(feature = "leptos", test)), allow(dead_code))]
    pub(crate) fn inert(options: SocketOptions) -> Self {
        let namespace = namespace_of(&options);
        Manager::with_driver(options, Box::new(crate::client::driver::InertDriver))
            .socket(&namespace)
    }

    pub(crate) fn open(manager: Manager, namespace: &str) -> Self {
        let socket = Socket {
            manager,
            namespace: Arc::from(namespace),
        };
        socket.join();
        socket
    }

    /// The connection this socket's namespace is multiplexed on, to open
    /// other namespaces on it.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// let chat = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // A second namespace over the same connection, not a second connection.
    /// let admin = chat.manager().socket("/admin");
    /// assert_eq!(admin.namespace(), "/admin");
    /// ```
    pub fn manager(&self) -> Manager {
        self.manager.clone()
    }

    /// This socket's namespace.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// assert_eq!(socket.namespace(), "/"); // the URL has no path
    /// ```
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn join(&self) {
        if !self.manager.runtime().connects() {
            // Nothing to connect with (server rendering): the socket stays
            // inert.
            return;
        }
        let now = self.manager.now();
        self.manager.with_core(|core| {
            let options = core.options.namespace_options();
            core.join(&self.namespace, options, now);
        });
        // Durable emits a previous page (or another tab) left.
        let runtime = self.manager.runtime();
        if let Some(durable) = runtime.durable() {
            (durable.load)(runtime, &self.namespace);
        }
        self.manager.pump();
    }

    /// The connection state now.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let status = format!("status: {}", socket.state());
    /// println!("{status}"); // "status: connecting" at first
    /// socket.disconnect();
    /// assert_eq!(socket.state().to_string(), "disconnected");
    /// ```
    pub fn state(&self) -> ConnectionState {
        self.manager
            .with_core(|core| core.state_of(&self.namespace))
    }

    /// The transport in use now (`None` before the first connection).
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions, TransportKind};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let via = match socket.transport() {
    ///     TransportKind::WebSocket => "WebSocket",
    ///     TransportKind::Polling => "long-polling",
    ///     TransportKind::None => "not connected yet",
    /// };
    /// assert_eq!(via, "not connected yet"); // nothing connects outside the browser
    /// ```
    pub fn transport(&self) -> TransportKind {
        self.manager.transport()
    }

    /// The round-trip time of the latest acknowledged emit (whole
    /// milliseconds), or `None` before the first. Emits buffered while
    /// disconnected do not count.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let ping = match socket.rtt() {
    ///     Some(rtt) => format!("{} ms", rtt.as_millis()),
    ///     None => "-".to_owned(),
    /// };
    /// assert_eq!(ping, "-"); // no emit has been acknowledged yet
    /// ```
    pub fn rtt(&self) -> Option<Duration> {
        self.manager.with_core(|core| core.rtt)
    }

    /// Whether the server restored this socket's previous session on the
    /// last connect: Socket.IO connection state recovery, offered by
    /// socket.io 4.6+ servers started with `connectionStateRecovery`. The
    /// client keeps the session id from the CONNECT answer and the offset
    /// the server appends to each event (taken off before handlers see the
    /// event), and sends both back (merged into the CONNECT auth) when it
    /// reconnects; a restored session keeps its rooms, and the events
    /// emitted to it while it was cut off arrive right after the connect.
    /// `false` on a first connection, against a server without recovery,
    /// or when the server could not restore (the session expired, or it had
    /// sent no event before the cut: it needs the offset of one): catch up
    /// by other means then.
    ///
    /// With such a server, an event without an ack whose last argument is a
    /// string has that string taken as the offset; the server adds one to
    /// every event it stores, but not to volatile ones, so send a volatile
    /// event's data as an object.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// assert!(!socket.recovered());
    /// ```
    pub fn recovered(&self) -> bool {
        self.manager
            .with_core(|core| core.recovered(&self.namespace))
    }

    /// The last connection error, as a sentence for a person.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// if let Some(reason) = socket.last_error() {
    ///     eprintln!("connection problem: {reason}");
    /// }
    /// ```
    pub fn last_error(&self) -> Option<String> {
        self.manager.with_core(|core| core.last_error.clone())
    }

    /// When the server refused this namespace (a CONNECT_ERROR, e.g. from an
    /// authentication middleware): the server's message, e.g.
    /// `unauthorized`. The socket then stays disconnected until
    /// [`connect`](Self::connect).
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// if let Some(message) = socket.connect_error() {
    ///     // e.g. "unauthorized": ask the user to sign in again.
    ///     eprintln!("the server refused the chat: {message}");
    /// }
    /// # assert_eq!(socket.connect_error(), None);
    /// ```
    pub fn connect_error(&self) -> Option<String> {
        self.manager.with_core(|core| core.refusal(&self.namespace))
    }

    /// While reconnecting: how long until the next attempt.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// if let Some(wait) = socket.next_attempt_in() {
    ///     println!("reconnecting in {} s", wait.as_secs());
    /// }
    /// ```
    pub fn next_attempt_in(&self) -> Option<Duration> {
        let at = self.manager.with_core(|core| core.next_attempt_at())?;
        Some(at.saturating_duration_since(self.manager.now()))
    }

    /// An emit with options: [`timeout`](Emitter::timeout) for its
    /// acknowledgement, [`volatile`](Emitter::volatile).
    pub(crate) fn emitter(&self) -> Emitter {
        Emitter::new(self.clone())
    }

    /// Emits `event` with `data`: a tuple is sent as several arguments,
    /// `()` as none, anything else as one (binary allowed anywhere). While
    /// disconnected it is buffered and sent, in order, once connected.
    ///
    /// Fails at once for a reserved event name, data that cannot be
    /// serialized, a socket closed with [`disconnect`](Self::disconnect),
    /// or when [`SocketOptions::max_buffered_emits`] emits already wait to
    /// be sent ([`EmitError::BufferFull`](crate::EmitError::BufferFull);
    /// those are kept and still sent).
    ///
    /// ```no_run
    /// # use leptos_socketio::{EmitError, Socket, SocketOptions};
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// socket.emit("join", "lobby")?; // one argument
    /// socket.emit("message", ("lobby", "hello, all"))?; // two arguments
    /// socket.emit("leave", ())?; // none
    /// # Ok::<(), EmitError>(())
    /// ```
    pub fn emit(&self, event: &str, data: impl Serialize) -> Result<(), crate::EmitError> {
        self.emitter().emit(event, data)
    }

    /// Emits `event` and waits for the server's acknowledgement, decoded
    /// into `R` (a tuple for several arguments, [`Args`](crate::Args) for
    /// all of them raw). Waits at most [`SocketOptions::ack_timeout`] when
    /// set; use [`timeout`](Self::timeout) for one emit.
    ///
    /// Ordering: event handlers run as their packet is handled, while the
    /// future resumes on a later task, so a handler of an event that the
    /// server sent right *after* this ack may run before the code after
    /// `.await`. Keep state that both touch consistent with that in mind
    /// (the chat, for one, lets a `presence` seen meanwhile win over the
    /// member list of a `join` ack).
    ///
    /// ```no_run
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // The server answers `join` with the room's members.
    /// let members: Vec<String> = socket.emit_with_ack("join", "lobby").await?;
    /// println!("{} people in the lobby", members.len());
    /// # Ok(()) }
    /// ```
    pub fn emit_with_ack<R: DeserializeOwned + 'static>(
        &self,
        event: &str,
        data: impl Serialize,
    ) -> impl std::future::Future<Output = Result<R, crate::AckError>> + 'static {
        self.emitter().emit_with_ack(event, data)
    }

    /// Emits `event` durably: the emit gets an id now, is written to storage
    /// (`localStorage` in the browser, memory natively) **before** it is
    /// sent, and is sent again with the same id after every reconnection
    /// and every page reload until the server acknowledges it. `make`
    /// builds the data from that id: put the id in the payload, so the
    /// server stores the emit once however often it arrives.
    ///
    /// Durable emits are off unless the socket's options turn them on with
    /// [`SocketOptions::durable`] (so pages that do not use them do not
    /// carry their code); otherwise this fails with
    /// [`OutboxError::Off`](crate::client::OutboxError::Off).
    ///
    /// The acknowledgement decides: `{ok: false, error}` fails the future
    /// with [`DurableError::Refused`](crate::DurableError::Refused) and the
    /// emit is not sent again; anything else resolves it (decoded into `R`)
    /// and removes the emit from storage. Tabs of one origin share the
    /// stored emits, and one tab at a time sends them (a lease in storage; a
    /// tab closed mid-send leaves them to another after
    /// [`OUTBOX_LEASE_MS`](crate::client::OUTBOX_LEASE_MS)). An emit that
    /// cannot be kept fails at once with
    /// [`DurableError::NotKept`](crate::DurableError::NotKept) and is not
    /// sent: storage full or unavailable, binary data, or
    /// [`MAX_DURABLE_EMITS`](crate::client::MAX_DURABLE_EMITS) already
    /// waiting. The future only waits while the page lives; after a reload
    /// the emit is still sent, and its entry leaves storage when stored.
    ///
    /// Durable emits go out after the connect handlers ran, so what those
    /// emit first (joining rooms again) reaches the server first. An emit
    /// that needs more than that before it can go (the room joined *and*
    /// acknowledged, on this tab) uses [`emit_durable_in`](Self::emit_durable_in).
    ///
    /// ```no_run
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # use serde::Deserialize;
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// #[derive(Deserialize)]
    /// struct Stored { seq: u64 }
    ///
    /// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000").durable());
    /// let text = "sent from a train";
    /// let stored: Stored = socket
    ///     .emit_durable("message", |id| serde_json::json!({"room": "lobby", "id": id, "text": text}))
    ///     .await?;
    /// println!("stored as #{}", stored.seq);
    /// # Ok(()) }
    /// ```
    pub fn emit_durable<R: DeserializeOwned + 'static, D: Serialize>(
        &self,
        event: &str,
        make: impl FnOnce(&str) -> D,
    ) -> impl std::future::Future<Output = Result<R, DurableError>> + 'static {
        self.emit_durable_in(None, event, make)
    }

    /// [`emit_durable`](Self::emit_durable), sent only once `scope` is open
    /// on a tab's connection ([`open_durable_scope`](Self::open_durable_scope)).
    /// Use it when the server accepts the event only after something else on
    /// the same connection, e.g. a chat `message` after the room's `join`:
    /// open the room's scope when the join is acknowledged. Scopes close
    /// when the connection is lost, and stay closed until opened again, so
    /// after a reconnect or a reload the entry waits for the room to be
    /// joined again; a tab that never joins that room leaves the entry to
    /// one that does. `None` is [`emit_durable`](Self::emit_durable).
    ///
    /// ```no_run
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # async fn f(socket: Socket) {
    /// let joined: Result<serde_json::Value, _> =
    ///     socket.emit_with_ack("join", serde_json::json!({"room": "lobby", "name": "ada"})).await;
    /// if joined.is_ok() {
    ///     socket.open_durable_scope("lobby");
    /// }
    /// let sent = socket.emit_durable_in::<serde_json::Value, _>(Some("lobby"), "message", |id| {
    ///     serde_json::json!({"room": "lobby", "id": id, "text": "hi"})
    /// });
    /// # let _ = sent.await; }
    /// ```
    pub fn emit_durable_in<R: DeserializeOwned + 'static, D: Serialize>(
        &self,
        scope: Option<&str>,
        event: &str,
        make: impl FnOnce(&str) -> D,
    ) -> impl std::future::Future<Output = Result<R, DurableError>> + 'static {
        let waiting = self.durable_push(scope, event, make);
        self.manager.pump();
        let event = event.to_owned();
        async move {
            let args = waiting?.await.unwrap_or(Err(DurableError::Dropped))?;
            from_args(args).map_err(|e| DurableError::Decode(DataError::new(&event, e.to_string())))
        }
    }

    /// Keeps a durable emit (stored before this returns) and gives the
    /// receiver of its outcome.
    fn durable_push<D: Serialize>(
        &self,
        scope: Option<&str>,
        event: &str,
        make: impl FnOnce(&str) -> D,
    ) -> Result<oneshot::Receiver<DurableResult>, DurableError> {
        crate::client::error::check_event_name(event)?;
        let runtime = self.manager.runtime();
        if runtime.durable().is_none() {
            return Err(OutboxError::Off.into());
        }
        let ns: &str = &self.namespace;
        runtime.durable_load(ns);
        let now_ms = runtime.unix_ms();
        let (id, form) = self.manager.with_core(|core| {
            core.durable_push(
                ns,
                scope,
                event,
                |id| {
                    crate::protocol::to_args(&make(id)).map_err(|e| EmitError::Serialize {
                        event: event.to_owned(),
                        reason: e.to_string(),
                    })
                },
                now_ms,
            )
        })?;
        if let Err(why) = runtime.durable_store(ns, &form) {
            self.manager
                .with_core(|core| core.durable().map(|d| d.forget(ns, &id)));
            return Err(OutboxError::Storage(why).into());
        }
        self.manager
            .with_core(|core| core.durable().map(|d| d.wait(ns, &id)))
            .ok_or_else(|| OutboxError::Off.into())
    }

    /// Opens `scope` on this connection: durable emits made
    /// [`in`](Self::emit_durable_in) it may go (this tab's and other tabs').
    /// Does nothing when durable emits are off.
    pub fn open_durable_scope(&self, scope: &str) {
        self.set_durable_scope(scope, true);
    }

    /// Closes `scope` (the room was left): its durable emits wait for a
    /// connection that opens it.
    pub fn close_durable_scope(&self, scope: &str) {
        self.set_durable_scope(scope, false);
    }

    fn set_durable_scope(&self, scope: &str, open: bool) {
        let ns: &str = &self.namespace;
        self.manager.with_core(|core| {
            if let Some(durable) = core.durable() {
                durable.set_scope(ns, scope, open);
            }
        });
        self.manager.pump();
    }

    /// The durable emits of this namespace that wait for the server,
    /// oldest first, as stored (this tab's, other tabs', a previous page's):
    /// to show them as pending after a reload. Empty when durable emits are
    /// off.
    pub fn durable_entries(&self) -> Vec<crate::client::OutboxEntry> {
        let runtime = self.manager.runtime();
        if runtime.durable().is_none() {
            return Vec::new();
        }
        runtime.durable_load(&self.namespace);
        self.manager
            .with_core(|core| core.durable().map(|d| d.entries(&self.namespace)))
            .unwrap_or_default()
    }

    /// Sets the acknowledgement timeout of the next emit, as
    /// socket.io-client's `socket.timeout(ms).emit(…)`.
    ///
    /// ```no_run
    /// # use leptos_socketio::{Socket, SocketOptions, AckError};
    /// # use std::time::Duration;
    /// # async fn demo(socket: Socket) {
    /// let reply = socket
    ///     .timeout(Duration::from_secs(2))
    ///     .emit_with_ack::<String>("echo", "hi")
    ///     .await;
    /// if let Err(AckError::Timeout(ms)) = reply {
    ///     eprintln!("no answer within {ms} ms");
    /// }
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> Emitter {
        self.emitter().timeout(timeout)
    }

    /// Makes the next emit volatile: sent only if connected now, dropped
    /// (not buffered) otherwise, as socket.io-client's `volatile`.
    ///
    /// ```no_run
    /// # use leptos_socketio::{EmitError, Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // "is typing" is stale by the time we reconnect: never buffer it.
    /// socket.volatile().emit("typing", "lobby")?;
    /// # Ok::<(), EmitError>(())
    /// ```
    pub fn volatile(&self) -> Emitter {
        self.emitter().volatile()
    }

    /// Calls `handler` with the data of every `event` the server emits,
    /// decoded into `T` (a tuple for several arguments, [`Args`](crate::Args)
    /// for all of them raw), until the returned guard is dropped. Data that
    /// does not decode reaches the handler as a [`DataError`].
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // `message` carries two arguments: the sender's name and the text.
    /// let listener = socket.on("message", |msg: Result<(String, String), _>| match msg {
    ///     Ok((name, text)) => println!("{name}: {text}"),
    ///     Err(err) => eprintln!("{err}"), // the server sent another shape
    /// });
    /// drop(listener); // unsubscribes
    /// ```
    pub fn on<T: DeserializeOwned>(
        &self,
        event: &str,
        handler: impl Fn(Result<T, DataError>) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        let event_name = event.to_owned();
        let decode = move |args: Vec<Value>| {
            handler(from_args(args).map_err(|e| DataError::new(&event_name, e.to_string())));
        };
        self.register(|listeners, ns| listeners.add_event(ns, event, Shared::new(decode)))
    }

    /// Answers the server's `event` when it asks for an acknowledgement
    /// (`emitWithAck` on the server): `handler` gets the decoded data and an
    /// [`AckSender`] to answer with, now or later. One answering handler per
    /// event; a new one replaces the old. Handlers added with
    /// [`on`](Self::on) still see the event.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // The server asks whether we accept an invitation to a room.
    /// let _invites = socket.on_with_ack("invite", |room: Result<String, _>, ack| {
    ///     let accept = matches!(room.as_deref(), Ok("lobby"));
    ///     if let Err(err) = ack.send(accept) {
    ///         eprintln!("{err}");
    ///     }
    /// });
    /// ```
    pub fn on_with_ack<T: DeserializeOwned>(
        &self,
        event: &str,
        handler: impl Fn(Result<T, DataError>, AckSender) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        let event_name = event.to_owned();
        let decode = move |args: Vec<Value>, ack: AckSender| {
            let data = from_args(args).map_err(|e| DataError::new(&event_name, e.to_string()));
            handler(data, ack);
        };
        self.register(|listeners, ns| listeners.set_ack(ns, event, Shared::new(decode)))
    }

    /// Calls `handler` with the name and raw arguments of every event the
    /// server emits on this namespace (socket.io-client's `onAny`).
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let _log = socket.on_any(|event, args| println!("<- {event} {args:?}"));
    /// ```
    pub fn on_any(
        &self,
        handler: impl Fn(&str, &[Value]) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        self.add_any(Direction::Incoming, handler)
    }

    /// Calls `handler` with the name and raw arguments of every event this
    /// socket emits, when it is emitted (socket.io-client's
    /// `onAnyOutgoing`).
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let _log = socket.on_any_outgoing(|event, args| println!("-> {event} {args:?}"));
    /// ```
    pub fn on_any_outgoing(
        &self,
        handler: impl Fn(&str, &[Value]) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        self.add_any(Direction::Outgoing, handler)
    }

    fn add_any(
        &self,
        direction: Direction,
        handler: impl Fn(&str, &[Value]) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        self.register(|listeners, ns| listeners.add_any(ns, direction, Shared::new(handler)))
    }

    /// Registers a handler with `add` and guards it.
    fn register(&self, add: impl FnOnce(&mut Listeners, &str) -> u64) -> EventListener {
        let listeners = &self.manager.runtime().listeners;
        let id = add(&mut listeners.lock(), &self.namespace);
        EventListener::new(listeners, id)
    }

    /// Calls `handler` whenever the connection state or transport changes,
    /// until the returned guard is dropped.
    ///
    /// ```
    /// # use leptos_socketio::{ConnectionState, Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let _status = socket.on_connection_change(|state, transport| match state {
    ///     ConnectionState::Connected => println!("online over {transport}"),
    ///     other => println!("{other}"),
    /// });
    /// ```
    pub fn on_connection_change(
        &self,
        handler: impl Fn(ConnectionState, TransportKind) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        self.register(|listeners, ns| listeners.add_connection(ns, Shared::new(handler)))
    }

    /// Calls `handler` with each new round-trip time (see [`rtt`](Self::rtt)),
    /// until the returned guard is dropped.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let _ping = socket.on_rtt(|rtt| println!("ping {} ms", rtt.as_millis()));
    /// ```
    pub fn on_rtt(
        &self,
        handler: impl Fn(Duration) + MaybeSend + MaybeSync + 'static,
    ) -> EventListener {
        self.register(|listeners, ns| listeners.add_rtt(ns, Shared::new(handler)))
    }

    /// How many handlers are registered on this socket (to check for leaks).
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// let before = socket.listener_count();
    /// let listener = socket.on("message", |_: Result<String, _>| {});
    /// drop(listener);
    /// assert_eq!(socket.listener_count(), before); // the handler is gone
    /// ```
    pub fn listener_count(&self) -> usize {
        self.manager.runtime().listeners.lock().len(&self.namespace)
    }

    /// Joins the namespace again after [`disconnect`](Self::disconnect) (or
    /// after reconnection gave up or the server refused it); does nothing
    /// while connected or connecting.
    ///
    /// ```
    /// # use leptos_socketio::{ConnectionState, Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // The "Reconnect" button of the chat's status bar.
    /// if socket.state() == ConnectionState::Disconnected {
    ///     socket.connect();
    /// }
    /// ```
    pub fn connect(&self) {
        if self
            .manager
            .with_core(|core| core.is_active(&self.namespace))
        {
            return;
        }
        self.join();
    }

    /// Leaves the namespace for good (until [`connect`](Self::connect));
    /// when it was the connection's last, the connection closes and no
    /// reconnection is attempted. Pending acks fail with
    /// [`AckError::Disconnected`](crate::AckError::Disconnected).
    ///
    /// ```
    /// # use leptos_socketio::{EmitError, Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// socket.disconnect(); // the user left the chat
    /// assert_eq!(socket.emit("message", "hi"), Err(EmitError::Disconnected));
    /// ```
    pub fn disconnect(&self) {
        let now = self.manager.now();
        let left = self.manager.with_core(|core| {
            let active = core.is_active(&self.namespace);
            // Also when not active: a namespace the page left when it was
            // hidden stays left when the page comes back.
            core.leave(&self.namespace, now);
            active
        });
        if left {
            self.manager.pump();
        }
    }

    /// Shows an emit to the `on_any_outgoing` handlers.
    pub(crate) fn notify_outgoing(&self, event: &str, args: &[Value]) {
        let handlers = self
            .manager
            .runtime()
            .listeners
            .lock()
            .any_handlers(&self.namespace, Direction::Outgoing);
        for handler in handlers {
            handler(event, args);
        }
    }

    pub(crate) fn manager_ref(&self) -> &Manager {
        &self.manager
    }

    pub(crate) fn namespace_arc(&self) -> &Arc<str> {
        &self.namespace
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EmitError;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn handles_are_send_and_sync_for_leptos_views_and_contexts() {
        assert_send_sync::<Socket>();
        assert_send_sync::<Manager>();
        assert_send_sync::<EventListener>();
    }

    #[test]
    fn an_inert_socket_never_connects_and_refuses_emits() {
        // What server rendering gets (and `Socket::new` natively without
        // the `native` feature).
        let socket = Socket::inert(SocketOptions::new("http://127.0.0.1:3000"));
        assert_eq!(socket.state(), ConnectionState::Disconnected);
        assert_eq!(socket.transport(), TransportKind::None);
        assert_eq!(socket.rtt(), None);
        assert_eq!(socket.emit("x", ()), Err(EmitError::Disconnected));
        socket.connect();
        assert_eq!(socket.state(), ConnectionState::Disconnected);
        // Handlers are kept (a native driver would call them); the guard
        // still removes its own.
        let guard = socket.on("x", |_: Result<String, _>| {});
        assert_eq!(socket.listener_count(), 1);
        drop(guard);
        assert_eq!(socket.listener_count(), 0);
    }

    #[test]
    fn a_socket_can_move_to_another_thread_and_be_dropped_there() {
        let socket = Socket::inert(SocketOptions::new("http://127.0.0.1:3000"));
        let guard = socket.on("x", |_: Result<String, _>| {});
        let other = std::thread::spawn(move || {
            let state = socket.state();
            drop(guard);
            drop(socket);
            state
        });
        assert_eq!(
            other.join().expect("no panic on another thread"),
            ConnectionState::Disconnected
        );
    }
}
