//! `Value` as a `serde::Deserializer`: an owned [`Value`] becomes any
//! `DeserializeOwned` type, with serde_json's representation plus binary.

use ::serde::de::value::{MapDeserializer, SeqDeserializer, StringDeserializer};
use ::serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, Unexpected, VariantAccess,
    Visitor,
};

use super::key::KeyDeserializer;
use super::ValueError;
use crate::protocol::Value;

impl Value {
    /// How serde's error messages name this value ("string \"x\"", "map", …).
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Unexpected::Unsigned(u),
                (_, Some(i), _) => Unexpected::Signed(i),
                (_, _, Some(f)) => Unexpected::Float(f),
                _ => Unexpected::Other("number"),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Binary(b) => Unexpected::Bytes(b),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }
}

impl IntoDeserializer<'_, ValueError> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

/// Visits `items` as a sequence; elements the visitor leaves are an error.
fn visit_seq<'de, I, V>(items: I, visitor: V) -> Result<V::Value, ValueError>
where
    I: Iterator,
    I::Item: IntoDeserializer<'de, ValueError>,
    V: Visitor<'de>,
{
    let mut seq = SeqDeserializer::new(items);
    let out = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

/// The bytes, if every element is a number from 0 to 255.
fn byte_array(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|item| match item {
            Value::Number(n) => n.as_u64().and_then(|u| u8::try_from(u).ok()),
            _ => None,
        })
        .collect()
}

impl<'de> Deserializer<'de> for Value {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => Err(de::Error::invalid_type(
                    Unexpected::Other("number"),
                    &visitor,
                )),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Binary(b) => visitor.visit_byte_buf(b),
            Value::Array(items) => visit_seq(items.into_iter(), visitor),
            Value::Object(members) => {
                let entries = members.into_iter().map(|(k, v)| (KeyDeserializer(k), v));
                let mut map = MapDeserializer::new(entries);
                let out = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    /// Binary, or an array of numbers 0–255 (serde_json's form of bytes).
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Binary(b) => visitor.visit_byte_buf(b),
            Value::Array(items) => match byte_array(&items) {
                Some(bytes) => visitor.visit_byte_buf(bytes),
                None => visit_seq(items.into_iter(), visitor),
            },
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_byte_buf(visitor)
    }

    /// Binary is read as a sequence of `u8`, so `Vec<u8>` and `[u8; N]` take it.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Binary(b) => visit_seq(b.into_iter(), visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }

    /// `"Variant"` for a unit variant, `{"Variant": content}` for the others.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self {
            Value::String(variant) => visitor.visit_enum(StringDeserializer::new(variant)),
            Value::Object(members) if members.len() == 1 => match members.into_iter().next() {
                Some((variant, content)) => visitor.visit_enum(Variant { variant, content }),
                None => Err(de::Error::invalid_length(0, &"one key")),
            },
            Value::Object(_) => Err(de::Error::invalid_value(
                Unexpected::Map,
                &"an object with a single key, the variant name",
            )),
            other => Err(de::Error::invalid_type(
                other.unexpected(),
                &"a variant name, or an object with the variant name as its single key",
            )),
        }
    }

    /// Binary is not text, even when it happens to be UTF-8 (serde's `String`
    /// would take it): a string field refuses it rather than guess.
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Binary(b) => Err(de::Error::invalid_type(Unexpected::Bytes(&b), &visitor)),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }

    ::serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        unit unit_struct map struct identifier
    }
}

/// An enum variant with content: the single member of `{"Variant": content}`.
struct Variant {
    variant: String,
    content: Value,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = ValueError;
    type Variant = Content;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Content), ValueError> {
        let name = seed.deserialize(StringDeserializer::<ValueError>::new(self.variant))?;
        Ok((name, Content(self.content)))
    }
}

/// What a variant carries, read as the variant's kind asks.
struct Content(Value);

impl<'de> VariantAccess<'de> for Content {
    type Error = ValueError;

    /// `{"Variant": null}` is a unit variant too, as in serde_json.
    fn unit_variant(self) -> Result<(), ValueError> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(other.unexpected(), &"unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, ValueError> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, ValueError> {
        self.0.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.0.deserialize_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::serde::Deserialize;
    use serde_json::json;

    fn de<T: for<'a> Deserialize<'a>>(v: Value) -> Result<T, ValueError> {
        T::deserialize(v)
    }

    #[test]
    fn binary_fills_byte_buffers_vecs_and_arrays() {
        let bin = || Value::Binary(vec![1, 2, 3]);
        assert_eq!(
            de::<serde_bytes::ByteBuf>(bin()).expect("bytes").into_vec(),
            [1, 2, 3]
        );
        assert_eq!(de::<Vec<u8>>(bin()), Ok(vec![1, 2, 3]));
        assert_eq!(de::<[u8; 3]>(bin()), Ok([1, 2, 3]));
        assert!(de::<[u8; 2]>(bin()).is_err(), "a byte too many");
    }

    #[test]
    fn a_string_refuses_binary_even_when_it_is_utf8() {
        let err = de::<String>(Value::Binary(b"hi".to_vec())).expect_err("binary is not text");
        assert!(err.to_string().contains("expected a string"), "{err}");
        assert_eq!(de::<String>(Value::from("hi")), Ok("hi".to_owned()));
    }

    #[test]
    fn an_array_of_small_numbers_fills_a_byte_buffer() {
        let buf: serde_bytes::ByteBuf = de(Value::from(json!([0, 255]))).expect("bytes");
        assert_eq!(buf.into_vec(), [0, 255]);
        assert!(de::<serde_bytes::ByteBuf>(Value::from(json!([256]))).is_err());
    }

    #[test]
    fn numbers_reach_the_visitor_of_their_kind() {
        assert_eq!(de::<u64>(Value::from(u64::MAX)), Ok(u64::MAX));
        assert_eq!(de::<i64>(Value::from(i64::MIN)), Ok(i64::MIN));
        assert_eq!(de::<f64>(Value::from(2.5)), Ok(2.5));
        let err = de::<u8>(Value::from(300)).expect_err("out of range");
        assert!(err.to_string().contains("expected u8"), "{err}");
    }

    #[test]
    fn enums_read_a_name_or_a_single_key_object() {
        #[derive(Debug, PartialEq, Deserialize)]
        enum E {
            Unit,
            New(u8),
        }
        assert_eq!(de::<E>(Value::from("Unit")), Ok(E::Unit));
        assert_eq!(de::<E>(Value::from(json!({"Unit": null}))), Ok(E::Unit));
        assert_eq!(de::<E>(Value::from(json!({"New": 4}))), Ok(E::New(4)));
        let err = de::<E>(Value::from(json!({"New": 4, "Unit": null}))).expect_err("two keys");
        assert!(err.to_string().contains("single key"), "{err}");
        let err = de::<E>(Value::from(3)).expect_err("a number");
        assert!(err.to_string().contains("variant name"), "{err}");
    }

    #[test]
    fn null_is_none_and_anything_else_is_some() {
        assert_eq!(de::<Option<u8>>(Value::Null), Ok(None));
        assert_eq!(de::<Option<u8>>(Value::from(1)), Ok(Some(1)));
    }

    #[test]
    fn leftover_elements_are_an_error() {
        let err = de::<(u8,)>(Value::from(json!([1, 2]))).expect_err("two elements");
        assert!(err.to_string().contains("invalid length"), "{err}");
    }
}
