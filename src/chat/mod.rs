//! A sans-IO model of the demo chat: the chat contract's payloads and the
//! state of one person in one room, with no socket, no browser and no clock.
//!
//! [`ChatState`] takes what happened (the person joined, typed, sent; the
//! server acked, broadcast, the connection dropped) together with the current
//! [`Instant`](crate::time::Instant), and queues [`Command`]s — "emit join",
//! "emit message id=…" — that a driver performs on a real socket (the
//! [`Chat`](crate::leptos::Chat) component does, in the browser). Timers are
//! the driver's too: [`ChatState::poll_timeout`] says when to call
//! [`ChatState::handle_timeout`]. So every rule of the contract is tested
//! natively, on a virtual clock.
//!
//! ```
//! use leptos_socketio::chat::{ChatState, Command, JoinAck, MessageAck, MessageStatus};
//! use leptos_socketio::time::Instant;
//!
//! let now = Instant::from_millis(0);
//! let mut chat = ChatState::new(42);
//! chat.join("ada", "lobby", now).expect("valid name and room");
//! chat.handle_connected(now);
//! let Some(Command::Join { ticket, request }) = chat.poll_command() else { panic!() };
//! assert_eq!((request.room.as_str(), request.since), ("lobby", None));
//! let members = vec!["ada".into()];
//! chat.handle_join_ack(ticket, JoinAck::Joined { history: vec![], members, limits: None }, now);
//!
//! chat.send("hello", now).expect("a non-empty text");
//! let Some(Command::SendMessage { ticket, .. }) = chat.poll_command() else { panic!() };
//! let room = chat.room().expect("joined");
//! assert_eq!(room.messages()[0].status, Some(MessageStatus::Pending));
//! chat.handle_message_ack(ticket, MessageAck::Stored { seq: 1 }, now);
//! assert_eq!(chat.room().expect("joined").messages()[0].status, Some(MessageStatus::Sent));
//! ```

mod id;
mod input;
mod message;
mod payload;
mod room;
mod state;
#[cfg(test)]
mod tests;
mod typing;

pub use id::IdGenerator;
pub use input::{
    check_id, check_name, check_room, check_text, ChatLimits, InputError, DEFAULT_HISTORY_LIMIT,
    DEFAULT_MAX_TEXT_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_ROOM_CHARS,
};
pub use message::{ChatMessage, Message, MessageStatus};
pub use payload::{
    JoinAck, JoinRequest, LeaveRequest, MessageAck, MessageRequest, Presence, TypingNotice,
    TypingRequest,
};
pub use room::{Room, SavedRoom, SAVED_MESSAGES};
pub use state::{durable_scope, ChatState, Command, Ticket};
pub use typing::{TYPING_SEND_INTERVAL, TYPING_SHOWN_FOR};
