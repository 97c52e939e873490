//! Errors of emitting and of waiting for acknowledgements.

/// Why [`Socket::emit`](crate::Socket::emit) refused an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmitError {
    /// The name is one Socket.IO keeps for itself.
    #[error("\"{0}\" is a reserved event name (connect, connect_error, disconnect, disconnecting, newListener, removeListener); pick another name")]
    ReservedEvent(String),
    /// The socket was closed with [`Socket::disconnect`](crate::Socket::disconnect).
    #[error("the socket was disconnected by the application; call connect() before emitting")]
    Disconnected,
}

/// Why an acknowledgement did not arrive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    /// The event could not be sent at all.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The server did not acknowledge within the timeout.
    #[error("the server did not acknowledge within {0} ms")]
    Timeout(u64),
    /// The emit was volatile and the socket was not connected, so it was
    /// dropped instead of buffered.
    #[error("the volatile emit was dropped because the socket was not connected")]
    Dropped,
    /// The socket was disconnected by the application before the ack came.
    #[error("the socket was disconnected before the server acknowledged")]
    Disconnected,
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
