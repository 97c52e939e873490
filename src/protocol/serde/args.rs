//! Event arguments: a Rust value spread over, or read from, the several
//! arguments of one Socket.IO event, as socketioxide does it.
//!
//! A tuple (or tuple struct) is one argument per element, unit is no argument,
//! anything else is a single argument.

use ::serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use ::serde::ser::{self, Serialize};

use super::ser::{SerializeArray, SerializeObject, SerializeStructVariant, SerializeTupleVariant};
use super::{ValueError, ValueSerializer};
use crate::protocol::Value;

/// How the top-level value maps onto arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// One argument (the default).
    One,
    /// A tuple: each element is an argument.
    Spread,
    /// Unit: no arguments.
    Nothing,
    /// A `u8` (to spot sequences of bytes, which become binary).
    Byte(u8),
}

/// [`ValueSerializer`], noting in `shape` whether the top level was a tuple,
/// unit or a `u8`. Newtype structs are transparent, so their content decides.
/// Also used for the elements of sequences, to spot sequences of bytes.
pub(super) struct ArgsSerializer<'a>(pub(super) &'a mut Shape);

macro_rules! delegate {
    ($($method:ident($($arg:ident: $t:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $($arg: $t),*) -> Result<$ok, ValueError> {
            ser::Serializer::$method(ValueSerializer, $($arg),*)
        }
    )*};
}

impl ser::Serializer for ArgsSerializer<'_> {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SerializeArray;
    type SerializeTuple = SerializeArray;
    type SerializeTupleStruct = SerializeArray;
    type SerializeTupleVariant = SerializeTupleVariant;
    type SerializeMap = SerializeObject;
    type SerializeStruct = SerializeObject;
    type SerializeStructVariant = SerializeStructVariant;

    delegate! {
        serialize_bool(v: bool) -> Value;
        serialize_i8(v: i8) -> Value;
        serialize_i16(v: i16) -> Value;
        serialize_i32(v: i32) -> Value;
        serialize_i64(v: i64) -> Value;
        serialize_i128(v: i128) -> Value;
        serialize_u16(v: u16) -> Value;
        serialize_u32(v: u32) -> Value;
        serialize_u64(v: u64) -> Value;
        serialize_u128(v: u128) -> Value;
        serialize_f32(v: f32) -> Value;
        serialize_f64(v: f64) -> Value;
        serialize_char(v: char) -> Value;
        serialize_str(v: &str) -> Value;
        serialize_bytes(v: &[u8]) -> Value;
        serialize_none() -> Value;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Value;
        serialize_seq(len: Option<usize>) -> SerializeArray;
        serialize_tuple_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> SerializeObject;
        serialize_struct(name: &'static str, len: usize) -> SerializeObject;
        serialize_struct_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ValueError> {
        ser::Serializer::serialize_some(ValueSerializer, value)
    }

    fn serialize_u8(self, v: u8) -> Result<Value, ValueError> {
        *self.0 = Shape::Byte(v);
        ser::Serializer::serialize_u8(ValueSerializer, v)
    }

    fn serialize_unit(self) -> Result<Value, ValueError> {
        *self.0 = Shape::Nothing;
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, ValueError> {
        self.serialize_unit()
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        ser::Serializer::serialize_newtype_variant(ValueSerializer, name, index, variant, value)
    }

    fn serialize_tuple(self, len: usize) -> Result<SerializeArray, ValueError> {
        *self.0 = Shape::Spread;
        ser::Serializer::serialize_tuple(ValueSerializer, len)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<SerializeArray, ValueError> {
        *self.0 = Shape::Spread;
        ser::Serializer::serialize_tuple_struct(ValueSerializer, name, len)
    }
}

/// The tuple-struct name with which a type asks for every argument as it
/// came, however many (no `null` padding): [`Args`](crate::Args) uses it.
pub(crate) const ALL_ARGUMENTS: &str = "$leptos_socketio::Args";

/// The arguments of one event, read by a type: a tuple reads them in order,
/// unit reads none, anything else reads the first.
pub(super) struct ArgsDeserializer(pub(super) Vec<Value>);

impl ArgsDeserializer {
    /// The first argument, or `null` when there is none.
    fn first(self) -> Value {
        self.0.into_iter().next().unwrap_or_default()
    }
}

macro_rules! first_arg {
    ($($method:ident($($arg:ident: $t:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $t,)* visitor: V) -> Result<V::Value, ValueError> {
            de::Deserializer::$method(self.first(), $($arg,)* visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ArgsDeserializer {
    type Error = ValueError;

    first_arg! {
        deserialize_any(); deserialize_bool(); deserialize_char();
        deserialize_i8(); deserialize_i16(); deserialize_i32(); deserialize_i64();
        deserialize_i128(); deserialize_u8(); deserialize_u16(); deserialize_u32();
        deserialize_u64(); deserialize_u128(); deserialize_f32(); deserialize_f64();
        deserialize_str(); deserialize_string(); deserialize_bytes(); deserialize_byte_buf();
        deserialize_option(); deserialize_seq(); deserialize_map(); deserialize_identifier();
        deserialize_ignored_any();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_seq(Arguments {
            args: self.0.into_iter(),
            remaining: len,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        let len = if name == ALL_ARGUMENTS {
            self.0.len()
        } else {
            len
        };
        self.deserialize_tuple(len, visitor)
    }
}

/// Exactly `remaining` arguments: missing ones read as `null`, extra ones
/// are never read.
struct Arguments {
    args: std::vec::IntoIter<Value>,
    remaining: usize,
}

impl<'de> SeqAccess<'de> for Arguments {
    type Error = ValueError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ValueError> {
        let Some(remaining) = self.remaining.checked_sub(1) else {
            return Ok(None);
        };
        self.remaining = remaining;
        seed.deserialize(self.args.next().unwrap_or_default())
            .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::serde::{Deserialize, Serialize};

    fn spread<T: Serialize>(v: &T) -> (Shape, Value) {
        let mut shape = Shape::One;
        let value = v
            .serialize(ArgsSerializer(&mut shape))
            .expect("serializable");
        (shape, value)
    }

    #[test]
    fn tuples_spread_unit_is_nothing_and_the_rest_is_one() {
        #[derive(Serialize)]
        struct Wrapped((u8, u8));
        assert_eq!(spread(&(1, 2)).0, Shape::Spread);
        assert_eq!(spread(&(1,)).0, Shape::Spread);
        assert_eq!(spread(&Wrapped((1, 2))).0, Shape::Spread);
        assert_eq!(spread(&()).0, Shape::Nothing);
        assert_eq!(spread(&vec![1, 2]).0, Shape::One);
        assert_eq!(spread(&Some((1, 2))).0, Shape::One);
    }

    #[test]
    fn a_tuple_reads_arguments_in_order_with_null_for_missing_ones() {
        let args = || ArgsDeserializer(vec![Value::from(1), Value::from("a")]);
        assert_eq!(<(u8, String)>::deserialize(args()), Ok((1, "a".to_owned())));
        assert_eq!(<(u8,)>::deserialize(args()), Ok((1,)));
        assert_eq!(
            <(u8, String, Option<bool>)>::deserialize(args()),
            Ok((1, "a".to_owned(), None))
        );
        assert_eq!(<()>::deserialize(args()), Ok(()));
        assert_eq!(u8::deserialize(args()), Ok(1));
        assert_eq!(
            Option::<u8>::deserialize(ArgsDeserializer(vec![])),
            Ok(None)
        );
    }
}
