//! [`Outbox`]: durable emits, sans-IO. An emit marked durable is written to
//! storage before it is sent, re-sent with the same id after every
//! reconnection and every reload until its acknowledgement says it was
//! stored, and sent by one tab at a time.
//!
//! The outbox decides; it touches nothing. Its caller loads the stored form
//! ([`Outbox::load`]), stores what [`Outbox::stored_form`] gives after every
//! change that must survive (before sending what it added), sends what
//! [`Outbox::take_sendable`] hands out, and reports acknowledgements and lost
//! connections. Every tab of an origin shares one stored form per server and
//! namespace; a *lease* in it (an owner and an expiry) says which tab sends,
//! so no entry goes out from two tabs at once, and a tab that closes
//! mid-send leaves its entries to the next tab once its lease expires.
//!
//! What this gives [`Socket::emit_durable`](crate::Socket::emit_durable)
//! (the README's "Delivery guarantees" has the table, with the tests that
//! prove each line):
//!
//! - a lost connection or a restarted server: the entry goes again on the
//!   next connection, with the same id, until acknowledged;
//! - a reload, or a closed tab: it is in storage, written before it was
//!   sent; the next page (or another tab, once the lease expires) sends it;
//! - storage full or unavailable: the emit fails at once with
//!   [`OutboxError::Storage`] and is not sent;
//! - `{ok: false, error}`: [`OutboxEvent::Refused`], removed, not retried;
//! - exactly once needs the server to store each id once: the outbox sends
//!   at least once, and again only after a lost connection or a reload.

use crate::protocol::json;
use crate::protocol::Value;

/// How long a lease lasts without renewal. The holder renews it while it
/// has entries ([`Outbox::renew_at`]); another tab takes over this long
/// after the holder went quiet (closed, frozen, crashed).
pub const OUTBOX_LEASE_MS: u64 = 5_000;

/// The most entries an outbox keeps; beyond, a durable emit fails with
/// [`OutboxError::Full`] (storage is small: `localStorage` gives an origin
/// about 5 MB).
pub const MAX_DURABLE_EMITS: usize = 1_000;

/// One durable emit, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Made when the emit was created, unique per origin; the server sees it
    /// in the payload and stores the emit once however often it arrives.
    pub id: String,
    /// What the connection must have opened before this entry goes out
    /// (e.g. the chat room it is for, joined again after a reconnect):
    /// see [`Outbox::open_scope`]. `None`: it goes as soon as connected.
    pub scope: Option<String>,
    /// The event name.
    pub event: String,
    /// The arguments (JSON; no binary).
    pub args: Vec<Value>,
}

/// Why a durable emit could not be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// Binary data cannot be kept in browser storage as text.
    #[error(
        "\"{event}\" carries binary data, which a durable emit cannot keep in storage; \
         send it with a plain emit, or send the bytes separately"
    )]
    Binary {
        /// The event.
        event: String,
    },
    /// The outbox already holds [`MAX_DURABLE_EMITS`].
    #[error(
        "{0} durable emits are already waiting to be stored by the server; \
         wait for them to be acknowledged before sending more"
    )]
    Full(usize),
    /// Durable emits are not turned on for this socket.
    #[error(
        "durable emits are off for this socket: build its options with \
         SocketOptions::durable()"
    )]
    Off,
    /// Storage refused the write (full, or unavailable as in some private
    /// windows).
    #[error(
        "the emit could not be kept in browser storage ({0}); it was not sent. \
         Free some storage or leave private browsing, then try again"
    )]
    Storage(String),
}

/// What became of a durable emit, for its caller (or, after a reload, for
/// whoever listens).
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxEvent {
    /// The server acknowledged it as stored; `ack` is its acknowledgement.
    Stored {
        /// The entry's id.
        id: String,
        /// The acknowledgement's arguments.
        ack: Vec<Value>,
    },
    /// The server refused it (`{ok: false, error}`); it is not retried.
    Refused {
        /// The entry's id.
        id: String,
        /// The server's sentence (`error`), or the whole answer.
        error: String,
    },
}

/// Who may send, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lease {
    owner: String,
    until_ms: u64,
}

