//! The codecs as they run in the page: JSON is read by the browser's own
//! `JSON.parse` and floats written by its `JSON.stringify` (the JSON seam,
//! `src/protocol/json.rs`), so these check in Chromium what the native
//! tests check against serde_json: the same values, the same text, the same
//! errors for bad input, and no panic; and polling binary through the
//! page's `atob`/`btoa` (`src/protocol/base64.rs`).
#![cfg(target_arch = "wasm32")]

use leptos_socketio::protocol::{DecodeError, EnginePacket, PacketBody, SocketPacket, Value};
use serde_json::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn event_args(text: &str) -> Result<Vec<Value>, DecodeError> {
    match SocketPacket::decode(text)?.body {
        PacketBody::Event { args, .. } => Ok(args),
        other => panic!("not an event: {other:?}"),
    }
}

#[wasm_bindgen_test]
fn reads_every_kind_of_json_value() {
    let text = r#"2["note",{"text":"tab\t \"q\" \u00e9 日本 🎉","n":[0,42,-3,2.5,1e300,-0.125],"ok":true,"no":false,"none":null,"nested":{"a":[[]],"b":{}}}]"#;
    let expected = Value::from(json!({
        "text": "tab\t \"q\" é 日本 🎉",
        "n": [0, 42, -3, 2.5, 1e300, -0.125],
        "ok": true, "no": false, "none": null,
        "nested": {"a": [[]], "b": {}},
    }));
    assert_eq!(event_args(text), Ok(vec![expected]));
}

#[wasm_bindgen_test]
fn whole_numbers_read_as_integers_and_past_2_53_as_javascript_sees_them() {
    let args = event_args(r#"2["n",7,9007199254740991,9007199254740993]"#).expect("decodes");
    assert_eq!(args[0], Value::from(7u64));
    assert_eq!(args[1], Value::from(9_007_199_254_740_991u64));
    // Past 2^53 a JSON number is the nearest double, as in socket.io-client.
    assert_eq!(args[2], Value::from(9_007_199_254_740_992.0));
}

#[wasm_bindgen_test]
fn writes_floats_as_the_shortest_text_that_reads_back() {
    let packet = SocketPacket::event(
        "/",
        "f",
        vec![
            Value::from(0.1),
            Value::from(-2.5),
            Value::from(1e300),
            Value::from(5e-324),
        ],
        None,
    );
    let text = packet.encode();
    assert_eq!(text, r#"2["f",0.1,-2.5,1e+300,5e-324]"#);
    assert_eq!(SocketPacket::decode(&text), Ok(packet));
}

#[wasm_bindgen_test]
fn strings_round_trip_with_every_escape() {
    let s: String = (0u8..0x20)
        .map(char::from)
        .chain("\"\\/é\u{2028}🎉".chars())
        .collect();
    let packet = SocketPacket::event("/chat", "s", vec![Value::from(s.as_str())], Some(12));
    let text = packet.encode();
    assert!(text.starts_with(r#"2/chat,12["s","\u0000\u0001"#), "{text}");
    assert_eq!(SocketPacket::decode(&text), Ok(packet));
}

#[wasm_bindgen_test]
fn bad_json_is_an_error_that_says_so() {
    for text in [
        r#"2["a","#,
        r#"2["a"}"#,
        "2[tru]",
        r#"2["a",01]"#,
        "2[\"a\"]x",
    ] {
        match SocketPacket::decode(text) {
            Err(DecodeError::InvalidJson(why)) => assert!(!why.is_empty(), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn nesting_past_128_levels_is_refused_not_a_crash() {
    let deep = format!("2{}{}", "[".repeat(100_000), "]".repeat(100_000));
    match SocketPacket::decode(&deep) {
        Err(DecodeError::InvalidJson(why)) => assert!(why.contains("nested"), "{why}"),
        other => panic!("{other:?}"),
    }
    let fine = format!("2[\"d\",{}{}]", "[".repeat(100), "]".repeat(100));
    assert!(SocketPacket::decode(&fine).is_ok());
}

#[wasm_bindgen_test]
fn a_handshake_without_its_sid_names_the_field() {
    let open = r#"0{"upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}"#;
    match EnginePacket::decode_text(open) {
        Err(DecodeError::InvalidHandshake(why)) => assert!(why.contains("sid"), "{why}"),
        other => panic!("{other:?}"),
    }
    let ok = r#"0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
    match EnginePacket::decode_text(ok) {
        Ok(EnginePacket::Open(h)) => {
            assert_eq!(
                (h.sid.as_str(), h.ping_interval, h.max_payload),
                ("abc", 25_000, 1_000_000)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn polling_binary_goes_through_atob_and_btoa() {
    let all: Vec<u8> = (0..=255).collect();
    let text = EnginePacket::Binary(all.clone()).encode_text();
    assert!(text.starts_with("bAAECAwQF"), "{text}");
    assert!(text.ends_with("+/w=="), "{text}");
    assert_eq!(
        EnginePacket::decode_text(&text),
        Ok(EnginePacket::Binary(all))
    );
    // Padding is optional when decoding, as in the reference parser.
    assert_eq!(
        EnginePacket::decode_text("bAQIDBA"),
        Ok(EnginePacket::Binary(vec![1, 2, 3, 4]))
    );
    assert_eq!(
        EnginePacket::decode_text("b"),
        Ok(EnginePacket::Binary(Vec::new()))
    );
    match EnginePacket::decode_text("b*not base64*") {
        Err(DecodeError::InvalidBase64(why)) => assert!(!why.is_empty()),
        other => panic!("{other:?}"),
    }
}
