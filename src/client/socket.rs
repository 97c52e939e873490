//! [`Socket`]: the handle applications hold. Decisions are the sans-IO
//! [`Core`]'s; this file holds the handle, the listeners and the pump that
//! moves data between the core, the browser driver and the handlers.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_channel::oneshot;

use crate::client::core::{AckResult, Core, Dispatch, Input};
use crate::client::error::check_event_name;
use crate::client::listeners::Listeners;
use crate::client::{
    AckError, ConnectionState, EmitError, EmitOptions, EventListener, NamespaceOptions,
    SocketOptions, TransportKind,
};
use crate::protocol::Value;
use crate::time::Instant;

/// One connection to a Socket.IO server (one Engine.IO session), shared by
/// the [`Socket`]s of its namespaces, as socket.io-client's `Manager`.
///
/// It connects when its first socket is opened and closes when the last one
/// disconnects. Cheap to clone: every clone is the same connection.
///
/// ```no_run
/// use leptos_socketio::{Manager, SocketOptions};
///
/// let manager = Manager::new(SocketOptions::new("http://127.0.0.1:3000"));
/// let main = manager.socket("/");
/// let admin = manager.socket("/admin"); // multiplexed on the same connection
/// ```
#[derive(Clone)]
pub struct Manager {
    pub(crate) shared: Rc<Shared>,
}

/// A connection to one namespace of a Socket.IO server.
///
/// Cheap to clone: every clone is the same socket. It leaves its namespace
/// when [`disconnect`](Self::disconnect) is called; the connection closes
/// when no namespace is left or the last clone of everything drops.
/// In the browser it connects as [`SocketOptions::transports`] says
/// (WebSocket first, long-polling as the fallback) and reconnects on its own
/// after a loss; elsewhere (native code, server rendering) it is inert and
/// stays [`ConnectionState::Disconnected`].
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
    manager: Manager,
    namespace: Rc<str>,
}

pub(crate) struct Shared {
    pub(crate) core: RefCell<Core>,
    /// What the transports and the timer reported, waiting for the next pump.
    pub(crate) inbox: RefCell<VecDeque<Input>>,
    listeners: Rc<RefCell<Listeners>>,
    pumping: Cell<bool>,
    #[cfg(target_arch = "wasm32")]
    pub(crate) io: RefCell<crate::client::browser::Io>,
}

impl Manager {
    /// A connection to the server of `options`; nothing happens until a
    /// namespace is opened with [`socket`](Self::socket).
    pub fn new(options: SocketOptions) -> Self {
        #[cfg(target_arch = "wasm32")]
        let (remembered, seed) = crate::client::browser::startup(&options);
        #[cfg(not(target_arch = "wasm32"))]
        let (remembered, seed) = (None, 0);
        let manager = Manager {
            shared: Rc::new(Shared {
                core: RefCell::new(Core::new(options, remembered, seed)),
                inbox: RefCell::new(VecDeque::new()),
                listeners: Rc::new(RefCell::new(Listeners::default())),
                pumping: Cell::new(false),
                #[cfg(target_arch = "wasm32")]
                io: RefCell::new(crate::client::browser::Io::default()),
            }),
        };
        #[cfg(target_arch = "wasm32")]
        crate::client::browser::watch_page_exit(&manager);
        manager
    }

    /// Opens namespace `namespace` (e.g. `/` or `/admin`) on this
    /// connection, with the auth, ack timeout and retries of the options.
    pub fn socket(&self, namespace: &str) -> Socket {
        let socket = Socket {
            manager: self.clone(),
            namespace: Rc::from(namespace),
        };
        socket.join();
        socket
    }

    /// The transport in use now (`None` before the first connection).
    pub fn transport(&self) -> TransportKind {
        self.shared.core.borrow().transport
    }

    /// Leaves every namespace and closes the connection.
    pub fn close(&self) {
        let namespaces: Vec<String> = self.shared.core.borrow().namespaces().collect();
        for ns in namespaces {
            self.shared.core.borrow_mut().leave(&ns, now());
        }
        self.pump();
    }

    /// Moves everything that can move: browser input into the core, the
    /// core's actions to the browser, events to handlers. Re-entrant calls
    /// (from a handler that emits) return at once; the outer loop picks up
    /// their work.
    pub(crate) fn pump(&self) {
        if self.shared.pumping.replace(true) {
            return;
        }
        loop {
            let inputs: Vec<Input> = self.shared.inbox.borrow_mut().drain(..).collect();
            let dispatch = self.shared.core.borrow_mut().step(inputs, now());
            #[cfg(target_arch = "wasm32")]
            crate::client::browser::perform_actions(self);
            #[cfg(not(target_arch = "wasm32"))]
            self.shared.core.borrow_mut().actions.clear();
            if dispatch.is_empty() && self.shared.inbox.borrow().is_empty() {
                break;
            }
            for item in dispatch {
                self.dispatch(item);
            }
        }
        self.shared.pumping.set(false);
        #[cfg(target_arch = "wasm32")]
        crate::client::browser::arm_timer(self);
    }

