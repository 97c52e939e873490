//! [`Socket`]: the handle applications hold. It runs the Engine.IO
//! [`Session`] and the Socket.IO [`Connection`] on browser timers and a
//! WebSocket; all protocol decisions are theirs, this file only moves data.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::rc::Rc;

use futures_channel::oneshot;

use crate::client::error::check_event_name;
use crate::client::listeners::Listeners;
use crate::client::{
    AckError, AckFailure, Connection, ConnectionState, EmitError, EmitOptions, EventListener,
    NamespaceEvent, NamespaceOptions, Outgoing, SocketOptions, TransportKind,
};
use crate::engine::{Session, SessionEvent};
#[cfg(target_arch = "wasm32")]
use crate::protocol::EnginePacket;
use crate::protocol::{Frame, Value};
use crate::time::Instant;

/// A connection to one namespace of a Socket.IO server.
///
/// Cheap to clone: every clone is the same connection. The connection closes
/// when [`disconnect`](Self::disconnect) is called or the last clone drops.
/// In the browser it connects over WebSocket; elsewhere (native code, server
/// rendering) it is inert and stays [`ConnectionState::Disconnected`].
///
/// ```no_run
/// use leptos_socketio::{Socket, SocketOptions};
///
/// # async fn demo() -> Result<(), leptos_socketio::AckError> {
/// let socket = Socket::connect(SocketOptions::new("http://127.0.0.1:3000"));
/// let reply = socket.emit_with_ack("echo", vec!["hello".into()]).await?;
/// assert_eq!(reply, vec!["hello".into()]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Socket {
    shared: Rc<Shared>,
}

struct Shared {
    core: RefCell<Core>,
    /// What the transport and the timer reported, waiting for the next pump.
    inbox: RefCell<VecDeque<Inbound>>,
    listeners: Rc<RefCell<Listeners>>,
    pumping: Cell<bool>,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
enum Inbound {
    Frame(Frame),
    TransportClosed(String),
    Timer,
}

struct Core {
    options: SocketOptions,
    state: ConnectionState,
    transport: TransportKind,
    last_error: Option<String>,
    session: Option<Session>,
    /// The namespace this socket is connected to, within `connection`.
    namespace: String,
    connection: Connection,
    ack_waiters: HashMap<u64, oneshot::Sender<AckResult>>,
    /// Set by `disconnect()`, cleared by `connect()`.
    stopped: bool,
    #[cfg(target_arch = "wasm32")]
    io: browser::Io,
}

/// What an emit's acknowledgement resolves to.
type AckResult = Result<Vec<Value>, AckError>;

/// Work for the application, run after the core is released so handlers may
/// call back into the socket.
enum Dispatch {
    Connection(ConnectionState, TransportKind),
    Event(String, Vec<Value>),
}

impl Socket {
    /// Creates the socket and starts connecting (in the browser).
    pub fn connect(options: SocketOptions) -> Self {
        let namespace = crate::client::url::ServerUrl::parse(&options.url)
            .map(|u| u.namespace)
            .unwrap_or_else(|_| "/".to_owned());
        let mut connection = Connection::default();
        connection.open_namespace(
            &namespace,
            NamespaceOptions {
                auth: options.auth.clone(),
                ack_timeout: options.ack_timeout,
                retries: options.retries,
            },
        );
        let core = Core {
            namespace,
            connection,
            options,
            state: ConnectionState::Connecting,
            transport: TransportKind::None,
            last_error: None,
            session: None,
            ack_waiters: HashMap::new(),
            stopped: false,
            #[cfg(target_arch = "wasm32")]
            io: browser::Io::default(),
        };
        let socket = Socket {
            shared: Rc::new(Shared {
                core: RefCell::new(core),
                inbox: RefCell::new(VecDeque::new()),
                listeners: Rc::new(RefCell::new(Listeners::default())),
                pumping: Cell::new(false),
            }),
        };
        socket.open_session();
        socket
    }

    /// The connection state now.
    pub fn state(&self) -> ConnectionState {
        self.shared.core.borrow().state
    }

    /// The transport in use now (`None` before the first connection).
    pub fn transport(&self) -> TransportKind {
        self.shared.core.borrow().transport
    }

    /// The last connection error, as a sentence for a person.
    pub fn last_error(&self) -> Option<String> {
        self.shared.core.borrow().last_error.clone()
    }

    /// Emits `event` with `args`. While disconnected it is buffered and sent,
    /// in order, once connected.
    pub fn emit(&self, event: &str, args: Vec<Value>) -> Result<(), EmitError> {
        self.emit_inner(event, args, false).map(|_| ())
    }

