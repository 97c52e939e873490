//! The chat event handlers: check the payload, act, ack, notify members.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

// The payloads are the contract's own types, shared with the client.
use leptos_socketio::chat::{ChatLimits, JoinAck, MessageAck, Presence, TypingNotice};
use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use socketioxide::socket::{DisconnectReason, Sid};
use socketioxide::SocketIo;
use tracing::{debug, info, warn};

use super::delivery::{deliver_message, emit_to, socket_of, Reply};
use super::inbox::Request;
use super::validate::{Event, JoinRequest, MessageRequest, Rejection};
use super::{Chat, PRESENCE_SETTLE};
use crate::store::Appended;

/// `{ok:false, error}`.
#[derive(Debug, Serialize)]
struct Failure<'a> {
    ok: bool,
    error: &'a str,
}

/// `{ok:true}`.
#[derive(Debug, Serialize)]
struct Done {
    ok: bool,
}

/// Milliseconds since the Unix epoch, from the server clock.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn origin<A: Adapter>(socket: &SocketRef<A>) -> &str {
    socket
        .req_parts()
        .headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
}

impl Chat {
    /// Handles one checked event of socket `sid`.
    pub(super) async fn handle<A: Adapter>(
        self: &Arc<Self>,
        sid: Sid,
        io: &SocketIo<A>,
        request: Request,
        reply: Reply<A>,
    ) {
        match request {
            Request::Join(join) => self.on_join(sid, io, join, reply).await,
            Request::Leave(room) => self.on_leave(sid, io, &room, reply).await,
            Request::Message(message) => self.on_message(sid, io, message, reply).await,
            Request::Typing(room) => self.on_typing(sid, io, &room, reply).await,
        }
    }

    /// Counts a refused input and acks `{ok:false, error}` when asked.
    pub(super) fn refuse<A: Adapter>(
        &self,
        sid: Sid,
        event: Event,
        rejection: &Rejection,
        reply: Reply<A>,
    ) {
        self.metrics.rejected(rejection.reason);
        debug!(%sid, event = event.name(), reason = rejection.reason.label(), "refused: {rejection}");
        reply.send(
            event.name(),
            &Failure {
                ok: false,
                error: &rejection.message,
            },
            &self.metrics,
        );
    }

    /// Sends `presence` to every member of `room` (on every node).
    async fn announce_presence<A: Adapter>(self: &Arc<Self>, io: &SocketIo<A>, room: &str) {
        if self.cluster.is_none() {
            return self.presence_to(io, room, None);
        }
        self.cluster_presence(io, room, None).await;
        self.settle_presence(io, room);
    }

    /// Sends `presence` of `room` to `only` (when the members did not
    /// change for the others), or to every member.
    fn presence_to<A: Adapter>(&self, io: &SocketIo<A>, room: &str, only: Option<Sid>) {
        // Under the lock, so the last presence sent is always the current one.
        let rooms = self.rooms();
        let members = rooms.names(room);
        let sids = only.map_or_else(|| rooms.sockets(room), |sid| vec![sid]);
        emit_to(
            io,
            &sids,
            "presence",
            &Presence {
                room: room.to_owned(),
                members,
            },
            &self.metrics,
        );
    }

    /// With other nodes: the members of `room` on all of them, sent to
    /// `only`, or to every member of every node.
    async fn cluster_presence<A: Adapter>(&self, io: &SocketIo<A>, room: &str, only: Option<Sid>) {
        let presence = Presence {
            room: room.to_owned(),
            members: self.members(io, room).await,
        };
        let sids = only.map_or_else(|| self.rooms().sockets(room), |sid| vec![sid]);
        emit_to(io, &sids, "presence", &presence, &self.metrics);
        if only.is_none() {
            self.to_other_nodes(io, room, "presence", &presence).await;
        }
    }

