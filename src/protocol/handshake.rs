//! The Engine.IO handshake: the JSON carried by the `open` packet.

use serde::{Deserialize, Serialize};

use super::Value;

/// The `maxPayload` assumed when the server does not send one, in bytes
/// (the default of both the Node server and socketioxide).
const DEFAULT_MAX_PAYLOAD: u64 = 1_000_000;

fn default_max_payload() -> u64 {
    DEFAULT_MAX_PAYLOAD
}

/// The session parameters the server sends in the Engine.IO `open` packet,
/// e.g. `{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}`.
///
/// `sid`, `pingInterval` and `pingTimeout` are required; unknown fields are
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// The Engine.IO session id, sent back as `sid` in every later request.
    pub sid: String,
    /// Transports the session may upgrade to (e.g. `["websocket"]`).
    /// Defaults to empty when absent.
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// How often the server pings, in milliseconds.
    pub ping_interval: u64,
    /// How long the server waits for a pong, in milliseconds; the client
    /// considers the connection dead after `ping_interval + ping_timeout`
    /// without a ping.
    pub ping_timeout: u64,
    /// The largest payload the server accepts, in bytes. Defaults to
    /// 1 000 000 when absent.
    #[serde(default = "default_max_payload")]
    pub max_payload: u64,
}

impl Handshake {
    /// Reads the JSON of an `open` packet; the error says what is missing
    /// or wrong.
    ///
    /// Read by hand rather than through serde's derive, which would weigh
    /// several KB in the browser bundle for five fields.
    pub(crate) fn parse(json: &str) -> Result<Handshake, String> {
        let value = super::json::parse(json)?;
        let Value::Object(fields) = value else {
            return Err("expected a JSON object".to_owned());
        };
        let number = |name: &str, default: Option<u64>| match fields.get(name) {
            Some(Value::Number(n)) => n
                .as_u64()
                .ok_or_else(|| wrong(name, "a whole number of 0 or more")),
            Some(_) => Err(wrong(name, "a whole number of 0 or more")),
            None => default.ok_or_else(|| missing(name)),
        };
        let sid = match fields.get("sid") {
            Some(Value::String(sid)) => sid.clone(),
            Some(_) => return Err(wrong("sid", "a string")),
            None => return Err(missing("sid")),
        };
        let upgrades = match fields.get("upgrades") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|u| u.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong("upgrades", "an array of strings"))?,
            Some(_) => return Err(wrong("upgrades", "an array of strings")),
        };
        Ok(Handshake {
            sid,
            upgrades,
            ping_interval: number("pingInterval", None)?,
            ping_timeout: number("pingTimeout", None)?,
            max_payload: number("maxPayload", Some(DEFAULT_MAX_PAYLOAD))?,
        })
    }

    /// The handshake as compact JSON, with every field present, in the
    /// order servers send them.
    pub(crate) fn to_json(&self) -> String {
        use super::json::{write_str, write_u64};
        let mut out = String::from("{\"sid\":");
        write_str(&mut out, &self.sid);
        out.push_str(",\"upgrades\":[");
        for (i, upgrade) in self.upgrades.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(&mut out, upgrade);
        }
        out.push_str("],\"pingInterval\":");
        write_u64(&mut out, self.ping_interval);
        out.push_str(",\"pingTimeout\":");
        write_u64(&mut out, self.ping_timeout);
        out.push_str(",\"maxPayload\":");
        write_u64(&mut out, self.max_payload);
        out.push('}');
        out
    }
}

#[inline(never)]
fn missing(field: &str) -> String {
    format!("missing field `{field}`")
}

#[inline(never)]
fn wrong(field: &str, expected: &str) -> String {
    format!("`{field}` must be {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_support::spec_handshake;

    fn parse(json: &str) -> Result<Handshake, String> {
        Handshake::parse(json)
    }

    #[test]
    fn parses_the_spec_handshake() -> Result<(), String> {
        let h = parse(
            r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#,
        )?;
        assert_eq!(h, spec_handshake());
        Ok(())
    }

    #[test]
    fn missing_upgrades_and_max_payload_take_their_defaults() -> Result<(), String> {
        let h = parse(r#"{"sid":"abc","pingInterval":300,"pingTimeout":200}"#)?;
        assert!(h.upgrades.is_empty());
        assert_eq!(h.max_payload, 1_000_000);
        assert_eq!((h.ping_interval, h.ping_timeout), (300, 200));
        Ok(())
    }

    #[test]
    fn unknown_fields_are_ignored() -> Result<(), String> {
        let h =
            parse(r#"{"sid":"a","pingInterval":1,"pingTimeout":2,"maxPayload":7,"extra":true}"#)?;
        assert_eq!(h.max_payload, 7);
        Ok(())
    }

    #[test]
    fn required_fields_are_required() {
        for json in [
            r#"{"pingInterval":1,"pingTimeout":2}"#,
            r#"{"sid":"a","pingTimeout":2}"#,
            r#"{"sid":"a","pingInterval":1}"#,
            r#"{"sid":"a","pingInterval":-1,"pingTimeout":2}"#,
            r#"{"sid":1,"pingInterval":1,"pingTimeout":2}"#,
        ] {
            assert!(parse(json).is_err(), "{json} should be rejected");
        }
    }

    #[test]
    fn a_bad_handshake_names_the_field_and_what_it_must_be() {
        let cases = [
            (
                r#"{"pingInterval":1,"pingTimeout":2}"#,
                "missing field `sid`",
            ),
            (
                r#"{"sid":"a","pingTimeout":2}"#,
                "missing field `pingInterval`",
            ),
            (
                r#"{"sid":7,"pingInterval":1,"pingTimeout":2}"#,
                "`sid` must be a string",
            ),
            (
                r#"{"sid":"a","pingInterval":-1,"pingTimeout":2}"#,
                "`pingInterval` must be a whole number of 0 or more",
            ),
            (
                r#"{"sid":"a","pingInterval":1,"pingTimeout":2.5}"#,
                "`pingTimeout` must be a whole number of 0 or more",
            ),
            (
                r#"{"sid":"a","upgrades":["websocket",1],"pingInterval":1,"pingTimeout":2}"#,
                "`upgrades` must be an array of strings",
            ),
            (r#"["sid"]"#, "expected a JSON object"),
        ];
        for (json, want) in cases {
            assert_eq!(parse(json), Err(want.to_owned()), "{json}");
        }
    }

    #[test]
    fn to_json_round_trips() -> Result<(), String> {
        let h = Handshake {
            sid: "a\"b".into(),
            upgrades: vec!["websocket".into()],
            ping_interval: 25000,
            ping_timeout: 20000,
            max_payload: 42,
        };
        assert_eq!(parse(&h.to_json())?, h);
        Ok(())
    }
}
