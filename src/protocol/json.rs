//! The JSON seam: text to [`Value`] and back, the one place the codecs
//! touch JSON.
//!
//! - **Reading**: plain JSON, the bulk of the traffic (strings without
//!   escapes, whole numbers, arrays, objects), is read in Rust by a small
//!   reader that gives up on anything else ([`plain`]). The rest: in the
//!   browser (wasm32), the page's own engine, `JSON.parse`, then a walk of
//!   the result into a [`Value`]; elsewhere serde_json. The browser already
//!   ships a fast, exact JSON parser, so the bundle does not carry a second
//!   one (serde_json's parser and its float parsing were about 30 KB of the
//!   client's wasm).
//! - **Writing**: one small writer here, for every target: compact JSON
//!   with serde_json's escaping, integers digit by digit, and only floats
//!   handed to the platform (`Number.prototype.toString` in the browser,
//!   serde_json elsewhere), so the bundle carries no float formatting.
//!
//! Numbers read in the browser are JavaScript numbers, as for every
//! JavaScript Socket.IO peer: a whole number within ±2^53 becomes an
//! integer [`Number`], anything else a float, so an integer past 2^53
//! arrives rounded to the nearest double, exactly as socket.io-client sees
//! it. Natively, serde_json keeps such integers exact. Nesting deeper than
//! [`MAX_DEPTH`] levels is refused on both, as serde_json does.

use serde_json::Number;

use super::Value;

mod plain;

/// How deep arrays and objects may nest in text read from the wire.
pub(crate) const MAX_DEPTH: usize = 128;

/// Reads one JSON text into a [`Value`]. The error names what was wrong,
/// in the words of the parser that found it.
///
/// Plain JSON (no escapes, no fractions) is read in Rust ([`plain`]);
/// anything else, errors included, by the platform's parser.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    match plain::parse(text) {
        Some(value) => Ok(value),
        None => platform::parse(text),
    }
}

