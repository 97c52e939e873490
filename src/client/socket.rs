//! [`Socket`]: the handle applications hold. Decisions are the sans-IO
//! [`Core`]'s; this file holds the handle, the listeners and the pump that
//! moves data between the core, the browser driver and the handlers.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;

use crate::client::core::{AckResult, Core, Dispatch, Input};
use crate::client::error::check_event_name;
use crate::client::listeners::Listeners;
use crate::client::{
    AckError, ConnectionState, EmitError, EmitOptions, EventListener, SocketOptions, TransportKind,
};
use crate::protocol::Value;
use crate::time::Instant;

/// A connection to one namespace of a Socket.IO server.
///
/// Cheap to clone: every clone is the same connection. The connection closes
/// when [`disconnect`](Self::disconnect) is called or the last clone drops.
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
    pub(crate) shared: Rc<Shared>,
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

impl Socket {
    /// Creates the socket and starts connecting (in the browser).
    pub fn connect(options: SocketOptions) -> Self {
        #[cfg(target_arch = "wasm32")]
        let (remembered, seed) = crate::client::browser::startup(&options);
        #[cfg(not(target_arch = "wasm32"))]
        let (remembered, seed) = (None, 0);
        let socket = Socket {
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
        {
            crate::client::browser::watch_page_exit(&socket);
            socket.shared.core.borrow_mut().start(now());
            socket.pump();
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut core = socket.shared.core.borrow_mut();
            core.state = ConnectionState::Disconnected;
            core.stopped = true;
        }
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

    /// While reconnecting: how long until the next attempt.
    pub fn next_attempt_in(&self) -> Option<Duration> {
        let at = self.shared.core.borrow().next_attempt_at()?;
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
        let receiver = self.emit_with(event, args, options);
        async move {
            match receiver {
                Err(err) => Err(AckError::Emit(err)),
                Ok(None) => Err(AckError::Disconnected),
                Ok(Some(receiver)) => receiver.await.unwrap_or(Err(AckError::Disconnected)),
            }
        }
    }

    fn emit_with(
        &self,
        event: &str,
        args: Vec<Value>,
        options: EmitOptions,
    ) -> Result<Option<oneshot::Receiver<AckResult>>, EmitError> {
        check_event_name(event)?;
        let receiver = self
            .shared
            .core
            .borrow_mut()
            .emit(event, args, options, now())?;
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

    /// Connects again after [`disconnect`](Self::disconnect) (or after
    /// reconnection gave up); does nothing while connected or connecting.
    pub fn reconnect(&self) {
        if !cfg!(target_arch = "wasm32") || self.shared.core.borrow().is_active() {
            return;
        }
        self.shared.core.borrow_mut().start(now());
        self.notify_connection();
        self.pump();
    }

    /// Leaves the namespace and closes the connection for good (until
    /// [`reconnect`](Self::reconnect)); no reconnection is attempted. Pending
    /// acks fail with [`AckError::Disconnected`].
    pub fn disconnect(&self) {
        if !self.shared.core.borrow().is_active() {
            return;
        }
        self.shared.core.borrow_mut().stop(now());
        self.pump();
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
        crate::client::browser::arm_timer(self);
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
