//! [`ValueSerializer`]: a `serde::Serializer` whose output is a [`Value`],
//! with serde_json's representation except that bytes stay binary.

use std::collections::BTreeMap;

use ::serde::ser::{self, Serialize};

use super::args::{ArgsSerializer, Shape};
use super::key::KeySerializer;
use super::ValueError;
use crate::protocol::Value;

/// Turns any `Serialize` into a [`Value`]; see [`to_value`](super::to_value).
pub(super) struct ValueSerializer;

/// Most capacity reserved up front from a length hint.
const MAX_PREALLOCATION: usize = 4096;

fn with_capacity(len: Option<usize>) -> Vec<Value> {
    Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOCATION))
}

fn tagged(variant: &'static str, content: Value) -> Value {
    Value::Object(BTreeMap::from([(variant.to_owned(), content)]))
}

macro_rules! via {
    ($($method:ident($t:ty) => $conv:ty),*) => {$(
        fn $method(self, v: $t) -> Result<Value, ValueError> {
            Ok(Value::from(<$conv>::from(v)))
        }
    )*};
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SerializeArray;
    type SerializeTuple = SerializeArray;
    type SerializeTupleStruct = SerializeArray;
    type SerializeTupleVariant = SerializeTupleVariant;
    type SerializeMap = SerializeObject;
    type SerializeStruct = SerializeObject;
    type SerializeStructVariant = SerializeStructVariant;

    via!(
        serialize_bool(bool) => bool,
        serialize_i8(i8) => i64, serialize_i16(i16) => i64,
        serialize_i32(i32) => i64, serialize_i64(i64) => i64,
        serialize_u8(u8) => u64, serialize_u16(u16) => u64,
        serialize_u32(u32) => u64, serialize_u64(u64) => u64,
        // NaN and infinities become null, as in serde_json.
        serialize_f32(f32) => f64, serialize_f64(f64) => f64
    );

    fn serialize_i128(self, v: i128) -> Result<Value, ValueError> {
        match (u64::try_from(v), i64::try_from(v)) {
            (Ok(u), _) => Ok(Value::from(u)),
            (_, Ok(i)) => Ok(Value::from(i)),
            _ => Err(ValueError::NumberOutOfRange(v.to_string())),
        }
    }

    fn serialize_u128(self, v: u128) -> Result<Value, ValueError> {
        u64::try_from(v)
            .map(Value::from)
            .map_err(|_| ValueError::NumberOutOfRange(v.to_string()))
    }

    fn serialize_char(self, v: char) -> Result<Value, ValueError> {
        Ok(Value::String(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Value, ValueError> {
        Ok(Value::String(v.to_owned()))
    }

    /// The one departure from serde_json: bytes stay binary.
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ValueError> {
        Ok(Value::Binary(v.to_vec()))
    }

    fn serialize_none(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ValueError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, ValueError> {
        Ok(Value::String(variant.to_owned()))
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
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        Ok(tagged(variant, value.serialize(self)?))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SerializeArray, ValueError> {
        Ok(SerializeArray {
            items: with_capacity(len),
            bytes: Some(Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOCATION))),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SerializeArray, ValueError> {
        Ok(SerializeArray {
            items: with_capacity(Some(len)),
            bytes: None,
        })
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<SerializeArray, ValueError> {
        self.serialize_tuple(len)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SerializeTupleVariant, ValueError> {
        Ok(SerializeTupleVariant(variant, with_capacity(Some(len))))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<SerializeObject, ValueError> {
        Ok(SerializeObject::default())
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<SerializeObject, ValueError> {
        Ok(SerializeObject::default())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<SerializeStructVariant, ValueError> {
        Ok(SerializeStructVariant(variant, BTreeMap::new()))
    }
}

/// The elements of a sequence, tuple or tuple struct.
///
/// A non-empty *sequence* whose every element is a `u8` (`Vec<u8>`,
/// `&[u8]`, `VecDeque<u8>`…) becomes [`Value::Binary`]: in Rust that is how
/// bytes are held, and Socket.IO peers expect them as binary. Tuples and
/// fixed arrays (`[u8; N]`, which serde writes as a tuple) stay arrays.
pub(super) struct SerializeArray {
    items: Vec<Value>,
    /// The bytes so far, while every element of a sequence was a `u8`.
    bytes: Option<Vec<u8>>,
}

impl ser::SerializeSeq for SerializeArray {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        let mut shape = Shape::One;
        self.items
            .push(value.serialize(ArgsSerializer(&mut shape))?);
        match (shape, &mut self.bytes) {
            (Shape::Byte(b), Some(bytes)) => bytes.push(b),
            _ => self.bytes = None,
        }
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(match self.bytes {
            Some(bytes) if !bytes.is_empty() => Value::Binary(bytes),
            _ => Value::Array(self.items),
        })
    }
}

impl ser::SerializeTuple for SerializeArray {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SerializeArray {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

/// `{"Variant": [...]}`.
pub(super) struct SerializeTupleVariant(&'static str, Vec<Value>);

impl ser::SerializeTupleVariant for SerializeTupleVariant {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.1.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(tagged(self.0, Value::Array(self.1)))
    }
}

/// The members of a map or struct; a map key waits in `next_key` for its value.
#[derive(Default)]
pub(super) struct SerializeObject {
    members: BTreeMap<String, Value>,
    next_key: Option<String>,
}

impl ser::SerializeMap for SerializeObject {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ValueError> {
        self.next_key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        let key = self.next_key.take().ok_or_else(|| {
            ValueError::Serialize("a map value was serialized before its key".to_owned())
        })?;
        self.members.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(self.members))
    }
}

impl ser::SerializeStruct for SerializeObject {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ValueError> {
        self.members
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(self.members))
    }
}

/// `{"Variant": {...}}`.
pub(super) struct SerializeStructVariant(&'static str, BTreeMap<String, Value>);

impl ser::SerializeStructVariant for SerializeStructVariant {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ValueError> {
        self.1
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(tagged(self.0, Value::Object(self.1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::serde::Serialize;
    use serde_json::json;

    fn ser<T: Serialize>(v: &T) -> Value {
        v.serialize(ValueSerializer).expect("serializable")
    }

    #[test]
    fn bytes_and_sequences_of_u8_become_binary_other_numbers_stay_arrays() {
        assert_eq!(
            ser(&serde_bytes::ByteBuf::from(vec![1, 2])),
            Value::Binary(vec![1, 2])
        );
        assert_eq!(ser(&vec![1u8, 2]), Value::Binary(vec![1, 2]));
        assert_eq!(ser(&&[7u8, 8][..]), Value::Binary(vec![7, 8]));
        assert_eq!(
            ser(&json!({"deep": [[0u8]]})),
            Value::from(json!({"deep": [[0]]})),
            "JSON numbers are not bytes"
        );
        assert_eq!(
            ser(&vec![vec![0u8, 255]]),
            Value::Array(vec![Value::Binary(vec![0, 255])])
        );
        assert_eq!(
            ser(&Vec::<u8>::new()),
            Value::Array(vec![]),
            "no element, no way to tell"
        );
        assert_eq!(ser(&vec![1u16, 2]), Value::from(json!([1, 2])));
        assert_eq!(
            ser(&[1u8, 2]),
            Value::from(json!([1, 2])),
            "[u8; N] is a tuple"
        );
        assert_eq!(ser(&vec![Some(1u8)]), Value::from(json!([1])));
    }

    #[test]
    fn enums_are_externally_tagged() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, bool),
            Struct { a: u8 },
        }
        assert_eq!(ser(&E::Unit), Value::from("Unit"));
        assert_eq!(ser(&E::New(1)), Value::from(json!({"New": 1})));
        assert_eq!(
            ser(&E::Tuple(1, true)),
            Value::from(json!({"Tuple": [1, true]}))
        );
        assert_eq!(
            ser(&E::Struct { a: 1 }),
            Value::from(json!({"Struct": {"a": 1}}))
        );
    }

    #[test]
    fn wide_integers_fit_or_are_refused() {
        assert_eq!(ser(&(u64::MAX as u128)), Value::from(u64::MAX));
        assert_eq!(ser(&(i64::MIN as i128)), Value::from(i64::MIN));
        assert_eq!(
            (u64::MAX as u128 + 1).serialize(ValueSerializer),
            Err(ValueError::NumberOutOfRange(
                "18446744073709551616".to_owned()
            ))
        );
    }

    #[test]
    fn non_finite_floats_become_null() {
        assert_eq!(ser(&f64::NAN), Value::Null);
        assert_eq!(ser(&f32::INFINITY), Value::Null);
    }
}
