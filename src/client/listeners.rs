//! Registered handlers, per namespace, and the [`EventListener`] guard that
//! removes one when dropped. Outside the browser a socket is inert and
//! registers nothing, so most of this is used in the browser only.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
#[cfg(target_arch = "wasm32")]
use std::rc::Weak;
use std::time::Duration;

use crate::client::{AckSender, ConnectionState, TransportKind};
use crate::protocol::Value;

pub(crate) type EventHandler = Rc<dyn Fn(Vec<Value>)>;
pub(crate) type AckHandler = Rc<dyn Fn(Vec<Value>, AckSender)>;
pub(crate) type AnyHandler = Rc<dyn Fn(&str, &[Value])>;
pub(crate) type ConnectionHandler = Rc<dyn Fn(ConnectionState, TransportKind)>;
pub(crate) type RttHandler = Rc<dyn Fn(Duration)>;

/// Namespace and event name.
type Key = (String, String);

/// Which way an any-event handler looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Incoming,
    Outgoing,
}

/// Every handler of one connection, by id so a guard can remove its own.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: u64,
    events: HashMap<Key, Vec<(u64, EventHandler)>>,
    acks: HashMap<Key, (u64, AckHandler)>,
    any: HashMap<(String, Direction), Vec<(u64, AnyHandler)>>,
    connection: HashMap<String, Vec<(u64, ConnectionHandler)>>,
    rtt: HashMap<String, Vec<(u64, RttHandler)>>,
}

fn push<K: std::hash::Hash + Eq, H>(map: &mut HashMap<K, Vec<(u64, H)>>, key: K, id: u64, h: H) {
    map.entry(key).or_default().push((id, h));
}

fn remove_from<K, H>(map: &mut HashMap<K, Vec<(u64, H)>>, id: u64) {
    map.retain(|_, handlers| {
        handlers.retain(|(i, _)| *i != id);
        !handlers.is_empty()
    });
}

fn cloned<K: std::hash::Hash + Eq, H: Clone>(map: &HashMap<K, Vec<(u64, H)>>, key: &K) -> Vec<H> {
    map.get(key)
        .map(|handlers| handlers.iter().map(|(_, h)| h.clone()).collect())
        .unwrap_or_default()
}

impl Listeners {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn add_event(&mut self, ns: &str, event: &str, handler: EventHandler) -> u64 {
        let id = self.next_id();
        push(
            &mut self.events,
            (ns.to_owned(), event.to_owned()),
            id,
            handler,
        );
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

    pub(crate) fn add_any(&mut self, ns: &str, direction: Direction, handler: AnyHandler) -> u64 {
        let id = self.next_id();
        push(&mut self.any, (ns.to_owned(), direction), id, handler);
        id
    }

    pub(crate) fn add_connection(&mut self, ns: &str, handler: ConnectionHandler) -> u64 {
        let id = self.next_id();
        push(&mut self.connection, ns.to_owned(), id, handler);
        id
    }

    pub(crate) fn add_rtt(&mut self, ns: &str, handler: RttHandler) -> u64 {
        let id = self.next_id();
        push(&mut self.rtt, ns.to_owned(), id, handler);
        id
    }

    fn remove(&mut self, id: u64) {
        remove_from(&mut self.events, id);
        remove_from(&mut self.any, id);
        remove_from(&mut self.connection, id);
        remove_from(&mut self.rtt, id);
        self.acks.retain(|_, (i, _)| *i != id);
    }

    /// The handlers of `event` on `ns`, cloned so they run with no borrow held.
    pub(crate) fn event_handlers(&self, ns: &str, event: &str) -> Vec<EventHandler> {
        cloned(&self.events, &(ns.to_owned(), event.to_owned()))
    }

    pub(crate) fn ack_handler(&self, ns: &str, event: &str) -> Option<AckHandler> {
        self.acks
            .get(&(ns.to_owned(), event.to_owned()))
            .map(|(_, h)| h.clone())
    }

    pub(crate) fn any_handlers(&self, ns: &str, direction: Direction) -> Vec<AnyHandler> {
        cloned(&self.any, &(ns.to_owned(), direction))
    }

    pub(crate) fn connection_handlers(&self, ns: &str) -> Vec<ConnectionHandler> {
        cloned(&self.connection, &ns.to_owned())
    }

    /// Every round-trip handler, of every namespace: the round trip is the
    /// connection's.
    pub(crate) fn rtt_handlers(&self) -> Vec<RttHandler> {
        self.rtt
            .values()
            .flat_map(|handlers| handlers.iter().map(|(_, h)| h.clone()))
            .collect()
    }

    /// How many handlers are registered on `ns`, for leak tests.
    pub(crate) fn len(&self, ns: &str) -> usize {
        let events: usize = self
            .events
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, handlers)| handlers.len())
            .sum();
        let any: usize = self
            .any
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, handlers)| handlers.len())
            .sum();
        let acks = self.acks.keys().filter(|(n, _)| n == ns).count();
        let connection = self.connection.get(ns).map_or(0, Vec::len);
        let rtt = self.rtt.get(ns).map_or(0, Vec::len);
        events + any + acks + connection + rtt
    }
}

/// Keeps a handler registered; dropping it unregisters the handler.
///
/// Returned by [`Socket::on`](crate::Socket::on) and its siblings. To keep
/// a handler for the socket's whole life, call [`forget`](Self::forget).
/// It is `Send + Sync`, so it can live in a Leptos `on_cleanup` closure;
/// in the browser it is used on the page's one thread, and outside the
/// browser (where a socket is inert) it holds nothing.
#[must_use = "the handler is removed as soon as this guard is dropped"]
pub struct EventListener {
    #[cfg(target_arch = "wasm32")]
    listeners: send_wrapper::SendWrapper<Weak<RefCell<Listeners>>>,
    id: u64,
}

impl EventListener {
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn new(listeners: &Rc<RefCell<Listeners>>, id: u64) -> Self {
        Self {
            listeners: send_wrapper::SendWrapper::new(Rc::downgrade(listeners)),
            id,
        }
    }

    /// A guard for a handler that was never registered (an inert socket's).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn inert() -> Self {
        Self { id: 0 }
    }

    /// Keeps the handler registered for as long as the socket lives.
    pub fn forget(mut self) {
        #[cfg(target_arch = "wasm32")]
        {
            self.listeners = send_wrapper::SendWrapper::new(Weak::new());
        }
        self.id = 0;
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        #[cfg(target_arch = "wasm32")]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_handler_by_id_leaves_the_others() {
        let mut listeners = Listeners::default();
        let a = listeners.add_event("/", "x", Rc::new(|_| {}));
        listeners.add_event("/", "x", Rc::new(|_| {}));
        listeners.add_any("/", Direction::Outgoing, Rc::new(|_, _| {}));
        listeners.add_rtt("/", Rc::new(|_| {}));
        listeners.add_event("/admin", "x", Rc::new(|_| {}));
        assert_eq!(listeners.len("/"), 4);
        listeners.remove(a);
        assert_eq!(listeners.len("/"), 3);
        assert_eq!(listeners.event_handlers("/", "x").len(), 1);
        assert_eq!(listeners.any_handlers("/", Direction::Outgoing).len(), 1);
        assert!(listeners.any_handlers("/", Direction::Incoming).is_empty());
        assert_eq!(listeners.len("/admin"), 1);
    }
}
