//! Socket.IO v5 packets, carried in Engine.IO message packets.
//!
//! Wire format: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`,
//! types CONNECT `0`, DISCONNECT `1`, EVENT `2`, ACK `3`, CONNECT_ERROR `4`,
//! BINARY_EVENT `5`, BINARY_ACK `6`. The namespace is written only when it is
//! not `/`; on decoding, a namespace is present iff the text after the type
//! (and attachment count) starts with `/`, and it ends at the first `,`.
//!
//! Binary packets here carry only the placeholders
//! (`{"_placeholder":true,"num":N}`) in their arguments and the number of
//! attachments; the attachments themselves follow as Engine.IO binary
//! packets and are put back in place by the layer above.

use super::{json, DecodeError, Value};

/// The most attachments a binary packet may announce; more is refused as
/// [`DecodeError::TooManyAttachments`].
const MAX_ATTACHMENTS: usize = 10_000;

/// One Socket.IO packet: a namespace and what is sent to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketPacket {
    /// The namespace, starting with `/`; the main namespace is `/`.
    pub namespace: String,
    /// The packet type and its data.
    pub body: PacketBody,
}

/// The type of a Socket.IO packet, with its data.
#[derive(Debug, Clone, PartialEq)]
pub enum PacketBody {
    /// CONNECT (`0`). Client to server: the optional auth object.
    /// Server to client: `{"sid": …}` (plus `pid` with connection state
    /// recovery). When present, the payload is a JSON object.
    Connect(Option<Value>),
    /// DISCONNECT (`1`): leave the namespace.
    Disconnect,
    /// EVENT (`2`): an event and its arguments, with an ack id when the
    /// sender wants an acknowledgement.
    Event {
        /// The event name (the first element of the JSON array).
        name: String,
        /// The arguments after the name.
        args: Vec<Value>,
        /// The id to acknowledge, if an acknowledgement is requested.
        ack_id: Option<u64>,
    },
    /// ACK (`3`): the answer to the event with the same ack id.
    Ack {
        /// The acknowledgement's arguments (possibly none).
        args: Vec<Value>,
        /// The id of the event acknowledged.
        ack_id: u64,
    },
    /// CONNECT_ERROR (`4`): the server refused the connection to the
    /// namespace. Usually `{"message": "…"}` (possibly with `data`); kept as is.
    /// Always a JSON object or string.
    ConnectError(Value),
    /// BINARY_EVENT (`5`): an event whose arguments hold placeholders for
    /// `attachments` binary attachments.
    BinaryEvent {
        /// The event name.
        name: String,
        /// The arguments after the name, with placeholders.
        args: Vec<Value>,
        /// The id to acknowledge, if an acknowledgement is requested.
        ack_id: Option<u64>,
        /// How many binary attachments follow the packet.
        attachments: usize,
    },
    /// BINARY_ACK (`6`): an acknowledgement whose arguments hold placeholders
    /// for `attachments` binary attachments.
    BinaryAck {
        /// The acknowledgement's arguments, with placeholders.
        args: Vec<Value>,
        /// The id of the event acknowledged.
        ack_id: u64,
        /// How many binary attachments follow the packet.
        attachments: usize,
    },
}

impl SocketPacket {
    /// A packet for `namespace` with `body`.
    pub fn new(namespace: impl Into<String>, body: PacketBody) -> Self {
        Self {
            namespace: namespace.into(),
            body,
        }
    }

    /// A CONNECT packet, with the auth object if any.
    pub fn connect(namespace: impl Into<String>, auth: Option<Value>) -> Self {
        Self::new(namespace, PacketBody::Connect(auth))
    }

    /// A DISCONNECT packet.
    pub fn disconnect(namespace: impl Into<String>) -> Self {
        Self::new(namespace, PacketBody::Disconnect)
    }

    /// An EVENT packet; `ack_id` asks for an acknowledgement.
    pub fn event(
        namespace: impl Into<String>,
        name: impl Into<String>,
        args: Vec<Value>,
        ack_id: Option<u64>,
    ) -> Self {
        Self::new(
            namespace,
            PacketBody::Event {
                name: name.into(),
                args,
                ack_id,
            },
        )
    }

    /// An ACK packet answering the event with `ack_id`.
    pub fn ack(namespace: impl Into<String>, ack_id: u64, args: Vec<Value>) -> Self {
        Self::new(namespace, PacketBody::Ack { args, ack_id })
    }

