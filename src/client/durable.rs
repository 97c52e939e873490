//! The durable emits of one client, which [`SocketOptions::durable`]
//! turns on: an [`Outbox`] per namespace, the acknowledgements in flight and
//! the callers waiting for an outcome.
//!
//! The core reaches this state only through [`DurableHooks`] (a boxed trait
//! object that `SocketOptions::durable` installs), so a client that never
//! turns durable emits on links none of it.
//!
//! [`SocketOptions::durable`]: crate::client::SocketOptions::durable

use futures_channel::oneshot;

use crate::client::outbox::{Outbox, OutboxEntry, OutboxEvent};
use crate::client::sorted_map::SortedMap;
use crate::client::sync::MaybeSend;
use crate::client::{DurableError, EmitError};
use crate::protocol::{json, Value};

/// A durable emit's outcome: its acknowledgement, or why not.
pub(crate) type DurableResult = Result<Vec<Value>, DurableError>;

/// What the core asks of durable emits on its always-taken paths
/// (acknowledgements, lost connections, the timer).
pub(crate) trait DurableHooks: MaybeSend {
    /// Acknowledgement `ack_id` on `ns` arrived: a durable emit's is
    /// settled here (stored or refused); any other is handed back.
    fn acknowledged(&mut self, ns: &str, ack_id: u64, args: Vec<Value>) -> Option<Vec<Value>>;

    /// Acknowledgement `ack_id` on `ns` will not come: `true` if it was a
    /// durable emit's (which goes again on the next connection).
    fn ack_failed(&mut self, ns: &str, ack_id: u64) -> bool;

    /// The connection of `ns` (of every namespace, for `None`) ended: what
    /// was in flight goes again on the next one; the acks it waited for
    /// will not come ([`take_abandoned`](DurableEmits::take_abandoned)).
    fn connection_lost(&mut self, ns: Option<&str>);

    /// The state itself, for the durable-only paths.
    fn emits(&mut self) -> &mut DurableEmits;
}

/// One namespace's durable emits.
struct Space {
    outbox: Outbox,
    /// Sent on this connection: ack id → outbox id.
    in_flight: SortedMap<u64, String>,
    /// Callers waiting for an emit's outcome, by outbox id.
    waiters: SortedMap<String, oneshot::Sender<DurableResult>>,
    /// Changed since it was last stored.
    dirty: bool,
}

/// The durable emits of one client, by namespace.
pub(crate) struct DurableEmits {
    /// This client among the tabs sharing a stored outbox.
    tab: String,
    spaces: SortedMap<String, Space>,
    /// Acks that a lost connection took with it (namespace, ack id): the
    /// namespaces forget them before the next sending.
    abandoned: Vec<(String, u64)>,
}

/// Makes the durable state of a client seeded with `seed`.
pub(crate) fn new_durable(seed: u64) -> Box<dyn DurableHooks> {
    let mut tab = String::from("t");
    json::write_u64(&mut tab, seed);
    Box::new(DurableEmits {
        tab,
        spaces: SortedMap::default(),
        abandoned: Vec::new(),
    })
}

impl DurableEmits {
    fn space(&mut self, ns: &str) -> &mut Space {
        let tab = &self.tab;
        self.spaces.get_or_insert_with(ns, || Space {
            outbox: Outbox::new(tab.clone()),
            in_flight: SortedMap::default(),
            waiters: SortedMap::default(),
            dirty: false,
        })
    }

    /// Takes in namespace `ns`'s stored outbox (written by this tab, another
    /// one, or a previous page); an outbox is made only if something is
    /// stored.
    pub(crate) fn load(&mut self, ns: &str, stored: Option<&str>) {
        if stored.is_some() || self.spaces.contains_key(ns) {
            self.space(ns).outbox.load(stored);
        }
    }

    /// Adds a durable emit of `event` on `ns`, sent once `scope` is open:
    /// `make` builds its arguments from its id. Returns the id and the
    /// outbox's new stored form, to store before it is sent.
    pub(crate) fn push(
        &mut self,
        ns: &str,
        scope: Option<&str>,
        event: &str,
        make: impl FnOnce(&str) -> Result<Vec<Value>, EmitError>,
        now_ms: u64,
    ) -> Result<(String, String), DurableError> {
        let outbox = &mut self.space(ns).outbox;
        let id = outbox.make_id(now_ms);
        let args = make(&id)?;
        outbox.push(&id, scope, event, args)?;
        Ok((id, outbox.stored_form()))
    }

    /// Opens (`open`) or closes `scope` of `ns` on this connection.
    pub(crate) fn set_scope(&mut self, ns: &str, scope: &str, open: bool) {
        let outbox = &mut self.space(ns).outbox;
        if open {
            outbox.open_scope(scope);
        } else {
            outbox.close_scope(scope);
        }
    }

