//! Proptest strategies for protocol values and packets, shared by the
//! property tests and the differential test.

use leptos_socketio::protocol::Value;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Number;

/// Short strings of any characters, control characters, quotes, `\x1e` and
/// non-BMP characters included.
pub fn any_string() -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..8).prop_map(String::from_iter)
}

/// A float that serde_json writes and reads back to the same `Number`.
pub fn json_float() -> impl Strategy<Value = Number> {
    prop_oneof![
        // Short decimals, as people write them.
        (-1_000_000i64..1_000_000).prop_map(|n| n as f64 / 100.0),
        any::<f64>(),
    ]
    .prop_filter_map("not finite, or not read back exactly by serde_json", |f| {
        let n = Number::from_f64(f)?;
        let back: Number = serde_json::from_str(&n.to_string()).ok()?;
        (back == n).then_some(n)
    })
}

/// Integers and floats that round-trip through JSON.
pub fn json_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        json_float().prop_map(Value::Number),
    ]
}

/// JSON leaves: null, booleans, numbers, strings.
pub fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json_number(),
        any_string().prop_map(Value::String),
    ]
}

/// Up to 64 bytes of binary data.
pub fn binary() -> impl Strategy<Value = Value> {
    vec(any::<u8>(), 0..64).prop_map(Value::Binary)
}

/// Nests `leaf` in arrays and objects, a few levels deep.
pub fn tree(leaf: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(any_string(), inner, 0..4).prop_map(Value::Object),
        ]
    })
}

/// Any JSON value, without binary.
pub fn json_value() -> impl Strategy<Value = Value> {
    tree(json_leaf().boxed())
}

/// Any value, binary possibly anywhere in it.
pub fn value_with_binary() -> impl Strategy<Value = Value> {
    tree(prop_oneof![3 => json_leaf(), 1 => binary()].boxed())
}

/// A JSON object (what CONNECT carries).
pub fn json_object() -> impl Strategy<Value = Value> {
    btree_map(any_string(), json_value(), 0..4).prop_map(Value::Object)
}

/// `/`, or `/` and a few characters other than `,`.
pub fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/".to_owned()),
        vec(any::<char>().prop_filter("no comma", |c| *c != ','), 1..8)
            .prop_map(|chars| format!("/{}", String::from_iter(chars))),
    ]
}
