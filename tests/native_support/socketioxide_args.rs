//! Arguments in the shape socketioxide's parser wants: `Spread` writes a
//! list of values as a tuple (so `encode_value` spreads them after the event
//! name) and `AllArgs` reads every argument back (not only the first).

use std::fmt;

use leptos_socketio::protocol::Value;
use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTuple, Serializer};

/// Arguments serialized as a tuple, so that `encode_value` spreads them:
/// `[event, arg1, arg2, …]` rather than `[event, [arg1, arg2, …]]`.
pub(crate) struct Spread<'a>(pub(crate) &'a [Value]);

impl Serialize for Spread<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for arg in self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

/// All arguments, deserialized as a tuple of any length, so that
/// `decode_value` yields every argument rather than the first one.
pub(crate) struct AllArgs(pub(crate) Vec<Value>);

impl<'de> Deserialize<'de> for AllArgs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ArgsVisitor;
        impl<'de> Visitor<'de> for ArgsVisitor {
            type Value = AllArgs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the arguments")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AllArgs, A::Error> {
                let mut args = Vec::new();
                while let Some(arg) = seq.next_element::<Value>()? {
                    args.push(arg);
                }
                Ok(AllArgs(args))
            }
        }
        deserializer.deserialize_tuple(usize::MAX, ArgsVisitor)
    }
}