    /// Decodes a packet from its text form (the data of an Engine.IO
    /// message, without its leading `4`).
    pub fn decode(s: &str) -> Result<Self, DecodeError> {
        let mut chars = s.chars();
        let kind = Kind::from_char(chars.next().ok_or(DecodeError::Empty)?)?;
        let mut rest = chars.as_str();

        let mut attachments = 0;
        if kind.is_binary() {
            let (count, after) = split_attachments(rest)?;
            attachments = count;
            rest = after;
        }

        let namespace = if rest.starts_with('/') {
            let (namespace, after) = rest
                .split_once(',')
                .ok_or(DecodeError::UnterminatedNamespace)?;
            rest = after;
            namespace.to_owned()
        } else {
            "/".to_owned()
        };

        let (digits, after) = split_digits(rest);
        rest = after;
        let ack_id = if digits.is_empty() {
            None
        } else {
            Some(
                digits
                    .parse::<u64>()
                    .map_err(|_| DecodeError::InvalidAckId)?,
            )
        };

        let data = if rest.is_empty() {
            None
        } else {
            Some(json::parse(rest).map_err(DecodeError::InvalidJson)?)
        };

        let body = kind.body(ack_id, data, attachments)?;
        Ok(Self { namespace, body })
    }

    /// The text form of this packet.
    ///
    /// The namespace is omitted when it is `/` (or empty); one that does not
    /// start with `/` is written with one, as socket.io-client does. A
    /// namespace containing `,` cannot be represented on the wire.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(32);
        self.encode_into(&mut out);
        out
    }

    /// Appends the text form of this packet to `out` (see
    /// [`encode`](Self::encode)). JSON is written straight into `out`, with
    /// no formatting machinery and no string per argument in between.
    pub fn encode_into(&self, out: &mut String) {
        let (kind, attachments, ack_id) = match &self.body {
            PacketBody::Connect(_) => (Kind::Connect, None, None),
            PacketBody::Disconnect => (Kind::Disconnect, None, None),
            PacketBody::Event { ack_id, .. } => (Kind::Event, None, *ack_id),
            PacketBody::Ack { ack_id, .. } => (Kind::Ack, None, Some(*ack_id)),
            PacketBody::ConnectError(_) => (Kind::ConnectError, None, None),
            PacketBody::BinaryEvent {
                ack_id,
                attachments,
                ..
            } => (Kind::BinaryEvent, Some(*attachments), *ack_id),
            PacketBody::BinaryAck {
                ack_id,
                attachments,
                ..
            } => (Kind::BinaryAck, Some(*attachments), Some(*ack_id)),
        };
        out.push(kind.to_char());
        if let Some(count) = attachments {
            json::write_u64(out, count as u64);
            out.push('-');
        }
        if !self.namespace.is_empty() && self.namespace != "/" {
            if !self.namespace.starts_with('/') {
                out.push('/');
            }
            out.push_str(&self.namespace);
            out.push(',');
        }
        if let Some(id) = ack_id {
            json::write_u64(out, id);
        }
        match &self.body {
            PacketBody::Connect(None) | PacketBody::Disconnect => {}
            PacketBody::Connect(Some(value)) | PacketBody::ConnectError(value) => {
                json::write(out, value);
            }
            PacketBody::Event { name, args, .. } | PacketBody::BinaryEvent { name, args, .. } => {
                push_array(out, Some(name), args);
            }
            PacketBody::Ack { args, .. } | PacketBody::BinaryAck { args, .. } => {
                push_array(out, None, args);
            }
        }
    }
}

/// Writes `[name, args…]` (or `[args…]`) as compact JSON.
fn push_array(out: &mut String, name: Option<&str>, args: &[Value]) {
    out.push('[');
    if let Some(name) = name {
        json::write_str(out, name);
    }
    for (i, arg) in args.iter().enumerate() {
        if i > 0 || name.is_some() {
            out.push(',');
        }
        json::write(out, arg);
    }
    out.push(']');
}

/// Splits off the leading ASCII digits of `s`.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    // `find` returns a char boundary, as is `s.len()`, so this never falls back.
    s.split_at_checked(end).unwrap_or(("", s))
}

/// Reads `<count>-` at the start of a binary packet; returns the count and
/// the rest.
fn split_attachments(s: &str) -> Result<(usize, &str), DecodeError> {
    let (digits, after) = split_digits(s);
    let rest = after
        .strip_prefix('-')
        .ok_or(DecodeError::InvalidAttachmentCount)?;
    if digits.is_empty() {
        return Err(DecodeError::InvalidAttachmentCount);
    }
    // Only digits, so parsing fails only on overflow.
    let count = digits.parse::<usize>().unwrap_or(usize::MAX);
    if count > MAX_ATTACHMENTS {
        return Err(DecodeError::TooManyAttachments {
            count,
            max: MAX_ATTACHMENTS,
        });
    }
    Ok((count, rest))
}

