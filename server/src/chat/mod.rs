//! The chat contract of `DESIGN.md` on namespace `/`: rooms, presence,
//! typing, stored messages with a per-room `seq`, history on join.
//!
//! - [`validate`]: payloads → checked requests or a [`Rejection`].
//! - [`rooms`]: who is in which room under which name.
//! - `handlers`: the event handlers, tying those to the [`Store`] and
//!   the sockets.
//! - `delivery`: emits and acks, each result checked and counted.

pub mod rooms;
pub mod validate;

mod delivery;
mod handlers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use socketioxide::extract::{SocketRef, TryData};
use socketioxide::socket::{DisconnectReason, Sid};
use socketioxide::SocketIo;

use crate::metrics::Metrics;
use crate::rate_limit::TokenBucket;
use crate::store::Store;
use delivery::Reply;
pub(crate) use handlers::log_connect;
use rooms::Rooms;
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
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            max_text_chars: validate::DEFAULT_MAX_TEXT_CHARS,
            history_limit: 100,
            rate_per_sec: 20,
            rate_burst: 40,
        }
    }
}

/// The chat's shared state: settings, store, metrics, memberships and the
/// per-socket rate limiters.
#[derive(Debug)]
pub struct Chat {
    settings: ChatSettings,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    rooms: Mutex<Rooms<Sid>>,
    buckets: Mutex<HashMap<Sid, TokenBucket>>,
    /// Held from storing a message until it is handed to every member (and
    /// while a join reads its history), so members get messages in `seq`
    /// order and a joiner misses none between its history and the stream.
    order: tokio::sync::Mutex<()>,
}

impl Chat {
    /// A chat over `store`, counting into `metrics`.
    pub fn new(settings: ChatSettings, store: Arc<Store>, metrics: Arc<Metrics>) -> Self {
        Self {
            settings,
            store,
            metrics,
            rooms: Mutex::new(Rooms::default()),
            buckets: Mutex::new(HashMap::new()),
            order: tokio::sync::Mutex::new(()),
        }
    }

    /// Registers the chat events (and `echo`) on a socket that is being
    /// connected: before its CONNECT is answered, so none of its first
    /// events can miss its handler (see `namespace::register`).
    pub fn register(self: &Arc<Self>, socket: &SocketRef) {
        let chat = Arc::clone(self);
        socket.on(
            "join",
            move |s: SocketRef, io: SocketIo, TryData(p): TryData<serde_json::Value>, r: Reply| async move {
                chat.on_join(&s, &io, p.ok(), r).await;
            },
        );
        let chat = Arc::clone(self);
        socket.on(
            "leave",
            move |s: SocketRef, io: SocketIo, TryData(p): TryData<serde_json::Value>, r: Reply| async move {
                chat.on_leave(&s, &io, p.ok(), r);
            },
        );
        let chat = Arc::clone(self);
        socket.on(
            "message",
            move |s: SocketRef, io: SocketIo, TryData(p): TryData<serde_json::Value>, r: Reply| async move {
                chat.on_message(&s, &io, p.ok(), r).await;
            },
        );
        let chat = Arc::clone(self);
        socket.on(
            "typing",
            move |s: SocketRef, io: SocketIo, TryData(p): TryData<serde_json::Value>, r: Reply| async move {
                chat.on_typing(&s, &io, p.ok(), r);
            },
        );
        socket.on("echo", crate::echo::on_echo);
        let chat = Arc::clone(self);
        socket.on_disconnect(
            move |s: SocketRef, io: SocketIo, reason: DisconnectReason| async move {
                chat.on_disconnect(&s, &io, reason);
            },
        );
    }

    fn rooms(&self) -> MutexGuard<'_, Rooms<Sid>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn buckets(&self) -> MutexGuard<'_, HashMap<Sid, TokenBucket>> {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
