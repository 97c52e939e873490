//! The serde bridge end to end: typed values to [`Value`]s and back, the same
//! as serde_json wherever there is no binary, binary kept at any depth, and
//! event arguments spread and read the way socketioxide does.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::fmt::Debug;

use leptos_socketio::protocol::{from_args, from_value, to_args, to_value, Value, ValueError};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use serde_json::json;

mod native_support;
use native_support::strategies::{json_value, value_with_binary};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Message {
    text: String,
    from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle(f64),
    Line(i64, i64),
    Rect { w: u32, h: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Drawing {
    shapes: Vec<Shape>,
    nested: Option<Box<Shape>>,
    by_layer: BTreeMap<u32, Vec<Shape>>,
    flags: BTreeMap<bool, char>,
    id: Id,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Id(u64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Upload {
    name: String,
    chunks: Vec<ByteBuf>,
    #[serde(with = "serde_bytes")]
    thumbnail: Vec<u8>,
    digest: [u8; 4],
}

fn drawing() -> Drawing {
    Drawing {
        shapes: vec![
            Shape::Dot,
            Shape::Circle(1.5),
            Shape::Line(i64::MIN, i64::MAX),
            Shape::Rect { w: 3, h: 4 },
        ],
        nested: Some(Box::new(Shape::Rect { w: 0, h: u32::MAX })),
        by_layer: BTreeMap::from([(0, vec![Shape::Dot]), (7, vec![])]),
        flags: BTreeMap::from([(true, 'ü'), (false, '😀')]),
        id: Id(u64::MAX),
    }
}

/// Round-trips `x` and checks that, without binary, we agree with serde_json.
fn round_trips_like_serde_json<T>(x: T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let ours = to_value(&x).expect("serializable");
    let theirs = Value::from(serde_json::to_value(&x).expect("serde_json serializes it"));
    assert_eq!(
        ours, theirs,
        "representation differs from serde_json for {x:?}"
    );
    assert_eq!(from_value::<T>(ours).expect("reads back"), x);
}

#[test]
fn a_vec_of_u8_travels_as_binary_and_reads_back() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Upload {
        name: String,
        data: Vec<u8>,
    }
    let upload = Upload {
        name: "a.bin".into(),
        data: vec![0, 1, 255],
    };
    let value = to_value(&upload).expect("serializable");
    assert_eq!(value.get("data"), Some(&Value::Binary(vec![0, 1, 255])));
    assert_eq!(from_value::<Upload>(value).expect("reads back"), upload);
}

#[test]
fn binary_free_values_round_trip_exactly_as_in_serde_json() {
    round_trips_like_serde_json(drawing());
    round_trips_like_serde_json(Message {
        text: "héllo \u{1e} 𝄞".into(),
        from: None,
    });
    round_trips_like_serde_json((u64::MAX, i64::MIN, -0.5f64, 'x', ()));
    round_trips_like_serde_json(vec![Some(1u8), None]);
    round_trips_like_serde_json(BTreeMap::from([
        (-1i64, "neg".to_owned()),
        (1, "pos".to_owned()),
    ]));
    round_trips_like_serde_json(Shape::Dot);
    round_trips_like_serde_json(String::new());
}

#[test]
fn non_finite_floats_become_null_as_in_serde_json() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(to_value(&f), Ok(Value::Null));
        assert_eq!(
            Value::from(serde_json::to_value(f).expect("json")),
            Value::Null
        );
    }
    assert_eq!(
        to_value(&vec![1.0, f64::NAN]),
        Ok(Value::from(json!([1.0, null])))
    );
}

#[test]
fn bytes_at_any_depth_travel_as_binary_and_come_back() {
    let upload = Upload {
        name: "a.png".into(),
        chunks: vec![ByteBuf::from(vec![0, 255]), ByteBuf::new()],
        thumbnail: vec![9; 3],
        digest: [1, 2, 3, 4],
    };
    let v = to_value(&upload).expect("serializable");
    let chunks = v.get("chunks").expect("chunks");
    assert_eq!(
        chunks,
        &Value::Array(vec![Value::Binary(vec![0, 255]), Value::Binary(vec![])])
    );
    assert_eq!(v.get("thumbnail"), Some(&Value::Binary(vec![9; 3])));
    assert_eq!(from_value::<Upload>(v), Ok(upload));
}

#[test]
fn plain_byte_vectors_and_arrays_receive_binary() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Received {
        data: Vec<u8>,
        key: [u8; 2],
    }
    let v = Value::Object(BTreeMap::from([
        ("data".to_owned(), Value::Binary(vec![1, 2, 3])),
        ("key".to_owned(), Value::Binary(vec![4, 5])),
    ]));
    assert_eq!(
        from_value::<Received>(v),
        Ok(Received {
            data: vec![1, 2, 3],
            key: [4, 5]
        })
    );
}

