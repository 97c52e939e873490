//! The chat contract's rules for names, rooms, texts and message ids: one
//! definition, used by the client (to answer the person at once) and by the
//! companion server (which refuses what breaks them, with the same
//! sentences). The one limit the server may change, the longest text,
//! reaches the client in the `join` ack ([`ChatLimits`]).

use serde::{Deserialize, Serialize};

/// Most characters (Unicode scalar values) in a room name.
pub const MAX_ROOM_CHARS: usize = 64;
/// Most characters in a name, after trimming.
pub const MAX_NAME_CHARS: usize = 32;
/// Most characters in a client-made message id.
pub const MAX_ID_CHARS: usize = 128;
/// The longest message text unless the server says otherwise
/// (`--max-text-chars` on the companion server).
pub const DEFAULT_MAX_TEXT_CHARS: usize = 4000;

/// The most messages a `join` returns unless the server says otherwise
/// (`--history-limit` on the companion server).
pub const DEFAULT_HISTORY_LIMIT: usize = 100;

/// The limits a server may set, sent in its `join` ack as
/// `limits: {maxTextChars, historyLimit}`; a server that sends none (or
/// leaves one out) has the defaults.
///
/// ```
/// use leptos_socketio::chat::{ChatLimits, DEFAULT_MAX_TEXT_CHARS};
/// assert_eq!(ChatLimits::default().max_text_chars, DEFAULT_MAX_TEXT_CHARS);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatLimits {
    /// The longest message text, in characters.
    pub max_text_chars: usize,
    /// The most messages one `join` returns: an answer this long may have
    /// more after it, so the client asks again `since` its last `seq`.
    pub history_limit: usize,
}

impl Default for ChatLimits {
    fn default() -> Self {
        Self {
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            history_limit: DEFAULT_HISTORY_LIMIT,
        }
    }
}

/// Why a name, room, text or id cannot be used; each sentence says what to
/// do, for the person (the client shows it) and in the server's
/// `{ok:false, error}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The name is empty after trimming.
    #[error("The name is empty; give 1–32 characters.")]
    EmptyName,
    /// The name is longer than [`MAX_NAME_CHARS`].
    #[error("The name is {0} characters long; the limit is 32.")]
    LongName(usize),
    /// The name holds a control character.
    #[error("The name holds a control character; use visible characters only.")]
    ControlInName,
    /// The room is empty.
    #[error("The room name is empty; give 1–64 letters, digits, \"-\", \"_\" or \".\".")]
    EmptyRoom,
    /// The room is longer than [`MAX_ROOM_CHARS`].
    #[error("The room name is {0} characters long; the limit is 64.")]
    LongRoom(usize),
    /// The room holds this character, which is not a letter, a digit, `-`,
    /// `_` or `.`.
    #[error(
        "The room name may only hold letters, digits, \"-\", \"_\" and \".\"; '{0}' is not allowed."
    )]
    RoomCharacter(char),
    /// The text is empty after trimming.
    #[error("The message is empty; type some text before sending.")]
    EmptyText,
    /// The text is longer than the limit.
    #[error("The message is {chars} characters long; the limit is {limit}.")]
    LongText {
        /// Its length, in characters.
        chars: usize,
        /// The limit ([`ChatLimits::max_text_chars`]).
        limit: usize,
    },
    /// The message id is empty or longer than [`MAX_ID_CHARS`].
    #[error(
        "Give the message a client-made id: a string of 1–128 characters, unique in the room."
    )]
    BadId,
    /// Sending needs a room.
    #[error("Join a room before sending a message.")]
    NotInRoom,
}

/// The trimmed name: 1–32 characters, no control characters.
///
/// ```
/// use leptos_socketio::chat::{check_name, InputError};
/// assert_eq!(check_name("  ada "), Ok("ada".to_owned()));
/// assert_eq!(check_name(" "), Err(InputError::EmptyName));
/// ```
pub fn check_name(name: &str) -> Result<String, InputError> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err(InputError::EmptyName),
        n if n > MAX_NAME_CHARS => Err(InputError::LongName(n)),
        _ if name.chars().any(char::is_control) => Err(InputError::ControlInName),
        _ => Ok(name.to_owned()),
    }
}

