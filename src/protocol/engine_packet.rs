//! Engine.IO v4 packets, and the WebSocket frames that carry them.
//!
//! A text packet is `<type>[<data>]`, the type being one digit:
//! open `0`, close `1`, ping `2`, pong `3`, message `4`, upgrade `5`, noop `6`.
//! Binary messages travel as raw WebSocket binary frames, or, in polling
//! bodies where everything is text, as `b` followed by their base64.

use super::{base64, DecodeError, Handshake};

/// One WebSocket frame, as the browser hands it over or takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// One Engine.IO v4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnginePacket {
    /// `0{…}`: the server opens the session with its [`Handshake`].
    Open(Handshake),
    /// `1`: close the session.
    Close,
    /// `2[data]`: a ping, from the server, or `2probe` from the client during
    /// an upgrade. Empty string when there is no data.
    Ping(String),
    /// `3[data]`: the answer to a ping, echoing its data (`3probe`).
    Pong(String),
    /// `4<text>`: a text message (a Socket.IO packet, for us).
    Message(String),
    /// A binary message: a raw binary frame, or `b<base64>` in polling.
    Binary(Vec<u8>),
    /// `5`: the client switches to the transport that answered the probe.
    Upgrade,
    /// `6`: no operation; the server ends a pending poll with it during an upgrade.
    Noop,
}

impl EnginePacket {
    /// Decodes a packet from its text form.
    ///
    /// A leading `b` means base64 binary (the polling form). Data after the
    /// type of `close`, `upgrade` and `noop` is ignored, as the reference
    /// parser does.
    pub fn decode_text(s: &str) -> Result<Self, DecodeError> {
        let mut chars = s.chars();
        let kind = chars.next().ok_or(DecodeError::Empty)?;
        let data = chars.as_str();
        Ok(match kind {
            '0' => Self::Open(Handshake::parse(data).map_err(DecodeError::InvalidHandshake)?),
            '1' => Self::Close,
            '2' => Self::Ping(data.to_owned()),
            '3' => Self::Pong(data.to_owned()),
            '4' => Self::Message(data.to_owned()),
            '5' => Self::Upgrade,
            '6' => Self::Noop,
            'b' => Self::Binary(base64::decode(data).map_err(DecodeError::InvalidBase64)?),
            other => return Err(DecodeError::UnknownEnginePacketType(other)),
        })
    }

    /// Decodes a packet from one WebSocket frame: a binary frame is a binary
    /// message, a text frame is decoded as by [`EnginePacket::decode_text`].
    pub fn decode_frame(frame: Frame) -> Result<Self, DecodeError> {
        match frame {
            Frame::Binary(bytes) => Ok(Self::Binary(bytes)),
            Frame::Text(text) => Self::decode_owned(text),
        }
    }

    /// Like [`EnginePacket::decode_text`], but keeps the string's allocation
    /// for the packets that carry text.
    fn decode_owned(mut s: String) -> Result<Self, DecodeError> {
        let Some(kind) = s.chars().next() else {
            return Err(DecodeError::Empty);
        };
        let wrap = match kind {
            '2' => Self::Ping,
            '3' => Self::Pong,
            '4' => Self::Message,
            _ => return Self::decode_text(&s),
        };
        // `kind` is the first character, so its length is a char boundary.
        s.drain(..kind.len_utf8());
        Ok(wrap(s))
    }

    /// The WebSocket frame carrying this packet: a raw binary frame for
    /// [`EnginePacket::Binary`], a text frame for the rest.
    pub fn to_frame(&self) -> Frame {
        match self {
            Self::Binary(bytes) => Frame::Binary(bytes.clone()),
            other => Frame::Text(other.encode_text()),
        }
    }

    /// Like [`EnginePacket::to_frame`], without copying binary data, and
    /// reusing a message's string for its frame (the type goes in front,
    /// in place when the string has room to spare).
    pub fn into_frame(self) -> Frame {
        match self {
            Self::Binary(bytes) => Frame::Binary(bytes),
            Self::Message(mut text) => {
                text.insert(0, '4');
                Frame::Text(text)
            }
            other => Frame::Text(other.encode_text()),
        }
    }