/// The durable emits of one namespace of one server, shared by the tabs of
/// an origin through storage.
///
/// ```
/// use leptos_socketio::client::{Outbox, OutboxEvent};
/// use leptos_socketio::protocol::Value;
///
/// let mut tab = Outbox::new("tab-a");
/// let id = tab.make_id(0); // goes into the payload, for the server to dedupe
/// tab.push(&id, None, "message", vec![Value::from(id.as_str())]).expect("kept");
/// let stored = tab.stored_form(); // write this before sending
/// let send = tab.take_sendable(0);
/// assert_eq!(send[0].id, id);
/// // The server answered {"ok": true, "seq": 7}.
/// let ack = vec![Value::from(serde_json::json!({"ok": true, "seq": 7}))];
/// assert!(matches!(tab.acknowledged(&id, ack), Some(OutboxEvent::Stored { .. })));
/// assert!(tab.is_empty());
/// # let _ = stored;
/// ```
#[derive(Debug, Clone)]
pub struct Outbox {
    /// This tab.
    tab: String,
    entries: Vec<OutboxEntry>,
    /// Ids sent on the current connection and not yet acknowledged.
    in_flight: Vec<String>,
    /// The scopes this tab's connection has opened.
    open: Vec<String>,
    lease: Option<Lease>,
    /// For the ids of entries made here.
    made: u64,
}

impl Outbox {
    /// An empty outbox for tab `tab` (any id unique among the origin's
    /// tabs, e.g. random).
    pub fn new(tab: impl Into<String>) -> Self {
        Self {
            tab: tab.into(),
            entries: Vec::new(),
            in_flight: Vec::new(),
            open: Vec::new(),
            lease: None,
            made: 0,
        }
    }

    /// Takes in what storage holds now (written by this tab or another):
    /// its entries and lease replace ours; what this tab has in flight stays
    /// in flight. A value that is not ours (another version, garbage) reads
    /// as empty.
    pub fn load(&mut self, stored: Option<&str>) {
        let (entries, lease) = stored.and_then(parse_stored).unwrap_or_default();
        self.in_flight
            .retain(|id| entries.iter().any(|e| &e.id == id));
        self.entries = entries;
        self.lease = lease;
    }

    /// A new entry id, unique among the tabs sharing this outbox (made at
    /// `now_ms`), for the caller to put in its payload before
    /// [`push`](Self::push).
    pub fn make_id(&mut self, now_ms: u64) -> String {
        self.made += 1;
        let mut id = self.tab.clone();
        id.push('-');
        json::write_u64(&mut id, now_ms);
        id.push('-');
        json::write_u64(&mut id, self.made);
        id
    }

    /// Adds durable emit `id` (from [`make_id`](Self::make_id)) of `event`
    /// with `args`, sent once `scope` is open (or, for `None`, as soon as
    /// connected). Store [`stored_form`](Self::stored_form) next; if that
    /// fails, [`forget`](Self::forget) the id and report
    /// [`OutboxError::Storage`].
    pub fn push(
        &mut self,
        id: &str,
        scope: Option<&str>,
        event: &str,
        args: Vec<Value>,
    ) -> Result<(), OutboxError> {
        if args.iter().any(Value::has_binary) {
            return Err(OutboxError::Binary {
                event: event.to_owned(),
            });
        }
        if self.entries.len() >= MAX_DURABLE_EMITS {
            return Err(OutboxError::Full(self.entries.len()));
        }
        self.entries.push(OutboxEntry {
            id: id.to_owned(),
            scope: scope.map(str::to_owned),
            event: event.to_owned(),
            args,
        });
        Ok(())
    }

    /// Drops entry `id` without a word (its write to storage failed, so it
    /// was never durable).
    pub fn forget(&mut self, id: &str) {
        self.entries.retain(|e| e.id != id);
        self.in_flight.retain(|i| i != id);
    }

    /// `scope` is open on this tab's connection (the room it is for was
    /// joined again, say): its entries may go. Every scope closes when the
    /// connection is lost.
    pub fn open_scope(&mut self, scope: &str) {
        if !self.open.iter().any(|s| s == scope) {
            self.open.push(scope.to_owned());
        }
    }