    fn dispatch(&self, item: Dispatch) {
        match item {
            Dispatch::Connection(ns, state, transport) => {
                let handlers = self.shared.listeners.borrow().connection_handlers(&ns);
                for handler in handlers {
                    handler(state, transport);
                }
            }
            Dispatch::Event(ns, name, args, ack_id) => {
                let (handlers, answer) = {
                    let listeners = self.shared.listeners.borrow();
                    (
                        listeners.event_handlers(&ns, &name),
                        listeners.ack_handler(&ns, &name),
                    )
                };
                for handler in handlers {
                    handler(args.clone());
                }
                if let Some(id) = ack_id {
                    // Without an answering handler the server still gets an
                    // (empty) ack, so its `emitWithAck` does not hang.
                    let reply = answer.map(|h| h(args)).unwrap_or_default();
                    self.shared.core.borrow_mut().ack(&ns, id, reply);
                }
            }
        }
    }
}

impl Socket {
    /// Connects to the server of `options` and joins the namespace named by
    /// its URL's path (`/` when there is none) on a new connection.
    pub fn connect(options: SocketOptions) -> Self {
        let namespace = crate::client::url::ServerUrl::parse(&options.url)
            .map(|u| u.namespace)
            .unwrap_or_else(|_| "/".to_owned());
        Manager::new(options).socket(&namespace)
    }

    /// The connection this socket's namespace is multiplexed on, to open
    /// other namespaces on it.
    pub fn manager(&self) -> Manager {
        self.manager.clone()
    }

