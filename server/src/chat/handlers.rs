//! The chat event handlers: check the payload, act, ack, notify members.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

// The payloads are the contract's own types, shared with the client.
use leptos_socketio::chat::{ChatLimits, JoinAck, MessageAck, Presence, TypingNotice};
use serde::Serialize;
use socketioxide::extract::SocketRef;
use socketioxide::socket::{DisconnectReason, Sid};
use socketioxide::SocketIo;
use tracing::{debug, info, warn};

use super::delivery::{deliver_message, emit_to, Reply};
use super::inbox::Request;
use super::validate::{Event, JoinRequest, MessageRequest, Rejection};
use super::Chat;
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

fn origin(socket: &SocketRef) -> &str {
    socket
        .req_parts()
        .headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
}

impl Chat {
    /// Handles one checked event of socket `sid`.
    pub(super) async fn handle(&self, sid: Sid, io: &SocketIo, request: Request, reply: Reply) {
        match request {
            Request::Join(join) => self.on_join(sid, io, join, reply).await,
            Request::Leave(room) => self.on_leave(sid, io, &room, reply),
            Request::Message(message) => self.on_message(sid, io, message, reply).await,
            Request::Typing(room) => self.on_typing(sid, io, &room, reply),
        }
    }

    /// Counts a refused input and acks `{ok:false, error}` when asked.
    pub(super) fn refuse(&self, sid: Sid, event: Event, rejection: &Rejection, reply: Reply) {
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

    /// Sends `presence` to every member of `room`.
    fn announce_presence(&self, io: &SocketIo, room: &str) {
        self.presence_to(io, room, None);
    }

    /// Sends `presence` of `room` to `only` (when the members did not
    /// change for the others), or to every member.
    fn presence_to(&self, io: &SocketIo, room: &str, only: Option<Sid>) {
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

    async fn on_join(&self, sid: Sid, io: &SocketIo, request: JoinRequest, reply: Reply) {
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
            let again = rooms.name_in(sid, &request.room) == Some(request.name.as_str());
            rooms.join(sid, &request.room, &request.name);
            again
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
                    self.announce_presence(io, &request.room);
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
        {
            // The members and their ack under the rooms lock too, like every
            // presence: a leave cannot slip a newer presence in before it.
            let rooms = self.rooms();
            let members = rooms.names(&request.room);
            reply.send(
                "join",
                &JoinAck::Joined {
                    history,
                    members,
                    limits: Some(ChatLimits {
                        max_text_chars: self.settings.max_text_chars,
                        history_limit: usize::try_from(self.settings.history_limit)
                            .unwrap_or(usize::MAX),
                    }),
                },
                &self.metrics,
            );
        }
        self.presence_to(io, &request.room, again.then_some(sid));
    }

    fn on_leave(&self, sid: Sid, io: &SocketIo, room: &str, reply: Reply) {
        let was_in = self.rooms().leave(sid, room);
        reply.send("leave", &Done { ok: true }, &self.metrics);
        if was_in {
            self.announce_presence(io, room);
        }
    }

    async fn on_message(&self, sid: Sid, io: &SocketIo, request: MessageRequest, reply: Reply) {
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

    fn on_typing(&self, sid: Sid, io: &SocketIo, room: &str, reply: Reply) {
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
        emit_to(
            io,
            &others,
            "typing",
            &TypingNotice {
                room: room.to_owned(),
                name,
            },
            &self.metrics,
        );
        reply.send("typing", &Done { ok: true }, &self.metrics);
    }

    /// Takes socket `sid` out of every room it was in, telling each room's
    /// remaining members.
    pub(super) fn leave_all(&self, sid: Sid, io: &SocketIo) {
        let left = self.rooms().leave_all(sid);
        for room in &left {
            self.announce_presence(io, room);
        }
    }
}

/// Logs a new connection: sid, transport and origin.
pub(crate) fn log_connect(socket: &SocketRef) {
    info!(
        sid = %socket.id,
        transport = ?socket.transport_type(),
        origin = origin(socket),
        "socket connected"
    );
}

/// Logs a connection's end: sid, transport, origin and why.
pub(super) fn log_disconnect(socket: &SocketRef, reason: DisconnectReason) {
    info!(
        sid = %socket.id,
        transport = ?socket.transport_type(),
        origin = origin(socket),
        %reason,
        "socket disconnected"
    );
}
