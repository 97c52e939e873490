//! [`WriteBuffer`]: the outgoing queue of a long-polling transport.
//!
//! Polling sends with HTTP POSTs, and at most one may be in flight: a second
//! one could overtake the first and reorder packets. So packets wait here,
//! and each POST carries as many of them as fit in the server's
//! `maxPayload`, joined by `\x1e` (see [`encode_payload`]).
//!
//! A failed POST is not retried. In Engine.IO a failed request means the
//! transport is gone, and with it the session (socket.io-client's polling
//! transport does the same: its error closes the socket), so its packets
//! (which may or may not have reached the server) are not re-queued, and
//! no later session replays them: the
//! [`EngineSocket`](crate::engine::EngineSocket) drops this buffer and
//! reports the close. What is sent again is the Socket.IO client's
//! decision, made above the engine.

use std::collections::VecDeque;

use crate::protocol::{encode_payload, EnginePacket};

/// Outgoing Engine.IO packets waiting for a POST, for long-polling.
///
/// Rules:
/// - [`push`](Self::push) queues a packet;
/// - [`take_batch`](Self::take_batch) hands out the body of the next POST
///   (the oldest packets, in order, as many as fit in `max_payload`) and
///   marks a POST in flight; while one is, it hands out nothing;
/// - [`post_succeeded`](Self::post_succeeded) ends the POST; there is no
///   "failed": a failed POST ends the session, and the buffer with it (see
///   the module doc);
/// - [`take_last`](Self::take_last) hands out the whole queue for the last
///   POST of a session the application closes;
/// - [`drain_all`](Self::drain_all) hands the queued packets to the
///   transport that replaces polling after an upgrade.
///
/// ```
/// use leptos_socketio::engine::WriteBuffer;
/// use leptos_socketio::protocol::EnginePacket;
///
/// let mut buffer = WriteBuffer::new();
/// buffer.push(EnginePacket::Message("2[\"a\"]".into()));
/// buffer.push(EnginePacket::Binary(vec![1, 2, 3]));
/// assert_eq!(buffer.take_batch(1_000_000).as_deref(), Some("42[\"a\"]\x1ebAQID"));
/// // One POST at a time: the next batch waits for the answer.
/// buffer.push(EnginePacket::Message("2[\"b\"]".into()));
/// assert_eq!(buffer.take_batch(1_000_000), None);
/// buffer.post_succeeded();
/// assert_eq!(buffer.take_batch(1_000_000).as_deref(), Some("42[\"b\"]"));
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteBuffer {
    /// Packets not yet handed out, oldest first.
    queue: VecDeque<EnginePacket>,
    /// Whether a POST is in flight (its packets left with its body).
    in_flight: bool,
}

impl WriteBuffer {
    /// An empty buffer with no POST in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a packet behind the others.
    pub fn push(&mut self, packet: EnginePacket) {
        self.queue.push_back(packet);
    }

    /// The body of the next POST, or `None` while a POST is in flight or
    /// when nothing is queued.
    ///
    /// The body holds the oldest queued packets, in order, as many as fit in
    /// `max_payload` bytes (the handshake's `maxPayload`), counting the UTF-8
    /// bytes of each packet's text form (binary as `b` + base64) and one byte
    /// per `\x1e` separator. It always holds at least one packet: a packet
    /// that alone exceeds `max_payload` goes out by itself, and the server
    /// will refuse it (it answers with an error and closes the session, as
    /// Socket.IO does for any oversized packet) — holding it back forever
    /// would block every packet behind it instead.
    ///
    /// On `Some`, a POST is in flight until
    /// [`post_succeeded`](Self::post_succeeded).
    pub fn take_batch(&mut self, max_payload: u64) -> Option<String> {
        if self.in_flight {
            return None;
        }
        let mut batch = Vec::new();
        let mut size: u64 = 0;
        while let Some(next) = self.queue.front() {
            let separator = u64::from(!batch.is_empty());
            let grown = size
                .saturating_add(separator)
                .saturating_add(encoded_len(next));
            if !batch.is_empty() && grown > max_payload {
                break;
            }
            let Some(packet) = self.queue.pop_front() else {
                break;
            };
            batch.push(packet);
            size = grown;
        }
        if batch.is_empty() {
            return None;
        }
        self.in_flight = true;
        Some(encode_payload(&batch))
    }

    /// Every queued packet, oldest first, as one payload, for the last POST
    /// of a closing session: unlike [`take_batch`](Self::take_batch) it does
    /// not wait for a POST in flight (whose outcome no longer matters) and
    /// does not split at `max_payload` (a closing session has no later
    /// POST; should the server refuse an oversized one, it closes the
    /// session all the same). `None` when nothing is queued.
    pub fn take_last(&mut self) -> Option<String> {
        if self.queue.is_empty() {
            return None;
        }
        let batch = Vec::from(std::mem::take(&mut self.queue));
        Some(encode_payload(&batch))
    }

