//! [`ValueError`]: why a Rust value and a Socket.IO [`Value`](crate::protocol::Value)
//! could not be converted into each other.

use std::fmt::{self, Display};

use ::serde::de::{Expected, Unexpected};

use crate::protocol::{json, Value};

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

    // serde's own wording, with the unexpected value written as the wire
    // writes it: serde's `Unexpected` display would bring float formatting
    // and `str`'s `Debug` escaping into the browser bundle (about 11 KB).
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        ValueError::Deserialize(format!(
            "invalid type: {}, expected {exp}",
            Described(unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        ValueError::Deserialize(format!(
            "invalid value: {}, expected {exp}",
            Described(unexp)
        ))
    }
}

/// An [`Unexpected`] value in serde's words (`string "hi"`, `floating
/// point `2.5``), its data written as JSON.
struct Described<'a>(Unexpected<'a>);

impl Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, data) = match self.0 {
            Unexpected::Bool(b) => ("boolean", Value::Bool(b)),
            Unexpected::Unsigned(n) => ("integer", Value::from(n)),
            Unexpected::Signed(n) => ("integer", Value::from(n)),
            Unexpected::Float(n) => ("floating point", Value::from(n)),
            Unexpected::Char(c) => return write!(f, "character `{c}`"),
            Unexpected::Str(s) => {
                let mut text = String::from("string ");
                json::write_str(&mut text, s);
                return f.write_str(&text);
            }
            Unexpected::Bytes(_) => return f.write_str("byte array"),
            Unexpected::Unit => return f.write_str("unit value"),
            Unexpected::Option => return f.write_str("Option value"),
            Unexpected::NewtypeStruct => return f.write_str("newtype struct"),
            Unexpected::Seq => return f.write_str("sequence"),
            Unexpected::Map => return f.write_str("map"),
            Unexpected::Enum => return f.write_str("enum"),
            Unexpected::UnitVariant => return f.write_str("unit variant"),
            Unexpected::NewtypeVariant => return f.write_str("newtype variant"),
            Unexpected::TupleVariant => return f.write_str("tuple variant"),
            Unexpected::StructVariant => return f.write_str("struct variant"),
            Unexpected::Other(other) => return f.write_str(other),
        };
        let mut text = String::from(what);
        text.push_str(" `");
        json::write(&mut text, &data);
        text.push('`');
        f.write_str(&text)
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
    fn wrong_types_and_values_are_described_in_serdes_words() {
        use ::serde::de::Error as _;
        let cases = [
            (
                Unexpected::Str("hi \"you\""),
                "invalid type: string \"hi \\\"you\\\"\", expected a u32",
            ),
            (
                Unexpected::Float(2.5),
                "invalid type: floating point `2.5`, expected a u32",
            ),
            (
                Unexpected::Signed(-3),
                "invalid type: integer `-3`, expected a u32",
            ),
            (
                Unexpected::Bool(true),
                "invalid type: boolean `true`, expected a u32",
            ),
            (
                Unexpected::Char('x'),
                "invalid type: character `x`, expected a u32",
            ),
            (Unexpected::Map, "invalid type: map, expected a u32"),
        ];
        for (unexp, want) in cases {
            let err = ValueError::invalid_type(unexp, &"a u32");
            assert_eq!(err, ValueError::Deserialize(want.to_owned()));
        }
        let err = ValueError::invalid_value(Unexpected::Unsigned(300), &"a u8");
        assert_eq!(err.to_string(), "the Socket.IO value does not fit the expected type: invalid value: integer `300`, expected a u8");
    }

    #[test]
    fn a_bad_key_says_what_to_do() {
        let msg = ValueError::KeyMustBeAString("a sequence").to_string();
        assert!(msg.contains("a sequence"), "{msg}");
        assert!(msg.contains("convert the keys to strings"), "{msg}");
    }
}
