//! The `echo` event: acks back every argument it received, unchanged.

use std::fmt;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTuple, Serializer};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use tracing::warn;

/// All the arguments of one event, in order, each as a dynamic value.
///
/// socketioxide's parser spreads a *tuple-like* type over the event's
/// arguments (a `Vec` would only take the first one), so this type reads and
/// writes itself as a serde tuple of any length.
///
/// Each argument is an [`rmpv::Value`], which, unlike `serde_json::Value`, has
/// a binary variant: on the way in the parser replaces every
/// `{"_placeholder":true,"num":N}` with the bytes of attachment `N`, at any
/// depth; on the way out it turns each `Binary` back into a placeholder plus
/// an attachment. So a `Buffer` argument, or one nested in an object or an
/// array, comes back as binary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EchoArgs(pub Vec<rmpv::Value>);

impl Serialize for EchoArgs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for arg in &self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for EchoArgs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ArgsVisitor;

        impl<'de> Visitor<'de> for ArgsVisitor {
            type Value = EchoArgs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the arguments of an event")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EchoArgs, A::Error> {
                let mut args = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(arg) = seq.next_element()? {
                    args.push(arg);
                }
                Ok(EchoArgs(args))
            }
        }

        // The length is not known up front; JSON arrays do not need it.
        deserializer.deserialize_tuple(usize::MAX, ArgsVisitor)
    }
}

/// The ack sent when the arguments could not be decoded (e.g. a binary
/// placeholder without its attachment).
#[derive(Debug, serde::Serialize)]
struct Failure {
    ok: bool,
    error: String,
}

/// Handler of `echo`: acks all the arguments back, in order, binary included.
///
/// Without an ack id (a plain emit) it does nothing. A failure to send the ack
/// (e.g. the socket's buffer is full or it is gone) is logged at warn.
pub async fn on_echo<A: Adapter>(
    socket: SocketRef<A>,
    TryData(args): TryData<EchoArgs>,
    ack: AckSender<A>,
) {
    let sent = match args {
        Ok(args) => ack.send(&args),
        Err(e) => {
            warn!(sid = %socket.id, error = %e, "echo: could not decode the arguments");
            ack.send(&Failure {
                ok: false,
                error: format!("The echo arguments could not be read: {e}."),
            })
        }
    };
    if let Err(e) = sent {
        warn!(sid = %socket.id, error = %e, "echo: could not send the ack");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmpv::Value;

    #[test]
    fn reads_and_writes_a_json_array_as_the_argument_list() {
        let args: EchoArgs =
            serde_json::from_str(r#"["a", {"b": [1, 2.5, null]}, true]"#).expect("decodes");
        assert_eq!(args.0.len(), 3);
        assert_eq!(args.0[0], Value::from("a"));
        let back = serde_json::to_string(&args).expect("encodes");
        assert_eq!(back, r#"["a",{"b":[1,2.5,null]},true]"#);
    }

    #[test]
    fn no_arguments_is_an_empty_list() {
        let args: EchoArgs = serde_json::from_str("[]").expect("decodes");
        assert_eq!(args, EchoArgs::default());
        assert_eq!(serde_json::to_string(&args).expect("encodes"), "[]");
    }
}
