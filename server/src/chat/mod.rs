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

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;
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
}

impl Chat {
    /// A chat over `store`, counting into `metrics`.
    pub fn new(settings: ChatSettings, store: Arc<Store>, metrics: Arc<Metrics>) -> Self {
        Self {
            settings,
            store,
            metrics,
            rooms: Mutex::new(Rooms::default()),
            order: RoomLocks::default(),
            lagging: Arc::default(),
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
    pub fn register(self: &Arc<Self>, socket: &SocketRef, io: SocketIo) {
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
                      reply: Reply| {
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
        socket.on("echo", crate::echo::on_echo);
        socket.on_disconnect(move |s: SocketRef, reason: DisconnectReason| {
            metrics.client_disconnected();
            log_disconnect(&s, reason);
            inbox.close()
        });
    }

    fn rooms(&self) -> MutexGuard<'_, Rooms<Sid>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