    /// Emits `event` and waits for the server's acknowledgement, whose
    /// arguments the future yields. It waits at most
    /// [`SocketOptions::ack_timeout`] when that is set.
    pub fn emit_with_ack(
        &self,
        event: &str,
        args: Vec<Value>,
    ) -> impl Future<Output = Result<Vec<Value>, AckError>> + 'static {
        let receiver = self.emit_inner(event, args, true);
        async move {
            match receiver {
                Err(err) => Err(AckError::Emit(err)),
                Ok(None) => Err(AckError::Disconnected),
                Ok(Some(receiver)) => receiver.await.unwrap_or(Err(AckError::Disconnected)),
            }
        }
    }

    fn emit_inner(
        &self,
        event: &str,
        args: Vec<Value>,
        with_ack: bool,
    ) -> Result<Option<oneshot::Receiver<AckResult>>, EmitError> {
        check_event_name(event)?;
        let receiver = {
            let mut core = self.shared.core.borrow_mut();
            if core.stopped {
                return Err(EmitError::Disconnected);
            }
            let now = now();
            let options = EmitOptions {
                ack: with_ack,
                ..EmitOptions::default()
            };
            let namespace = core.namespace.clone();
            let id = core
                .connection
                .namespace_mut(&namespace)
                .and_then(|ns| ns.emit(event, args, options, now));
            id.map(|id| {
                let (sender, receiver) = oneshot::channel();
                core.ack_waiters.insert(id, sender);
                receiver
            })
        };
        self.pump();
        Ok(receiver)
    }

    /// Calls `handler` with the arguments of every `event` the server emits,
    /// until the returned guard is dropped.
    pub fn on(&self, event: &str, handler: impl Fn(Vec<Value>) + 'static) -> EventListener {
        let id = self
            .shared
            .listeners
            .borrow_mut()
            .add_event(event, Rc::new(handler));
        EventListener::new(&self.shared.listeners, id)
    }

    /// Calls `handler` whenever the connection state or transport changes,
    /// until the returned guard is dropped.
    pub fn on_connection_change(
        &self,
        handler: impl Fn(ConnectionState, TransportKind) + 'static,
    ) -> EventListener {
        let id = self
            .shared
            .listeners
            .borrow_mut()
            .add_connection(Rc::new(handler));
        EventListener::new(&self.shared.listeners, id)
    }

    /// How many handlers are registered (to check for leaks).
    pub fn listener_count(&self) -> usize {
        self.shared.listeners.borrow().len()
    }

    /// Connects again after [`disconnect`](Self::disconnect); does nothing
    /// while connected or connecting.
    pub fn reconnect(&self) {
        {
            let mut core = self.shared.core.borrow_mut();
            if !core.stopped && core.session.is_some() {
                return;
            }
            core.stopped = false;
            core.state = ConnectionState::Connecting;
        }
        self.notify_connection();
        self.open_session();
    }

    /// Leaves the namespace and closes the connection for good (until
    /// [`reconnect`](Self::reconnect)). Pending acks fail with
    /// [`AckError::Disconnected`].
    pub fn disconnect(&self) {
        let waiters = {
            let mut core = self.shared.core.borrow_mut();
            if core.stopped {
                return;
            }
            core.stopped = true;
            let namespace = core.namespace.clone();
            if let Some(ns) = core.connection.namespace_mut(&namespace) {
                ns.disconnect();
            }
            core.flush();
            if let Some(session) = core.session.as_mut() {
                session.close();
            }
            core.flush();
            core.close_transport();
            core.session = None;
            core.state = ConnectionState::Disconnected;
            std::mem::take(&mut core.ack_waiters)
        };
        for (_, waiter) in waiters {
            let _ = waiter.send(Err(AckError::Disconnected));
        }
        self.notify_connection();
    }

    fn notify_connection(&self) {
        let (state, transport) = {
            let core = self.shared.core.borrow();
            (core.state, core.transport)
        };
        let handlers = self.shared.listeners.borrow().connection_handlers();
        for handler in handlers {
            handler(state, transport);
        }
    }

