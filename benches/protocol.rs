//! Protocol codec benchmarks: our codec and socketioxide's parser
//! (`socketioxide_parser_common::CommonParser`) side by side, in one run.
//!
//! Each group times one round trip, from an in-memory tree of arguments to
//! wire text (and attachments) and back to a tree, with the same argument
//! type ([`Value`]) on both sides, so the figures compare the codecs:
//!
//! - `chat_event`: `["message",{"room":"lobby","id":…,"text":…}]`;
//! - `ack`: `3/chat,12[{"ok":true,"seq":42}]`;
//! - `polling_payload_100`: an Engine.IO polling body of 100 such chat
//!   messages, encoded and decoded. Ours only: socketioxide's parser has no
//!   payload codec; engineioxide-core's `payload` module has one, but it
//!   decodes an `http_body::Body` stream asynchronously and is not a
//!   dependency of ours;
//! - `binary_1mb`: an event carrying 1 MiB of binary data: placeholders out,
//!   encoded, then reassembled with the attachment back in place.
//!
//! Run with `cargo bench --bench protocol`, then `scripts/bench-ratios` for
//! the ours / socketioxide ratios. The whole run takes about a minute.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/native_support/socketioxide_args.rs"]
mod socketioxide_args;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BatchSize, Criterion};
    use leptos_socketio::protocol::{
        decode_payload, encode_payload, EnginePacket, Reassembler, SocketPacket, Value,
    };

    use crate::socketioxide_args::{AllArgs, Spread};
    use socketioxide_core::packet::Packet;
    use socketioxide_core::parser::{Parse, ParseConfig, ParseError, ParserState};
    use socketioxide_core::Value as SioValue;
    use socketioxide_parser_common::CommonParser;

    /// Short runs: the whole bench stays around a minute on two cores.
    pub(crate) fn config() -> Criterion {
        Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sample_size(30)
    }

    fn chat_message() -> Value {
        Value::from(serde_json::json!({
            "room": "lobby",
            "id": "k3j2h1g0f9e8d7c6",
            "text": "hello there, how are you?"
        }))
    }

    /// socketioxide: arguments → packet → wire text and attachments → packet
    /// → arguments, as its server does on emit and on receipt.
    fn socketioxide_round_trip(
        ns: &'static str,
        event: Option<&str>,
        ack_id: Option<i64>,
        args: &[Value],
        state: &ParserState,
    ) -> Vec<Value> {
        let parser = CommonParser;
        let config = ParseConfig::default();
        let data = parser
            .encode_value(&Spread(args), event)
            .expect("arguments serialize");
        let packet = match (event, ack_id) {
            (Some(_), ack_id) => {
                let mut packet = Packet::event(ns, data);
                if let Some(id) = ack_id {
                    packet.inner.set_ack_id(id);
                }
                packet
            }
            (None, Some(id)) => Packet::ack(ns, data, id),
            (None, None) => unreachable!("an ack has an id"),
        };
        let SioValue::Str(text, attachments) = parser.encode(packet) else {
            unreachable!("the common parser writes text");
        };
        let mut decoded = parser.decode_str(&config, state, text);
        for bytes in attachments.into_iter().flatten() {
            assert!(matches!(decoded, Err(ParseError::NeedsMoreBinaryData)));
            decoded = parser.decode_bin(&config, state, bytes);
        }
        let mut packet = decoded.expect("socketioxide decodes its own packet");
        let value = match &mut packet.inner {
            socketioxide_core::packet::PacketData::Event(v, _)
            | socketioxide_core::packet::PacketData::BinaryEvent(v, _)
            | socketioxide_core::packet::PacketData::EventAck(v, _)
            | socketioxide_core::packet::PacketData::BinaryAck(v, _) => v,
            _ => unreachable!("an event or an ack"),
        };
        let AllArgs(args) = parser
            .decode_value(value, event.is_some())
            .expect("socketioxide reads its own arguments");
        args
    }

    /// Ours: packet → wire text and attachments → reassembled packet.
    fn our_round_trip(packet: SocketPacket) -> SocketPacket {
        let (wire, attachments) = packet.into_wire();
        let mut reassembler = Reassembler::default();
        let mut done = reassembler
            .handle_text(&wire.encode())
            .expect("we decode our own packet");
        for bytes in attachments {
            done = reassembler
                .handle_binary(bytes)
                .expect("we take our own attachments");
        }
        done.expect("the packet is complete")
    }

    pub(crate) fn chat_event(c: &mut Criterion) {
        let args = vec![chat_message()];
        let packet = SocketPacket::event("/", "message", args.clone(), None);
        let state = ParserState::default();
        let mut group = c.benchmark_group("chat_event");
        group.bench_function("ours", |b| {
            b.iter(|| {
                let text = black_box(&packet).encode();
                SocketPacket::decode(black_box(&text)).expect("we decode our own packet")
            })
        });
        group.bench_function("socketioxide", |b| {
            b.iter(|| socketioxide_round_trip("/", Some("message"), None, black_box(&args), &state))
        });
        group.finish();
    }

    pub(crate) fn ack(c: &mut Criterion) {
        let args = vec![Value::from(serde_json::json!({"ok": true, "seq": 42}))];
        let packet = SocketPacket::ack("/chat", 12, args.clone());
        assert_eq!(packet.encode(), r#"3/chat,12[{"ok":true,"seq":42}]"#);
        let state = ParserState::default();
        let mut group = c.benchmark_group("ack");
        group.bench_function("ours", |b| {
            b.iter(|| {
                let text = black_box(&packet).encode();
                SocketPacket::decode(black_box(&text)).expect("we decode our own packet")
            })
        });
        group.bench_function("socketioxide", |b| {
            b.iter(|| socketioxide_round_trip("/chat", None, Some(12), black_box(&args), &state))
        });
        group.finish();
    }

    pub(crate) fn polling_payload(c: &mut Criterion) {
        let message = SocketPacket::event("/", "message", vec![chat_message()], None).encode();
        let packets = vec![EnginePacket::Message(message); 100];
        let mut group = c.benchmark_group("polling_payload_100");
        group.bench_function("ours", |b| {
            b.iter(|| {
                let body = encode_payload(black_box(&packets));
                decode_payload(black_box(&body)).expect("we decode our own payload")
            })
        });
        group.finish();
    }

    pub(crate) fn binary_1mb(c: &mut Criterion) {
        let bytes: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let args = vec![
            Value::from(serde_json::json!({"name": "photo.jpg", "size": 1 << 20})),
            Value::Binary(bytes),
        ];
        let packet = SocketPacket::event("/", "upload", args.clone(), None);
        let state = ParserState::default();
        let mut group = c.benchmark_group("binary_1mb");
        // `into_wire` takes the packet, as `emit` does: the copy made to
        // give it one each time is left out of the timing.
        group.bench_function("ours", |b| {
            b.iter_batched(|| packet.clone(), our_round_trip, BatchSize::LargeInput)
        });
        group.bench_function("socketioxide", |b| {
            b.iter(|| socketioxide_round_trip("/", Some("upload"), None, black_box(&args), &state))
        });
        group.finish();
    }
}

/// Runs every group with the short configuration, as `criterion_group!` and
/// `criterion_main!` would (written out: the macros' `pub fn` has no docs).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let mut c = native::config().configure_from_args();
    native::chat_event(&mut c);
    native::ack(&mut c);
    native::polling_payload(&mut c);
    native::binary_1mb(&mut c);
    c.final_summary();
}

/// Nothing to measure in the browser build.
#[cfg(target_arch = "wasm32")]
fn main() {}
