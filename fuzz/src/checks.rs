//! What must hold for any input to the protocol decoders: they never panic,
//! and whatever they accept re-encodes to text that decodes to the same
//! packet.
//!
//! Shared by the fuzz targets (through the `leptos-socketio-fuzz` library) and
//! by `tests/fuzz_corpus.rs` (through `#[path]`), so there is one copy of the
//! logic. Each function panics when the property is violated.

use leptos_socketio::protocol::{
    decode_payload, encode_payload, EnginePacket, Frame, Reassembler, SocketPacket,
};

/// One Engine.IO packet: `data` as a text packet (when it is UTF-8), as a
/// text frame, and as a binary frame.
///
/// Text and text-frame decoding agree; a binary frame is always the binary
/// message holding `data`; every decoded packet round-trips through
/// `encode_text` and through `to_frame` / `into_frame`.
pub fn engine_packet(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let decoded = EnginePacket::decode_text(text);
        assert_eq!(
            EnginePacket::decode_frame(Frame::Text(text.to_owned())),
            decoded,
            "text and text-frame decoding differ on {text:?}"
        );
        if let Ok(packet) = decoded {
            engine_round_trip(&packet);
        }
    }
    match EnginePacket::decode_frame(Frame::Binary(data.to_vec())) {
        Ok(packet) => {
            assert_eq!(
                packet,
                EnginePacket::Binary(data.to_vec()),
                "a binary frame must decode to the binary message holding its bytes"
            );
            engine_round_trip(&packet);
        }
        Err(e) => panic!("a binary frame must always decode, but {data:?} gave: {e}"),
    }
}

/// Encoding `packet` as text and as a frame, then decoding, gives it back.
fn engine_round_trip(packet: &EnginePacket) {
    let text = packet.encode_text();
    assert_eq!(
        EnginePacket::decode_text(&text).as_ref(),
        Ok(packet),
        "{packet:?} was encoded as {text:?}"
    );
    let frame = packet.to_frame();
    assert_eq!(
        packet.clone().into_frame(),
        frame,
        "to_frame and into_frame differ on {packet:?}"
    );
    assert_eq!(
        EnginePacket::decode_frame(frame.clone()).as_ref(),
        Ok(packet),
        "{packet:?} was encoded as the frame {frame:?}"
    );
}

/// A polling body: `data` (when it is UTF-8) as a payload.
///
/// A decoded payload has one packet per `\x1e`-separated part, and
/// `encode_payload` of it decodes to the same packets.
pub fn payload(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(packets) = decode_payload(body) else {
        return;
    };
    assert_eq!(
        packets.len(),
        body.split('\x1e').count(),
        "{body:?} decoded to {packets:?}: not one packet per part"
    );
    let encoded = encode_payload(&packets);
    assert_eq!(
        decode_payload(&encoded),
        Ok(packets),
        "{body:?} was re-encoded as {encoded:?}"
    );
}

/// One Socket.IO packet: `data` (when it is UTF-8) as the text of an
/// Engine.IO message.
///
/// A decoded packet re-encodes to text that decodes to the same packet.
pub fn socket_packet(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(packet) = SocketPacket::decode(text) else {
        return;
    };
    let encoded = packet.encode();
    assert_eq!(
        SocketPacket::decode(&encoded),
        Ok(packet),
        "{text:?} was re-encoded as {encoded:?}"
    );
}

/// A stream of Engine.IO messages into the attachment [`Reassembler`]: `data`
/// is cut into messages (a tag byte, odd for binary, then a length byte and
/// that many bytes).
///
/// It never panics; every packet it yields, sent again through `into_wire`,
/// comes back whole through a fresh reassembler.
pub fn reassembler(data: &[u8]) {
    let mut r = Reassembler::default();
    let mut rest = data;
    while let [tag, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (chunk, next) = tail.split_at(n);
        rest = next;
        let out = if tag % 2 == 1 {
            r.handle_binary(chunk.to_vec())
        } else {
            match std::str::from_utf8(chunk) {
                Ok(text) => r.handle_text(text),
                Err(_) => continue,
            }
        };
        if let Ok(Some(packet)) = out {
            let (wire, attachments) = packet.clone().into_wire();
            let mut again = Reassembler::default();
            let mut back = again.handle_text(&wire.encode());
            for attachment in attachments {
                back = again.handle_binary(attachment);
            }
            assert_eq!(
                back,
                Ok(Some(packet.clone())),
                "{packet:?} did not come back whole"
            );
        }
    }
}
