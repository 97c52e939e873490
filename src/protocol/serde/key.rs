//! Object keys: any map key becomes a `String` on the way in
//! ([`KeySerializer`]), and a `String` becomes the key type on the way out
//! ([`KeyDeserializer`]), as serde_json does.

use ::serde::de::value::StringDeserializer;
use ::serde::de::{self, IntoDeserializer, Visitor};
use ::serde::ser::{self, Impossible, Serialize};

use super::ValueError;

/// Serializes a map key to its string form: strings as they are, integers,
/// finite floats, bools and chars as serde_json writes them, unit variants by
/// name, newtype structs transparently. Anything else is an error.
pub(super) struct KeySerializer;

type NoCompound = Impossible<String, ValueError>;

fn not_a_key(what: &'static str) -> Result<String, ValueError> {
    Err(ValueError::KeyMustBeAString(what))
}

macro_rules! display_keys {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<String, ValueError> {
            Ok(v.to_string())
        }
    )*};
}

macro_rules! float_keys {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<String, ValueError> {
            if !v.is_finite() {
                return Err(ValueError::FloatKeyMustBeFinite);
            }
            // The wire's float formatting, so keys match values.
            let mut out = String::new();
            crate::protocol::json::write(&mut out, &crate::protocol::Value::from(f64::from(v)));
            Ok(out)
        }
    )*};
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = ValueError;
    type SerializeSeq = NoCompound;
    type SerializeTuple = NoCompound;
    type SerializeTupleStruct = NoCompound;
    type SerializeTupleVariant = NoCompound;
    type SerializeMap = NoCompound;
    type SerializeStruct = NoCompound;
    type SerializeStructVariant = NoCompound;

    display_keys!(
        serialize_bool(bool),
        serialize_char(char),
        serialize_str(&str),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128)
    );
    float_keys!(serialize_f32(f32), serialize_f64(f64));

    fn serialize_bytes(self, _: &[u8]) -> Result<String, ValueError> {
        not_a_key("binary data")
    }
    fn serialize_none(self) -> Result<String, ValueError> {
        not_a_key("None")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, ValueError> {
        not_a_key("an Option")
    }
    fn serialize_unit(self) -> Result<String, ValueError> {
        not_a_key("a unit value")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, ValueError> {
        not_a_key("a unit struct")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, ValueError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, ValueError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, ValueError> {
        not_a_key("an enum variant with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("an enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<NoCompound, ValueError> {
        Err(ValueError::KeyMustBeAString("an enum variant with data"))
    }
}

/// Deserializes a map key from its string form: a key type that asks for a
/// number or a bool gets the string parsed; one that does not parse is handed
/// over as a string, so the key type's own error names what it expected.
pub(super) struct KeyDeserializer(pub(super) String);

impl IntoDeserializer<'_, ValueError> for KeyDeserializer {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parsed_keys {
    ($($method:ident => $visit:ident($t:ty)),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            match self.0.parse::<$t>() {
                Ok(v) => visitor.$visit(v),
                Err(_) => visitor.visit_string(self.0),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_string(self.0)
    }

    parsed_keys!(
        deserialize_bool => visit_bool(bool),
        deserialize_i8 => visit_i8(i8), deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32), deserialize_i64 => visit_i64(i64),
        deserialize_i128 => visit_i128(i128), deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16), deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64), deserialize_u128 => visit_u128(u128),
        deserialize_f32 => visit_f32(f32), deserialize_f64 => visit_f64(f64)
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_enum(StringDeserializer::new(self.0))
    }

    ::serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::serde::Deserialize;

    #[test]
    fn numbers_bools_and_chars_become_their_string_form() {
        assert_eq!(42u8.serialize(KeySerializer), Ok("42".to_owned()));
        assert_eq!((-7i64).serialize(KeySerializer), Ok("-7".to_owned()));
        assert_eq!(1.0f64.serialize(KeySerializer), Ok("1.0".to_owned()));
        assert_eq!(true.serialize(KeySerializer), Ok("true".to_owned()));
        assert_eq!('é'.serialize(KeySerializer), Ok("é".to_owned()));
    }

    #[test]
    fn compound_and_non_finite_keys_are_refused() {
        assert_eq!(
            vec![1u8].serialize(KeySerializer),
            Err(ValueError::KeyMustBeAString("a sequence"))
        );
        assert_eq!(
            f64::NAN.serialize(KeySerializer),
            Err(ValueError::FloatKeyMustBeFinite)
        );
        assert_eq!(
            Some(1).serialize(KeySerializer),
            Err(ValueError::KeyMustBeAString("an Option"))
        );
    }

    #[test]
    fn string_keys_parse_into_the_type_asked_for() {
        let key = |s: &str| KeyDeserializer(s.to_owned());
        assert_eq!(u32::deserialize(key("7")), Ok(7));
        assert_eq!(i8::deserialize(key("-8")), Ok(-8));
        assert_eq!(bool::deserialize(key("false")), Ok(false));
        assert_eq!(String::deserialize(key("12")), Ok("12".to_owned()));
        let err = u32::deserialize(key("x")).expect_err("not a number");
        assert!(err.to_string().contains("expected u32"), "{err}");
    }
}