    /// The entries waiting on `ns`, oldest first.
    pub(crate) fn entries(&self, ns: &str) -> Vec<OutboxEntry> {
        self.spaces
            .get(ns)
            .map(|space| space.outbox.entries().to_vec())
            .unwrap_or_default()
    }

    /// Forgets durable emit `id` (its write to storage failed).
    pub(crate) fn forget(&mut self, ns: &str, id: &str) {
        if let Some(space) = self.spaces.get_mut(ns) {
            space.outbox.forget(id);
        }
    }

    /// The outcome of durable emit `id`, when it comes.
    pub(crate) fn wait(&mut self, ns: &str, id: &str) -> oneshot::Receiver<DurableResult> {
        let (sender, receiver) = oneshot::channel();
        self.space(ns).waiters.insert(id.to_owned(), sender);
        receiver
    }

    /// The namespaces with an outbox.
    pub(crate) fn namespaces(&self) -> Vec<String> {
        self.spaces.keys().cloned().collect()
    }

    /// What `ns`'s outbox may send now (nothing unless `connected`), and its
    /// stored form if that changed (a send, a lease taken, renewed or
    /// lost, an acknowledgement), to store.
    pub(crate) fn take_sendable(
        &mut self,
        ns: &str,
        connected: bool,
        now_ms: u64,
    ) -> (Vec<OutboxEntry>, Option<String>) {
        let Some(space) = self.spaces.get_mut(ns) else {
            return (Vec::new(), None);
        };
        let outbox = &mut space.outbox;
        let was_holding = outbox.holds_lease(now_ms);
        let renew = outbox.renew_at().is_some_and(|at| at <= now_ms);
        let sendable = if connected {
            // Asking renews a lease that is due, even with nothing to send.
            outbox.take_sendable(now_ms)
        } else {
            // Another tab that is connected may send meanwhile.
            outbox.release();
            Vec::new()
        };
        let leased = outbox.holds_lease(now_ms) != was_holding || renew;
        let dirty = std::mem::take(&mut space.dirty) || !sendable.is_empty() || leased;
        let form = dirty.then(|| outbox.stored_form());
        (sendable, form)
    }

    /// Durable emit `id` of `ns` went out with acknowledgement `ack_id`.
    pub(crate) fn sent(&mut self, ns: &str, ack_id: u64, id: String) {
        self.space(ns).in_flight.insert(ack_id, id);
    }

    /// The earliest moment (Unix ms) an outbox wants attention: to renew
    /// its lease, or to take over one another tab let expire.
    pub(crate) fn deadline(&self) -> Option<u64> {
        self.spaces
            .values()
            .filter_map(|space| space.outbox.next_wake())
            .min()
    }

    /// The acks lost connections took with them, to forget.
    pub(crate) fn take_abandoned(&mut self) -> Vec<(String, u64)> {
        std::mem::take(&mut self.abandoned)
    }

    /// The stored forms that acknowledgements changed since the last call.
    pub(crate) fn take_dirty(&mut self) -> Vec<(String, String)> {
        self.spaces
            .iter_mut()
            .filter(|(_, space)| space.dirty)
            .map(|(ns, space)| {
                space.dirty = false;
                (ns.clone(), space.outbox.stored_form())
            })
            .collect()
    }
}

impl DurableHooks for DurableEmits {
    fn acknowledged(&mut self, ns: &str, ack_id: u64, args: Vec<Value>) -> Option<Vec<Value>> {
        let Some(space) = self.spaces.get_mut(ns) else {
            return Some(args);
        };
        let Some(id) = space.in_flight.remove(&ack_id) else {
            return Some(args);
        };
        // `None`: another tab's removal reached storage first.
        let outcome = space.outbox.acknowledged(&id, args)?;
        space.dirty = true;
        if let Some(waiter) = space.waiters.remove(&id) {
            // The receiver may be gone already: nobody waits any more.
            let _ = waiter.send(match outcome {
                OutboxEvent::Stored { ack, .. } => Ok(ack),
                OutboxEvent::Refused { error, .. } => Err(DurableError::Refused(error)),
            });
        }
        None
    }

    fn ack_failed(&mut self, ns: &str, ack_id: u64) -> bool {
        self.spaces
            .get_mut(ns)
            .is_some_and(|space| space.in_flight.remove(&ack_id).is_some())
    }

    fn connection_lost(&mut self, ns: Option<&str>) {
        for (name, space) in self.spaces.iter_mut() {
            if ns.is_none_or(|ns| ns == name) {
                let lost = space.in_flight.keys().map(|id| (name.clone(), *id));
                self.abandoned.extend(lost);
                space.in_flight.clear();
                space.outbox.connection_lost();
            }
        }
    }

    fn emits(&mut self) -> &mut DurableEmits {
        self
    }
}
