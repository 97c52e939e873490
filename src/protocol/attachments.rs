//! Binary attachments: taking binary parts out of event arguments (placeholders
//! plus separate buffers) and putting them back on receipt.
//!
//! A Socket.IO event whose arguments hold binary data travels as a
//! BINARY_EVENT (or BINARY_ACK) text packet, in which each binary part is
//! replaced by `{"_placeholder":true,"num":N}`, followed by the N+1 buffers as
//! Engine.IO binary messages.

use std::collections::BTreeMap;

use crate::protocol::{DecodeError, PacketBody, SocketPacket, Value};

/// Replaces every binary part of `args` (at any depth, depth-first, in order)
/// with a placeholder and returns the parts, indexed by their `num`.
pub fn deconstruct(args: &mut [Value]) -> Vec<Vec<u8>> {
    let mut attachments = Vec::new();
    for arg in args {
        take_binary(arg, &mut attachments);
    }
    attachments
}

fn take_binary(value: &mut Value, attachments: &mut Vec<Vec<u8>>) {
    match value {
        Value::Binary(bytes) => {
            let num = attachments.len();
            attachments.push(std::mem::take(bytes));
            *value = placeholder(num);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| take_binary(v, attachments)),
        Value::Object(members) => members
            .values_mut()
            .for_each(|v| take_binary(v, attachments)),
        _ => {}
    }
}

fn placeholder(num: usize) -> Value {
    Value::Object(BTreeMap::from([
        ("_placeholder".to_owned(), Value::Bool(true)),
        ("num".to_owned(), Value::from(num)),
    ]))
}

/// Replaces every placeholder in `args` (at any depth) with its attachment,
/// moving each attachment into place rather than copying it.
///
/// A placeholder whose `num` has no attachment, or names an attachment an
/// earlier placeholder already took, is an error (a Socket.IO encoder
/// numbers each attachment once, so a reused number can only make one large
/// attachment cost many times its size); `args` may then be partly restored
/// and should be dropped. Attachments no placeholder names are dropped.
pub fn reconstruct(args: &mut [Value], attachments: Vec<Vec<u8>>) -> Result<(), DecodeError> {
    let mut slots: Vec<Option<Vec<u8>>> = attachments.into_iter().map(Some).collect();
    args.iter_mut()
        .try_for_each(|arg| put_binary(arg, &mut slots))
}

fn put_binary(value: &mut Value, slots: &mut [Option<Vec<u8>>]) -> Result<(), DecodeError> {
    if let Some(num) = placeholder_num(value) {
        let count = slots.len();
        let slot = usize::try_from(num)
            .ok()
            .and_then(|i| slots.get_mut(i))
            .ok_or(DecodeError::MissingAttachment { index: num, count })?;
        let bytes = slot
            .take()
            .ok_or(DecodeError::RepeatedPlaceholder { index: num })?;
        *value = Value::Binary(bytes);
        return Ok(());
    }
    match value {
        Value::Array(items) => items.iter_mut().try_for_each(|v| put_binary(v, slots)),
        Value::Object(members) => members.values_mut().try_for_each(|v| put_binary(v, slots)),
        _ => Ok(()),
    }
}