    /// The POST in flight was answered `ok`: its packets are delivered.
    /// Does nothing when no POST is in flight.
    pub fn post_succeeded(&mut self) {
        self.in_flight = false;
    }

    /// Takes every queued packet, oldest first, to send on the transport that
    /// replaces polling after an upgrade.
    ///
    /// The packets of a POST in flight are not among them: they left with
    /// its body, and sending them again on the new transport could deliver
    /// them twice. The upgrade pauses polling until both the GET and the
    /// POST in flight are answered, so after a successful upgrade there is
    /// none (and should that POST fail, the session ends; see the module
    /// doc).
    pub fn drain_all(&mut self) -> Vec<EnginePacket> {
        // The whole queue moved out (no `Drain` code in the bundle).
        Vec::from(std::mem::take(&mut self.queue))
    }

    /// Whether a POST is in flight.
    pub fn is_post_in_flight(&self) -> bool {
        self.in_flight
    }

    /// How many packets are queued, not counting a POST in flight.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no packet is queued (a POST may still be in flight).
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// The length in bytes of `packet.encode_text()`, without building it for
/// the packets that may be large.
fn encoded_len(packet: &EnginePacket) -> u64 {
    let bytes = match packet {
        EnginePacket::Message(text) | EnginePacket::Ping(text) | EnginePacket::Pong(text) => {
            1usize.saturating_add(text.len())
        }
        // `b` + padded base64: 4 characters per started group of 3 bytes.
        EnginePacket::Binary(bytes) => {
            1usize.saturating_add(bytes.len().div_ceil(3).saturating_mul(4))
        }
        EnginePacket::Close | EnginePacket::Upgrade | EnginePacket::Noop => 1,
        EnginePacket::Open(_) => packet.encode_text().len(),
    };
    u64::try_from(bytes).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{decode_payload, DecodeError, Handshake};

    fn msg(text: &str) -> EnginePacket {
        EnginePacket::Message(text.to_owned())
    }

    fn bytes_of(body: &Option<String>) -> u64 {
        body.as_ref().map_or(0, |b| b.len() as u64)
    }

    #[test]
    fn batches_every_queued_packet_in_order_when_they_fit() -> Result<(), DecodeError> {
        let mut buffer = WriteBuffer::new();
        let packets = vec![
            msg("0"),
            msg("2[\"a\"]"),
            EnginePacket::Binary(vec![1, 2, 3, 4]),
            msg("2[\"€\"]"),
        ];
        for p in &packets {
            buffer.push(p.clone());
        }
        let body = buffer.take_batch(1_000_000);
        assert_eq!(
            body.as_deref(),
            Some("40\x1e42[\"a\"]\x1ebAQIDBA==\x1e42[\"€\"]")
        );
        assert_eq!(
            decode_payload(body.as_deref().unwrap_or_default())?,
            packets
        );
        assert!(buffer.is_empty());
        assert!(buffer.is_post_in_flight());
        Ok(())
    }

    #[test]
    fn nothing_queued_gives_no_batch_and_no_post() {
        let mut buffer = WriteBuffer::new();
        assert_eq!(buffer.take_batch(1_000_000), None);
        assert!(!buffer.is_post_in_flight());
    }

    #[test]
    fn only_one_post_is_in_flight_at_a_time() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("a"));
        assert_eq!(buffer.take_batch(100).as_deref(), Some("4a"));
        buffer.push(msg("b"));
        assert_eq!(buffer.take_batch(100), None, "a POST is in flight");
        assert_eq!(buffer.len(), 1);
        buffer.post_succeeded();
        assert!(!buffer.is_post_in_flight());
        assert_eq!(buffer.take_batch(100).as_deref(), Some("4b"));
        buffer.post_succeeded();
        assert_eq!(buffer.take_batch(100), None);
    }

    #[test]
    fn a_batch_that_fits_exactly_is_sent_whole() {
        // "4aaa" (4) + separator (1) + "4bbb" (4) = 9 bytes.
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("aaa"));
        buffer.push(msg("bbb"));
        let body = buffer.take_batch(9);
        assert_eq!(body.as_deref(), Some("4aaa\x1e4bbb"));
        assert_eq!(bytes_of(&body), 9);
    }

    #[test]
    fn one_byte_over_the_limit_leaves_the_last_packet_for_the_next_post() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("aaa"));
        buffer.push(msg("bbb"));
        assert_eq!(buffer.take_batch(8).as_deref(), Some("4aaa"));
        assert_eq!(buffer.len(), 1);
        buffer.post_succeeded();
        assert_eq!(buffer.take_batch(8).as_deref(), Some("4bbb"));
    }

    #[test]
    fn the_separator_counts_toward_the_limit() {
        // Without the separator, "4a" + "4b" would be 4 bytes.
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("a"));
        buffer.push(msg("b"));
        assert_eq!(buffer.take_batch(4).as_deref(), Some("4a"));
    }

    #[test]
    fn the_limit_counts_utf8_bytes_not_characters() {
        // "4€" is 2 characters but 4 bytes.
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("€"));
        buffer.push(msg("x"));
        assert_eq!(buffer.take_batch(6).as_deref(), Some("4€"));
        buffer.post_succeeded();
        buffer.push(msg("y"));
        assert_eq!(buffer.take_batch(5).as_deref(), Some("4x\x1e4y"));
    }

    #[test]
    fn a_single_oversize_packet_is_still_sent_alone() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("far too long for the limit"));
        buffer.push(msg("b"));
        assert_eq!(
            buffer.take_batch(3).as_deref(),
            Some("4far too long for the limit")
        );
        assert_eq!(buffer.len(), 1, "the next packet waits for its own POST");
        buffer.post_succeeded();
        assert_eq!(buffer.take_batch(3).as_deref(), Some("4b"));
    }

    #[test]
    fn a_zero_limit_still_moves_one_packet_per_post() {
        let mut buffer = WriteBuffer::new();
        buffer.push(EnginePacket::Close);
        buffer.push(EnginePacket::Noop);
        assert_eq!(buffer.take_batch(0).as_deref(), Some("1"));
        buffer.post_succeeded();
        assert_eq!(buffer.take_batch(0).as_deref(), Some("6"));
    }

    #[test]
    fn a_post_success_without_a_post_in_flight_changes_nothing() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("a"));
        buffer.post_succeeded();
        assert_eq!(buffer.len(), 1);
        assert_eq!(buffer.take_batch(100).as_deref(), Some("4a"));
    }

    #[test]
    fn binary_is_counted_as_its_base64_text() {
        // 4 bytes -> "b" + "AQIDBA==" = 9 bytes; 3 bytes -> "b" + "AQID" = 5.
        let two = || {
            let mut buffer = WriteBuffer::new();
            buffer.push(EnginePacket::Binary(vec![1, 2, 3, 4]));
            buffer.push(EnginePacket::Binary(vec![1, 2, 3]));
            buffer
        };
        assert_eq!(two().take_batch(14).as_deref(), Some("bAQIDBA=="));
        let body = two().take_batch(15);
        assert_eq!(body.as_deref(), Some("bAQIDBA==\x1ebAQID"));
        assert_eq!(bytes_of(&body), 15);
    }

    #[test]
    fn the_size_estimate_matches_the_encoding_of_every_packet_kind() {
        let handshake = Handshake {
            sid: "s".into(),
            upgrades: vec!["websocket".into()],
            ping_interval: 1,
            ping_timeout: 2,
            max_payload: 3,
        };
        let mut packets = vec![
            EnginePacket::Open(handshake),
            EnginePacket::Close,
            EnginePacket::Ping("probe".into()),
            EnginePacket::Pong(String::new()),
            msg("2[\"€\"]"),
            EnginePacket::Upgrade,
            EnginePacket::Noop,
        ];
        packets.extend((0..8).map(|n| EnginePacket::Binary(vec![7; n])));
        for packet in packets {
            assert_eq!(
                encoded_len(&packet),
                packet.encode_text().len() as u64,
                "{packet:?}"
            );
        }
    }

    #[test]
    fn the_last_post_takes_the_whole_queue_even_with_a_post_in_flight() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("a"));
        assert_eq!(buffer.take_batch(100).as_deref(), Some("4a"));
        buffer.push(msg("far too long for any batch"));
        buffer.push(EnginePacket::Close);
        assert_eq!(buffer.take_batch(100), None, "a POST is in flight");
        assert_eq!(
            buffer.take_last().as_deref(),
            Some("4far too long for any batch\x1e1")
        );
        assert_eq!(buffer.len(), 0);
        assert_eq!(buffer.take_last(), None, "nothing left");
    }

    #[test]
    fn drain_all_takes_the_queue_but_not_the_post_in_flight() {
        let mut buffer = WriteBuffer::new();
        buffer.push(msg("1"));
        assert_eq!(buffer.take_batch(100).as_deref(), Some("41"));
        buffer.push(msg("2"));
        buffer.push(msg("3"));
        assert_eq!(buffer.drain_all(), vec![msg("2"), msg("3")]);
        assert!(buffer.is_empty());
        assert!(buffer.is_post_in_flight());
        buffer.post_succeeded();
        assert_eq!(buffer.drain_all(), vec![], "1 left with its POST");
    }
}
