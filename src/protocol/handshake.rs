//! The Engine.IO handshake: the JSON carried by the `open` packet.

use serde::{Deserialize, Serialize};

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
    /// The handshake as compact JSON, with every field present, in the
    /// order servers send them.
    ///
    /// Written by hand (strings escaped through `serde_json::Value`, whose
    /// display cannot fail) so the field order does not depend on
    /// serde_json's `preserve_order` feature.
    pub(crate) fn to_json(&self) -> String {
        use serde_json::Value;
        let upgrades: Vec<String> = self
            .upgrades
            .iter()
            .map(|u| Value::from(u.as_str()).to_string())
            .collect();
        format!(
            r#"{{"sid":{},"upgrades":[{}],"pingInterval":{},"pingTimeout":{},"maxPayload":{}}}"#,
            Value::from(self.sid.as_str()),
            upgrades.join(","),
            self.ping_interval,
            self.ping_timeout,
            self.max_payload,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_support::spec_handshake;

    fn parse(json: &str) -> Result<Handshake, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn parses_the_spec_handshake() -> Result<(), serde_json::Error> {
        let h = parse(
            r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#,
        )?;
        assert_eq!(h, spec_handshake());
        Ok(())
    }

    #[test]
    fn missing_upgrades_and_max_payload_take_their_defaults() -> Result<(), serde_json::Error> {
        let h = parse(r#"{"sid":"abc","pingInterval":300,"pingTimeout":200}"#)?;
        assert!(h.upgrades.is_empty());
        assert_eq!(h.max_payload, 1_000_000);
        assert_eq!((h.ping_interval, h.ping_timeout), (300, 200));
        Ok(())
    }

    #[test]
    fn unknown_fields_are_ignored() -> Result<(), serde_json::Error> {
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
    fn to_json_round_trips() -> Result<(), serde_json::Error> {
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
