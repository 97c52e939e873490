//! Chat messages: [`Message`] as the server sends it, [`ChatMessage`] as a
//! room shows it (with the delivery status of one's own).

use serde::{Deserialize, Serialize};

/// A stored message, as the server broadcasts it and returns it in `join`
/// history: `{room, seq, id, name, text, ts}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The room it was sent to.
    pub room: String,
    /// Its place in the room: strictly increasing, assigned by the server.
    pub seq: u64,
    /// The sender's unique id for it (messages are de-duplicated by it).
    pub id: String,
    /// The sender's name.
    pub name: String,
    /// The text, to be shown as text (never as HTML).
    pub text: String,
    /// When the server stored it, in milliseconds since the Unix epoch.
    pub ts: u64,
}

/// Where one's own message is: `pending` until its ack, then `sent` or
/// `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Not acknowledged yet (also while the connection is down: it is
    /// re-sent, with the same id, once back).
    Pending,
    /// Stored by the server.
    Sent,
    /// Refused by the server; [`ChatMessage::error`] says why. It can be
    /// retried.
    Failed,
}

impl MessageStatus {
    /// `pending`, `sent` or `failed`, as the demo app shows it.
    ///
    /// ```
    /// use leptos_socketio::chat::MessageStatus;
    /// assert_eq!(MessageStatus::Failed.as_str(), "failed");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }
}

/// One row of a room: a stored message, or one of one's own on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The client-made unique id.
    pub id: String,
    /// The sender's name.
    pub name: String,
    /// The text.
    pub text: String,
    /// The room's sequence number, once the server stored it.
    pub seq: Option<u64>,
    /// The server's timestamp (ms since the Unix epoch), once known.
    pub ts: Option<u64>,
    /// For one's own messages sent from this client: the delivery status;
    /// `None` for everybody else's.
    pub status: Option<MessageStatus>,
    /// Why the server refused it, when [`MessageStatus::Failed`].
    pub error: Option<String>,
}

impl ChatMessage {
    /// A row for a message the server stored.
    pub fn stored(message: Message) -> Self {
        Self {
            id: message.id,
            name: message.name,
            text: message.text,
            seq: Some(message.seq),
            ts: Some(message.ts),
            status: None,
            error: None,
        }
    }

    /// A row for one's own new message, pending.
    pub fn own(id: String, name: String, text: String) -> Self {
        Self {
            id,
            name,
            text,
            seq: None,
            ts: None,
            status: Some(MessageStatus::Pending),
            error: None,
        }
    }

    /// Whether this client sent it.
    pub fn is_own(&self) -> bool {
        self.status.is_some()
    }
}