    /// `scope` is closed (the room was left): its entries wait for a tab
    /// that opens it.
    pub fn close_scope(&mut self, scope: &str) {
        self.open.retain(|s| s != scope);
    }

    /// Whether `entry` may go out on this tab's connection.
    fn is_ready(&self, entry: &OutboxEntry) -> bool {
        entry
            .scope
            .as_ref()
            .is_none_or(|scope| self.open.contains(scope))
    }

    /// The entries to send now, oldest first: those whose scope is open and
    /// that were not yet sent on this connection, if this tab holds the
    /// lease or may take it (nobody holds it, or it expired). A tab with
    /// nothing it may send lets go of the lease, for a tab that can. Taking,
    /// renewing or letting go of the lease changes the stored form: store
    /// it before sending.
    pub fn take_sendable(&mut self, now_ms: u64) -> Vec<OutboxEntry> {
        let fresh: Vec<OutboxEntry> = self
            .entries
            .iter()
            .filter(|e| self.is_ready(e) && !self.in_flight.contains(&e.id))
            .cloned()
            .collect();
        if fresh.is_empty() && self.in_flight.is_empty() {
            self.release();
            return Vec::new();
        }
        if !self.acquire(now_ms) {
            return Vec::new();
        }
        self.in_flight.extend(fresh.iter().map(|e| e.id.clone()));
        fresh
    }

    /// Lets go of the lease, if this tab holds it: it cannot send now (not
    /// connected, or nothing it may send), so another tab may.
    pub fn release(&mut self) {
        if self.lease.as_ref().is_some_and(|l| l.owner == self.tab) {
            self.lease = None;
        }
    }

    /// Whether this tab has anything to send or waits for an ack.
    fn is_busy(&self) -> bool {
        !self.in_flight.is_empty() || self.entries.iter().any(|e| self.is_ready(e))
    }

    /// Whether this tab holds the lease at `now_ms`.
    pub fn holds_lease(&self, now_ms: u64) -> bool {
        self.lease
            .as_ref()
            .is_some_and(|l| l.owner == self.tab && l.until_ms > now_ms)
    }

    fn acquire(&mut self, now_ms: u64) -> bool {
        let free = match &self.lease {
            None => true,
            Some(lease) => lease.owner == self.tab || lease.until_ms <= now_ms,
        };
        if free {
            self.lease = Some(Lease {
                owner: self.tab.clone(),
                until_ms: now_ms.saturating_add(OUTBOX_LEASE_MS),
            });
        }
        free
    }

    /// When the lease should be renewed (half-way through it), while this
    /// tab holds it and has entries it may send or waits for acks; `None`
    /// otherwise.
    pub fn renew_at(&self) -> Option<u64> {
        let lease = self.lease.as_ref()?;
        (lease.owner == self.tab && self.is_busy())
            .then(|| lease.until_ms.saturating_sub(OUTBOX_LEASE_MS / 2))
    }

    /// When (Unix ms) this outbox wants attention while it has entries it
    /// may send: to renew the lease it holds, or to take over one another
    /// tab holds when it expires.
    pub fn next_wake(&self) -> Option<u64> {
        if !self.is_busy() {
            return None;
        }
        let lease = self.lease.as_ref()?;
        Some(if lease.owner == self.tab {
            lease.until_ms.saturating_sub(OUTBOX_LEASE_MS / 2)
        } else {
            lease.until_ms
        })
    }