#[test]
fn binary_survives_internally_tagged_and_untagged_enums() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "kind")]
    enum Tagged {
        File { data: ByteBuf },
    }
    // Not `String` beside `ByteBuf`: through serde's buffering for untagged
    // enums, each of the two accepts the other's form.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Count(u64),
        Bytes(ByteBuf),
    }
    let file = Tagged::File {
        data: ByteBuf::from(vec![1, 2]),
    };
    let v = to_value(&file).expect("serializable");
    assert_eq!(v.get("data"), Some(&Value::Binary(vec![1, 2])));
    assert_eq!(from_value::<Tagged>(v), Ok(file));
    let bytes = Either::Bytes(ByteBuf::from(vec![3]));
    assert_eq!(from_value::<Either>(Value::Binary(vec![3])), Ok(bytes));
    assert_eq!(from_value::<Either>(Value::from(3)), Ok(Either::Count(3)));
}

#[test]
fn a_value_passes_through_unchanged() {
    let v = Value::Array(vec![
        Value::Binary(vec![1]),
        Value::from(json!({"a": [1, -1, 0.25, "s", null, true]})),
    ]);
    assert_eq!(to_value(&v), Ok(v.clone()));
    assert_eq!(from_value::<Value>(v.clone()), Ok(v));
}

#[test]
fn a_wrong_shape_names_what_was_expected() {
    let err = from_value::<Message>(Value::from("hello")).expect_err("a string is no Message");
    let msg = err.to_string();
    assert!(msg.contains("expected struct Message"), "{msg}");
    assert!(msg.contains("string \"hello\""), "{msg}");

    let err = from_value::<Message>(Value::from(json!({"from": "x"}))).expect_err("no text");
    assert!(err.to_string().contains("missing field `text`"), "{err}");
}

#[test]
fn a_map_with_compound_keys_is_refused_with_advice() {
    let map = BTreeMap::from([((1, 2), "pair")]);
    let err = to_value(&map).expect_err("tuple keys have no string form");
    assert_eq!(err, ValueError::KeyMustBeAString("a tuple"));
    assert!(err.to_string().contains("list of pairs"), "{err}");
}

#[test]
fn tuples_spread_into_arguments_and_everything_else_is_one() {
    let msg = Message {
        text: "hi".into(),
        from: None,
    };
    assert_eq!(
        to_args(&("room", 3)),
        Ok(vec![Value::from("room"), Value::from(3)])
    );
    assert_eq!(to_args(&(1,)), Ok(vec![Value::from(1)]));
    assert_eq!(to_args(&()), Ok(vec![]));
    assert_eq!(
        to_args(&msg),
        Ok(vec![to_value(&msg).expect("serializable")])
    );
    assert_eq!(to_args(&vec![1, 2]), Ok(vec![Value::from(json!([1, 2]))]));
    assert_eq!(to_args("text"), Ok(vec![Value::from("text")]));
}

#[test]
fn arguments_read_back_as_tuples_structs_or_nothing() {
    let msg = Message {
        text: "hi".into(),
        from: Some("me".into()),
    };
    let args = to_args(&(msg.clone(), ByteBuf::from(vec![7]))).expect("serializable");
    assert_eq!(args[1], Value::Binary(vec![7]));
    assert_eq!(
        from_args::<(Message, ByteBuf)>(args.clone()),
        Ok((msg.clone(), ByteBuf::from(vec![7])))
    );
    assert_eq!(from_args::<Message>(args.clone()), Ok(msg.clone()));
    assert_eq!(
        from_args::<(Message,)>(args.clone()),
        Ok((msg,)),
        "extra arguments are ignored"
    );
    assert_eq!(from_args::<()>(args), Ok(()));
}

#[test]
fn missing_arguments_read_as_none() {
    let args = vec![Value::from("only")];
    assert_eq!(
        from_args::<(String, Option<u8>, Option<Message>)>(args),
        Ok(("only".to_owned(), None, None))
    );
    assert_eq!(from_args::<Option<Message>>(vec![]), Ok(None));
    let err = from_args::<(String, u8)>(vec![Value::from("x")]).expect_err("u8 is not optional");
    assert!(err.to_string().contains("expected u8"), "{err}");
}

proptest! {
    #[test]
    fn any_value_survives_to_value_and_from_value(v in value_with_binary()) {
        let back = from_value::<Value>(to_value(&v).expect("serializable"));
        prop_assert_eq!(back, Ok(v));
    }

    #[test]
    fn json_values_convert_exactly_as_serde_json_values(v in json_value()) {
        let json: serde_json::Value = serde_json::to_value(&v).expect("no binary");
        prop_assert_eq!(to_value(&json), Ok(v.clone()));
        prop_assert_eq!(from_value::<serde_json::Value>(v), Ok(json));
    }

    #[test]
    fn any_input_gives_a_value_or_an_error_never_a_panic(
        v in value_with_binary(),
        args in proptest::collection::vec(value_with_binary(), 0..4),
    ) {
        let _ = from_value::<Drawing>(v.clone());
        let _ = from_value::<Upload>(v.clone());
        let _ = from_value::<(Shape, [u8; 2], BTreeMap<i8, bool>)>(v);
        let _ = from_args::<(Message, Option<Upload>, Shape)>(args.clone());
        let _ = from_args::<Drawing>(args);
    }
}