/// The packet type alone, while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Connect,
    Disconnect,
    Event,
    Ack,
    ConnectError,
    BinaryEvent,
    BinaryAck,
}

impl Kind {
    fn from_char(c: char) -> Result<Self, DecodeError> {
        Ok(match c {
            '0' => Self::Connect,
            '1' => Self::Disconnect,
            '2' => Self::Event,
            '3' => Self::Ack,
            '4' => Self::ConnectError,
            '5' => Self::BinaryEvent,
            '6' => Self::BinaryAck,
            other => return Err(DecodeError::UnknownSocketPacketType(other)),
        })
    }

    fn to_char(self) -> char {
        match self {
            Self::Connect => '0',
            Self::Disconnect => '1',
            Self::Event => '2',
            Self::Ack => '3',
            Self::ConnectError => '4',
            Self::BinaryEvent => '5',
            Self::BinaryAck => '6',
        }
    }

    /// The name used in error messages, as in the spec.
    fn name(self) -> &'static str {
        match self {
            Self::Connect => "CONNECT",
            Self::Disconnect => "DISCONNECT",
            Self::Event => "EVENT",
            Self::Ack => "ACK",
            Self::ConnectError => "CONNECT_ERROR",
            Self::BinaryEvent => "BINARY_EVENT",
            Self::BinaryAck => "BINARY_ACK",
        }
    }

    fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }

    /// Checks the ack id and payload against the packet type.
    fn body(
        self,
        ack_id: Option<u64>,
        data: Option<Value>,
        attachments: usize,
    ) -> Result<PacketBody, DecodeError> {
        let packet = self.name();
        let no_ack = || match ack_id {
            Some(_) => Err(DecodeError::UnexpectedAckId(packet)),
            None => Ok(()),
        };
        let needs_ack = || ack_id.ok_or(DecodeError::MissingAckId(packet));
        Ok(match self {
            Self::Connect => {
                no_ack()?;
                match data {
                    None => PacketBody::Connect(None),
                    Some(value @ Value::Object(_)) => PacketBody::Connect(Some(value)),
                    Some(_) => return Err(shape(packet, "a JSON object")),
                }
            }
            Self::Disconnect => {
                no_ack()?;
                if data.is_some() {
                    return Err(DecodeError::UnexpectedPayload(packet));
                }
                PacketBody::Disconnect
            }
            Self::ConnectError => {
                no_ack()?;
                match data {
                    None => return Err(DecodeError::MissingPayload(packet)),
                    Some(value @ (Value::Object(_) | Value::String(_))) => {
                        PacketBody::ConnectError(value)
                    }
                    Some(_) => return Err(shape(packet, "a JSON object or string")),
                }
            }
            Self::Event => {
                let (name, args) = event_array(packet, data)?;
                PacketBody::Event { name, args, ack_id }
            }
            Self::BinaryEvent => {
                let (name, args) = event_array(packet, data)?;
                PacketBody::BinaryEvent {
                    name,
                    args,
                    ack_id,
                    attachments,
                }
            }
            Self::Ack => {
                let ack_id = needs_ack()?;
                PacketBody::Ack {
                    args: array(packet, data)?,
                    ack_id,
                }
            }
            Self::BinaryAck => {
                let ack_id = needs_ack()?;
                PacketBody::BinaryAck {
                    args: array(packet, data)?,
                    ack_id,
                    attachments,
                }
            }
        })
    }
}

fn shape(packet: &'static str, expected: &'static str) -> DecodeError {
    DecodeError::InvalidPayloadShape { packet, expected }
}

/// The payload as a JSON array (ACK, BINARY_ACK).
fn array(packet: &'static str, data: Option<Value>) -> Result<Vec<Value>, DecodeError> {
    match data {
        None => Err(DecodeError::MissingPayload(packet)),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(shape(packet, "a JSON array")),
    }
}

/// The payload as `[name, args…]` (EVENT, BINARY_EVENT).
fn event_array(
    packet: &'static str,
    data: Option<Value>,
) -> Result<(String, Vec<Value>), DecodeError> {
    let mut items = array(packet, data)?.into_iter();
    match items.next() {
        Some(Value::String(name)) => Ok((name, items.collect())),
        _ => Err(DecodeError::MissingEventName),
    }
}