/// The room as given (not trimmed: a space is refused): 1–64 characters,
/// each a letter, a digit, `-`, `_` or `.`.
///
/// ```
/// use leptos_socketio::chat::{check_room, InputError};
/// assert_eq!(check_room("lobby-2"), Ok("lobby-2".to_owned()));
/// assert_eq!(check_room("a b"), Err(InputError::RoomCharacter(' ')));
/// ```
pub fn check_room(room: &str) -> Result<String, InputError> {
    match room.chars().count() {
        0 => Err(InputError::EmptyRoom),
        n if n > MAX_ROOM_CHARS => Err(InputError::LongRoom(n)),
        _ => match room
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            Some(c) => Err(InputError::RoomCharacter(c)),
            None => Ok(room.to_owned()),
        },
    }
}

/// The text as typed (not trimmed, so the person's spacing survives), when
/// it is non-empty after trimming and at most `max_chars` characters
/// (counted untrimmed).
///
/// ```
/// use leptos_socketio::chat::{check_text, InputError};
/// assert_eq!(check_text("hi ", 4000), Ok("hi ".to_owned()));
/// assert_eq!(check_text("\n", 4000), Err(InputError::EmptyText));
/// assert_eq!(check_text("long", 3), Err(InputError::LongText { chars: 4, limit: 3 }));
/// ```
pub fn check_text(text: &str, max_chars: usize) -> Result<String, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::EmptyText);
    }
    match text.chars().count() {
        chars if chars > max_chars => Err(InputError::LongText {
            chars,
            limit: max_chars,
        }),
        _ => Ok(text.to_owned()),
    }
}

/// A client-made message id: 1–128 characters.
///
/// ```
/// use leptos_socketio::chat::{check_id, InputError};
/// assert_eq!(check_id("m-1"), Ok(()));
/// assert_eq!(check_id(""), Err(InputError::BadId));
/// ```
pub fn check_id(id: &str) -> Result<(), InputError> {
    match id.chars().count() {
        1..=MAX_ID_CHARS => Ok(()),
        _ => Err(InputError::BadId),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_contract_limits() {
        assert_eq!(check_name(&"é".repeat(32)), Ok("é".repeat(32)));
        assert_eq!(check_name(&"é".repeat(33)), Err(InputError::LongName(33)));
        assert_eq!(check_name("a\u{7}b"), Err(InputError::ControlInName));
        assert_eq!(check_name("\t"), Err(InputError::EmptyName));
    }

    #[test]
    fn rooms_follow_the_contract_limits() {
        assert_eq!(check_room("a.b_c-1"), Ok("a.b_c-1".to_owned()));
        assert_eq!(check_room(" lobby"), Err(InputError::RoomCharacter(' ')));
        assert_eq!(check_room(&"r".repeat(65)), Err(InputError::LongRoom(65)));
        assert_eq!(check_room("a/b"), Err(InputError::RoomCharacter('/')));
        assert_eq!(check_room(""), Err(InputError::EmptyRoom));
        assert_eq!(
            InputError::LongRoom(70).to_string(),
            "The room name is 70 characters long; the limit is 64."
        );
    }

    #[test]
    fn texts_and_ids_follow_the_contract_limits() {
        assert!(check_text(&"x".repeat(4000), DEFAULT_MAX_TEXT_CHARS).is_ok());
        assert_eq!(
            check_text(&"x".repeat(4001), DEFAULT_MAX_TEXT_CHARS),
            Err(InputError::LongText {
                chars: 4001,
                limit: 4000
            })
        );
        assert_eq!(check_text("   ", 10), Err(InputError::EmptyText));
        assert_eq!(check_id(&"i".repeat(128)), Ok(()));
        assert_eq!(check_id(&"i".repeat(129)), Err(InputError::BadId));
    }

    #[test]
    fn the_sentences_name_the_limits_they_check() {
        // The sentences spell the limits out; they must follow the constants.
        assert!(InputError::EmptyName
            .to_string()
            .contains(&MAX_NAME_CHARS.to_string()));
        assert!(InputError::LongName(40)
            .to_string()
            .ends_with(&format!("{MAX_NAME_CHARS}.")));
        assert!(InputError::EmptyRoom
            .to_string()
            .contains(&MAX_ROOM_CHARS.to_string()));
        assert!(InputError::BadId
            .to_string()
            .contains(&MAX_ID_CHARS.to_string()));
    }
}