/// `Some(num)` when `value` is exactly a placeholder object.
fn placeholder_num(value: &Value) -> Option<u64> {
    let Value::Object(members) = value else {
        return None;
    };
    if members.len() != 2 || members.get("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    match members.get("num") {
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
}

impl SocketPacket {
    /// The packet as it goes on the wire: an EVENT or ACK whose arguments hold
    /// binary data becomes a BINARY_EVENT or BINARY_ACK with placeholders,
    /// followed by its attachments; any other packet is returned as is.
    ///
    /// ```
    /// use leptos_socketio::protocol::{SocketPacket, Value};
    ///
    /// let packet = SocketPacket::event("/", "file", vec![Value::Binary(vec![1, 2])], None);
    /// let (wire, attachments) = packet.into_wire();
    /// assert_eq!(wire.encode(), r#"51-["file",{"_placeholder":true,"num":0}]"#);
    /// assert_eq!(attachments, vec![vec![1, 2]]);
    /// ```
    pub fn into_wire(self) -> (SocketPacket, Vec<Vec<u8>>) {
        let SocketPacket { namespace, body } = self;
        let (body, attachments) = match body {
            PacketBody::Event {
                name,
                mut args,
                ack_id,
            } if args.iter().any(Value::has_binary) => {
                let attachments = deconstruct(&mut args);
                let body = PacketBody::BinaryEvent {
                    name,
                    args,
                    ack_id,
                    attachments: attachments.len(),
                };
                (body, attachments)
            }
            PacketBody::Ack { mut args, ack_id } if args.iter().any(Value::has_binary) => {
                let attachments = deconstruct(&mut args);
                let body = PacketBody::BinaryAck {
                    args,
                    ack_id,
                    attachments: attachments.len(),
                };
                (body, attachments)
            }
            body => (body, Vec::new()),
        };
        (SocketPacket { namespace, body }, attachments)
    }

    /// How many binary attachments follow this packet on the wire.
    pub fn attachment_count(&self) -> usize {
        match self.body {
            PacketBody::BinaryEvent { attachments, .. }
            | PacketBody::BinaryAck { attachments, .. } => attachments,
            _ => 0,
        }
    }

    /// The inverse of [`into_wire`](Self::into_wire): a BINARY_EVENT or
    /// BINARY_ACK with its `attachments` becomes an EVENT or ACK with the
    /// binary data in place of its placeholders (each attachment moved into
    /// place; see [`reconstruct`] for what is refused).
    pub fn with_attachments(self, attachments: Vec<Vec<u8>>) -> Result<SocketPacket, DecodeError> {
        let SocketPacket { namespace, body } = self;
        let body = match body {
            PacketBody::BinaryEvent {
                name,
                mut args,
                ack_id,
                ..
            } => {
                reconstruct(&mut args, attachments)?;
                PacketBody::Event { name, args, ack_id }
            }
            PacketBody::BinaryAck {
                mut args, ack_id, ..
            } => {
                reconstruct(&mut args, attachments)?;
                PacketBody::Ack { args, ack_id }
            }
            body => body,
        };
        Ok(SocketPacket { namespace, body })
    }
}

/// Collects a binary packet's attachments as they arrive (sans-IO): feed it
/// every text and binary Engine.IO message in order; it yields complete
/// packets, with binary data in place.
///
/// ```
/// use leptos_socketio::protocol::{PacketBody, Reassembler, Value};
///
/// let mut r = Reassembler::default();
/// assert_eq!(r.handle_text(r#"51-["file",{"_placeholder":true,"num":0}]"#).unwrap(), None);
/// let packet = r.handle_binary(vec![7, 8]).unwrap().unwrap();
/// assert!(matches!(packet.body, PacketBody::Event { ref args, .. } if args[0] == Value::Binary(vec![7, 8])));
/// ```
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: Option<(SocketPacket, Vec<Vec<u8>>)>,
}

impl Reassembler {
    /// Handles a text message. A binary packet that still waits for
    /// attachments is dropped with [`DecodeError::InterruptedAttachments`]
    /// (the new packet is lost too: the stream is out of step).
    pub fn handle_text(&mut self, text: &str) -> Result<Option<SocketPacket>, DecodeError> {
        if let Some((packet, received)) = self.pending.take() {
            return Err(DecodeError::InterruptedAttachments {
                received: received.len(),
                expected: packet.attachment_count(),
            });
        }
        let packet = SocketPacket::decode(text)?;
        if packet.attachment_count() == 0 {
            return packet.with_attachments(Vec::new()).map(Some);
        }
        self.pending = Some((packet, Vec::new()));
        Ok(None)
    }

    /// Handles a binary message: the next attachment of the waiting packet.
    pub fn handle_binary(&mut self, bytes: Vec<u8>) -> Result<Option<SocketPacket>, DecodeError> {
        let (packet, mut received) = self
            .pending
            .take()
            .ok_or(DecodeError::UnexpectedAttachment)?;
        received.push(bytes);
        if received.len() < packet.attachment_count() {
            self.pending = Some((packet, received));
            return Ok(None);
        }
        packet.with_attachments(received).map(Some)
    }

