//! Registered event handlers, and the [`EventListener`] guard that removes one
//! when dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::protocol::Value;

use crate::client::{ConnectionState, TransportKind};

pub(crate) type EventHandler = Rc<dyn Fn(Vec<Value>)>;
pub(crate) type ConnectionHandler = Rc<dyn Fn(ConnectionState, TransportKind)>;

/// Every handler of one socket, by id so a guard can remove its own.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: u64,
    events: HashMap<String, Vec<(u64, EventHandler)>>,
    connection: Vec<(u64, ConnectionHandler)>,
}

impl Listeners {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn add_event(&mut self, event: &str, handler: EventHandler) -> u64 {
        let id = self.next_id();
        self.events
            .entry(event.to_owned())
            .or_default()
            .push((id, handler));
        id
    }

    pub(crate) fn add_connection(&mut self, handler: ConnectionHandler) -> u64 {
        let id = self.next_id();
        self.connection.push((id, handler));
        id
    }

    fn remove(&mut self, id: u64) {
        self.connection.retain(|(i, _)| *i != id);
        self.events.retain(|_, handlers| {
            handlers.retain(|(i, _)| *i != id);
            !handlers.is_empty()
        });
    }

    /// The handlers of `event`, cloned so they run with no borrow held.
    pub(crate) fn event_handlers(&self, event: &str) -> Vec<EventHandler> {
        self.events
            .get(event)
            .map(|handlers| handlers.iter().map(|(_, h)| h.clone()).collect())
            .unwrap_or_default()
    }

    pub(crate) fn connection_handlers(&self) -> Vec<ConnectionHandler> {
        self.connection.iter().map(|(_, h)| h.clone()).collect()
    }

    /// How many handlers are registered, for leak tests.
    pub(crate) fn len(&self) -> usize {
        self.connection.len() + self.events.values().map(Vec::len).sum::<usize>()
    }
}

/// Keeps a handler registered; dropping it unregisters the handler.
///
/// Returned by [`Socket::on`](crate::Socket::on) and
/// [`Socket::on_connection_change`](crate::Socket::on_connection_change). To
/// keep a handler for the socket's whole life, call [`forget`](Self::forget).
#[must_use = "the handler is removed as soon as this guard is dropped"]
pub struct EventListener {
    listeners: Weak<RefCell<Listeners>>,
    id: u64,
}

impl EventListener {
    pub(crate) fn new(listeners: &Rc<RefCell<Listeners>>, id: u64) -> Self {
        Self {
            listeners: Rc::downgrade(listeners),
            id,
        }
    }

    /// Keeps the handler registered for as long as the socket lives.
    pub fn forget(mut self) {
        self.listeners = Weak::new();
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        if let Some(listeners) = self.listeners.upgrade() {
            listeners.borrow_mut().remove(self.id);
        }
    }
}

impl std::fmt::Debug for EventListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventListener")
            .field("id", &self.id)
            .finish()
    }
}