/// Appends `value` to `out` as compact JSON; binary parts are written as
/// arrays of byte values (they travel as attachments on the wire, so this
/// only shows in text meant for people).
pub(crate) fn write(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Binary(bytes) => {
            out.push('[');
            for (i, byte) in bytes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_u64(out, u64::from(*byte));
            }
            out.push(']');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string: `"` and `\` escaped, control characters as
/// `\n`-style or `\u00XX` escapes, everything else as it is (serde_json's
/// and `JSON.stringify`'s choice).
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        i += plain_run(bytes.get(i..).unwrap_or_default());
        let Some(&byte) = bytes.get(i) else { break };
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => "", // a control character: `\u00XX`
        };
        // Every byte matched above is ASCII, so `i` is a char boundary
        // (`get` rather than indexing keeps the panic path out of the bundle).
        out.push_str(s.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        i += 1;
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// How many bytes from the start of `bytes` need no escaping in a JSON
/// string: up to the first quote, backslash or control character.
///
/// Eight bytes at a time (the browser runs this on every string sent and
/// received, 16 KiB ones included), then byte by byte.
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A byte of `y` has its high bit set if that byte of `x` is zero
        // (or, for bytes after a hit, possibly a false alarm, which the
        // byte-by-byte pass below sorts out).
        let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGHS;
        let quote = zero(x ^ (ONES * u64::from(b'"')));
        let backslash = zero(x ^ (ONES * u64::from(b'\\')));
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        if quote | backslash | control != 0 {
            break;
        }
        done += 8;
    }
    let rest = bytes.get(done..).unwrap_or_default();
    done + rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(rest.len())
}

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(u) = n.as_u64() {
        write_u64(out, u);
    } else if let Some(i) = n.as_i64() {
        out.push('-');
        write_u64(out, i.unsigned_abs());
    } else if let Some(f) = n.as_f64() {
        platform::write_f64(out, f);
    }
}

/// A whole number within ±2^53 as an integer [`Number`], anything else as
/// a float (non-finite numbers cannot come out of JSON).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn number_from_f64(f: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0; // 2^53 - 1
    if f.fract() == 0.0 && f.abs() <= SAFE {
        if f >= 0.0 {
            Value::Number(Number::from(f as u64))
        } else {
            Value::Number(Number::from(f as i64))
        }
    } else {
        Value::from(f)
    }
}

#[cfg(target_arch = "wasm32")]
mod platform {
    use std::collections::BTreeMap;

    use js_sys::{Array, Object, JSON};
    use wasm_bindgen::{JsCast, JsValue};

    use super::{number_from_f64, Value, MAX_DEPTH};

    pub(super) fn parse(text: &str) -> Result<Value, String> {
        let parsed =
            JSON::parse(text).map_err(|e| crate::js_error::js_error_text(&e, "not JSON"))?;
        from_js(&parsed, 0)
    }

    fn from_js(v: &JsValue, depth: usize) -> Result<Value, String> {
        if let Some(s) = v.as_string() {
            return Ok(Value::String(s));
        }
        if let Some(f) = v.as_f64() {
            return Ok(number_from_f64(f));
        }
        if let Some(b) = v.as_bool() {
            return Ok(Value::Bool(b));
        }
        if v.is_null() || v.is_undefined() {
            return Ok(Value::Null);
        }
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        if Array::is_array(v) {
            let array: &Array = v.unchecked_ref();
            let mut items = Vec::with_capacity(array.length() as usize);
            for item in array.iter() {
                items.push(from_js(&item, depth + 1)?);
            }
            return Ok(Value::Array(items));
        }
        let mut members = BTreeMap::new();
        for entry in Object::entries(v.unchecked_ref()).iter() {
            let entry: Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            members.insert(key, from_js(&entry.get(1), depth + 1)?);
        }
        Ok(Value::Object(members))
    }

    #[inline(never)]
    fn too_deep() -> String {
        "arrays and objects nested more than 128 deep".to_owned()
    }

    pub(super) fn write_f64(out: &mut String, f: f64) {
        // The shortest text that reads back as `f`, as JSON.stringify
        // writes it (finite here: a `Number` never holds NaN or infinity).
        if let Ok(text) = JSON::stringify(&JsValue::from_f64(f)) {
            out.push_str(&String::from(text));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    use super::Value;

    pub(super) fn parse(text: &str) -> Result<Value, String> {
        // serde_json refuses nesting past 128 levels itself (MAX_DEPTH).
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
    }

    pub(super) fn write_f64(out: &mut String, f: f64) {
        // serde_json writes the shortest text that reads back as `f`.
        if let Ok(text) = serde_json::to_string(&f) {
            out.push_str(&text);
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn written(value: &Value) -> String {
        let mut out = String::new();
        write(&mut out, value);
        out
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let cases = [
            json!(null),
            json!([
                true,
                false,
                0,
                -1,
                18446744073709551615u64,
                -9223372036854775808i64
            ]),
            json!(["quote \" backslash \\ slash / newline \n tab \t bell \u{7} nul \u{0}"]),
            json!({"b": [1.5, -0.25, 1e300, 5e-324], "a": {"é": "日本", "emoji": "🎉"}}),
            json!(["\u{1f}\u{8}\u{c}\r", "\u{2028}"]),
        ];
        for case in cases {
            assert_eq!(written(&Value::from(case.clone())), case.to_string());
        }
    }

    #[test]
    fn binary_is_written_as_byte_values() {
        assert_eq!(written(&Value::Binary(vec![0, 7, 255])), "[0,7,255]");
    }

    #[test]
    fn parse_reads_back_what_write_wrote() {
        let value = Value::from(
            json!({"text": "hi \"there\"\n", "n": [1, -2, 2.5], "ok": true, "none": null}),
        );
        assert_eq!(parse(&written(&value)), Ok(value));
    }

    #[test]
    fn parse_errors_say_what_was_wrong() {
        let err = parse("[1,").expect_err("truncated");
        assert!(err.contains("EOF"), "{err}");
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let err = parse(&deep).expect_err("too deep");
        assert!(err.contains("recursion limit"), "{err}");
    }

    #[test]
    fn whole_floats_within_2_53_read_as_integers() {
        assert_eq!(number_from_f64(42.0), Value::from(42u64));
        assert_eq!(number_from_f64(-3.0), Value::from(-3i64));
        assert_eq!(number_from_f64(2.5), Value::from(2.5));
        assert_eq!(number_from_f64(1e300), Value::from(1e300));
    }

    proptest! {
        #[test]
        fn plain_run_stops_where_a_byte_by_byte_scan_does(
            bytes in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff, 0x20u8..0x7f], 0..64),
        ) {
            let naive = bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len());
            prop_assert_eq!(plain_run(&bytes), naive);
        }

        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in any::<String>()) {
            let mut out = String::new();
            write_str(&mut out, &s);
            prop_assert_eq!(out, serde_json::to_string(&s).unwrap_or_default());
        }
    }
}
