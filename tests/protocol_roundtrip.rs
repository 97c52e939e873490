//! Property tests of the protocol codecs: whatever we encode, we decode to
//! the same packet — Socket.IO packets (text-only, and with binary attachments
//! carried through the [`Reassembler`]), Engine.IO packets in text and in
//! WebSocket frames, and polling payloads.
//!
//! Numbers are generated as `i64`, `u64` and finite `f64`; only the floats
//! that serde_json itself reads back bit for bit are kept, so a failure here
//! is ours, not a float-parsing difference of serde_json's.
#![cfg(not(target_arch = "wasm32"))]

use leptos_socketio::protocol::{
    decode_payload, encode_payload, EnginePacket, Handshake, PacketBody, Reassembler, SocketPacket,
    Value,
};
use proptest::collection::vec;
use proptest::prelude::*;

mod native_support;
use native_support::strategies::{
    any_string, binary, json_object, json_value, namespace, value_with_binary,
};

fn ack_id() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..100, any::<u64>()]
}

/// Event or ack arguments with binary data somewhere: one binary argument
/// at a random position among arguments that may hold more, at any depth.
fn args_with_binary() -> impl Strategy<Value = Vec<Value>> {
    (
        vec(value_with_binary(), 0..4),
        binary(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut args, bin, at)| {
            let at = at.index(args.len() + 1);
            args.insert(at, bin);
            args
        })
}

/// An EVENT or ACK whose arguments hold binary data.
fn packet_with_binary() -> impl Strategy<Value = SocketPacket> {
    prop_oneof![
        (
            namespace(),
            any_string(),
            args_with_binary(),
            prop::option::of(ack_id())
        )
            .prop_map(|(ns, name, args, ack_id)| SocketPacket::event(ns, name, args, ack_id)),
        (namespace(), ack_id(), args_with_binary())
            .prop_map(|(ns, ack_id, args)| SocketPacket::ack(ns, ack_id, args)),
    ]
}

/// Any packet of the seven types whose data is plain JSON. BINARY_EVENT and
/// BINARY_ACK carry any JSON and any announced attachment count: the text
/// codec does not check placeholders against the count.
fn text_packet() -> impl Strategy<Value = SocketPacket> {
    let args = || vec(json_value(), 0..4);
    let attachments = prop_oneof![0usize..4, 0usize..=10_000];
    let body = prop_oneof![
        prop::option::of(json_object()).prop_map(PacketBody::Connect),
        Just(PacketBody::Disconnect),
        (any_string(), args(), prop::option::of(ack_id()))
            .prop_map(|(name, args, ack_id)| PacketBody::Event { name, args, ack_id }),
        (args(), ack_id()).prop_map(|(args, ack_id)| PacketBody::Ack { args, ack_id }),
        prop_oneof![json_object(), any_string().prop_map(Value::String)]
            .prop_map(PacketBody::ConnectError),
        (
            any_string(),
            args(),
            prop::option::of(ack_id()),
            attachments.clone()
        )
            .prop_map(
                |(name, args, ack_id, attachments)| PacketBody::BinaryEvent {
                    name,
                    args,
                    ack_id,
                    attachments
                }
            ),
        (args(), ack_id(), attachments).prop_map(|(args, ack_id, attachments)| {
            PacketBody::BinaryAck {
                args,
                ack_id,
                attachments,
            }
        }),
    ];
    (namespace(), body).prop_map(|(namespace, body)| SocketPacket { namespace, body })
}

fn handshake() -> impl Strategy<Value = Handshake> {
    (
        any_string(),
        vec(any_string(), 0..3),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(sid, upgrades, ping_interval, ping_timeout, max_payload)| Handshake {
                sid,
                upgrades,
                ping_interval,
                ping_timeout,
                max_payload,
            },
        )
}

/// Any Engine.IO packet whose text parts are drawn from `text`.
fn engine_packet(text: BoxedStrategy<String>) -> impl Strategy<Value = EnginePacket> {
    prop_oneof![
        handshake().prop_map(EnginePacket::Open),
        Just(EnginePacket::Close),
        text.clone().prop_map(EnginePacket::Ping),
        text.clone().prop_map(EnginePacket::Pong),
        text.prop_map(EnginePacket::Message),
        vec(any::<u8>(), 0..64).prop_map(EnginePacket::Binary),
        Just(EnginePacket::Upgrade),
        Just(EnginePacket::Noop),
    ]
}

