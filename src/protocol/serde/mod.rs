//! The serde bridge: any `Serialize` type becomes a [`Value`] (or the
//! arguments of an event), and a [`Value`] becomes any `DeserializeOwned`
//! type, binary data included.
//!
//! The representation is serde_json's (externally tagged enums, `None` and
//! unit as `null`, transparent newtype structs), except that bytes become
//! [`Value::Binary`], which Socket.IO sends as a binary attachment: what
//! serde writes as bytes (`serde_bytes::ByteBuf`, `bytes::Bytes`,
//! `#[serde(with = "serde_bytes")]`) and any non-empty sequence of `u8`
//! (`Vec<u8>`, `&[u8]`). Fixed arrays `[u8; N]` (serde tuples) and empty
//! sequences stay arrays.

mod args;
pub(crate) use args::ALL_ARGUMENTS;
mod de;
mod error;
mod key;
mod ser;

use ::serde::de::DeserializeOwned;
use ::serde::Serialize;

use self::args::{ArgsDeserializer, ArgsSerializer, Shape};
use self::ser::ValueSerializer;
use crate::protocol::Value;
pub use error::ValueError;

/// Turns `value` into a [`Value`], as `serde_json::to_value` would, except
/// that bytes and sequences of `u8` become [`Value::Binary`].
///
/// Map keys must be strings, or integers, finite floats, bools, chars or unit
/// enum variants, which become their string form; other keys give a
/// [`ValueError::KeyMustBeAString`].
///
/// ```
/// use leptos_socketio::protocol::{to_value, Value};
///
/// #[derive(serde::Serialize)]
/// struct Upload {
///     name: String,
///     data: Vec<u8>, // binary; `serde_bytes::ByteBuf` or `bytes::Bytes` too
/// }
///
/// let v = to_value(&Upload { name: "a.png".into(), data: vec![1, 2] })?;
/// assert_eq!(v.get("name").and_then(Value::as_str), Some("a.png"));
/// assert_eq!(v.get("data"), Some(&Value::Binary(vec![1, 2])));
/// # Ok::<(), leptos_socketio::protocol::ValueError>(())
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ValueError> {
    value.serialize(ValueSerializer)
}

/// Reads a `T` from `value`, as `serde_json::from_value` would, and also
/// accepts binary: [`Value::Binary`] fills byte buffers (`serde_bytes::ByteBuf`)
/// as well as `Vec<u8>` and `[u8; N]`; an array of numbers 0–255 fills a byte
/// buffer too.
///
/// ```
/// use leptos_socketio::protocol::{from_value, Value};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Message {
///     text: String,
/// }
///
/// let v = Value::from(serde_json::json!({"text": "hi"}));
/// assert_eq!(from_value::<Message>(v)?.text, "hi");
/// assert_eq!(from_value::<Vec<u8>>(Value::Binary(vec![7]))?, [7]);
///
/// let err = from_value::<Message>(Value::from("hi")).unwrap_err();
/// assert!(err.to_string().contains("expected struct Message"));
/// # Ok::<(), leptos_socketio::protocol::ValueError>(())
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ValueError> {
    T::deserialize(value)
}

/// Turns `data` into the arguments of one event: a tuple (or tuple struct) is
/// spread, one argument per element, so `(a,)` is one argument and `(a, b)`
/// two; unit `()` is no argument; anything else, a `Vec` included, is a single
/// argument. Newtype structs are transparent.
///
/// ```
/// use leptos_socketio::protocol::{to_args, Value};
///
/// assert_eq!(to_args(&("hi", 2))?, [Value::from("hi"), Value::from(2)]);
/// assert_eq!(to_args(&vec![1, 2])?, [Value::from(vec![Value::from(1), Value::from(2)])]);
/// assert!(to_args(&())?.is_empty());
/// # Ok::<(), leptos_socketio::protocol::ValueError>(())
/// ```
pub fn to_args<T: Serialize + ?Sized>(data: &T) -> Result<Vec<Value>, ValueError> {
    let mut shape = Shape::One;
    let value = data.serialize(ArgsSerializer(&mut shape))?;
    Ok(match (shape, value) {
        (Shape::Nothing, _) => Vec::new(),
        (Shape::Spread, Value::Array(items)) => items,
        (_, value) => vec![value],
    })
}

/// Reads a `T` from the arguments of one event, the converse of [`to_args`]:
/// a tuple (or tuple struct) reads the arguments in order, a missing one as
/// `null` (so trailing `Option`s may be left out), and ignores extra ones, as
/// socketioxide does; unit `()` accepts any arguments; any other type reads the
/// first argument (`null` if there is none) and ignores the rest.
///
/// For raw access, keep the `Vec<Value>` itself, or read `(Value, Value)` for
/// the first two arguments as they are. (`from_args::<Vec<Value>>` reads the
/// *first* argument as an array, like any other non-tuple type.)
///
/// ```
/// use leptos_socketio::protocol::{from_args, Value};
///
/// let args = vec![Value::from("hi"), Value::from(2)];
/// assert_eq!(from_args::<(String, u8)>(args.clone())?, ("hi".to_owned(), 2));
/// assert_eq!(from_args::<(String, u8, Option<bool>)>(args.clone())?.2, None);
/// assert_eq!(from_args::<String>(args.clone())?, "hi");
/// assert_eq!(from_args::<(Value,)>(args)?, (Value::from("hi"),));
/// # Ok::<(), leptos_socketio::protocol::ValueError>(())
/// ```
pub fn from_args<T: DeserializeOwned>(args: Vec<Value>) -> Result<T, ValueError> {
    T::deserialize(ArgsDeserializer(args))
}
