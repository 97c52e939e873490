//! [`Args`]: an event's arguments as raw values, any number of them.

use std::fmt;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTuple, Serializer};

use crate::protocol::serde::ALL_ARGUMENTS;
use crate::protocol::Value;

/// All the arguments of one event, in order, as raw [`Value`]s.
///
/// Typed emits send a tuple as several arguments and anything else as one
/// (`emit("move", (3, 4))` sends two, `emit("list", vec![3, 4])` one array).
/// `Args` is the escape hatch for when the number of arguments is only known
/// at run time, both ways: `emit("e", Args(values))` sends each value as its
/// own argument, and `on::<Args>("e", …)` (or `emit_with_ack::<Args>`)
/// receives every argument, however many came.
///
/// ```
/// use leptos_socketio::{protocol::Value, Args};
///
/// let args = Args(vec![Value::from("a"), Value::from(1u8)]);
/// assert_eq!(args.len(), 2);
/// assert_eq!(args.first().and_then(Value::as_str), Some("a"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(pub Vec<Value>);

impl std::ops::Deref for Args {
    type Target = Vec<Value>;

    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl From<Vec<Value>> for Args {
    fn from(values: Vec<Value>) -> Self {
        Args(values)
    }
}

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for arg in &self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ArgsVisitor;

        impl<'de> Visitor<'de> for ArgsVisitor {
            type Value = Args;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the arguments of an event")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
                let mut args = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(arg) = seq.next_element()? {
                    args.push(arg);
                }
                Ok(Args(args))
            }
        }

        // Any other deserializer sees a tuple struct of unknown length, which
        // JSON arrays and `Value::Array` satisfy.
        deserializer.deserialize_tuple_struct(ALL_ARGUMENTS, usize::MAX, ArgsVisitor)
    }
}