    /// Starts a new Engine.IO session on a new transport (browser only).
    fn open_session(&self) {
        #[cfg(target_arch = "wasm32")]
        browser::open_transport(self);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut core = self.shared.core.borrow_mut();
            core.state = ConnectionState::Disconnected;
            core.stopped = true;
        }
    }

    /// Moves everything that can move: transport input into the session,
    /// session output to the transport, events to handlers. Re-entrant calls
    /// (from a handler that emits) return at once; the outer loop picks up
    /// their work.
    fn pump(&self) {
        if self.shared.pumping.replace(true) {
            return;
        }
        loop {
            let inbound: Vec<Inbound> = self.shared.inbox.borrow_mut().drain(..).collect();
            let dispatch = self.shared.core.borrow_mut().step(inbound, now());
            if dispatch.is_empty() && self.shared.inbox.borrow().is_empty() {
                break;
            }
            for item in dispatch {
                match item {
                    Dispatch::Connection(state, transport) => {
                        let handlers = self.shared.listeners.borrow().connection_handlers();
                        for handler in handlers {
                            handler(state, transport);
                        }
                    }
                    Dispatch::Event(name, args) => {
                        let handlers = self.shared.listeners.borrow().event_handlers(&name);
                        for handler in handlers {
                            handler(args.clone());
                        }
                    }
                }
            }
        }
        self.shared.pumping.set(false);
        #[cfg(target_arch = "wasm32")]
        browser::arm_timer(self);
    }
}

impl Core {
    /// One pass of the state machines; returns the work for handlers.
    fn step(&mut self, inbound: Vec<Inbound>, now: Instant) -> Vec<Dispatch> {
        let mut dispatch = Vec::new();
        for item in inbound {
            let Some(session) = self.session.as_mut() else {
                continue;
            };
            match item {
                #[cfg(target_arch = "wasm32")]
                Inbound::Frame(frame) => match EnginePacket::decode_frame(frame) {
                    Ok(packet) => session.handle_packet(packet, now),
                    Err(err) => session.handle_transport_closed(format!(
                        "the server sent an invalid Engine.IO packet ({err})"
                    )),
                },
                #[cfg(not(target_arch = "wasm32"))]
                Inbound::Frame(_) => {}
                Inbound::TransportClosed(why) => session.handle_transport_closed(why),
                Inbound::Timer => {}
            }
        }
        if let Some(session) = self.session.as_mut() {
            session.handle_timeout(now);
        }
        self.connection.handle_timeout(now);

        let before = (self.state, self.transport);
        while let Some(event) = self.session.as_mut().and_then(Session::poll_event) {
            match event {
                SessionEvent::Opened(_) => {
                    self.transport = TransportKind::WebSocket;
                    self.connection.handle_session_open();
                }
                SessionEvent::Message(text) => {
                    if let Err(err) = self.connection.handle_text(&text, now) {
                        self.last_error =
                            Some(format!("ignored an invalid Socket.IO packet: {err}"));
                    }
                }
                SessionEvent::Binary(bytes) => {
                    if let Err(err) = self.connection.handle_binary(bytes, now) {
                        self.last_error =
                            Some(format!("ignored an invalid binary attachment: {err}"));
                    }
                }
                SessionEvent::Closed(reason) => {
                    self.connection.handle_session_closed();
                    self.close_transport();
                    self.session = None;
                    if reason.is_recoverable() {
                        self.last_error = Some(reason.to_string());
                    }
                    self.state = ConnectionState::Disconnected;
                }
            }
        }
        self.flush();
        while let Some((namespace, event)) = self.connection.poll_event() {
            if namespace != self.namespace {
                continue;
            }
            match event {
                NamespaceEvent::Connected { .. } => {
                    self.state = ConnectionState::Connected;
                    self.last_error = None;
                }
                NamespaceEvent::ConnectError { message } => {
                    self.last_error = Some(format!("the server refused the connection: {message}"));
                    self.state = ConnectionState::Disconnected;
                    self.stopped = true;
                    if let Some(session) = self.session.as_mut() {
                        session.close();
                    }
                }
                NamespaceEvent::Disconnected => {
                    if self.state == ConnectionState::Connected {
                        self.state = ConnectionState::Disconnected;
                    }
                }
                NamespaceEvent::Event { name, args, ack_id } => {
                    if let (Some(id), Some(ns)) =
                        (ack_id, self.connection.namespace_mut(&namespace))
                    {
                        // Answering acks from handlers comes with the typed
                        // API; until then the server gets an empty ack, so
                        // its `emitWithAck` does not hang.
                        ns.ack(id, Vec::new());
                    }
                    dispatch.push(Dispatch::Event(name, args));
                }
                NamespaceEvent::Ack { id, args } => {
                    if let Some(waiter) = self.ack_waiters.remove(&id) {
                        let _ = waiter.send(Ok(args));
                    }
                }
                NamespaceEvent::AckFailed { id, reason } => {
                    if let Some(waiter) = self.ack_waiters.remove(&id) {
                        let ms = self.options.ack_timeout.map_or(0, |t| t.as_millis());
                        let error = match reason {
                            AckFailure::TimedOut => {
                                AckError::Timeout(u64::try_from(ms).unwrap_or(u64::MAX))
                            }
                            AckFailure::Dropped => AckError::Dropped,
                            AckFailure::Disconnected => AckError::Disconnected,
                        };
                        let _ = waiter.send(Err(error));
                    }
                }
            }
        }
        self.flush();
        if (self.state, self.transport) != before {
            dispatch.insert(0, Dispatch::Connection(self.state, self.transport));
        }
        dispatch
    }

