//! Every socket call of `<Chat/>`: the model's [`Command`]s become emits,
//! the server's events become [`Incoming`] values. The only file that knows
//! how payloads travel (JSON values today).

use std::future::Future;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::chat::{
    Command, JoinAck, Message, MessageAck, MessageRequest, Presence, Ticket, TypingNotice,
};
use crate::client::{MaybeSend, MaybeSync};
use crate::protocol::from_args;
use crate::{AckError, ConnectionState, DataError, DurableError, EventListener, Socket};

/// What the server told us, decoded.
pub(super) enum Incoming {
    /// A broadcast `message`.
    Message(Message),
    /// A broadcast `presence`.
    Presence(Presence),
    /// A broadcast `typing`.
    Typing(TypingNotice),
    /// The connection's state changed.
    Connection(ConnectionState),
    /// A broadcast whose data does not match the contract.
    Unreadable(DataError),
}

/// The outcome of an emit that waited for an ack.
pub(super) enum Reply {
    /// The join's ack (`None`: it never came).
    Join(Ticket, Option<JoinAck>),
    /// The message's ack (`None`: it never came).
    Message(Ticket, Option<MessageAck>),
}

/// How long a `join` waits for its ack before it is asked again (an
/// overloaded server may drop an ack when the socket's buffer is full).
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The sentence for an ack this app cannot read.
const UNREADABLE: &str = "The server answered in a way this app does not understand.";

/// The socket, seen as the chat contract.
#[derive(Clone)]
pub(super) struct Wire {
    socket: Socket,
    /// Messages go as durable emits (the page can keep them in storage).
    durable: bool,
}

impl Wire {
    pub(super) fn new(socket: Socket, durable: bool) -> Self {
        Self { socket, durable }
    }

    /// Calls `deliver` with every chat event until the guards drop.
    pub(super) fn listen(
        &self,
        deliver: impl Fn(Incoming) + Clone + MaybeSend + MaybeSync + 'static,
    ) -> Vec<EventListener> {
        let connection = {
            let deliver = deliver.clone();
            self.socket
                .on_connection_change(move |state, _| deliver(Incoming::Connection(state)))
        };
        vec![
            self.on("message", deliver.clone(), Incoming::Message),
            self.on("presence", deliver.clone(), Incoming::Presence),
            self.on("typing", deliver, Incoming::Typing),
            connection,
        ]
    }

    fn on<T: DeserializeOwned + 'static>(
        &self,
        event: &str,
        deliver: impl Fn(Incoming) + MaybeSend + MaybeSync + 'static,
        wrap: fn(T) -> Incoming,
    ) -> EventListener {
        self.socket
            .on(event, move |data: Result<T, DataError>| match data {
                Ok(data) => deliver(wrap(data)),
                // Shown to the person, and a message catches up: never dropped.
                Err(err) => deliver(Incoming::Unreadable(err)),
            })
    }

    /// Emits `command`; `reply` gets its ack, when it has one.
    pub(super) fn perform(&self, command: Command, reply: impl FnOnce(Reply) + 'static) {
        match command {
            Command::Join { ticket, request } => {
                let ack = self.emit_with_ack("join", request, Some(JOIN_TIMEOUT), |error| {
                    JoinAck::Refused { error }
                });
                leptos::task::spawn_local(async move { reply(Reply::Join(ticket, ack.await)) });
            }
            Command::SendMessage {
                ticket,
                request,
                scope,
            } if self.durable => {
                let ack = self.emit_message(request, &scope);
                leptos::task::spawn_local(async move { reply(Reply::Message(ticket, ack.await)) });
            }
            Command::SendMessage {
                ticket, request, ..
            } => {
                let ack = self.emit_with_ack("message", request, None, |error| {
                    MessageAck::Refused { error }
                });
                leptos::task::spawn_local(async move { reply(Reply::Message(ticket, ack.await)) });
            }
            Command::Joined { scope } => self.socket.open_durable_scope(&scope),
            Command::Leave { request, scope } => {
                self.socket.close_durable_scope(&scope);
                self.emit("leave", &request);
            }
            Command::Typing { request } => self.emit("typing", &request),
        }
    }

    /// The messages still in the outbox under `scope` (from this page,
    /// another tab, or an earlier page), oldest first.
    pub(super) fn pending(&self, scope: &str) -> Vec<MessageRequest> {
        self.socket
            .durable_entries()
            .into_iter()
            .filter(|e| e.event == "message" && e.scope.as_deref() == Some(scope))
            .filter_map(|e| from_args::<MessageRequest>(e.args).ok())
            .collect()
    }

    /// A `message` as a durable emit in `scope` (its room and name): kept
    /// in storage before it goes, sent once the room is joined under that
    /// name, again after a lost connection or a reload, until the server's
    /// ack. `None` when the socket went away first (the message is still in
    /// the outbox).
    fn emit_message(
        &self,
        request: MessageRequest,
        scope: &str,
    ) -> impl Future<Output = Option<MessageAck>> {
        let sent =
            self.socket
                .emit_durable_in::<MessageAck, _>(Some(scope), "message", move |_| request);
        async move {
            match sent.await {
                Ok(ack) => Some(ack),
                Err(DurableError::Refused(error)) => Some(MessageAck::Refused { error }),
                Err(DurableError::Decode(_)) => Some(MessageAck::Refused {
                    error: UNREADABLE.to_owned(),
                }),
                Err(DurableError::Dropped) => None,
                // Not kept (storage full or unavailable): failed, with the
                // sentence; the person may retry.
                Err(err) => Some(MessageAck::Refused {
                    error: err.to_string(),
                }),
            }
        }
    }

    fn emit(&self, event: &str, payload: &impl Serialize) {
        // Refused after an explicit disconnect, when the chat is being torn
        // down (nothing left to tell), or while offline with
        // `max_buffered_emits` emits already waiting: a `typing` is stale by
        // the time it could go, and the server drops a lost connection from
        // its rooms, so a `leave` is not needed after a reconnect.
        let _ = self.socket.emit(event, payload);
    }

    /// The ack decoded as `R` (waiting at most `timeout`, when given); an
    /// ack that does not decode becomes `unreadable(sentence)`; `None` when
    /// the ack never came.
    fn emit_with_ack<R: DeserializeOwned + 'static>(
        &self,
        event: &str,
        payload: impl Serialize + 'static,
        timeout: Option<Duration>,
        unreadable: fn(String) -> R,
    ) -> impl Future<Output = Option<R>> + 'static {
        let mut emitter = self.socket.emitter();
        if let Some(timeout) = timeout {
            emitter = emitter.timeout(timeout);
        }
        let ack = emitter.emit_with_ack::<R>(event, payload);
        async move {
            match ack.await {
                Ok(ack) => Some(ack),
                Err(AckError::Decode(_)) => Some(unreadable(UNREADABLE.to_owned())),
                Err(_) => None,
            }
        }
    }
}
