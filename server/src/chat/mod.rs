//! The chat contract of `DESIGN.md` on namespace `/`: rooms, presence,
//! typing, stored messages with a per-room `seq`, history on join.
//!
//! - [`validate`]: payloads → checked requests or a [`Rejection`].
//! - [`rooms`]: who is in which room under which name.
//! - `inbox`: one connection's events, handled one at a time in the order
//!   they arrived, by a task of that connection's own.
//! - `handlers`: the event handlers, tying those to the [`Store`] and
//!   the sockets.
//! - `room_locks`: one lock per room, so a room's messages reach every
//!   member in `seq` order.
//! - `delivery`: emits and acks, each result checked and counted.

pub mod rooms;
pub mod validate;

mod delivery;
mod handlers;
mod inbox;
mod room_locks;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::socket::{DisconnectReason, Sid};
use socketioxide::SocketIo;

use crate::metrics::Metrics;
use crate::store::Store;
use delivery::{Lagging, Reply};
pub(crate) use handlers::log_connect;
use handlers::log_disconnect;
use inbox::Inbox;
use room_locks::RoomLocks;
use rooms::Rooms;
use validate::Event;
pub use validate::Rejection;

/// The chat's tunable limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSettings {
    /// Most characters in a message text. Default 4000.
    pub max_text_chars: usize,
    /// Most messages a `join` returns. Default 100.
    pub history_limit: u32,
    /// `message` events allowed per second and socket, on average. Default 20.
    pub rate_per_sec: u32,
    /// `message` events a socket may send at once before the rate applies.
    /// Default 40.
    pub rate_burst: u32,
    /// Most chat events of one connection waiting to be handled; one more
    /// is refused with an error ack. Default 256.
    pub max_pending_events: usize,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            max_text_chars: validate::DEFAULT_MAX_TEXT_CHARS,
            history_limit: 100,
            rate_per_sec: 20,
            rate_burst: 40,
            max_pending_events: 256,
        }
    }
}

/// How long after a room's members change on a node with others its
/// presence is sent once more (see `Chat::settle_presence`).
const PRESENCE_SETTLE: Duration = Duration::from_millis(250);

/// This node's place among the chat's nodes (`--redis-url`).
#[derive(Debug, Clone)]
pub struct ClusterNode {
    /// The adapter room every socket of this node is in: what is sent to
    /// the other nodes excludes it (this node's members are handed their
    /// events one by one, see `delivery`).
    node_room: String,
}

impl ClusterNode {
    /// A node with a name no other node has (process id and start time).
    pub fn new() -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Self {
            node_room: format!("\u{1}node\u{1}{}-{started}", std::process::id()),
        }
    }
}

impl Default for ClusterNode {
    fn default() -> Self {
        Self::new()
    }
}

/// The chat's shared state: settings, store, metrics and memberships.
/// (Each connection's own state, its queue of events and its rate limit,
/// lives in its inbox.)
#[derive(Debug)]
pub struct Chat {
    settings: ChatSettings,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    rooms: Mutex<Rooms<Sid>>,
    /// A room's lock is held from storing a message until it is handed to
    /// every member (and while a join reads its history), so members get
    /// messages in `seq` order and a joiner misses none between its history
    /// and the stream.
    order: RoomLocks,
    /// Messages full send buffers refused, handed over again later.
    lagging: Arc<Lagging>,
    /// With other nodes (`--redis-url`): this node's place among them.
    /// Messages, presence and typing then also go to the members on the
    /// other nodes through socketioxide's adapter, and presence lists the
    /// members of every node.
    cluster: Option<ClusterNode>,
    /// Rooms whose presence is to be sent once more (see `settle_presence`).
    settling: Mutex<HashSet<String>>,
}

impl Chat {
    /// A chat over `store`, counting into `metrics`; `cluster` when the
    /// server is one node of several.
    pub fn new(
        settings: ChatSettings,
        store: Arc<Store>,
        metrics: Arc<Metrics>,
        cluster: Option<ClusterNode>,
    ) -> Self {
        Self {
            settings,
            store,
            metrics,
            rooms: Mutex::new(Rooms::default()),
            order: RoomLocks::default(),
            lagging: Arc::default(),
            cluster,
            settling: Mutex::default(),
        }
    }

    /// Registers the chat events (and `echo`) on a socket that is being
    /// connected: before its CONNECT is answered, so none of its first
    /// events can miss its handler (see `namespace::register`).
    ///
    /// The socket's chat events (`join`, `leave`, `message`, `typing`) are
    /// handled one at a time in the order they arrived, by a task of the
    /// socket's own (spawned here, on the current tokio runtime): a burst of
    /// messages is stored in send order, and a `message` right behind its
    /// `join` finds the room joined. Other sockets are not held up. The
    /// disconnect is handled after every event that came before it.
    pub fn register<A: Adapter>(self: &Arc<Self>, socket: &SocketRef<A>, io: SocketIo<A>) {
        if let Some(cluster) = &self.cluster {
            socket.join(cluster.node_room.clone());
        }
        let inbox = Inbox::open(self, socket.id, io);
        // Nothing after this middleware can refuse the socket: it connects.
        self.metrics.client_connected();
        let metrics = Arc::clone(&self.metrics);
        // One handler for the four chat events (an event no handler is
        // named for reaches it), rather than one each: every connection
        // keeps its handlers, so fewer weigh less.
        {
            let inbox = Arc::clone(&inbox);
            socket.on_fallback(
                move |socketioxide::extract::Event(name): socketioxide::extract::Event,
                      TryData(payload): TryData<Value>,
                      reply: Reply<A>| {
                    // The synchronous part, called in arrival order. Other
                    // events are ignored, as socketioxide ignores events
                    // without a handler.
                    if let Some(event) = Event::named(&name) {
                        inbox.arrive(event, payload.ok(), reply);
                    }
                    std::future::ready(())
                },
            );
        }
        socket.on("echo", crate::echo::on_echo::<A>);
        socket.on_disconnect(move |s: SocketRef<A>, reason: DisconnectReason| {
            metrics.client_disconnected();
            log_disconnect(&s, reason);
            inbox.close()
        });
    }

    fn rooms(&self) -> MutexGuard<'_, Rooms<Sid>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn settling(&self) -> MutexGuard<'_, HashSet<String>> {
        self.settling.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
