//! [`ValueError`]: why a Rust value and a Socket.IO [`Value`](crate::protocol::Value)
//! could not be converted into each other.

use std::fmt::Display;

/// Why [`to_value`](crate::protocol::to_value), [`to_args`](crate::protocol::to_args),
/// [`from_value`](crate::protocol::from_value) or
/// [`from_args`](crate::protocol::from_args) failed.
///
/// The message says what did not fit and, where there is one, what to change;
/// type mismatches carry serde's own wording, such as
/// `invalid type: string "hi", expected struct Message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A map key is not a string, and not something with an obvious string
    /// form (an integer, a finite float, a bool, a char or a unit enum variant).
    #[error(
        "a map key must be a string, a number, a bool, a char or a unit enum variant \
         to become an object key, but this one is {0}; convert the keys to strings, \
         or send the map as a list of pairs"
    )]
    KeyMustBeAString(&'static str),

    /// A float map key is NaN or infinite, which has no JSON form.
    #[error("a float map key must be finite to become an object key; NaN and infinities have no JSON form")]
    FloatKeyMustBeFinite,

    /// An `i128`/`u128` outside the 64-bit range of a Socket.IO number.
    #[error("the number {0} does not fit in 64 bits; send it as a string instead")]
    NumberOutOfRange(String),

    /// The Rust value's `Serialize` implementation reported an error.
    #[error("cannot turn the value into a Socket.IO argument: {0}")]
    Serialize(String),

    /// The Socket.IO value does not have the shape the Rust type expects.
    #[error("the Socket.IO value does not fit the expected type: {0}")]
    Deserialize(String),
}

impl ::serde::ser::Error for ValueError {
    fn custom<T: Display>(msg: T) -> Self {
        ValueError::Serialize(msg.to_string())
    }
}

impl ::serde::de::Error for ValueError {
    fn custom<T: Display>(msg: T) -> Self {
        ValueError::Deserialize(msg.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_keep_their_wording_behind_a_plain_prefix() {
        let err = <ValueError as ::serde::de::Error>::missing_field("text");
        assert_eq!(
            err.to_string(),
            "the Socket.IO value does not fit the expected type: missing field `text`"
        );
        let err = <ValueError as ::serde::ser::Error>::custom("boom");
        assert_eq!(err, ValueError::Serialize("boom".to_owned()));
    }

    #[test]
    fn a_bad_key_says_what_to_do() {
        let msg = ValueError::KeyMustBeAString("a sequence").to_string();
        assert!(msg.contains("a sequence"), "{msg}");
        assert!(msg.contains("convert the keys to strings"), "{msg}");
    }
}
