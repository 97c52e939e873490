//! Reading and checking the payloads of the chat events.
//!
//! Plain functions from a JSON value to a checked request, or a
//! [`Rejection`] carrying the reason (a metrics label) and a sentence a
//! person can act on. They never panic, whatever the input. The rules for
//! names, rooms, texts and ids, their limits and their sentences, are the
//! client library's (`leptos_socketio::chat`): one definition, so the two
//! cannot drift; this file reads the JSON and counts the reasons.

use std::fmt;

use leptos_socketio::chat::{check_id, check_name, check_room, check_text, InputError};
pub use leptos_socketio::chat::{
    DEFAULT_MAX_TEXT_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_ROOM_CHARS,
};
use serde_json::Value;

/// Why an input was refused; each has a stable metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The payload is missing or not an object of the expected shape.
    BadPayload,
    /// The room name is missing, empty, too long or has a forbidden character.
    BadRoom,
    /// The name is missing, empty, too long or has a control character.
    BadName,
    /// The text is missing or empty after trimming.
    BadText,
    /// The text is over the `--max-text-chars` limit.
    TextTooLong,
    /// The message id is missing, empty or too long.
    BadId,
    /// `since` is not a non-negative integer.
    BadSince,
    /// A message to a room the socket has not joined.
    NotJoined,
    /// Over the per-socket message rate limit.
    RateLimited,
    /// The connection already has `--max-pending-events` events waiting to
    /// be handled.
    TooManyPending,
    /// The server could not handle the event (a fault of the server's, logged).
    Internal,
    /// A connection without the right token.
    Unauthorized,
}

impl Reason {
    /// Every reason, in the order `/metrics` lists them.
    pub const ALL: [Reason; 12] = [
        Reason::BadPayload,
        Reason::BadRoom,
        Reason::BadName,
        Reason::BadText,
        Reason::TextTooLong,
        Reason::BadId,
        Reason::BadSince,
        Reason::NotJoined,
        Reason::RateLimited,
        Reason::TooManyPending,
        Reason::Internal,
        Reason::Unauthorized,
    ];

    /// The `reason` label of `lsio_rejected_inputs_total`.
    pub fn label(self) -> &'static str {
        match self {
            Reason::BadPayload => "bad_payload",
            Reason::BadRoom => "bad_room",
            Reason::BadName => "bad_name",
            Reason::BadText => "bad_text",
            Reason::TextTooLong => "text_too_long",
            Reason::BadId => "bad_id",
            Reason::BadSince => "bad_since",
            Reason::NotJoined => "not_joined",
            Reason::RateLimited => "rate_limited",
            Reason::TooManyPending => "too_many_pending",
            Reason::Internal => "internal",
            Reason::Unauthorized => "unauthorized",
        }
    }
}

/// A refused input: why, and the sentence sent back as `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The reason, counted in `/metrics`.
    pub reason: Reason,
    /// A plain sentence for the person (the ack's `error`).
    pub message: String,
}

impl Rejection {
    /// A rejection for `reason` with the sentence `message`.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }

    /// A message sent to `room` without joining it first.
    pub fn not_joined(room: &str) -> Self {
        Self::new(
            Reason::NotJoined,
            format!("Join the room \"{room}\" before sending to it."),
        )
    }

    /// A message over the rate limit.
    pub fn rate_limited() -> Self {
        Self::new(
            Reason::RateLimited,
            "You are sending messages too fast; wait a moment and try again.",
        )
    }

    /// An event that found `limit` earlier events of its connection still
    /// waiting to be handled.
    pub fn too_many_pending(limit: usize) -> Self {
        Self::new(
            Reason::TooManyPending,
            format!(
                "The server is still handling {limit} earlier events from this connection; \
                 wait for their answers, then send this again."
            ),
        )
    }

    /// An event the server could not take in because of a fault of its own.
    pub fn not_handled() -> Self {
        Self::new(
            Reason::Internal,
            "The server could not handle this event; reconnect and send it again.",
        )
    }

