//! Registered handlers, per namespace, and the [`EventListener`] guard that
//! removes one when dropped. Outside the browser a socket is inert and
//! registers nothing, so most of this is used in the browser only.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
use std::cell::RefCell;
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

/// Which way an any-event handler looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Incoming,
    Outgoing,
}

/// One registered handler and what it listens to.
enum Handler {
    Event(String, EventHandler),
    Ack(String, AckHandler),
    Any(Direction, AnyHandler),
    Connection(ConnectionHandler),
    Rtt(RttHandler),
}

struct Entry {
    id: u64,
    namespace: String,
    handler: Handler,
}

/// Every handler of one connection, in registration order, by id so a
/// guard can remove its own.
///
/// One list rather than a map per kind: a page registers tens of handlers,
/// a scan of them costs less than hashing a key built for each lookup, and
/// one collection type keeps the browser bundle small.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: u64,
    entries: Vec<Entry>,
}

impl Listeners {
    fn add(&mut self, namespace: &str, handler: Handler) -> u64 {
        self.next_id += 1;
        self.entries.push(Entry {
            id: self.next_id,
            namespace: namespace.to_owned(),
            handler,
        });
        self.next_id
    }

    fn on<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Handler> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.namespace == namespace)
            .map(|e| &e.handler)
    }

    pub(crate) fn add_event(&mut self, ns: &str, event: &str, handler: EventHandler) -> u64 {
        self.add(ns, Handler::Event(event.to_owned(), handler))
    }

    /// Sets the one handler that answers `event`'s acknowledgements (a later
    /// one replaces it).
    pub(crate) fn set_ack(&mut self, ns: &str, event: &str, handler: AckHandler) -> u64 {
        self.entries.retain(|e| {
            !(e.namespace == ns && matches!(&e.handler, Handler::Ack(name, _) if name == event))
        });
        self.add(ns, Handler::Ack(event.to_owned(), handler))
    }

    pub(crate) fn add_any(&mut self, ns: &str, direction: Direction, handler: AnyHandler) -> u64 {
        self.add(ns, Handler::Any(direction, handler))
    }

    pub(crate) fn add_connection(&mut self, ns: &str, handler: ConnectionHandler) -> u64 {
        self.add(ns, Handler::Connection(handler))
    }

    pub(crate) fn add_rtt(&mut self, ns: &str, handler: RttHandler) -> u64 {
        self.add(ns, Handler::Rtt(handler))
    }

    fn remove(&mut self, id: u64) {
        self.entries.retain(|e| e.id != id);
    }

    /// The handlers of `event` on `ns`, cloned so they run with no borrow held.
    pub(crate) fn event_handlers(&self, ns: &str, event: &str) -> Vec<EventHandler> {
        self.on(ns)
            .filter_map(|h| match h {
                Handler::Event(name, h) if name == event => Some(Rc::clone(h)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn ack_handler(&self, ns: &str, event: &str) -> Option<AckHandler> {
        self.on(ns).find_map(|h| match h {
            Handler::Ack(name, h) if name == event => Some(Rc::clone(h)),
            _ => None,
        })
    }

    pub(crate) fn any_handlers(&self, ns: &str, direction: Direction) -> Vec<AnyHandler> {
        self.on(ns)
            .filter_map(|h| match h {
                Handler::Any(d, h) if *d == direction => Some(Rc::clone(h)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn connection_handlers(&self, ns: &str) -> Vec<ConnectionHandler> {
        self.on(ns)
            .filter_map(|h| match h {
                Handler::Connection(h) => Some(Rc::clone(h)),
                _ => None,
            })
            .collect()
    }

    /// Every round-trip handler, of every namespace: the round trip is the
    /// connection's.
    pub(crate) fn rtt_handlers(&self) -> Vec<RttHandler> {
        self.entries
            .iter()
            .filter_map(|e| match &e.handler {
                Handler::Rtt(h) => Some(Rc::clone(h)),
                _ => None,
            })
            .collect()
    }

    /// How many handlers are registered on `ns`, for leak tests.
    pub(crate) fn len(&self, ns: &str) -> usize {
        self.on(ns).count()
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

    #[test]
    fn handlers_run_in_registration_order_and_a_later_ack_handler_replaces_the_first() {
        use std::cell::RefCell;
        let mut listeners = Listeners::default();
        let seen = Rc::new(RefCell::new(Vec::new()));
        for n in 0..3 {
            let seen = Rc::clone(&seen);
            listeners.add_event("/", "x", Rc::new(move |_| seen.borrow_mut().push(n)));
        }
        for handler in listeners.event_handlers("/", "x") {
            handler(Vec::new());
        }
        assert_eq!(*seen.borrow(), [0, 1, 2]);

        listeners.set_ack("/", "ask", Rc::new(|_, _| {}));
        let second = listeners.set_ack("/", "ask", Rc::new(|_, _| {}));
        assert_eq!(listeners.len("/"), 4);
        listeners.remove(second);
        assert!(listeners.ack_handler("/", "ask").is_none());
    }
}
