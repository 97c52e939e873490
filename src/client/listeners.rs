//! Registered handlers, per namespace, and the [`EventListener`] guard that
//! removes one when dropped.

use std::time::Duration;

use crate::client::sync::{page_bound, Lock, MaybeSend, MaybeSync, PageBound, Shared, Weak};
use crate::client::{AckSender, ConnectionState, TransportKind};
use crate::protocol::Value;

/// A handler the runtime can hold: `Send + Sync` natively, anything in the
/// browser (see [`MaybeSend`]).
macro_rules! handler_trait {
    ($name:ident, $alias:ident, $($args:ty),*) => {
        pub(crate) trait $name: Fn($($args),*) + MaybeSend + MaybeSync {}
        impl<F: Fn($($args),*) + MaybeSend + MaybeSync> $name for F {}
        pub(crate) type $alias = Shared<dyn $name>;
    };
}

handler_trait!(EventFn, EventHandler, Vec<Value>);
handler_trait!(AckFn, AckHandler, Vec<Value>, AckSender);
handler_trait!(AnyFn, AnyHandler, &str, &[Value]);
handler_trait!(
    ConnectionFn,
    ConnectionHandler,
    ConnectionState,
    TransportKind
);
handler_trait!(RttFn, RttHandler, Duration);

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
                Handler::Event(name, h) if name == event => Some(Shared::clone(h)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn ack_handler(&self, ns: &str, event: &str) -> Option<AckHandler> {
        self.on(ns).find_map(|h| match h {
            Handler::Ack(name, h) if name == event => Some(Shared::clone(h)),
            _ => None,
        })
    }

    pub(crate) fn any_handlers(&self, ns: &str, direction: Direction) -> Vec<AnyHandler> {
        self.on(ns)
            .filter_map(|h| match h {
                Handler::Any(d, h) if *d == direction => Some(Shared::clone(h)),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn connection_handlers(&self, ns: &str) -> Vec<ConnectionHandler> {
        self.on(ns)
            .filter_map(|h| match h {
                Handler::Connection(h) => Some(Shared::clone(h)),
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
                Handler::Rtt(h) => Some(Shared::clone(h)),
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
/// It is `Send + Sync`, so it can live in a Leptos `on_cleanup` closure (in
/// the browser it is used on the page's one thread).
#[must_use = "the handler is removed as soon as this guard is dropped"]
pub struct EventListener {
    listeners: PageBound<Weak<Lock<Listeners>>>,
    id: u64,
}

impl EventListener {
    pub(crate) fn new(listeners: &Shared<Lock<Listeners>>, id: u64) -> Self {
        Self {
            listeners: page_bound(Shared::downgrade(listeners)),
            id,
        }
    }

    /// Keeps the handler registered for as long as the socket lives.
    pub fn forget(mut self) {
        self.listeners = page_bound(Weak::new());
        self.id = 0;
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        if let Some(listeners) = self.listeners.upgrade() {
            listeners.lock().remove(self.id);
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
        let a = listeners.add_event("/", "x", Shared::new(|_| {}));
        listeners.add_event("/", "x", Shared::new(|_| {}));
        listeners.add_any("/", Direction::Outgoing, Shared::new(|_, _| {}));
        listeners.add_rtt("/", Shared::new(|_| {}));
        listeners.add_event("/admin", "x", Shared::new(|_| {}));
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
        let mut listeners = Listeners::default();
        let seen = Shared::new(std::sync::Mutex::new(Vec::new()));
        for n in 0..3 {
            let seen = Shared::clone(&seen);
            listeners.add_event(
                "/",
                "x",
                Shared::new(move |_| seen.lock().expect("not poisoned").push(n)),
            );
        }
        for handler in listeners.event_handlers("/", "x") {
            handler(Vec::new());
        }
        assert_eq!(*seen.lock().expect("not poisoned"), [0, 1, 2]);

        listeners.set_ack("/", "ask", Shared::new(|_, _| {}));
        let second = listeners.set_ack("/", "ask", Shared::new(|_, _| {}));
        assert_eq!(listeners.len("/"), 4);
        listeners.remove(second);
        assert!(listeners.ack_handler("/", "ask").is_none());
    }
}
