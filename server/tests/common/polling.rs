//! A minimal Socket.IO client over Engine.IO long-polling, on raw HTTP
//! requests: enough to connect (with auth), emit with an ack, read the
//! answer and the events the server sends, in process-level tests.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http_request;

/// How long an ack or an event may take before the test fails (a poll
/// returns at the latest with the server's next ping).
const WAIT: Duration = Duration::from_secs(10);

/// One Engine.IO polling session on namespace `/`.
pub struct Polling {
    authority: String,
    sid: String,
    /// Socket.IO packets received but not yet asked for.
    pending: VecDeque<String>,
    /// Events (`[name, payload]`) that arrived while waiting for an ack.
    events: VecDeque<Value>,
    /// Acks (first argument by ack id) that arrived while waiting for others.
    early_acks: HashMap<u32, Value>,
    next_ack: u32,
}

impl Polling {
    /// Opens an Engine.IO session (the handshake GET).
    pub fn open(authority: &str) -> Self {
        Self::open_with_headers(authority, &[])
    }

    /// Opens an Engine.IO session with extra `headers` on the handshake
    /// (an `Origin`, say).
    pub fn open_with_headers(authority: &str, headers: &[(&str, &str)]) -> Self {
        let res = http_request(
            authority,
            "GET",
            "/socket.io/?EIO=4&transport=polling",
            headers,
            b"",
        );
        assert_eq!(res.status, 200, "handshake: {res:?}");
        let body = String::from_utf8_lossy(&res.body).into_owned();
        let open: Value = serde_json::from_str(body.strip_prefix('0').expect("an open packet"))
            .expect("open packet JSON");
        Self {
            authority: authority.to_owned(),
            sid: open["sid"].as_str().expect("a sid").to_owned(),
            pending: VecDeque::new(),
            events: VecDeque::new(),
            early_acks: HashMap::new(),
            next_ack: 0,
        }
    }

    /// The path (with query) of this session's polling requests.
    pub fn path(&self) -> String {
        format!("/socket.io/?EIO=4&transport=polling&sid={}", self.sid)
    }

    /// POSTs one Engine.IO packet.
    pub fn post(&self, packet: &str) {
        let res = http_request(
            &self.authority,
            "POST",
            &self.path(),
            &[],
            packet.as_bytes(),
        );
        assert_eq!(res.status, 200, "POST {packet:?}: {res:?}");
    }

    /// The next Socket.IO packet (without the Engine.IO `4`), polling as
    /// needed and answering pings.
    pub fn next_packet(&mut self) -> String {
        loop {
            if let Some(packet) = self.pending.pop_front() {
                return packet;
            }
            let res = http_request(&self.authority, "GET", &self.path(), &[], b"");
            assert_eq!(res.status, 200, "poll: {res:?}");
            for packet in String::from_utf8_lossy(&res.body).split('\u{1e}') {
                if packet == "2" {
                    self.post("3");
                } else if let Some(sio) = packet.strip_prefix('4') {
                    self.pending.push_back(sio.to_owned());
                }
            }
        }
    }

    /// Sends CONNECT to `/` with `auth` and returns the answer packet:
    /// `0{"sid":…}` (connected) or `4{"message":…}` (CONNECT_ERROR).
    pub fn connect(&mut self, auth: Option<Value>) -> String {
        match auth {
            Some(auth) => self.post(&format!("40{auth}")),
            None => self.post("40"),
        }
        loop {
            let packet = self.next_packet();
            if packet.starts_with('0') || packet.starts_with('4') {
                return packet;
            }
        }
    }

    /// Emits `event` with `payload`, asking for an ack, and returns the
    /// ack's first argument. Events arriving meanwhile are kept for
    /// [`next_event`](Self::next_event).
    pub fn ask(&mut self, event: &str, payload: Value) -> Value {
        let ids = self.emit_all(&[(event, payload)]);
        self.acks(&ids).remove(0)
    }

    /// Emits every `(event, payload)` of `events` in one POST body (as
    /// socket.io-client batches a burst), each asking for an ack, without
    /// waiting; returns their ack ids, for [`acks`](Self::acks).
    pub fn emit_all(&mut self, events: &[(&str, Value)]) -> Vec<u32> {
        let (packets, ids) = self.event_packets(events);
        self.post(&packets.join("\u{1e}"));
        ids
    }

    /// The Engine.IO packets of `events`, each asking for an ack, to POST
    /// with others; and their ack ids.
    pub fn event_packets(&mut self, events: &[(&str, Value)]) -> (Vec<String>, Vec<u32>) {
        events
            .iter()
            .map(|(event, payload)| {
                self.next_ack += 1;
                let args = Value::Array(vec![Value::from(*event), payload.clone()]);
                (format!("42{}{args}", self.next_ack), self.next_ack)
            })
            .unzip()
    }

    /// The first argument of the ack of each of `ids`, in the order of
    /// `ids`, whatever order they come in; events and other acks arriving
    /// meanwhile are kept for later calls. Fails after `WAIT`.
    pub fn acks(&mut self, ids: &[u32]) -> Vec<Value> {
        self.wait_for_acks(ids, ids.len());
        ids.iter()
            .filter_map(|id| self.early_acks.remove(id))
            .collect()
    }

    /// Waits until at least `count` of `ids` are answered and returns the
    /// answered ones (`(id, first argument)`, in the order of `ids`); the
    /// others can be asked for later. Fails after `WAIT`.
    pub fn some_acks(&mut self, ids: &[u32], count: usize) -> Vec<(u32, Value)> {
        self.wait_for_acks(ids, count);
        ids.iter()
            .filter_map(|id| self.early_acks.remove(id).map(|ack| (*id, ack)))
            .collect()
    }

    fn wait_for_acks(&mut self, ids: &[u32], count: usize) {
        let deadline = Instant::now() + WAIT;
        loop {
            let missing: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|id| !self.early_acks.contains_key(id))
                .collect();
            if ids.len() - missing.len() >= count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "acks {missing:?} missing after {WAIT:?} (wanted {count} of {ids:?})"
            );
            let packet = self.next_packet();
            match ack_of(&packet) {
                Some((id, mut args)) => {
                    self.early_acks.insert(id, args[0].take());
                }
                None => self.keep_event(&packet),
            }
        }
    }

    /// The payload of the next `name` event, in arrival order (other events
    /// before it are skipped), polling as needed.
    pub fn next_event(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            assert!(Instant::now() < deadline, "no {name} event within {WAIT:?}");
            while let Some(event) = self.events.pop_front() {
                if event[0] == name {
                    return event[1].clone();
                }
            }
            let packet = self.next_packet();
            self.keep_event(&packet);
        }
    }

    fn keep_event(&mut self, packet: &str) {
        if let Some(json) = packet.strip_prefix('2') {
            let event: Value = serde_json::from_str(json).expect("event JSON");
            self.events.push_back(event);
        }
    }
}

/// The id and arguments of an ACK packet (`3<id>[…]`), if `packet` is one.
fn ack_of(packet: &str) -> Option<(u32, Value)> {
    let rest = packet.strip_prefix('3')?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let id = rest[..digits].parse().ok()?;
    let args = serde_json::from_str(&rest[digits..]).ok()?;
    Some((id, args))
}