    /// With other nodes, two nodes whose members change at once may each
    /// send a presence that misses the other's change, and the older one
    /// may arrive last. So a changed room's presence is sent once more
    /// when the changes have settled ([`PRESENCE_SETTLE`] later; once
    /// for all the changes meanwhile): the last presence every member gets
    /// is the room as it is.
    fn settle_presence<A: Adapter>(self: &Arc<Self>, io: &SocketIo<A>, room: &str) {
        if !self.settling().insert(room.to_owned()) {
            return;
        }
        let (chat, io, room) = (Arc::clone(self), io.clone(), room.to_owned());
        tokio::spawn(async move {
            tokio::time::sleep(PRESENCE_SETTLE).await;
            chat.settling().remove(&room);
            chat.cluster_presence(&io, &room, None).await;
        });
    }

    /// The sorted, distinct names in `room`: of this node, or with other
    /// nodes, of all of them (asked through the adapter; if they cannot
    /// be asked, this node's, and the failure is counted and logged).
    async fn members<A: Adapter>(&self, io: &SocketIo<A>, room: &str) -> Vec<String> {
        if self.cluster.is_none() {
            return self.rooms().names(room);
        }
        match io.to(room.to_owned()).rooms().await {
            Ok(rooms) => names_in(room, rooms.iter().map(AsRef::as_ref)),
            Err(e) => {
                self.metrics.cluster_error();
                warn!(room, error = %e, "cannot ask the other nodes who is in the room; the presence lists this node's members only");
                self.rooms().names(room)
            }
        }
    }

    /// With other nodes: sends `event` to the members of `room` on the
    /// other nodes, through the adapter. A failure (the bus unreachable) is
    /// counted and logged; those members catch up by `seq` later.
    async fn to_other_nodes<A: Adapter, T: Serialize + ?Sized>(
        &self,
        io: &SocketIo<A>,
        room: &str,
        event: &str,
        data: &T,
    ) {
        let Some(cluster) = &self.cluster else {
            return;
        };
        let sent = io
            .to(room.to_owned())
            .except(cluster.node_room.clone())
            .emit(event, data)
            .await;
        if let Err(e) = sent {
            self.metrics.cluster_error();
            warn!(room, event, error = %e, "could not reach the other nodes");
        }
    }

    /// With other nodes: puts socket `sid` in the adapter's rooms that
    /// carry `room`'s events and its member `name` across nodes (out of
    /// the one of its `earlier` name there, if any).
    fn join_adapter_rooms<A: Adapter>(
        &self,
        sid: Sid,
        io: &SocketIo<A>,
        room: &str,
        name: &str,
        earlier: Option<&str>,
    ) {
        if self.cluster.is_none() {
            return;
        }
        let Some(socket) = socket_of(io, sid) else {
            return;
        };
        if let Some(earlier) = earlier.filter(|e| *e != name) {
            socket.leave(member_room(room, earlier));
        }
        socket.join([room.to_owned(), member_room(room, name)]);
    }

    /// With other nodes: takes socket `sid` out of the adapter's rooms of
    /// `room` (its member `name` included).
    fn leave_adapter_rooms<A: Adapter>(&self, sid: Sid, io: &SocketIo<A>, room: &str, name: &str) {
        if self.cluster.is_none() {
            return;
        }
        if let Some(socket) = socket_of(io, sid) {
            socket.leave([room.to_owned(), member_room(room, name)]);
        }
    }