    /// Namespace packets into the session, session packets onto the wire.
    fn flush(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        while let Some(outgoing) = self.connection.poll_transmit() {
            match outgoing {
                Outgoing::Text(text) => session.send_message(text),
                Outgoing::Binary(bytes) => session.send_binary(bytes),
            };
        }
        #[cfg(target_arch = "wasm32")]
        while let Some(packet) = session.poll_transmit() {
            if let Err(why) = self.io.send(&packet.into_frame()) {
                session.handle_transport_closed(why);
                break;
            }
        }
    }

    fn close_transport(&mut self) {
        #[cfg(target_arch = "wasm32")]
        {
            self.io.transport = None;
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn now() -> Instant {
    browser::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now() -> Instant {
    Instant::default()
}

/// The browser side: opening the WebSocket, the timer and the clock.
#[cfg(target_arch = "wasm32")]
mod browser {
    use std::rc::Rc;

    use gloo_timers::callback::Timeout;

    use super::{Inbound, Socket};
    use crate::client::{engine_url, ConnectionState, TransportKind};
    use crate::engine::Session;
    use crate::protocol::Frame;
    use crate::time::Instant;
    use crate::transport::{TransportEvent, WebSocketTransport};

    #[derive(Default)]
    pub(super) struct Io {
        pub(super) transport: Option<WebSocketTransport>,
        timer: Option<(Instant, Timeout)>,
    }

    impl Io {
        pub(super) fn send(&self, frame: &Frame) -> Result<(), String> {
            match &self.transport {
                Some(transport) => transport.send(frame),
                None => Err("no transport is open".to_owned()),
            }
        }
    }

    pub(super) fn now() -> Instant {
        let ms = web_sys::window()
            .and_then(|w| w.performance())
            .map_or_else(js_sys::Date::now, |p| p.now());
        // performance.now() is non-negative and far below 2^53.
        Instant::from_millis(ms.max(0.0) as u64)
    }

    fn page_origin() -> String {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }

    pub(super) fn open_transport(socket: &Socket) {
        let url = {
            let core = socket.shared.core.borrow();
            let server = if core.options.url.is_empty() {
                page_origin()
            } else {
                core.options.url.clone()
            };
            engine_url(&server, &core.options.path, TransportKind::WebSocket, None)
        };
        let weak = Rc::downgrade(&socket.shared);
        let opened = url.map_err(|e| e.to_string()).and_then(|url| {
            WebSocketTransport::open(&url, move |event| {
                let Some(shared) = weak.upgrade() else {
                    return;
                };
                let inbound = match event {
                    TransportEvent::Open => return,
                    TransportEvent::Frame(frame) => Inbound::Frame(frame),
                    TransportEvent::Closed(why) => Inbound::TransportClosed(why),
                };
                shared.inbox.borrow_mut().push_back(inbound);
                Socket { shared }.pump();
            })
        });
        {
            let mut core = socket.shared.core.borrow_mut();
            match opened {
                Ok(transport) => {
                    let timeout = core.options.connect_timeout;
                    core.session = Some(Session::new(now(), timeout));
                    core.io.transport = Some(transport);
                }
                Err(why) => {
                    core.last_error = Some(why);
                    core.state = ConnectionState::Disconnected;
                    core.stopped = true;
                }
            }
        }
        socket.notify_connection();
        socket.pump();
    }

    /// Arms one browser timer for the earliest deadline of the state machines.
    pub(super) fn arm_timer(socket: &Socket) {
        let mut core = socket.shared.core.borrow_mut();
        let deadline = [
            core.session.as_ref().and_then(|s| s.poll_timeout()),
            core.connection.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min();
        match deadline {
            None => core.io.timer = None,
            Some(at) if core.io.timer.as_ref().is_some_and(|(t, _)| *t == at) => {}
            Some(at) => {
                let delay = at.saturating_duration_since(now()).as_millis();
                let delay = u32::try_from(delay).unwrap_or(u32::MAX);
                let weak = Rc::downgrade(&socket.shared);
                let timeout = Timeout::new(delay, move || {
                    if let Some(shared) = weak.upgrade() {
                        // This timer has fired: forget it, so the pump arms
                        // a fresh one even for the same deadline.
                        let fired = shared.core.borrow_mut().io.timer.take();
                        shared.inbox.borrow_mut().push_back(Inbound::Timer);
                        Socket { shared }.pump();
                        drop(fired);
                    }
                });
                core.io.timer = Some((at, timeout));
            }
        }
    }
}