    /// The acknowledgement of entry `id` arrived: `{ok: false, error}`
    /// refuses it, anything else stores it. Either way the entry is removed
    /// (store the new form). `None` when `id` is not ours (another tab's,
    /// or already acknowledged).
    pub fn acknowledged(&mut self, id: &str, ack: Vec<Value>) -> Option<OutboxEvent> {
        let at = self.entries.iter().position(|e| e.id == id)?;
        self.entries.remove(at);
        self.in_flight.retain(|i| i != id);
        if self.entries.is_empty() {
            if let Some(lease) = &self.lease {
                if lease.owner == self.tab {
                    self.lease = None;
                }
            }
        }
        let refused = ack.first().and_then(|a| a.get("ok")) == Some(&Value::Bool(false));
        Some(if refused {
            let error = ack
                .first()
                .and_then(|a| a.get("error"))
                .and_then(Value::as_str)
                .map_or_else(
                    || {
                        let mut whole = String::new();
                        json::write(&mut whole, &Value::Array(ack.clone()));
                        whole
                    },
                    str::to_owned,
                );
            OutboxEvent::Refused {
                id: id.to_owned(),
                error,
            }
        } else {
            OutboxEvent::Stored {
                id: id.to_owned(),
                ack,
            }
        })
    }

    /// The connection was lost: what was sent and not acknowledged goes out
    /// again, with the same ids, on the next one, and every scope must be
    /// opened again.
    pub fn connection_lost(&mut self) {
        self.in_flight.clear();
        self.open.clear();
    }