#[cfg(test)]
mod tests {
    /// `serde_json::json!`, as a protocol [`Value`].
    macro_rules! json {
        ($($t:tt)*) => { Value::from(serde_json::json!($($t)*)) };
    }

    use super::*;
    use crate::protocol::test_support::short_strings;

    fn placeholder(num: usize) -> Value {
        json!({"_placeholder": true, "num": num})
    }

    fn binary_event(
        ns: &str,
        name: &str,
        args: Vec<Value>,
        ack_id: Option<u64>,
        attachments: usize,
    ) -> SocketPacket {
        SocketPacket::new(
            ns,
            PacketBody::BinaryEvent {
                name: name.into(),
                args,
                ack_id,
                attachments,
            },
        )
    }

    fn binary_ack(ns: &str, ack_id: u64, args: Vec<Value>, attachments: usize) -> SocketPacket {
        SocketPacket::new(
            ns,
            PacketBody::BinaryAck {
                args,
                ack_id,
                attachments,
            },
        )
    }

    /// Every packet example of the spec (tables and sample session).
    fn spec_examples() -> Vec<(&'static str, SocketPacket)> {
        vec![
            // Connection to a namespace.
            ("0", SocketPacket::connect("/", None)),
            (
                r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#,
                SocketPacket::connect("/", Some(json!({"sid": "wZX3oN0bSVIhsaknAAAI"}))),
            ),
            ("0/admin,", SocketPacket::connect("/admin", None)),
            (
                r#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
                SocketPacket::connect("/admin", Some(json!({"sid": "oSO0OpakMV_3jnilAAAA"}))),
            ),
            (
                r#"0/admin,{"token":"123"}"#,
                SocketPacket::connect("/admin", Some(json!({"token": "123"}))),
            ),
            (
                r#"0{"token":"123"}"#,
                SocketPacket::connect("/", Some(json!({"token": "123"}))),
            ),
            (
                r#"4{"message":"Not authorized"}"#,
                SocketPacket::new(
                    "/",
                    PacketBody::ConnectError(json!({"message": "Not authorized"})),
                ),
            ),
            // Sending and receiving data.
            (r#"2["foo"]"#, SocketPacket::event("/", "foo", vec![], None)),
            (
                r#"2/admin,["bar"]"#,
                SocketPacket::event("/admin", "bar", vec![], None),
            ),
            (
                r#"51-["baz",{"_placeholder":true,"num":0}]"#,
                binary_event("/", "baz", vec![placeholder(0)], None, 1),
            ),
            (
                r#"51-["hello",{"_placeholder":true,"num":0}]"#,
                binary_event("/", "hello", vec![placeholder(0)], None, 1),
            ),
            (
                r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
                binary_event(
                    "/admin",
                    "baz",
                    vec![placeholder(0), placeholder(1)],
                    None,
                    2,
                ),
            ),
            // Acknowledgement.
            (
                r#"212["foo"]"#,
                SocketPacket::event("/", "foo", vec![], Some(12)),
            ),
            ("312[]", SocketPacket::ack("/", 12, vec![])),
            (
                r#"2/admin,13["foo"]"#,
                SocketPacket::event("/admin", "foo", vec![], Some(13)),
            ),
            (
                r#"3/admin,13["bar"]"#,
                SocketPacket::ack("/admin", 13, vec![json!("bar")]),
            ),
            (
                r#"51-14["foo",{"_placeholder":true,"num":0}]"#,
                binary_event("/", "foo", vec![placeholder(0)], Some(14), 1),
            ),
            (
                r#"314["bar"]"#,
                SocketPacket::ack("/", 14, vec![json!("bar")]),
            ),
            (
                r#"215["foo"]"#,
                SocketPacket::event("/", "foo", vec![], Some(15)),
            ),
            (
                r#"61-15["bar",{"_placeholder":true,"num":0}]"#,
                binary_ack("/", 15, vec![json!("bar"), placeholder(0)], 1),
            ),
            // Disconnection from a namespace.
            ("1", SocketPacket::disconnect("/")),
            ("1/admin,", SocketPacket::disconnect("/admin")),
            // Sample session.
            (
                r#"2["hey","Jude"]"#,
                SocketPacket::event("/", "hey", vec![json!("Jude")], None),
            ),
            (
                r#"2["hello"]"#,
                SocketPacket::event("/", "hello", vec![], None),
            ),
            (
                r#"0/admin,{"sid":"-G5j-67EZFp-q59rADQM"}"#,
                SocketPacket::connect("/admin", Some(json!({"sid": "-G5j-67EZFp-q59rADQM"}))),
            ),
            (
                r#"2/admin,1["tellme"]"#,
                SocketPacket::event("/admin", "tellme", vec![], Some(1)),
            ),
            (
                r#"61-/admin,1[{"_placeholder":true,"num":0}]"#,
                binary_ack("/admin", 1, vec![placeholder(0)], 1),
            ),
        ]
    }

    #[test]
    fn decodes_every_spec_example() -> Result<(), DecodeError> {
        for (text, expected) in spec_examples() {
            assert_eq!(SocketPacket::decode(text)?, expected, "decoding {text}");
        }
        Ok(())
    }

    #[test]
    fn encodes_every_spec_example() {
        for (text, packet) in spec_examples() {
            assert_eq!(packet.encode(), text, "encoding {packet:?}");
        }
    }

    #[test]
    fn round_trips_encode_then_decode() -> Result<(), DecodeError> {
        let packets = vec![
            SocketPacket::event(
                "/",
                "a\"b€,\u{1e}",
                vec![json!(1), json!(null), json!({"x": [1.5, "€"]}), json!([])],
                Some(7),
            ),
            SocketPacket::event("/chat/room-1", "123", vec![json!("/x,")], Some(u64::MAX)),
            SocketPacket::ack("/€", 0, vec![json!(false)]),
            SocketPacket::new("/", PacketBody::ConnectError(json!("Not authorized"))),
            SocketPacket::new(
                "/a",
                PacketBody::ConnectError(json!({"message": "no", "data": {"code": 3}})),
            ),
            binary_event("/", "up", vec![placeholder(0), placeholder(1)], Some(0), 2),
            binary_event("/x", "up", vec![], None, 0),
            binary_ack("/x", 99, vec![placeholder(0)], 1),
        ];
        for packet in packets {
            let text = packet.encode();
            assert_eq!(SocketPacket::decode(&text)?, packet, "round trip of {text}");
        }
        Ok(())
    }

    #[test]
    fn decodes_the_largest_ack_id() -> Result<(), DecodeError> {
        assert_eq!(
            SocketPacket::decode(r#"218446744073709551615["a"]"#)?,
            SocketPacket::event("/", "a", vec![], Some(u64::MAX))
        );
        Ok(())
    }

    #[test]
    fn accepts_the_limit_of_attachments() -> Result<(), DecodeError> {
        let packet = SocketPacket::decode(r#"510000-["a"]"#)?;
        assert!(matches!(
            packet.body,
            PacketBody::BinaryEvent {
                attachments: 10_000,
                ..
            }
        ));
        Ok(())
    }

    #[test]
    fn an_explicit_main_namespace_decodes_as_main() -> Result<(), DecodeError> {
        assert_eq!(
            SocketPacket::decode(r#"2/,["a"]"#)?,
            SocketPacket::event("/", "a", vec![], None)
        );
        Ok(())
    }

    #[test]
    fn encoding_normalizes_the_namespace() {
        assert_eq!(
            SocketPacket::event("", "a", vec![], None).encode(),
            r#"2["a"]"#
        );
        assert_eq!(SocketPacket::connect("admin", None).encode(), "0/admin,");
    }

    #[test]
    fn rejects_malformed_packets_with_the_specific_error() {
        use DecodeError::*;
        let array = InvalidPayloadShape {
            packet: "ACK",
            expected: "a JSON array",
        };
        let cases: Vec<(&str, DecodeError)> = vec![
            ("", Empty),
            ("7", UnknownSocketPacketType('7')),
            ("x2", UnknownSocketPacketType('x')),
            ("€", UnknownSocketPacketType('€')),
            ("2/admin", UnterminatedNamespace),
            (r#"2/admin["foo"]"#, UnterminatedNamespace),
            ("1/admin", UnterminatedNamespace),
            (
                r#"2["foo""#,
                InvalidJson("EOF while parsing a list at line 1 column 6".into()),
            ),
            (
                r#"2["foo"]x"#,
                InvalidJson("trailing characters at line 1 column 8".into()),
            ),
            (
                r#"2/admin,x"#,
                InvalidJson("expected value at line 1 column 1".into()),
            ),
            (r#"2[1,"foo"]"#, MissingEventName),
            (r#"2[null]"#, MissingEventName),
            ("2[]", MissingEventName),
            ("212[]", MissingEventName),
            (
                r#"2{"a":1}"#,
                InvalidPayloadShape {
                    packet: "EVENT",
                    expected: "a JSON array",
                },
            ),
            (
                r#"2"foo""#,
                InvalidPayloadShape {
                    packet: "EVENT",
                    expected: "a JSON array",
                },
            ),
            ("2", MissingPayload("EVENT")),
            ("212", MissingPayload("EVENT")),
            ("2/admin,", MissingPayload("EVENT")),
            (r#"5-["a"]"#, InvalidAttachmentCount),
            (r#"51["a"]"#, InvalidAttachmentCount),
            (r#"5x-["a"]"#, InvalidAttachmentCount),
            ("5", InvalidAttachmentCount),
            (r#"5/admin,["a"]"#, InvalidAttachmentCount),
            (
                r#"510001-["a"]"#,
                TooManyAttachments {
                    count: 10_001,
                    max: 10_000,
                },
            ),
            (
                r#"599999999999999999999999999-["a"]"#,
                TooManyAttachments {
                    count: usize::MAX,
                    max: 10_000,
                },
            ),
            (r#"51-[1]"#, MissingEventName),
            (r#"51-"#, MissingPayload("BINARY_EVENT")),
            (r#"218446744073709551616["foo"]"#, InvalidAckId),
            ("318446744073709551616[]", InvalidAckId),
            (r#"2/admin,99999999999999999999999999["foo"]"#, InvalidAckId),
            (r#"3["bar"]"#, MissingAckId("ACK")),
            ("3", MissingAckId("ACK")),
            ("312", MissingPayload("ACK")),
            ("312{}", array.clone()),
            (r#"312"x""#, array),
            (r#"61-["bar"]"#, MissingAckId("BINARY_ACK")),
            (
                "61-1{}",
                InvalidPayloadShape {
                    packet: "BINARY_ACK",
                    expected: "a JSON array",
                },
            ),
            (
                "0[1]",
                InvalidPayloadShape {
                    packet: "CONNECT",
                    expected: "a JSON object",
                },
            ),
            (
                r#"0"x""#,
                InvalidPayloadShape {
                    packet: "CONNECT",
                    expected: "a JSON object",
                },
            ),
            ("012{}", UnexpectedAckId("CONNECT")),
            ("1{}", UnexpectedPayload("DISCONNECT")),
            ("1/admin,[]", UnexpectedPayload("DISCONNECT")),
            ("11", UnexpectedAckId("DISCONNECT")),
            ("4", MissingPayload("CONNECT_ERROR")),
            (
                "4[1]",
                InvalidPayloadShape {
                    packet: "CONNECT_ERROR",
                    expected: "a JSON object or string",
                },
            ),
            ("41{}", UnexpectedAckId("CONNECT_ERROR")),
            (
                "4€",
                InvalidJson("expected value at line 1 column 1".into()),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                SocketPacket::decode(input),
                Err(expected),
                "decoding {input:?}"
            );
        }
    }

    #[test]
    fn multibyte_text_is_split_on_characters() -> Result<(), DecodeError> {
        assert_eq!(
            SocketPacket::decode(r#"2/€dmin,7["€",1]"#)?,
            SocketPacket::event("/€dmin", "€", vec![json!(1)], Some(7))
        );
        Ok(())
    }

    #[test]
    fn error_messages_name_the_problem() {
        assert_eq!(
            DecodeError::MissingEventName.to_string(),
            "the event payload must be a non-empty JSON array whose first element is the event name, a string"
        );
        assert_eq!(
            DecodeError::TooManyAttachments {
                count: 10_001,
                max: 10_000
            }
            .to_string(),
            "the binary packet announces 10001 attachments; at most 10000 are accepted"
        );
        assert_eq!(
            DecodeError::MissingAckId("ACK").to_string(),
            "the ACK packet has no ack id, but one is required"
        );
    }

    #[test]
    fn every_short_input_either_fails_or_reencodes_to_the_same_packet() {
        let alphabet = [
            '0', '1', '2', '3', '5', '6', '-', '/', ',', '[', ']', '"', 'a', '€',
        ];
        for input in short_strings(&alphabet, 5) {
            if let Ok(packet) = SocketPacket::decode(&input) {
                let text = packet.encode();
                assert_eq!(
                    SocketPacket::decode(&text),
                    Ok(packet),
                    "{input:?} re-encoded as {text:?}"
                );
            }
        }
    }
}