    /// This socket's namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn shared(&self) -> &Shared {
        &self.manager.shared
    }

    fn join(&self) {
        if !cfg!(target_arch = "wasm32") {
            // Outside the browser nothing connects: the socket stays inert.
            return;
        }
        let options = {
            let core = self.shared().core.borrow();
            NamespaceOptions {
                auth: core.options.auth.clone(),
                ack_timeout: core.options.ack_timeout,
                retries: core.options.retries,
            }
        };
        self.shared()
            .core
            .borrow_mut()
            .join(&self.namespace, options, now());
        self.manager.pump();
    }

    /// The connection state now.
    pub fn state(&self) -> ConnectionState {
        self.shared().core.borrow().state_of(&self.namespace)
    }

    /// The transport in use now (`None` before the first connection).
    pub fn transport(&self) -> TransportKind {
        self.shared().core.borrow().transport
    }

    /// The last connection error, as a sentence for a person.
    pub fn last_error(&self) -> Option<String> {
        self.shared().core.borrow().last_error.clone()
    }

    /// When the server refused this namespace (a CONNECT_ERROR, e.g. from an
    /// authentication middleware): the server's message, e.g.
    /// `unauthorized`. The socket then stays disconnected until
    /// [`reconnect`](Self::reconnect).
    pub fn connect_error(&self) -> Option<String> {
        self.shared().core.borrow().refusal(&self.namespace)
    }

    /// While reconnecting: how long until the next attempt.
    pub fn next_attempt_in(&self) -> Option<Duration> {
        let at = self.shared().core.borrow().next_attempt_at()?;
        Some(at.saturating_duration_since(now()))
    }

    /// Emits `event` with `args` (binary parts allowed anywhere, as
    /// [`Value::Binary`]). While disconnected it is buffered and sent, in
    /// order, once connected.
    pub fn emit(&self, event: &str, args: Vec<Value>) -> Result<(), EmitError> {
        self.emit_with(event, args, EmitOptions::default())
            .map(|_| ())
    }

    /// Emits `event` only if connected now; otherwise it is dropped, not
    /// buffered (socket.io-client's `volatile`).
    pub fn emit_volatile(&self, event: &str, args: Vec<Value>) -> Result<(), EmitError> {
        let options = EmitOptions {
            volatile: true,
            ..EmitOptions::default()
        };
        self.emit_with(event, args, options).map(|_| ())
    }

    /// Emits `event` and waits for the server's acknowledgement, whose
    /// arguments the future yields. It waits at most
    /// [`SocketOptions::ack_timeout`] when that is set.
    pub fn emit_with_ack(
        &self,
        event: &str,
        args: Vec<Value>,
    ) -> impl Future<Output = Result<Vec<Value>, AckError>> + 'static {
        let options = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let emitted = self.emit_with(event, args, options);
        let shared = Rc::downgrade(&self.manager.shared);
        let namespace = self.namespace.clone();
        async move {
            match emitted {
                Err(err) => Err(AckError::Emit(err)),
                Ok(None) => Err(AckError::Disconnected),
                Ok(Some((id, receiver))) => {
                    // Dropping the future before the ack forgets the ack, so
                    // abandoned waits do not pile up.
                    let mut pending = PendingAck {
                        shared,
                        namespace,
                        id,
                        armed: true,
                    };
                    let result = receiver.await.unwrap_or(Err(AckError::Disconnected));
                    pending.armed = false;
                    result
                }
            }
        }
    }

    fn emit_with(
        &self,
        event: &str,
        args: Vec<Value>,
        options: EmitOptions,
    ) -> Result<Option<(u64, oneshot::Receiver<AckResult>)>, EmitError> {
        check_event_name(event)?;
        let receiver =
            self.shared()
                .core
                .borrow_mut()
                .emit(&self.namespace, event, args, options, now())?;
        self.manager.pump();
        Ok(receiver)
    }

    /// Calls `handler` with the arguments of every `event` the server emits,
    /// until the returned guard is dropped.
    pub fn on(&self, event: &str, handler: impl Fn(Vec<Value>) + 'static) -> EventListener {
        let listeners = &self.shared().listeners;
        let id = listeners
            .borrow_mut()
            .add_event(&self.namespace, event, Rc::new(handler));
        EventListener::new(listeners, id)
    }

    /// Answers the server's `event` when it asks for an acknowledgement
    /// (`emitWithAck` on the server): `handler` gets the arguments and
    /// returns the ack's arguments. One answering handler per event; a new
    /// one replaces the old.
    pub fn on_with_ack(
        &self,
        event: &str,
        handler: impl Fn(Vec<Value>) -> Vec<Value> + 'static,
    ) -> EventListener {
        let listeners = &self.shared().listeners;
        let id = listeners
            .borrow_mut()
            .set_ack(&self.namespace, event, Rc::new(handler));
        EventListener::new(listeners, id)
    }

    /// Calls `handler` whenever the connection state or transport changes,
    /// until the returned guard is dropped.
    pub fn on_connection_change(
        &self,
        handler: impl Fn(ConnectionState, TransportKind) + 'static,
    ) -> EventListener {
        let listeners = &self.shared().listeners;
        let id = listeners
            .borrow_mut()
            .add_connection(&self.namespace, Rc::new(handler));
        EventListener::new(listeners, id)
    }

    /// How many handlers are registered on this socket (to check for leaks).
    pub fn listener_count(&self) -> usize {
        self.shared().listeners.borrow().len(&self.namespace)
    }

    /// Joins the namespace again after [`disconnect`](Self::disconnect) (or
    /// after reconnection gave up); does nothing while connected or
    /// connecting.
    pub fn reconnect(&self) {
        if self.shared().core.borrow().is_active(&self.namespace) {
            return;
        }
        self.join();
    }

    /// Leaves the namespace for good (until [`reconnect`](Self::reconnect));
    /// when it was the connection's last, the connection closes and no
    /// reconnection is attempted. Pending acks fail with
    /// [`AckError::Disconnected`].
    pub fn disconnect(&self) {
        if !self.shared().core.borrow().is_active(&self.namespace) {
            return;
        }
        self.shared()
            .core
            .borrow_mut()
            .leave(&self.namespace, now());
        self.manager.pump();
    }
}

/// An acknowledgement being waited for; dropped unanswered, it cancels it.
struct PendingAck {
    shared: Weak<Shared>,
    namespace: Rc<str>,
    id: u64,
    armed: bool,
}

impl Drop for PendingAck {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Some(shared) = self.shared.upgrade() {
            if let Ok(mut core) = shared.core.try_borrow_mut() {
                core.cancel_ack(&self.namespace, self.id);
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn now() -> Instant {
    crate::client::browser::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now() -> Instant {
    Instant::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_the_browser_a_socket_is_inert_and_refuses_emits() {
        let socket = Socket::connect(SocketOptions::new("http://127.0.0.1:3000"));
        assert_eq!(socket.state(), ConnectionState::Disconnected);
        assert_eq!(socket.transport(), TransportKind::None);
        assert_eq!(socket.emit("x", vec![]), Err(EmitError::Disconnected));
        socket.reconnect();
        assert_eq!(socket.state(), ConnectionState::Disconnected);
    }
}