    async fn on_join<A: Adapter>(
        self: &Arc<Self>,
        sid: Sid,
        io: &SocketIo<A>,
        request: JoinRequest,
        reply: Reply<A>,
    ) {
        // The ack and the presence go out under the room's lock, so every
        // member sees the room's joins in one order: a joiner's ack (with
        // the members then) always comes before the presence of anyone who
        // joins later, and presences never overtake one another. The history
        // is read under it too, so no message falls between the history and
        // the stream.
        let _order = self.order.lock(&request.room).await;
        // A member joining again under the same name (catching up with
        // `since`) changes nothing for the others: only it gets a presence.
        let again = {
            let mut rooms = self.rooms();
            let earlier = rooms.name_in(sid, &request.room).map(str::to_owned);
            rooms.join(sid, &request.room, &request.name);
            self.join_adapter_rooms(sid, io, &request.room, &request.name, earlier.as_deref());
            earlier.as_deref() == Some(request.name.as_str())
        };
        let history = self
            .store
            .history(&request.room, request.since, self.settings.history_limit)
            .await;
        let history = match history {
            Ok(history) => history,
            Err(e) => {
                self.metrics.store_error();
                warn!(%sid, room = %request.room, error = %e, "join: cannot read the history");
                if self.rooms().leave(sid, &request.room) {
                    self.leave_adapter_rooms(sid, io, &request.room, &request.name);
                    self.announce_presence(io, &request.room).await;
                }
                let error = format!(
                    "The history of room \"{}\" could not be read; try joining again.",
                    request.room
                );
                return reply.send(
                    "join",
                    &Failure {
                        ok: false,
                        error: &error,
                    },
                    &self.metrics,
                );
            }
        };
        let limits = Some(ChatLimits {
            max_text_chars: self.settings.max_text_chars,
            history_limit: usize::try_from(self.settings.history_limit).unwrap_or(usize::MAX),
        });
        let metrics = &self.metrics;
        let ack = move |members: Vec<String>| {
            let joined = JoinAck::Joined {
                history,
                members,
                limits,
            };
            reply.send("join", &joined, metrics);
        };
        if self.cluster.is_none() {
            // The members and their ack under the rooms lock too, like every
            // presence: a leave cannot slip a newer presence in before it.
            let rooms = self.rooms();
            ack(rooms.names(&request.room));
            drop(rooms);
            return self.presence_to(io, &request.room, again.then_some(sid));
        }
        ack(self.members(io, &request.room).await);
        if again {
            self.cluster_presence(io, &request.room, Some(sid)).await;
        } else {
            self.announce_presence(io, &request.room).await;
        }
    }

    async fn on_leave<A: Adapter>(
        self: &Arc<Self>,
        sid: Sid,
        io: &SocketIo<A>,
        room: &str,
        reply: Reply<A>,
    ) {
        let name = {
            let mut rooms = self.rooms();
            let name = rooms.name_in(sid, room).map(str::to_owned);
            rooms.leave(sid, room);
            name
        };
        reply.send("leave", &Done { ok: true }, &self.metrics);
        if let Some(name) = name {
            self.leave_adapter_rooms(sid, io, room, &name);
            self.announce_presence(io, room).await;
        }
    }

    async fn on_message<A: Adapter>(
        &self,
        sid: Sid,
        io: &SocketIo<A>,
        request: MessageRequest,
        reply: Reply<A>,
    ) {
        let Some(name) = self.rooms().name_in(sid, &request.room).map(str::to_owned) else {
            let rejection = Rejection::not_joined(&request.room);
            return self.refuse(sid, Event::Message, &rejection, reply);
        };
        let seq = {
            let _order = self.order.lock(&request.room).await;
            let started = Instant::now();
            let appended = self
                .store
                .append(&request.room, &request.id, &name, &request.text, now_ms())
                .await;
            self.metrics.store_took(started.elapsed());
            match appended {
                Ok(Appended::Stored(message)) => {
                    self.metrics.message_stored();
                    let sids = self.rooms().sockets(&request.room);
                    deliver_message(io, &sids, &message, &self.metrics, &self.lagging);
                    self.to_other_nodes(io, &request.room, "message", &message)
                        .await;
                    Ok(message.seq)
                }
                Ok(Appended::Duplicate { seq }) => {
                    self.metrics.message_duplicate();
                    Ok(seq)
                }
                Err(e) => Err(e),
            }
        };
        match seq {
            Ok(seq) => reply.send("message", &MessageAck::Stored { seq }, &self.metrics),
            Err(e) => {
                self.metrics.store_error();
                warn!(%sid, room = %request.room, error = %e, "message: cannot store it");
                let error = "The message could not be stored; send it again in a moment.";
                let refused = MessageAck::Refused {
                    error: error.to_owned(),
                };
                reply.send("message", &refused, &self.metrics);
            }
        }
    }