/// Feeds a packet's wire text and attachments to a fresh [`Reassembler`];
/// returns the packet it yields once the last attachment is in.
fn reassemble(text: &str, attachments: Vec<Vec<u8>>) -> Result<SocketPacket, TestCaseError> {
    let mut reassembler = Reassembler::default();
    let mut done = reassembler
        .handle_text(text)
        .map_err(|e| TestCaseError::fail(format!("{text:?} was refused: {e}")))?;
    let count = attachments.len();
    for (i, bytes) in attachments.into_iter().enumerate() {
        prop_assert!(done.is_none(), "a packet came out before attachment {i}");
        done = reassembler
            .handle_binary(bytes)
            .map_err(|e| TestCaseError::fail(format!("attachment {i} was refused: {e}")))?;
    }
    prop_assert!(
        !reassembler.is_waiting(),
        "still waiting after {count} attachments"
    );
    done.ok_or_else(|| TestCaseError::fail(format!("no packet after {count} attachments")))
}

/// How many binary parts a packet's arguments hold.
fn binary_parts(packet: &SocketPacket) -> usize {
    fn count(v: &Value) -> usize {
        match v {
            Value::Binary(_) => 1,
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(members) => members.values().map(count).sum(),
            _ => 0,
        }
    }
    match &packet.body {
        PacketBody::Event { args, .. } | PacketBody::Ack { args, .. } => {
            args.iter().map(count).sum()
        }
        _ => 0,
    }
}

proptest! {
    #[test]
    fn binary_packets_come_back_whole_through_the_reassembler(packet in packet_with_binary()) {
        let (wire, attachments) = packet.clone().into_wire();
        prop_assert_eq!(attachments.len(), binary_parts(&packet));
        prop_assert_eq!(wire.attachment_count(), attachments.len());
        let text = wire.encode();
        prop_assert_eq!(reassemble(&text, attachments)?, packet);
    }

    #[test]
    fn binary_packets_come_back_whole_through_websocket_frames_and_polling(
        packet in packet_with_binary(),
    ) {
        let (wire, attachments) = packet.clone().into_wire();
        let mut engine = vec![EnginePacket::Message(wire.encode())];
        engine.extend(attachments.into_iter().map(EnginePacket::Binary));

        // Over WebSocket: one frame per packet.
        let frames: Vec<EnginePacket> = engine
            .iter()
            .map(|p| EnginePacket::decode_frame(p.to_frame()))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("frame refused: {e}")))?;
        // Over polling: one body, binary as base64.
        let polled = decode_payload(&encode_payload(&engine))
            .map_err(|e| TestCaseError::fail(format!("payload refused: {e}")))?;

        for received in [frames, polled] {
            let mut received = received.into_iter();
            let Some(EnginePacket::Message(text)) = received.next() else {
                return Err(TestCaseError::fail("the first packet is not a message"));
            };
            let attachments = received
                .map(|p| match p {
                    EnginePacket::Binary(bytes) => Ok(bytes),
                    other => Err(TestCaseError::fail(format!("{other:?} is not binary"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            prop_assert_eq!(reassemble(&text, attachments)?, packet.clone());
        }
    }

    #[test]
    fn text_packets_decode_to_what_was_encoded(packet in text_packet()) {
        let text = packet.encode();
        prop_assert_eq!(SocketPacket::decode(&text), Ok(packet), "wire text {:?}", text);
    }

    #[test]
    fn text_only_events_pass_through_into_wire_unchanged(packet in text_packet()) {
        let (wire, attachments) = packet.clone().into_wire();
        prop_assert!(attachments.is_empty());
        prop_assert_eq!(wire, packet);
    }

    #[test]
    fn engine_packets_decode_to_what_was_encoded_as_text_and_as_frames(
        packet in engine_packet(any_string().boxed()),
    ) {
        let text = packet.encode_text();
        prop_assert_eq!(EnginePacket::decode_text(&text), Ok(packet.clone()), "text {:?}", text);
        prop_assert_eq!(EnginePacket::decode_frame(packet.to_frame()), Ok(packet.clone()));
        prop_assert_eq!(EnginePacket::decode_frame(packet.clone().into_frame()), Ok(packet));
    }

    #[test]
    fn polling_payloads_decode_to_the_packets_encoded(
        // Text packets cannot hold the separator `\x1e` (Socket.IO's JSON
        // never does), so it is left out of their text here.
        packets in vec(
            engine_packet(any_string().prop_map(|s| s.replace('\x1e', "")).boxed()),
            1..8,
        ),
    ) {
        let body = encode_payload(&packets);
        prop_assert_eq!(decode_payload(&body), Ok(packets), "body {:?}", body);
    }
}