    /// The entries, oldest first (to show them as pending after a reload).
    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    /// Whether no durable emit waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The form to store: every entry and the lease.
    pub fn stored_form(&self) -> String {
        let mut out = String::from("{\"v\":1,\"lease\":");
        match &self.lease {
            Some(lease) => {
                out.push_str("{\"owner\":");
                json::write_str(&mut out, &lease.owner);
                out.push_str(",\"until\":");
                json::write_u64(&mut out, lease.until_ms);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"entries\":[");
        for (n, entry) in self.entries.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str("{\"id\":");
            json::write_str(&mut out, &entry.id);
            if let Some(scope) = &entry.scope {
                out.push_str(",\"scope\":");
                json::write_str(&mut out, scope);
            }
            out.push_str(",\"event\":");
            json::write_str(&mut out, &entry.event);
            out.push_str(",\"args\":");
            json::write(&mut out, &Value::Array(entry.args.clone()));
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// The entries and lease of a stored form; `None` for anything else.
fn parse_stored(stored: &str) -> Option<(Vec<OutboxEntry>, Option<Lease>)> {
    let value = json::parse(stored).ok()?;
    if value.get("v") != Some(&Value::from(1u64)) {
        return None;
    }
    let lease = match value.get("lease") {
        Some(Value::Null) | None => None,
        Some(lease) => Some(Lease {
            owner: lease.get("owner")?.as_str()?.to_owned(),
            until_ms: match lease.get("until")? {
                Value::Number(n) => n.as_u64()?,
                _ => return None,
            },
        }),
    };
    let Some(Value::Array(items)) = value.get("entries") else {
        return None;
    };
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let Some(Value::Array(args)) = item.get("args") else {
            return None;
        };
        entries.push(OutboxEntry {
            id: item.get("id")?.as_str()?.to_owned(),
            scope: match item.get("scope") {
                None => None,
                Some(scope) => Some(scope.as_str()?.to_owned()),
            },
            event: item.get("event")?.as_str()?.to_owned(),
            args: args.clone(),
        });
    }
    Some((entries, lease))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(seq: u64) -> Vec<Value> {
        vec![Value::from(json!({"ok": true, "seq": seq}))]
    }

    /// A new entry with a fresh id.
    fn add(
        tab: &mut Outbox,
        event: &str,
        args: Vec<Value>,
        now_ms: u64,
    ) -> Result<String, OutboxError> {
        let id = tab.make_id(now_ms);
        tab.push(&id, None, event, args).map(|()| id)
    }

    fn ids(entries: &[OutboxEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.id.as_str()).collect()
    }

    /// A tab that pushes `n` entries and stores them.
    fn tab_with(n: usize, storage: &mut Option<String>) -> (Outbox, Vec<String>) {
        let mut tab = Outbox::new("a");
        tab.load(storage.as_deref());
        let made = (0..n)
            .map(|i| add(&mut tab, "message", vec![Value::from(i)], 100).expect("kept"))
            .collect();
        *storage = Some(tab.stored_form());
        (tab, made)
    }

    #[test]
    fn entries_go_out_in_order_once_per_connection_and_again_after_a_loss() {
        let mut storage = None;
        let (mut tab, made) = tab_with(3, &mut storage);
        assert_eq!(ids(&tab.take_sendable(0)), made);
        assert!(tab.take_sendable(1).is_empty(), "sent once per connection");
        assert!(tab.acknowledged(&made[0], ok(1)).is_some());
        tab.connection_lost();
        assert_eq!(
            ids(&tab.take_sendable(2)),
            made[1..],
            "what was not acknowledged goes again, same ids, same order"
        );
    }

    #[test]
    fn a_reload_finds_every_entry_and_sends_it_with_the_same_id() {
        let mut storage = None;
        let (mut tab, made) = tab_with(2, &mut storage);
        tab.take_sendable(0);
        storage = Some(tab.stored_form());
        drop(tab);

        // The page reloads: a new tab id, the lease still the old page's.
        let mut reloaded = Outbox::new("b");
        reloaded.load(storage.as_deref());
        assert_eq!(ids(reloaded.entries()), made);
        assert!(
            reloaded.take_sendable(1_000).is_empty(),
            "the old page's lease has not expired"
        );
        assert_eq!(ids(&reloaded.take_sendable(OUTBOX_LEASE_MS)), made);
    }

    #[test]
    fn an_ok_ack_removes_the_entry_and_a_refusal_is_reported_not_retried() {
        let mut storage = None;
        let (mut tab, made) = tab_with(2, &mut storage);
        tab.take_sendable(0);
        assert_eq!(
            tab.acknowledged(&made[0], ok(9)),
            Some(OutboxEvent::Stored {
                id: made[0].clone(),
                ack: ok(9)
            })
        );
        let refusal = vec![Value::from(json!({"ok": false, "error": "too long"}))];
        assert_eq!(
            tab.acknowledged(&made[1], refusal),
            Some(OutboxEvent::Refused {
                id: made[1].clone(),
                error: "too long".to_owned()
            })
        );
        assert!(tab.is_empty());
        tab.connection_lost();
        assert!(tab.take_sendable(1).is_empty(), "a refusal is not retried");
        assert_eq!(tab.acknowledged(&made[1], ok(1)), None, "already settled");
    }

    #[test]
    fn two_tabs_never_send_at_once_and_an_expired_lease_passes_to_the_other() {
        let mut storage = None;
        let (mut a, made) = tab_with(2, &mut storage);
        assert_eq!(a.take_sendable(0).len(), 2);
        storage = Some(a.stored_form());

        let mut b = Outbox::new("b");
        b.load(storage.as_deref());
        assert!(b.take_sendable(10).is_empty(), "a holds the lease");
        assert!(!b.holds_lease(10));

        // a renews while it has entries, so b keeps waiting.
        let renew = a.renew_at().expect("a renews");
        assert!(renew < OUTBOX_LEASE_MS);
        a.load(storage.as_deref());
        a.take_sendable(renew);
        storage = Some(a.stored_form());
        b.load(storage.as_deref());
        assert!(b.take_sendable(OUTBOX_LEASE_MS + 1).is_empty(), "renewed");

        // a's tab closes mid-send: nothing renews; the lease runs out.
        let expired = renew + OUTBOX_LEASE_MS;
        b.load(storage.as_deref());
        assert_eq!(ids(&b.take_sendable(expired)), made, "b takes over");
        assert!(b.holds_lease(expired));
        storage = Some(b.stored_form());
        a.load(storage.as_deref());
        assert!(a.take_sendable(expired + 1).is_empty(), "now b's");
    }

    #[test]
    fn the_lease_is_released_when_the_last_entry_is_settled() {
        let mut storage = None;
        let (mut a, made) = tab_with(1, &mut storage);
        a.take_sendable(0);
        a.acknowledged(&made[0], ok(1));
        assert_eq!(a.renew_at(), None);
        let mut b = Outbox::new("b");
        b.load(Some(&a.stored_form()));
        add(&mut b, "message", vec![], 5).expect("kept");
        assert_eq!(
            b.take_sendable(6).len(),
            1,
            "free at once, not after expiry"
        );
    }

    #[test]
    fn what_cannot_be_kept_is_refused_with_a_sentence() {
        let mut tab = Outbox::new("a");
        let binary = add(&mut tab, "file", vec![Value::Binary(vec![1])], 0);
        let err = binary.expect_err("binary");
        assert!(err.to_string().contains("binary data"), "{err}");
        for n in 0..MAX_DURABLE_EMITS {
            add(&mut tab, "m", vec![Value::from(n)], 0).expect("room");
        }
        let full = add(&mut tab, "m", vec![], 0).expect_err("full");
        assert_eq!(full, OutboxError::Full(MAX_DURABLE_EMITS));
        let id = tab.entries()[0].id.clone();
        tab.forget(&id);
        assert_eq!(tab.entries().len(), MAX_DURABLE_EMITS - 1);
    }

    #[test]
    fn the_stored_form_round_trips_and_garbage_reads_as_empty() {
        let mut storage = None;
        let (mut tab, _) = tab_with(2, &mut storage);
        tab.take_sendable(42);
        let form = tab.stored_form();
        let mut copy = Outbox::new("z");
        copy.load(Some(&form));
        assert_eq!(copy.entries(), tab.entries());
        assert_eq!(copy.stored_form(), form);
        for garbage in [
            "",
            "[]",
            "{\"v\":2}",
            "{\"v\":1,\"entries\":[{}]}",
            "not json",
        ] {
            let mut outbox = Outbox::new("g");
            outbox.load(Some(garbage));
            assert!(outbox.is_empty(), "{garbage:?}");
        }
    }

    #[test]
    fn ids_are_unique_per_tab_and_per_emit() {
        let mut a = Outbox::new("a");
        let mut b = Outbox::new("b");
        let x = add(&mut a, "m", vec![], 7).expect("kept");
        let y = add(&mut a, "m", vec![], 7).expect("kept");
        let z = add(&mut b, "m", vec![], 7).expect("kept");
        assert_ne!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn a_scoped_entry_waits_for_its_scope_and_each_connection_opens_it_again() {
        let mut tab = Outbox::new("a");
        let id = tab.make_id(0);
        tab.push(&id, Some("lobby"), "message", vec![Value::from(1)])
            .expect("kept");
        let plain = add(&mut tab, "note", vec![], 0).expect("kept");
        assert_eq!(
            ids(&tab.take_sendable(0)),
            [plain.as_str()],
            "lobby not open"
        );
        tab.open_scope("lobby");
        assert_eq!(ids(&tab.take_sendable(1)), [id.as_str()]);
        tab.connection_lost();
        assert_eq!(
            ids(&tab.take_sendable(2)),
            [plain.as_str()],
            "a new connection must join the room again"
        );
        tab.open_scope("lobby");
        tab.close_scope("lobby");
        assert!(tab.take_sendable(3).is_empty(), "closed again");

        let mut reloaded = Outbox::new("b");
        reloaded.load(Some(&tab.stored_form()));
        assert_eq!(reloaded.entries(), tab.entries(), "the scope is stored");
        assert_eq!(reloaded.entries()[0].scope.as_deref(), Some("lobby"));
    }

    #[test]
    fn a_tab_that_cannot_send_lets_go_of_the_lease_for_one_that_can() {
        let mut a = Outbox::new("a");
        let id = a.make_id(0);
        a.push(&id, Some("kitchen"), "message", vec![])
            .expect("kept");
        let plain = add(&mut a, "note", vec![], 0).expect("kept");
        assert_eq!(ids(&a.take_sendable(0)), [plain.as_str()]);
        assert!(a.holds_lease(0));
        assert_eq!(a.acknowledged(&plain, ok(1)).map(|_| ()), Some(()));
        // Only the kitchen's entry is left, and a is not in the kitchen.
        assert!(a.take_sendable(10).is_empty());
        assert!(!a.holds_lease(10), "let go at once, not after expiry");
        assert_eq!(a.next_wake(), None, "nothing a can do");

        let mut b = Outbox::new("b");
        b.load(Some(&a.stored_form()));
        b.open_scope("kitchen");
        assert_eq!(ids(&b.take_sendable(11)), [id.as_str()]);
        assert!(b.holds_lease(11));
    }
}