    /// An event whose argument is missing or could not be decoded.
    pub fn unreadable(event: Event) -> Self {
        Self::new(
            Reason::BadPayload,
            format!(
                "The {event} event needs one argument, an object like {}.",
                event.shape()
            ),
        )
    }
}

impl From<InputError> for Rejection {
    /// A broken rule of the contract, with the library's sentence.
    fn from(err: InputError) -> Self {
        let reason = match err {
            InputError::EmptyName | InputError::LongName(_) | InputError::ControlInName => {
                Reason::BadName
            }
            InputError::EmptyRoom | InputError::LongRoom(_) | InputError::RoomCharacter(_) => {
                Reason::BadRoom
            }
            InputError::EmptyText => Reason::BadText,
            InputError::LongText { .. } => Reason::TextTooLong,
            InputError::BadId => Reason::BadId,
            InputError::NotInRoom => Reason::NotJoined,
        };
        Self::new(reason, err.to_string())
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The client → server chat events that carry an object payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `join {room, name, since?}`
    Join,
    /// `leave {room}`
    Leave,
    /// `message {room, id, text}`
    Message,
    /// `typing {room}`
    Typing,
}

impl Event {
    /// Every chat event.
    pub const ALL: [Event; 4] = [Event::Join, Event::Leave, Event::Message, Event::Typing];

    /// The event name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Event::Join => "join",
            Event::Leave => "leave",
            Event::Message => "message",
            Event::Typing => "typing",
        }
    }

    /// The chat event called `name` on the wire, if it is one.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The payload shape, as the contract writes it.
    fn shape(self) -> &'static str {
        match self {
            Event::Join => "{room, name, since?}",
            Event::Leave | Event::Typing => "{room}",
            Event::Message => "{room, id, text}",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A checked `join`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    /// The room.
    pub room: String,
    /// The name, trimmed.
    pub name: String,
    /// Only messages with a larger `seq` are wanted, when given.
    pub since: Option<u64>,
}

/// A checked `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRequest {
    /// The room.
    pub room: String,
    /// The client-made id.
    pub id: String,
    /// The text, as sent (not trimmed).
    pub text: String,
}

/// Reads a `join {room, name, since?}` payload.
pub fn parse_join(payload: &Value) -> Result<JoinRequest, Rejection> {
    let fields = object(payload, Event::Join)?;
    Ok(JoinRequest {
        room: room(fields.get("room"))?,
        name: name(fields.get("name"))?,
        since: since(fields.get("since"))?,
    })
}

/// Reads a `leave {room}` or `typing {room}` payload: the room.
pub fn parse_room_only(payload: &Value, event: Event) -> Result<String, Rejection> {
    room(object(payload, event)?.get("room"))
}

/// Reads a `message {room, id, text}` payload; `max_text_chars` is the
/// text limit.
pub fn parse_message(payload: &Value, max_text_chars: usize) -> Result<MessageRequest, Rejection> {
    let fields = object(payload, Event::Message)?;
    Ok(MessageRequest {
        room: room(fields.get("room"))?,
        id: id(fields.get("id"))?,
        text: text(fields.get("text"), max_text_chars)?,
    })
}

fn object(payload: &Value, event: Event) -> Result<&serde_json::Map<String, Value>, Rejection> {
    payload.as_object().ok_or_else(|| {
        Rejection::new(
            Reason::BadPayload,
            format!(
                "The {event} payload must be an object like {}.",
                event.shape()
            ),
        )
    })
}

const ROOM_RULE: &str = "1–64 letters, digits, \"-\", \"_\" or \".\"";

/// Checks a room name: 1–64 characters, each a letter, a digit, `-`, `_`
/// or `.` (not trimmed: a space is refused).
pub fn room(value: Option<&Value>) -> Result<String, Rejection> {
    let Some(Value::String(room)) = value else {
        return Err(Rejection::new(
            Reason::BadRoom,
            format!("Give the room as a string of {ROOM_RULE}."),
        ));
    };
    Ok(check_room(room)?)
}