    async fn on_typing<A: Adapter>(&self, sid: Sid, io: &SocketIo<A>, room: &str, reply: Reply<A>) {
        let others = {
            let rooms = self.rooms();
            rooms.name_in(sid, room).map(|name| {
                let others: Vec<Sid> = rooms
                    .sockets(room)
                    .into_iter()
                    .filter(|s| *s != sid)
                    .collect();
                (name.to_owned(), others)
            })
        };
        let Some((name, others)) = others else {
            return self.refuse(sid, Event::Typing, &Rejection::not_joined(room), reply);
        };
        let notice = TypingNotice {
            room: room.to_owned(),
            name,
        };
        emit_to(io, &others, "typing", &notice, &self.metrics);
        self.to_other_nodes(io, room, "typing", &notice).await;
        reply.send("typing", &Done { ok: true }, &self.metrics);
    }

    /// Takes socket `sid` out of every room it was in, telling each room's
    /// remaining members.
    pub(super) async fn leave_all<A: Adapter>(self: &Arc<Self>, sid: Sid, io: &SocketIo<A>) {
        let left = self.rooms().leave_all(sid);
        // socketioxide takes a disconnected socket out of its rooms only
        // after the disconnect handler (this) is done: out of them first,
        // so the other nodes no longer list it as a member.
        if self.cluster.is_some() {
            if let Some(socket) = socket_of(io, sid) {
                socket.leave_all();
            }
        }
        for room in &left {
            self.announce_presence(io, room).await;
        }
    }
}

/// The adapter room that says socket is in chat room `room` as `name`.
/// `\u{1}` is in neither a room nor a name (the contract refuses control
/// characters in both), so this is never a chat room of its own.
fn member_room(room: &str, name: &str) -> String {
    format!("{room}\u{1}{name}")
}

/// The sorted, distinct names of `room`'s members among `adapter_rooms`
/// (see [`member_room`]).
fn names_in<'a>(room: &str, adapter_rooms: impl Iterator<Item = &'a str>) -> Vec<String> {
    let prefix = format!("{room}\u{1}");
    let names: BTreeSet<&str> = adapter_rooms
        .filter_map(|r| r.strip_prefix(prefix.as_str()))
        .collect();
    names.into_iter().map(str::to_owned).collect()
}

/// Logs a new connection: sid, transport and origin.
pub(crate) fn log_connect<A: Adapter>(socket: &SocketRef<A>) {
    info!(
        sid = %socket.id,
        transport = ?socket.transport_type(),
        origin = origin(socket),
        "socket connected"
    );
}

/// Logs a connection's end: sid, transport, origin and why.
pub(super) fn log_disconnect<A: Adapter>(socket: &SocketRef<A>, reason: DisconnectReason) {
    info!(
        sid = %socket.id,
        transport = ?socket.transport_type(),
        origin = origin(socket),
        %reason,
        "socket disconnected"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rooms_members_are_read_from_its_member_rooms_alone() {
        let adapter_rooms = [
            member_room("lobby", "zoe"),
            "lobby".to_owned(),
            member_room("lobby", "ada"),
            member_room("lobby", "zoe"),
            member_room("lobby-2", "bob"),
            member_room("other", "eve"),
        ];
        let names = names_in("lobby", adapter_rooms.iter().map(String::as_str));
        assert_eq!(names, ["ada", "zoe"]);
        assert!(names_in("nobody", adapter_rooms.iter().map(String::as_str)).is_empty());
    }
}
