//! The chat contract's payloads (events on namespace `/`), with serde:
//! requests the client emits, acks it receives, and server broadcasts.

use serde::{Deserialize, Serialize};

use crate::chat::{ChatLimits, Message};

/// `join {room, name, since?}`: enter a room; with `since`, only the
/// messages after that `seq` come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The room.
    pub room: String,
    /// The name to appear under.
    pub name: String,
    /// The last `seq` already held; omitted for the last 100 messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
}

/// `leave {room}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRequest {
    /// The room.
    pub room: String,
}

/// `message {room, id, text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRequest {
    /// The room.
    pub room: String,
    /// The client-made unique id; re-sending with the same id is idempotent.
    pub id: String,
    /// The text.
    pub text: String,
}

/// `typing {room}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingRequest {
    /// The room.
    pub room: String,
}

/// The broadcast `presence {room, members}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The room.
    pub room: String,
    /// The sorted, distinct names present.
    pub members: Vec<String>,
}

/// The broadcast `typing {room, name}` (to the others only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingNotice {
    /// The room.
    pub room: String,
    /// Who is typing.
    pub name: String,
}

/// The ack of `join`: `{ok:true, history, members}` or `{ok:false, error}`.
///
/// ```
/// use leptos_socketio::chat::JoinAck;
/// let ack: JoinAck = serde_json::from_str(r#"{"ok":false,"error":"Pick a shorter name."}"#)
///     .expect("a join ack");
/// assert_eq!(ack, JoinAck::Refused { error: "Pick a shorter name.".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawAck", into = "RawAck")]
pub enum JoinAck {
    /// Joined: the history (ascending `seq`) and the members.
    Joined {
        /// The last 100 messages, or those after `since`.
        history: Vec<Message>,
        /// The names present.
        members: Vec<String>,
        /// The server's limits (`limits: {maxTextChars}`), when it sends
        /// them; the defaults otherwise.
        limits: Option<ChatLimits>,
    },
    /// Refused, with a sentence saying why.
    Refused {
        /// The server's sentence.
        error: String,
    },
}

/// The ack of `message`: `{ok:true, seq}` or `{ok:false, error}`.
///
/// ```
/// use leptos_socketio::chat::MessageAck;
/// let ack: MessageAck = serde_json::from_str(r#"{"ok":true,"seq":7}"#).expect("a message ack");
/// assert_eq!(ack, MessageAck::Stored { seq: 7 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawAck", into = "RawAck")]
pub enum MessageAck {
    /// Stored at `seq` (the original one, when the id was already stored).
    Stored {
        /// The message's `seq`.
        seq: u64,
    },
    /// Refused, with a sentence saying why.
    Refused {
        /// The server's sentence.
        error: String,
    },
}

/// Every ack's fields, to tell `ok: true` from `ok: false` first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RawAck {
    ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    history: Option<Vec<Message>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    members: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limits: Option<ChatLimits>,
}

/// The sentence for a refusal that came without one.
const NO_REASON: &str = "The server refused without saying why.";

impl TryFrom<RawAck> for JoinAck {
    type Error = String;

    fn try_from(raw: RawAck) -> Result<Self, String> {
        match raw {
            RawAck {
                ok: true,
                history: Some(history),
                members: Some(members),
                limits,
                ..
            } => Ok(JoinAck::Joined {
                history,
                members,
                limits,
            }),
            RawAck { ok: true, .. } => Err("a join ack needs history and members".to_owned()),
            RawAck { error, .. } => Ok(JoinAck::Refused {
                error: error.unwrap_or_else(|| NO_REASON.to_owned()),
            }),
        }
    }
}

impl From<JoinAck> for RawAck {
    fn from(ack: JoinAck) -> Self {
        match ack {
            JoinAck::Joined {
                history,
                members,
                limits,
            } => RawAck {
                ok: true,
                history: Some(history),
                members: Some(members),
                limits,
                ..RawAck::default()
            },
            JoinAck::Refused { error } => RawAck {
                error: Some(error),
                ..RawAck::default()
            },
        }
    }
}

impl TryFrom<RawAck> for MessageAck {
    type Error = String;

    fn try_from(raw: RawAck) -> Result<Self, String> {
        match raw {
            RawAck {
                ok: true,
                seq: Some(seq),
                ..
            } => Ok(MessageAck::Stored { seq }),
            RawAck { ok: true, .. } => Err("a message ack needs a seq".to_owned()),
            RawAck { error, .. } => Ok(MessageAck::Refused {
                error: error.unwrap_or_else(|| NO_REASON.to_owned()),
            }),
        }
    }
}

impl From<MessageAck> for RawAck {
    fn from(ack: MessageAck) -> Self {
        match ack {
            MessageAck::Stored { seq } => RawAck {
                ok: true,
                seq: Some(seq),
                ..RawAck::default()
            },
            MessageAck::Refused { error } => RawAck {
                error: Some(error),
                ..RawAck::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_serialize_as_the_contract_says() {
        let join = JoinRequest {
            room: "lobby".into(),
            name: "ada".into(),
            since: None,
        };
        assert_eq!(
            serde_json::to_value(&join).ok(),
            Some(json!({"room": "lobby", "name": "ada"}))
        );
        let join = JoinRequest {
            since: Some(4),
            ..join
        };
        assert_eq!(
            serde_json::to_value(&join).ok(),
            Some(json!({"room": "lobby", "name": "ada", "since": 4}))
        );
        let message = MessageRequest {
            room: "lobby".into(),
            id: "ab".into(),
            text: "hi".into(),
        };
        assert_eq!(
            serde_json::to_value(&message).ok(),
            Some(json!({"room": "lobby", "id": "ab", "text": "hi"}))
        );
    }

    #[test]
    fn join_acks_parse_both_shapes_and_reject_a_half_one() {
        let ok = json!({"ok": true, "members": ["ada"], "history": [
            {"room": "lobby", "seq": 1, "id": "x", "name": "ada", "text": "hi", "ts": 5}
        ]});
        let Ok(JoinAck::Joined {
            history,
            members,
            limits: None,
        }) = serde_json::from_value::<JoinAck>(ok)
        else {
            panic!("a valid join ack")
        };
        assert_eq!((history.len(), members), (1, vec!["ada".to_owned()]));
        assert!(serde_json::from_value::<JoinAck>(json!({"ok": true})).is_err());
        assert_eq!(
            serde_json::from_value::<JoinAck>(json!({"ok": false})).ok(),
            Some(JoinAck::Refused {
                error: NO_REASON.into()
            })
        );
        assert!(serde_json::from_value::<JoinAck>(json!("nonsense")).is_err());
    }

    #[test]
    fn message_acks_round_trip() {
        for ack in [
            MessageAck::Stored { seq: 9 },
            MessageAck::Refused {
                error: "Too long.".into(),
            },
        ] {
            let value = serde_json::to_value(&ack).ok();
            let back = value.and_then(|v| serde_json::from_value::<MessageAck>(v).ok());
            assert_eq!(back, Some(ack));
        }
    }
}
