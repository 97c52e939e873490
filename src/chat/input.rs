//! Checks of what a person typed, with the contract's limits, before it is
//! sent: the server checks the same, this only answers sooner.

/// Why a name, room or text cannot be used; each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The name is empty after trimming.
    #[error("Type a name first.")]
    EmptyName,
    /// The name is longer than 32 characters.
    #[error("The name is too long: use at most 32 characters.")]
    LongName,
    /// The name holds a control character.
    #[error("The name cannot contain control characters.")]
    ControlInName,
    /// The room is empty after trimming.
    #[error("Type a room name first.")]
    EmptyRoom,
    /// The room is longer than 64 characters.
    #[error("The room name is too long: use at most 64 characters.")]
    LongRoom,
    /// The room holds a character other than letters, digits, `-`, `_`, `.`.
    #[error("A room name may only contain letters, digits, '-', '_' and '.'.")]
    RoomCharacters,
    /// The text is empty after trimming.
    #[error("Type a message first.")]
    EmptyText,
    /// The text is longer than 4000 characters.
    #[error("The message is too long: use at most 4000 characters.")]
    LongText,
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
        n if n > 32 => Err(InputError::LongName),
        _ if name.chars().any(char::is_control) => Err(InputError::ControlInName),
        _ => Ok(name.to_owned()),
    }
}

/// The trimmed room: 1–64 characters from letters, digits, `-`, `_`, `.`.
///
/// ```
/// use leptos_socketio::chat::{check_room, InputError};
/// assert_eq!(check_room("lobby-2"), Ok("lobby-2".to_owned()));
/// assert_eq!(check_room("a b"), Err(InputError::RoomCharacters));
/// ```
pub fn check_room(room: &str) -> Result<String, InputError> {
    let room = room.trim();
    match room.chars().count() {
        0 => Err(InputError::EmptyRoom),
        n if n > 64 => Err(InputError::LongRoom),
        _ if !room
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) =>
        {
            Err(InputError::RoomCharacters)
        }
        _ => Ok(room.to_owned()),
    }
}

/// The text as typed (not trimmed, so the person's spacing survives), when
/// it is non-empty after trimming and at most 4000 characters.
///
/// ```
/// use leptos_socketio::chat::{check_text, InputError};
/// assert_eq!(check_text("hi "), Ok("hi ".to_owned()));
/// assert_eq!(check_text("\n"), Err(InputError::EmptyText));
/// ```
pub fn check_text(text: &str) -> Result<String, InputError> {
    if text.trim().is_empty() {
        Err(InputError::EmptyText)
    } else if text.chars().count() > 4000 {
        Err(InputError::LongText)
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_contract_limits() {
        assert_eq!(check_name(&"é".repeat(32)), Ok("é".repeat(32)));
        assert_eq!(check_name(&"é".repeat(33)), Err(InputError::LongName));
        assert_eq!(check_name("a\u{7}b"), Err(InputError::ControlInName));
        assert_eq!(check_name("\t"), Err(InputError::EmptyName));
    }

    #[test]
    fn rooms_follow_the_contract_limits() {
        assert_eq!(check_room(" a.b_c-1 "), Ok("a.b_c-1".to_owned()));
        assert_eq!(check_room(&"r".repeat(65)), Err(InputError::LongRoom));
        assert_eq!(check_room("a/b"), Err(InputError::RoomCharacters));
        assert_eq!(check_room(""), Err(InputError::EmptyRoom));
    }

    #[test]
    fn texts_follow_the_contract_limits() {
        assert!(check_text(&"x".repeat(4000)).is_ok());
        assert_eq!(check_text(&"x".repeat(4001)), Err(InputError::LongText));
        assert_eq!(check_text("   "), Err(InputError::EmptyText));
    }
}