/// Checks a name: 1–32 characters after trimming, no control characters.
/// Returns it trimmed.
pub fn name(value: Option<&Value>) -> Result<String, Rejection> {
    let Some(Value::String(name)) = value else {
        return Err(Rejection::new(
            Reason::BadName,
            format!("Give your name as a string of 1–{MAX_NAME_CHARS} characters."),
        ));
    };
    Ok(check_name(name)?)
}

/// Checks a message text: not empty after trimming, at most
/// `max_chars` characters (Unicode scalar values, counted untrimmed).
/// Returns it as sent.
pub fn text(value: Option<&Value>, max_chars: usize) -> Result<String, Rejection> {
    let Some(Value::String(text)) = value else {
        return Err(Rejection::new(
            Reason::BadText,
            "Give the message text as a string.",
        ));
    };
    Ok(check_text(text, max_chars)?)
}

/// Checks a client-made message id: a string of 1–128 characters.
pub fn id(value: Option<&Value>) -> Result<String, Rejection> {
    match value {
        Some(Value::String(id)) => {
            check_id(id)?;
            Ok(id.clone())
        }
        _ => Err(InputError::BadId.into()),
    }
}

/// Checks `since`: absent (or `null`), or a non-negative integer.
pub fn since(value: Option<&Value>) -> Result<Option<u64>, Rejection> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(since) => Ok(Some(since)),
            None => Err(bad_since()),
        },
        Some(_) => Err(bad_since()),
    }
}

