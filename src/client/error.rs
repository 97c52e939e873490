//! Errors of emitting, of waiting for acknowledgements, and of decoding
//! what the server sent into the application's types.

/// Why [`Socket::emit`](crate::Socket::emit) refused an event.
///
/// ```
/// use leptos_socketio::{EmitError, Socket, SocketOptions};
///
/// let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
/// socket.disconnect(); // the user left: emits are refused until connect()
/// let shown = match socket.emit("message", ("lobby", "hello")) {
///     Ok(()) => "sent".to_owned(),
///     Err(EmitError::Disconnected) => "offline: press Reconnect".to_owned(),
///     Err(err) => err.to_string(), // a reserved name or unserializable data: a bug
/// };
/// assert_eq!(shown, "offline: press Reconnect");
/// assert!(matches!(socket.emit("connect", ()), Err(EmitError::ReservedEvent(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The name is one Socket.IO keeps for itself.
    #[error("\"{0}\" is a reserved event name (connect, connect_error, disconnect, disconnecting, newListener, removeListener); pick another name")]
    ReservedEvent(String),
    /// The socket was closed with [`Socket::disconnect`](crate::Socket::disconnect).
    #[error("the socket was disconnected by the application; call connect() before emitting")]
    Disconnected,
    /// [`SocketOptions::max_buffered_emits`](crate::SocketOptions::max_buffered_emits)
    /// emits already wait to be sent (made while disconnected, or, with
    /// retries, queued behind one waiting for its ack); this one was refused
    /// and the waiting ones are kept.
    #[error("{waiting} emits are already waiting to be sent; emit again once the socket is connected and they have gone out, or raise max_buffered_emits")]
    BufferFull {
        /// How many emits wait.
        waiting: usize,
    },
    /// The data could not be turned into Socket.IO arguments (e.g. a map
    /// whose keys are not strings or numbers).
    #[error("the data of event \"{event}\" cannot be sent: {reason}")]
    Serialize {
        /// The event being emitted.
        event: String,
        /// What serde reported.
        reason: String,
    },
}

/// The server sent data that does not decode into the type the handler (or
/// the acknowledgement) asked for. Nothing is dropped silently: handlers get
/// this as their `Err` value.
///
/// ```
/// # use leptos_socketio::DataError;
/// let err = DataError::new("message", "invalid type: string \"hi\", expected struct Message");
/// assert_eq!(
///     err.to_string(),
///     "the data of event \"message\" does not match the expected type: invalid type: string \"hi\", expected struct Message"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the data of event \"{event}\" does not match the expected type: {reason}")]
pub struct DataError {
    /// The event (or, for an acknowledgement, the event that asked for it).
    pub event: String,
    /// What serde reported, naming the expected and the found shape.
    pub reason: String,
}

impl DataError {
    /// A decode error of `event` for `reason`.
    pub fn new(event: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            event: event.into(),
            reason: reason.into(),
        }
    }
}

/// Why an acknowledgement did not arrive.
///
/// ```no_run
/// # use leptos_socketio::{AckError, Socket};
/// # async fn f(socket: Socket) {
/// match socket.emit_with_ack::<Vec<String>>("join", "lobby").await {
///     Ok(members) => println!("{} in the lobby", members.len()),
///     Err(AckError::Timeout(ms)) => eprintln!("no answer within {ms} ms; try again"),
///     Err(AckError::Decode(err)) => eprintln!("unexpected answer: {err}"),
///     Err(err) => eprintln!("not joined: {err}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    /// The event could not be sent at all.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The server did not acknowledge within the timeout, in milliseconds.
    /// With [`SocketOptions::retries`](crate::SocketOptions::retries) it is
    /// the timeout of each try (10 000 ms when no ack timeout is set), and
    /// every try went unanswered.
    #[error("the server did not acknowledge within {0} ms")]
    Timeout(u64),
    /// The emit was volatile and the socket was not connected, so it was
    /// dropped instead of buffered.
    #[error("the volatile emit was dropped because the socket was not connected")]
    Dropped,
    /// The socket was disconnected by the application before the ack came.
    #[error("the socket was disconnected before the server acknowledged")]
    Disconnected,
    /// The acknowledgement's arguments do not decode into the asked type.
    #[error(transparent)]
    Decode(#[from] DataError),
}

/// Why a durable emit ([`Socket::emit_durable`](crate::Socket::emit_durable))
/// failed. Only [`Refused`](Self::Refused) comes from the server; the others
/// say the emit was never kept, or the answer did not fit.
///
/// ```no_run
/// # use leptos_socketio::{DurableError, Socket};
/// # async fn f(socket: Socket) {
/// let stored = socket
///     .emit_durable::<serde_json::Value, _>("message", |id| serde_json::json!({"id": id}))
///     .await;
/// match stored {
///     Ok(ack) => println!("stored: {ack}"),
///     Err(DurableError::Refused(why)) => eprintln!("the server said no: {why}"),
///     Err(err) => eprintln!("not sent: {err}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurableError {
    /// The acknowledgement said `{ok: false, error}`: the server refused
    /// the emit, and it is not sent again.
    #[error("the server refused the durable emit: {0}; it is not sent again")]
    Refused(String),
    /// The emit could not be kept (storage full or unavailable, binary
    /// data, too many waiting, durable emits off); it was not sent.
    #[error(transparent)]
    NotKept(#[from] crate::client::OutboxError),
    /// The event name is reserved or the data does not serialize; nothing
    /// was kept or sent.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The acknowledgement's arguments do not decode into the asked type
    /// (the emit was stored all the same).
    #[error(transparent)]
    Decode(#[from] DataError),
    /// The socket was dropped before the acknowledgement came. The emit is
    /// still stored, and the next socket to this server sends it.
    #[error(
        "the socket was dropped before the server acknowledged; the emit stays stored \
         and the next socket to this server sends it"
    )]
    Dropped,
}

/// Event names that Socket.IO reserves; `emit` refuses them.
pub(crate) const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// `Err` when `name` is reserved.
pub(crate) fn check_event_name(name: &str) -> Result<(), EmitError> {
    if RESERVED_EVENTS.contains(&name) {
        Err(EmitError::ReservedEvent(name.to_owned()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_refused_with_the_name_in_the_message() {
        for name in RESERVED_EVENTS {
            let err = check_event_name(name).expect_err("reserved");
            assert!(err.to_string().contains(name), "{err}");
        }
        assert!(check_event_name("message").is_ok());
        assert!(
            check_event_name("Connect").is_ok(),
            "names are case-sensitive"
        );
    }
}
