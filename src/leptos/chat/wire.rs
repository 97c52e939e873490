//! Every socket call of `<Chat/>`: the model's [`Command`]s become emits,
//! the server's events become [`Incoming`] values. The only file that knows
//! how payloads travel (JSON values today).

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::chat::{Command, JoinAck, Message, MessageAck, Presence, Ticket, TypingNotice};
use crate::protocol::Value;
use crate::{ConnectionState, EventListener, Socket};

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
}

/// The outcome of an emit that waited for an ack.
pub(super) enum Reply {
    /// The join's ack (`None`: it never came).
    Join(Ticket, Option<JoinAck>),
    /// The message's ack (`None`: it never came).
    Message(Ticket, Option<MessageAck>),
}

/// The sentence for an ack this app cannot read.
const UNREADABLE: &str = "The server answered in a way this app does not understand.";

/// The socket, seen as the chat contract.
#[derive(Clone)]
pub(super) struct Wire {
    socket: Socket,
}

impl Wire {
    pub(super) fn new(socket: Socket) -> Self {
        Self { socket }
    }

    /// Calls `deliver` with every chat event until the guards drop.
    pub(super) fn listen(
        &self,
        deliver: impl Fn(Incoming) + Clone + 'static,
    ) -> Vec<EventListener> {
        let on = |event: &str, wrap: fn(Vec<Value>) -> Option<Incoming>| {
            let deliver = deliver.clone();
            self.socket.on(event, move |args| {
                // A broadcast of the wrong shape is ignored: there is no one to tell.
                if let Some(incoming) = wrap(args) {
                    deliver(incoming);
                }
            })
        };
        let connection = {
            let deliver = deliver.clone();
            self.socket
                .on_connection_change(move |state, _| deliver(Incoming::Connection(state)))
        };
        vec![
            on("message", |args| first(args).map(Incoming::Message)),
            on("presence", |args| first(args).map(Incoming::Presence)),
            on("typing", |args| first(args).map(Incoming::Typing)),
            connection,
        ]
    }

    /// Emits `command`; `reply` gets its ack, when it has one.
    pub(super) fn perform(&self, command: Command, reply: impl FnOnce(Reply) + 'static) {
        match command {
            Command::Join { ticket, request } => {
                let ack = self.emit_with_ack("join", &request);
                leptos::task::spawn_local(async move {
                    let ack = ack.await.map(|args| {
                        first(args).unwrap_or_else(|| JoinAck::Refused {
                            error: UNREADABLE.to_owned(),
                        })
                    });
                    reply(Reply::Join(ticket, ack));
                });
            }
            Command::SendMessage { ticket, request } => {
                let ack = self.emit_with_ack("message", &request);
                leptos::task::spawn_local(async move {
                    let ack = ack.await.map(|args| {
                        first(args).unwrap_or_else(|| MessageAck::Refused {
                            error: UNREADABLE.to_owned(),
                        })
                    });
                    reply(Reply::Message(ticket, ack));
                });
            }
            Command::Leave { request } => self.emit("leave", &request),
            Command::Typing { request } => self.emit("typing", &request),
        }
    }

    /// The round trip of an `echo`, in the clock's milliseconds, measured
    /// with `now`; `None` when it did not come back.
    pub(super) fn ping(&self, now: fn() -> u64) -> impl Future<Output = Option<u64>> + 'static {
        let start = now();
        let ack = self.socket.emit_with_ack("echo", vec![Value::from("rtt")]);
        async move { ack.await.ok().map(|_| now().saturating_sub(start)) }
    }

    fn emit(&self, event: &str, payload: &impl Serialize) {
        if let Some(value) = encode(payload) {
            // Refused only after an explicit disconnect, when the chat is
            // being torn down: nothing left to tell.
            let _ = self.socket.emit(event, vec![value]);
        }
    }

    /// `None` when the ack never came (the transport gave up on it).
    fn emit_with_ack(
        &self,
        event: &str,
        payload: &impl Serialize,
    ) -> impl Future<Output = Option<Vec<Value>>> + 'static {
        let ack = encode(payload).map(|value| self.socket.emit_with_ack(event, vec![value]));
        async move {
            match ack {
                Some(ack) => ack.await.ok(),
                None => None,
            }
        }
    }
}

fn encode(payload: &impl Serialize) -> Option<Value> {
    serde_json::to_value(payload).ok().map(Value::from)
}

/// The first argument, decoded as `T`.
fn first<T: DeserializeOwned>(args: Vec<Value>) -> Option<T> {
    let value = serde_json::to_value(args.into_iter().next()?).ok()?;
    serde_json::from_value(value).ok()
}
