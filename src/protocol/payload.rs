//! Polling payloads: several Engine.IO packets in one HTTP body.
//!
//! Packets are written in their text form (binary as `b` + base64) and joined
//! by the record separator `\x1e`. Text packets cannot contain that character
//! themselves; Socket.IO packets never do, since JSON escapes it.

use super::{DecodeError, EnginePacket};

/// The separator between packets in a polling body.
const SEPARATOR: char = '\x1e';

/// Encodes packets into one polling body, joined by `\x1e`, binary as
/// `b` + base64. No packets give the empty string, which is not a valid
/// payload to decode: send nothing instead.
pub fn encode_payload(packets: &[EnginePacket]) -> String {
    let mut out = String::new();
    for (i, packet) in packets.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.push_str(&packet.encode_text());
    }
    out
}

/// Decodes a polling body into its packets.
///
/// Fails on the first invalid packet with
/// [`DecodeError::InvalidPayloadPacket`], naming its zero-based index. An
/// empty body is one empty packet, hence invalid.
pub fn decode_payload(body: &str) -> Result<Vec<EnginePacket>, DecodeError> {
    body.split(SEPARATOR)
        .enumerate()
        .map(|(index, text)| {
            EnginePacket::decode_text(text).map_err(|e| DecodeError::InvalidPayloadPacket {
                index,
                source: Box::new(e),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_spec_examples() -> Result<(), DecodeError> {
        assert_eq!(
            decode_payload("4hello\x1e4€")?,
            vec![
                EnginePacket::Message("hello".into()),
                EnginePacket::Message("€".into())
            ]
        );
        assert_eq!(
            decode_payload("4hello\x1ebAQIDBA==")?,
            vec![
                EnginePacket::Message("hello".into()),
                EnginePacket::Binary(vec![1, 2, 3, 4])
            ]
        );
        assert_eq!(
            decode_payload("42[\"hello\"]\x1e42[\"world\"]")?,
            vec![
                EnginePacket::Message("2[\"hello\"]".into()),
                EnginePacket::Message("2[\"world\"]".into())
            ]
        );
        assert_eq!(decode_payload("6")?, vec![EnginePacket::Noop]);
        Ok(())
    }

    #[test]
    fn encodes_the_spec_examples() {
        assert_eq!(
            encode_payload(&[
                EnginePacket::Message("hello".into()),
                EnginePacket::Message("€".into())
            ]),
            "4hello\x1e4€"
        );
        assert_eq!(
            encode_payload(&[
                EnginePacket::Message("hello".into()),
                EnginePacket::Binary(vec![1, 2, 3, 4])
            ]),
            "4hello\x1ebAQIDBA=="
        );
        assert_eq!(encode_payload(&[]), "");
    }

    #[test]
    fn round_trips() -> Result<(), DecodeError> {
        let packets = vec![
            EnginePacket::Ping(String::new()),
            EnginePacket::Message("2[\"a\",\"€\"]".into()),
            EnginePacket::Binary(Vec::new()),
            EnginePacket::Binary(vec![0, 255]),
            EnginePacket::Message(String::new()),
            EnginePacket::Close,
        ];
        assert_eq!(decode_payload(&encode_payload(&packets))?, packets);
        Ok(())
    }

    #[test]
    fn names_the_index_of_the_invalid_packet() {
        let cases: &[(&str, usize, DecodeError)] = &[
            ("", 0, DecodeError::Empty),
            ("4a\x1e\x1e4b", 1, DecodeError::Empty),
            (
                "4a\x1e4b\x1e9",
                2,
                DecodeError::UnknownEnginePacketType('9'),
            ),
            ("4a\x1e", 1, DecodeError::Empty),
        ];
        for (body, index, source) in cases {
            assert_eq!(
                decode_payload(body),
                Err(DecodeError::InvalidPayloadPacket {
                    index: *index,
                    source: Box::new(source.clone())
                }),
                "decoding {body:?}"
            );
        }
        match decode_payload("4a\x1eb!!") {
            Err(DecodeError::InvalidPayloadPacket { index: 1, source }) => {
                assert!(matches!(*source, DecodeError::InvalidBase64(_)), "{source}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_message_names_the_index_and_the_cause() {
        let e = decode_payload("4a\x1e9").err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("packet 1 of the polling payload is invalid: unknown Engine.IO packet type '9'; expected a digit from 0 to 6, or 'b' for base64 binary")
        );
    }
}