    /// Whether a binary packet is waiting for attachments.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn nested_binary_is_replaced_depth_first_and_restored() {
        let original = vec![
            Value::from("text"),
            obj(&[
                ("a", Value::Binary(vec![1])),
                (
                    "b",
                    Value::Array(vec![
                        Value::Binary(vec![2]),
                        obj(&[("c", Value::Binary(vec![]))]),
                    ]),
                ),
            ]),
            Value::Binary(vec![3, 3]),
        ];
        let mut args = original.clone();
        let attachments = deconstruct(&mut args);
        assert_eq!(attachments, vec![vec![1], vec![2], vec![], vec![3, 3]]);
        assert!(!args.iter().any(Value::has_binary));
        assert_eq!(
            args[2],
            Value::from(json!({"_placeholder": true, "num": 3}))
        );
        reconstruct(&mut args, attachments).expect("all attachments present");
        assert_eq!(args, original);
    }

    #[test]
    fn missing_attachment_is_named_with_its_index_and_the_count() {
        let mut args = vec![Value::from(json!([{"_placeholder": true, "num": 2}]))];
        let err = reconstruct(&mut args, vec![vec![], vec![]]).expect_err("num 2 of 2");
        assert_eq!(err, DecodeError::MissingAttachment { index: 2, count: 2 });
        assert_eq!(
            err.to_string(),
            "attachment 2 of 2 is missing: the packet's placeholder refers to it, but only 2 attachment(s) arrived"
        );
    }

    #[test]
    fn a_placeholder_number_used_twice_is_refused_not_copied() {
        let mut args = vec![Value::from(json!([
            {"_placeholder": true, "num": 0},
            {"_placeholder": true, "num": 1},
            {"_placeholder": true, "num": 0},
        ]))];
        let err = reconstruct(&mut args, vec![vec![7; 4], vec![8]]).expect_err("num 0 twice");
        assert_eq!(err, DecodeError::RepeatedPlaceholder { index: 0 });
        assert_eq!(
            err.to_string(),
            "binary placeholder 0 appears more than once; a Socket.IO encoder numbers each attachment once"
        );
    }

    #[test]
    fn reassembler_refuses_a_binary_event_that_reuses_one_attachment() {
        let mut r = Reassembler::default();
        let text = r#"51-["big",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":0}]]"#;
        assert_eq!(r.handle_text(text), Ok(None));
        assert_eq!(
            r.handle_binary(vec![0; 1024]),
            Err(DecodeError::RepeatedPlaceholder { index: 0 })
        );
        assert!(!r.is_waiting());
        // The stream goes on with the next packet.
        assert!(r.handle_text(r#"2["x"]"#).expect("valid").is_some());
    }

    #[test]
    fn objects_that_only_look_like_placeholders_are_left_alone() {
        let cases = [
            json!({"_placeholder": true, "num": 0, "extra": 1}),
            json!({"_placeholder": false, "num": 0}),
            json!({"_placeholder": true, "num": "0"}),
            json!({"_placeholder": true, "num": -1}),
        ];
        for case in cases {
            let mut args = vec![Value::from(case.clone())];
            reconstruct(&mut args, vec![vec![9]]).expect("not a placeholder");
            assert_eq!(args, vec![Value::from(case)]);
        }
    }

    #[test]
    fn reassembler_waits_for_every_attachment_then_yields_the_event() {
        let mut r = Reassembler::default();
        let text =
            r#"52-/admin,7["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
        assert_eq!(r.handle_text(text), Ok(None));
        assert_eq!(r.handle_binary(vec![1]), Ok(None));
        assert!(r.is_waiting());
        let packet = r.handle_binary(vec![2]).expect("valid").expect("complete");
        assert_eq!(
            packet,
            SocketPacket::event(
                "/admin",
                "up",
                vec![Value::Binary(vec![1]), Value::Binary(vec![2])],
                Some(7)
            )
        );
        assert!(!r.is_waiting());
    }

    #[test]
    fn reassembler_reports_out_of_step_streams() {
        let mut r = Reassembler::default();
        assert_eq!(
            r.handle_binary(vec![1]),
            Err(DecodeError::UnexpectedAttachment)
        );
        r.handle_text(r#"61-3[{"_placeholder":true,"num":0}]"#)
            .expect("valid");
        assert_eq!(
            r.handle_text(r#"2["x"]"#),
            Err(DecodeError::InterruptedAttachments {
                received: 0,
                expected: 1
            })
        );
        // The stream recovers with the next packet.
        assert!(r.handle_text(r#"2["x"]"#).expect("valid").is_some());
    }

    #[test]
    fn binary_ack_round_trips_through_the_wire_form() {
        let ack = SocketPacket::ack("/", 4, vec![obj(&[("f", Value::Binary(vec![0, 255]))])]);
        let (wire, attachments) = ack.clone().into_wire();
        assert_eq!(
            wire.encode(),
            r#"61-4[{"f":{"_placeholder":true,"num":0}}]"#
        );
        let mut r = Reassembler::default();
        assert_eq!(r.handle_text(&wire.encode()), Ok(None));
        assert_eq!(r.handle_binary(attachments[0].clone()), Ok(Some(ack)));
    }

    #[test]
    fn text_only_packets_pass_through_unchanged() {
        let packet = SocketPacket::event("/", "a", vec![Value::from(1)], None);
        let (wire, attachments) = packet.clone().into_wire();
        assert_eq!((wire, attachments), (packet, vec![]));
    }
}
