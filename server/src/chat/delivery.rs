//! Handing events and acks to sockets: every result is checked, and a
//! failure is counted (`lsio_deliveries_failed_total`) and logged. A
//! `message` that a socket's full send buffer refused is handed over again
//! once the buffer has room ([`Lagging`]): never a silent loss.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::{Sid, Socket};
use socketioxide::SocketIo;
use tracing::warn;

use crate::metrics::Metrics;
use crate::store::Message;

/// How often a socket whose buffer refused a message is tried again.
const RETRY_EVERY: Duration = Duration::from_millis(25);

/// Messages that sockets' full send buffers refused: per socket, the latest
/// of each room. A task per such socket hands that one over again as soon
/// as the buffer has room; its `seq` is past the client's last, so the
/// client fetches what it missed with `join {since}`. A slow consumer thus
/// loses nothing silently, and the server keeps only one message per
/// socket and room however far behind it is.
#[derive(Debug, Default)]
pub(super) struct Lagging {
    sockets: Mutex<HashMap<Sid, BTreeMap<String, Message>>>,
}

impl Lagging {
    fn sockets(&self) -> std::sync::MutexGuard<'_, HashMap<Sid, BTreeMap<String, Message>>> {
        self.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `message` could not be handed to `sid`: keep it (if it is the
    /// room's latest) and start trying again, unless a try is running.
    /// Returns whether `sid` started lagging now (it was not before).
    fn missed<A: Adapter>(
        self: &Arc<Self>,
        io: &SocketIo<A>,
        sid: Sid,
        message: &Message,
        metrics: &Arc<Metrics>,
    ) -> bool {
        let start = {
            let mut sockets = self.sockets();
            let start = !sockets.contains_key(&sid);
            let rooms = sockets.entry(sid).or_default();
            if rooms
                .get(&message.room)
                .is_none_or(|held| held.seq < message.seq)
            {
                rooms.insert(message.room.clone(), message.clone());
            }
            start
        };
        if start {
            let (lagging, io, metrics) = (Arc::clone(self), io.clone(), Arc::clone(metrics));
            tokio::spawn(async move { lagging.retry(io, sid, metrics).await });
        }
        start
    }

    /// Hands `sid` its latest refused messages again until they are all
    /// taken, or the socket is gone.
    async fn retry<A: Adapter>(self: Arc<Self>, io: SocketIo<A>, sid: Sid, metrics: Arc<Metrics>) {
        loop {
            tokio::time::sleep(RETRY_EVERY).await;
            let socket = socket_of(&io, sid);
            let held = self.sockets().get(&sid).cloned().unwrap_or_default();
            let mut handed = Vec::new();
            if let Some(socket) = &socket {
                for (room, message) in held {
                    if socket.emit("message", &message).is_ok() {
                        metrics.redelivered();
                        metrics.delivered();
                        handed.push((room, message.seq));
                    }
                }
            }
            let mut sockets = self.sockets();
            let Some(rooms) = sockets.get_mut(&sid) else {
                return;
            };
            // A newer message refused meanwhile stays, for the next try.
            for (room, seq) in handed {
                if rooms.get(&room).is_some_and(|m| m.seq == seq) {
                    rooms.remove(&room);
                }
            }
            if socket.is_none() || rooms.is_empty() {
                sockets.remove(&sid);
                return;
            }
        }
    }
}

/// Hands the stored `message` to each socket of `sids`; one whose send
/// buffer is full gets it again later (see [`Lagging`]).
pub(super) fn deliver_message<A: Adapter>(
    io: &SocketIo<A>,
    sids: &[Sid],
    message: &Message,
    metrics: &Arc<Metrics>,
    lagging: &Arc<Lagging>,
) {
    let Some(ns) = io.of("/") else {
        for sid in sids {
            metrics.delivery_failed();
            warn!(%sid, "could not deliver a message: the namespace is gone");
        }
        return;
    };
    for &sid in sids {
        let Some(socket) = ns.get_socket(sid) else {
            metrics.delivery_failed();
            warn!(%sid, "could not deliver a message: the socket is gone");
            continue;
        };
        let Err(e) = socket.emit("message", message) else {
            metrics.delivered();
            continue;
        };
        metrics.delivery_failed();
        // Logged when the socket starts lagging, not for every message it
        // misses meanwhile (a burst would flood the log): those are counted.
        if lagging.missed(io, sid, message, metrics) {
            warn!(
                %sid,
                event = "message",
                error = %e,
                "could not deliver; the room's latest goes again once the buffer has room"
            );
        }
    }
}

/// The ack of one incoming event, and whether the client asked for one.
pub(super) struct Reply<A: Adapter> {
    ack: AckSender<A>,
    wanted: bool,
    sid: Sid,
}

impl<A: Adapter> std::fmt::Debug for Reply<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("wanted", &self.wanted)
            .field("sid", &self.sid)
            .finish_non_exhaustive()
    }
}

impl<A: Adapter> FromMessageParts<A> for Reply<A> {
    type Error = Infallible;

    fn from_message_parts(
        s: &Arc<Socket<A>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self {
            ack: AckSender::from_message_parts(s, v, ack_id)?,
            wanted: ack_id.is_some(),
            sid: s.id,
        })
    }
}

impl<A: Adapter> Reply<A> {
    /// Sends `data` as the ack of `event`, if the client asked for one.
    pub(super) fn send<T: Serialize + ?Sized>(self, event: &str, data: &T, metrics: &Metrics) {
        if !self.wanted {
            return;
        }
        match self.ack.send(data) {
            Ok(()) => metrics.ack_sent(),
            Err(e) => {
                metrics.delivery_failed();
                warn!(sid = %self.sid, event, error = %e, "could not send the ack");
            }
        }
    }
}

/// Socket `sid` of namespace `/` on this node, if it is still there.
pub(super) fn socket_of<A: Adapter>(io: &SocketIo<A>, sid: Sid) -> Option<SocketRef<A>> {
    io.of("/").and_then(|ns| ns.get_socket(sid))
}

/// Emits `event` with `data` to each socket of `sids` (namespace `/`).
pub(super) fn emit_to<A: Adapter, T: Serialize + ?Sized>(
    io: &SocketIo<A>,
    sids: &[Sid],
    event: &str,
    data: &T,
    metrics: &Metrics,
) {
    let Some(ns) = io.of("/") else {
        for sid in sids {
            metrics.delivery_failed();
            warn!(%sid, event, "could not deliver: the namespace is gone");
        }
        return;
    };
    for &sid in sids {
        let Some(socket) = ns.get_socket(sid) else {
            metrics.delivery_failed();
            warn!(%sid, event, "could not deliver: the socket is gone");
            continue;
        };
        match socket.emit(event, data) {
            Ok(()) => metrics.delivered(),
            Err(e) => {
                metrics.delivery_failed();
                warn!(%sid, event, error = %e, "could not deliver");
            }
        }
    }
}
