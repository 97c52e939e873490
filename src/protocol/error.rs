//! The one error type of the protocol core: why a packet could not be decoded.

/// Why an Engine.IO packet, a polling payload or a Socket.IO packet could not
/// be decoded.
///
/// Every message is a sentence that says what was wrong with the input, so it
/// can be logged or shown as is. Decoders never panic; they return one of
/// these instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The packet was an empty string; every packet starts with a type character.
    #[error("the packet is empty; every packet must start with its type character")]
    Empty,

    /// The first character is not an Engine.IO packet type (`0`–`6`, or `b`
    /// for base64 binary).
    #[error("unknown Engine.IO packet type '{0}'; expected a digit from 0 to 6, or 'b' for base64 binary")]
    UnknownEnginePacketType(char),

    /// The first character is not a Socket.IO packet type (`0`–`6`).
    #[error("unknown Socket.IO packet type '{0}'; expected a digit from 0 to 6")]
    UnknownSocketPacketType(char),

    /// The JSON of an Engine.IO open packet is not a valid handshake.
    #[error("the Engine.IO open packet does not hold a valid handshake: {0}")]
    InvalidHandshake(String),

    /// The JSON part of a Socket.IO packet does not parse.
    #[error("the packet's payload is not valid JSON: {0}")]
    InvalidJson(String),

    /// A `b`-prefixed (polling) binary packet is not valid base64.
    #[error("the binary packet is not valid base64: {0}")]
    InvalidBase64(String),

    /// The acknowledgement id does not fit in 64 bits.
    #[error("the ack id is too large; it must fit in an unsigned 64-bit integer")]
    InvalidAckId,

    /// A binary packet's attachment count is missing, or not followed by `-`.
    #[error(
        "a binary packet must start with its attachment count followed by '-', as in \"51-[...]\""
    )]
    InvalidAttachmentCount,

    /// A binary packet announces more attachments than we accept.
    #[error("the binary packet announces {count} attachments; at most {max} are accepted")]
    TooManyAttachments {
        /// The announced count (saturated at `usize::MAX`).
        count: usize,
        /// The largest count accepted.
        max: usize,
    },

    /// A namespace (text starting with `/`) is not followed by `,`.
    #[error("the namespace is not terminated; a namespace must be followed by ',', as in \"2/admin,[...]\"")]
    UnterminatedNamespace,

    /// An EVENT or BINARY_EVENT payload does not start with the event name.
    #[error("the event payload must be a non-empty JSON array whose first element is the event name, a string")]
    MissingEventName,

    /// A packet type that requires a JSON payload came without one.
    #[error("the {0} packet has no payload, but one is required")]
    MissingPayload(&'static str),

    /// A packet type that takes no payload came with one.
    #[error("the {0} packet must not carry a payload")]
    UnexpectedPayload(&'static str),

    /// The JSON payload has the wrong shape for its packet type.
    #[error("the {packet} payload must be {expected}")]
    InvalidPayloadShape {
        /// The packet type, e.g. `"ACK"`.
        packet: &'static str,
        /// What the payload must be, e.g. `"a JSON array"`.
        expected: &'static str,
    },

    /// An ACK or BINARY_ACK packet has no acknowledgement id.
    #[error("the {0} packet has no ack id, but one is required")]
    MissingAckId(&'static str),

    /// A packet type that cannot be acknowledged carries an ack id.
    #[error("the {0} packet must not carry an ack id")]
    UnexpectedAckId(&'static str),

    /// A binary packet's placeholder points at an attachment that did not come.
    #[error("attachment {index} of {count} is missing: the packet's placeholder refers to it, but only {count} attachment(s) arrived")]
    MissingAttachment {
        /// The placeholder's `num`.
        index: u64,
        /// How many attachments arrived.
        count: usize,
    },

    /// Two placeholders of a binary packet name the same attachment.
    #[error("binary placeholder {index} appears more than once; a Socket.IO encoder numbers each attachment once")]
    RepeatedPlaceholder {
        /// The placeholder's `num`, seen a second time.
        index: u64,
    },

    /// A binary attachment arrived when no binary packet was waiting for one.
    #[error("a binary attachment arrived, but no BINARY_EVENT or BINARY_ACK packet announced it")]
    UnexpectedAttachment,

    /// A text packet arrived before all attachments of a binary packet did.
    #[error("a text packet arrived after {received} of {expected} attachments of a binary packet; the binary packet was dropped")]
    InterruptedAttachments {
        /// Attachments received before the interruption.
        received: usize,
        /// Attachments the binary packet announced.
        expected: usize,
    },

    /// One packet of a polling payload is invalid.
    #[error("packet {index} of the polling payload is invalid: {source}")]
    InvalidPayloadPacket {
        /// The zero-based index of the packet in the payload.
        index: usize,
        /// Why that packet is invalid.
        source: Box<DecodeError>,
    },
}
