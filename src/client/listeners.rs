//! Registered handlers, per namespace, and the [`EventListener`] guard that
//! removes one when dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::client::{ConnectionState, TransportKind};
use crate::protocol::Value;

pub(crate) type EventHandler = Rc<dyn Fn(Vec<Value>)>;
pub(crate) type AckHandler = Rc<dyn Fn(Vec<Value>) -> Vec<Value>>;
pub(crate) type ConnectionHandler = Rc<dyn Fn(ConnectionState, TransportKind)>;

/// Namespace and event name.
type Key = (String, String);

/// Every handler of one connection, by id so a guard can remove its own.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: u64,
    events: HashMap<Key, Vec<(u64, EventHandler)>>,
    acks: HashMap<Key, (u64, AckHandler)>,
    connection: HashMap<String, Vec<(u64, ConnectionHandler)>>,
}

impl Listeners {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn add_event(&mut self, ns: &str, event: &str, handler: EventHandler) -> u64 {
        let id = self.next_id();
        self.events
            .entry((ns.to_owned(), event.to_owned()))
            .or_default()
            .push((id, handler));
        id
    }

    /// Sets the one handler that answers `event`'s acknowledgements (a later
    /// one replaces it).
    pub(crate) fn set_ack(&mut self, ns: &str, event: &str, handler: AckHandler) -> u64 {
        let id = self.next_id();
        self.acks
            .insert((ns.to_owned(), event.to_owned()), (id, handler));
        id
    }

    pub(crate) fn add_connection(&mut self, ns: &str, handler: ConnectionHandler) -> u64 {
        let id = self.next_id();
        self.connection
            .entry(ns.to_owned())
            .or_default()
            .push((id, handler));
        id
    }

    fn remove(&mut self, id: u64) {
        self.connection.retain(|_, handlers| {
            handlers.retain(|(i, _)| *i != id);
            !handlers.is_empty()
        });
        self.events.retain(|_, handlers| {
            handlers.retain(|(i, _)| *i != id);
            !handlers.is_empty()
        });
        self.acks.retain(|_, (i, _)| *i != id);
    }

    /// The handlers of `event` on `ns`, cloned so they run with no borrow held.
    pub(crate) fn event_handlers(&self, ns: &str, event: &str) -> Vec<EventHandler> {
        self.events
            .get(&(ns.to_owned(), event.to_owned()))
            .map(|handlers| handlers.iter().map(|(_, h)| h.clone()).collect())
            .unwrap_or_default()
    }

    pub(crate) fn ack_handler(&self, ns: &str, event: &str) -> Option<AckHandler> {
        self.acks
            .get(&(ns.to_owned(), event.to_owned()))
            .map(|(_, h)| h.clone())
    }

    pub(crate) fn connection_handlers(&self, ns: &str) -> Vec<ConnectionHandler> {
        self.connection
            .get(ns)
            .map(|handlers| handlers.iter().map(|(_, h)| h.clone()).collect())
            .unwrap_or_default()
    }

    /// How many handlers are registered on `ns`, for leak tests.
    pub(crate) fn len(&self, ns: &str) -> usize {
        let events: usize = self
            .events
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, handlers)| handlers.len())
            .sum();
        let acks = self.acks.keys().filter(|(n, _)| n == ns).count();
        self.connection.get(ns).map_or(0, Vec::len) + events + acks
    }
}

/// Keeps a handler registered; dropping it unregisters the handler.
///
/// Returned by [`Socket::on`](crate::Socket::on) and its siblings. To keep
/// a handler for the socket's whole life, call [`forget`](Self::forget).
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