fn bad_since() -> Rejection {
    Rejection::new(
        Reason::BadSince,
        "\"since\" must be a non-negative integer: the last seq you have, or 0 for all.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason<T: fmt::Debug>(r: Result<T, Rejection>) -> Reason {
        r.expect_err("should be refused").reason
    }

    #[test]
    fn rooms_follow_the_contract() {
        for ok in ["a", "lobby", "Room-1_x.y", "café", &"r".repeat(64)] {
            assert_eq!(room(Some(&json!(ok))).as_deref(), Ok(ok), "{ok:?}");
        }
        for bad in [
            json!(""),
            json!("has space"),
            json!(" lobby"),
            json!("a/b"),
            json!("emoji😀"),
            json!("r".repeat(65)),
            json!(7),
            json!(null),
            json!(["lobby"]),
        ] {
            assert_eq!(reason(room(Some(&bad))), Reason::BadRoom, "{bad}");
        }
        assert_eq!(reason(room(None)), Reason::BadRoom);
    }

    #[test]
    fn room_errors_say_what_to_fix() {
        let long = room(Some(&json!("r".repeat(70)))).expect_err("too long");
        assert_eq!(
            long.message,
            "The room name is 70 characters long; the limit is 64."
        );
        let space = room(Some(&json!("a b"))).expect_err("space");
        assert!(space.message.contains("' ' is not allowed"), "{space}");
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        for (given, want) in [
            ("ada", "ada"),
            ("  ada  ", "ada"),
            ("Ada Lovelace", "Ada Lovelace"),
            ("ünï ✓", "ünï ✓"),
        ] {
            assert_eq!(name(Some(&json!(given))).as_deref(), Ok(want), "{given:?}");
        }
        let max = "n".repeat(32);
        assert_eq!(name(Some(&json!(format!(" {max} ")))), Ok(max));
        for bad in [
            json!(""),
            json!("   "),
            json!("n".repeat(33)),
            json!("a\nb"),
            json!("a\u{7}"),
            json!("x\u{85}y"),
            json!(1),
            json!(null),
        ] {
            assert_eq!(reason(name(Some(&bad))), Reason::BadName, "{bad}");
        }
        let control = name(Some(&json!("a\tb"))).expect_err("tab");
        assert_eq!(
            control.message,
            "The name holds a control character; use visible characters only."
        );
    }

    #[test]
    fn text_limit_counts_unicode_scalar_values() {
        // 4000 two-byte characters fit; 4001 do not.
        let at_limit = "é".repeat(4000);
        assert_eq!(text(Some(&json!(at_limit)), 4000), Ok(at_limit.clone()));
        let over = "é".repeat(4012);
        let err = text(Some(&json!(over)), 4000).expect_err("too long");
        assert_eq!(err.reason, Reason::TextTooLong);
        assert_eq!(
            err.message,
            "The message is 4012 characters long; the limit is 4000."
        );
        assert_eq!(reason(text(Some(&json!("abcdef")), 5)), Reason::TextTooLong);
        assert_eq!(text(Some(&json!(" hi ")), 5).as_deref(), Ok(" hi "));
        for bad in [json!(""), json!(" \n\t "), json!(3), json!({"t": 1})] {
            assert_eq!(reason(text(Some(&bad), 4000)), Reason::BadText, "{bad}");
        }
        assert_eq!(reason(text(None, 4000)), Reason::BadText);
    }

    #[test]
    fn ids_are_non_empty_bounded_strings() {
        assert_eq!(id(Some(&json!("m-1"))).as_deref(), Ok("m-1"));
        assert!(id(Some(&json!("i".repeat(128)))).is_ok());
        for bad in [json!(""), json!("i".repeat(129)), json!(5), json!(null)] {
            assert_eq!(reason(id(Some(&bad))), Reason::BadId, "{bad}");
        }
        assert_eq!(reason(id(None)), Reason::BadId);
    }

    #[test]
    fn since_is_absent_or_a_non_negative_integer() {
        assert_eq!(since(None), Ok(None));
        assert_eq!(since(Some(&json!(null))), Ok(None));
        assert_eq!(since(Some(&json!(0))), Ok(Some(0)));
        assert_eq!(since(Some(&json!(42))), Ok(Some(42)));
        for bad in [json!(-1), json!(1.5), json!("3"), json!(true), json!([1])] {
            assert_eq!(reason(since(Some(&bad))), Reason::BadSince, "{bad}");
        }
    }

    #[test]
    fn payloads_must_be_objects_of_the_right_shape() {
        assert_eq!(
            parse_join(&json!({"room": "r", "name": " n ", "since": 3})),
            Ok(JoinRequest {
                room: "r".into(),
                name: "n".into(),
                since: Some(3)
            })
        );
        assert_eq!(
            parse_message(
                &json!({"room": "r", "id": "1", "text": "hi", "extra": 1}),
                4000
            ),
            Ok(MessageRequest {
                room: "r".into(),
                id: "1".into(),
                text: "hi".into()
            })
        );
        assert_eq!(
            parse_room_only(&json!({"room": "r"}), Event::Leave).as_deref(),
            Ok("r")
        );
        for bad in [json!(null), json!("r"), json!([{"room": "r"}]), json!(1)] {
            let err = parse_join(&bad).expect_err("not an object");
            assert_eq!(err.reason, Reason::BadPayload, "{bad}");
            assert_eq!(
                err.message,
                "The join payload must be an object like {room, name, since?}."
            );
            assert_eq!(
                reason(parse_message(&bad, 4000)),
                Reason::BadPayload,
                "{bad}"
            );
            assert_eq!(
                reason(parse_room_only(&bad, Event::Typing)),
                Reason::BadPayload
            );
        }
        assert_eq!(reason(parse_join(&json!({"room": "r"}))), Reason::BadName);
        assert_eq!(
            reason(parse_message(&json!({"room": "r", "text": "t"}), 4000)),
            Reason::BadId
        );
    }

    #[test]
    fn every_reason_has_a_distinct_label() {
        let mut labels: Vec<_> = Reason::ALL.iter().map(|r| r.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Reason::ALL.len());
    }
}