    /// The text form of this packet, as in a polling body: binary becomes
    /// `b` followed by its base64 (with padding).
    pub fn encode_text(&self) -> String {
        match self {
            Self::Open(handshake) => format!("0{}", handshake.to_json()),
            Self::Close => "1".to_owned(),
            Self::Ping(data) => prefixed('2', data),
            Self::Pong(data) => prefixed('3', data),
            Self::Message(text) => prefixed('4', text),
            Self::Upgrade => "5".to_owned(),
            Self::Noop => "6".to_owned(),
            Self::Binary(bytes) => {
                let mut out = String::with_capacity(1 + bytes.len().div_ceil(3) * 4);
                out.push('b');
                base64::encode_into(bytes, &mut out);
                out
            }
        }
    }
}

/// `kind` followed by `data`, in one allocation.
fn prefixed(kind: char, data: &str) -> String {
    let mut out = String::with_capacity(1 + data.len());
    out.push(kind);
    out.push_str(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_support::{short_strings, spec_handshake};

    const SPEC_OPEN: &str = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;

    /// Every packet example of the spec, in its text form.
    fn spec_examples() -> Vec<(&'static str, EnginePacket)> {
        vec![
            (SPEC_OPEN, EnginePacket::Open(spec_handshake())),
            ("1", EnginePacket::Close),
            ("2", EnginePacket::Ping(String::new())),
            ("2probe", EnginePacket::Ping("probe".into())),
            ("3", EnginePacket::Pong(String::new())),
            ("3probe", EnginePacket::Pong("probe".into())),
            ("4hello", EnginePacket::Message("hello".into())),
            ("4HelloWorld", EnginePacket::Message("HelloWorld".into())),
            ("4€", EnginePacket::Message("€".into())),
            ("4", EnginePacket::Message(String::new())),
            ("bAQIDBA==", EnginePacket::Binary(vec![1, 2, 3, 4])),
            ("5", EnginePacket::Upgrade),
            ("6", EnginePacket::Noop),
        ]
    }

    #[test]
    fn decodes_every_spec_example() -> Result<(), DecodeError> {
        for (text, expected) in spec_examples() {
            assert_eq!(
                EnginePacket::decode_text(text)?,
                expected,
                "decoding {text:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn encodes_every_spec_example() {
        for (text, packet) in spec_examples() {
            assert_eq!(packet.encode_text(), text, "encoding {packet:?}");
        }
    }

    #[test]
    fn text_frames_decode_like_text() -> Result<(), DecodeError> {
        for (text, expected) in spec_examples() {
            let frame = Frame::Text(text.to_owned());
            assert_eq!(
                EnginePacket::decode_frame(frame)?,
                expected,
                "decoding frame {text:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn binary_frames_are_binary_messages_without_a_type_byte() -> Result<(), DecodeError> {
        let packet = EnginePacket::decode_frame(Frame::Binary(vec![1, 2, 3, 4]))?;
        assert_eq!(packet, EnginePacket::Binary(vec![1, 2, 3, 4]));
        assert_eq!(packet.to_frame(), Frame::Binary(vec![1, 2, 3, 4]));
        assert_eq!(packet.into_frame(), Frame::Binary(vec![1, 2, 3, 4]));
        Ok(())
    }

    #[test]
    fn non_binary_packets_become_text_frames() {
        assert_eq!(
            EnginePacket::Ping("probe".into()).to_frame(),
            Frame::Text("2probe".into())
        );
        assert_eq!(
            EnginePacket::Message("hello".into()).into_frame(),
            Frame::Text("4hello".into())
        );
    }

    #[test]
    fn round_trips_through_text_and_frames() -> Result<(), DecodeError> {
        let mut packets: Vec<EnginePacket> = spec_examples().into_iter().map(|(_, p)| p).collect();
        packets.extend([
            EnginePacket::Binary(Vec::new()),
            EnginePacket::Binary((0..=255).collect()),
            EnginePacket::Message("42[\"a\\u001e\",\"€\"]".into()),
            EnginePacket::Open(Handshake {
                sid: "x\"y".into(),
                upgrades: Vec::new(),
                ping_interval: 1,
                ping_timeout: 2,
                max_payload: 3,
            }),
        ]);
        for packet in packets {
            assert_eq!(EnginePacket::decode_text(&packet.encode_text())?, packet);
            assert_eq!(EnginePacket::decode_frame(packet.to_frame())?, packet);
        }
        Ok(())
    }

    #[test]
    fn a_lone_b_is_an_empty_binary_message() -> Result<(), DecodeError> {
        // What engine.io-parser produces for a zero-length buffer in polling.
        assert_eq!(
            EnginePacket::decode_text("b")?,
            EnginePacket::Binary(Vec::new())
        );
        Ok(())
    }

    #[test]
    fn base64_padding_is_optional_when_decoding() -> Result<(), DecodeError> {
        assert_eq!(
            EnginePacket::decode_text("bAQIDBA")?,
            EnginePacket::Binary(vec![1, 2, 3, 4])
        );
        Ok(())
    }

    #[test]
    fn data_after_close_upgrade_and_noop_is_ignored() -> Result<(), DecodeError> {
        assert_eq!(EnginePacket::decode_text("1x")?, EnginePacket::Close);
        assert_eq!(EnginePacket::decode_text("5x")?, EnginePacket::Upgrade);
        assert_eq!(EnginePacket::decode_text("6x")?, EnginePacket::Noop);
        Ok(())
    }

    #[test]
    fn rejects_malformed_packets_with_the_specific_error() {
        use DecodeError::*;
        /// Whether an error is the one expected.
        type Check = fn(&DecodeError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("", |e| *e == Empty),
            ("7", |e| *e == UnknownEnginePacketType('7')),
            ("x4", |e| *e == UnknownEnginePacketType('x')),
            ("€4", |e| *e == UnknownEnginePacketType('€')),
            ("B", |e| *e == UnknownEnginePacketType('B')),
            ("0", |e| matches!(e, InvalidHandshake(_))),
            ("0{}", |e| matches!(e, InvalidHandshake(_))),
            ("0{\"sid\":\"a\"}", |e| matches!(e, InvalidHandshake(_))),
            ("0not json", |e| matches!(e, InvalidHandshake(_))),
            ("b!!!!", |e| matches!(e, InvalidBase64(_))),
            ("bA", |e| matches!(e, InvalidBase64(_))),
            ("bAQIDBA==x", |e| matches!(e, InvalidBase64(_))),
        ];
        for (input, is_expected) in cases {
            match EnginePacket::decode_text(input) {
                Ok(p) => panic!("{input:?} decoded to {p:?}, expected an error"),
                Err(e) => assert!(is_expected(&e), "{input:?} gave the wrong error: {e}"),
            }
            match EnginePacket::decode_frame(Frame::Text((*input).to_owned())) {
                Ok(p) => panic!("frame {input:?} decoded to {p:?}, expected an error"),
                Err(e) => assert!(is_expected(&e), "frame {input:?} gave the wrong error: {e}"),
            }
        }
    }

    #[test]
    fn error_messages_name_the_problem() {
        assert_eq!(
            DecodeError::UnknownEnginePacketType('7').to_string(),
            "unknown Engine.IO packet type '7'; expected a digit from 0 to 6, or 'b' for base64 binary"
        );
        match EnginePacket::decode_text("0{}") {
            Err(e) => assert!(e.to_string().contains("missing field `sid`"), "{e}"),
            Ok(p) => panic!("decoded {p:?}"),
        }
    }

    #[test]
    fn every_short_input_either_fails_or_reencodes_to_the_same_packet() {
        let alphabet = [
            '0', '1', '2', '4', '5', '6', 'b', 'A', 'Q', '=', '€', '{', 'x',
        ];
        for input in short_strings(&alphabet, 5) {
            let decoded = EnginePacket::decode_text(&input);
            assert_eq!(
                EnginePacket::decode_frame(Frame::Text(input.clone())),
                decoded,
                "text and frame decoding differ on {input:?}"
            );
            if let Ok(packet) = decoded {
                let text = packet.encode_text();
                assert_eq!(
                    EnginePacket::decode_text(&text),
                    Ok(packet),
                    "{input:?} re-encoded as {text:?}"
                );
            }
        }
    }
}
