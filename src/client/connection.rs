//! [`Connection`]: the Socket.IO side of one Engine.IO connection —
//! several namespaces multiplexed over one session (sans-IO), as in
//! socket.io-client's `Manager`.

use std::collections::VecDeque;

use crate::client::sorted_map::SortedMap;
use crate::client::{Namespace, NamespaceEvent, NamespaceOptions};
use crate::protocol::{DecodeError, Reassembler};
use crate::time::Instant;

/// One Engine.IO message to send: a text packet or a binary attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// An encoded Socket.IO packet.
    Text(String),
    /// A binary attachment, right after the packet that announced it.
    Binary(Vec<u8>),
}

/// The Socket.IO side of one Engine.IO connection: routes packets to their
/// [`Namespace`], encodes what the namespaces send (binary parts as
/// attachments), and puts received attachments back in place.
///
/// ```
/// use leptos_socketio::client::{EmitOptions, Connection, NamespaceOptions, Outgoing};
/// use leptos_socketio::protocol::Value;
/// use leptos_socketio::time::Instant;
///
/// let now = Instant::from_millis(0);
/// let mut m = Connection::default();
/// m.open_namespace("/", NamespaceOptions::default());
/// m.handle_session_open();
/// m.handle_text(r#"0{"sid":"a"}"#, now).unwrap();
/// m.namespace_mut("/").unwrap().emit("f", vec![Value::Binary(vec![1])], EmitOptions::default(), now)?;
/// assert_eq!(m.poll_transmit(), Some(Outgoing::Text("0".into())));
/// assert_eq!(m.poll_transmit(), Some(Outgoing::Text(r#"51-["f",{"_placeholder":true,"num":0}]"#.into())));
/// assert_eq!(m.poll_transmit(), Some(Outgoing::Binary(vec![1])));
/// # Ok::<(), leptos_socketio::EmitError>(())
/// ```
#[derive(Debug, Default)]
pub struct Connection {
    namespaces: SortedMap<String, Namespace>,
    reassembler: Reassembler,
    session_open: bool,
    transmit: VecDeque<Outgoing>,
}

impl Connection {
    /// Adds namespace `name` (no-op if present); it sends CONNECT as soon as
    /// the session is open.
    pub fn open_namespace(&mut self, name: &str, options: NamespaceOptions) {
        if !self.namespaces.contains_key(name) {
            let mut ns = Namespace::new(name, options);
            if self.session_open {
                ns.handle_session_open();
            }
            self.namespaces.insert(name.to_owned(), ns);
        }
    }

    /// Removes namespace `name` after leaving it (DISCONNECT is sent).
    pub fn close_namespace(&mut self, name: &str) {
        if let Some(mut ns) = self.namespaces.remove(name) {
            ns.disconnect();
            self.collect(&mut ns);
        }
    }

    /// The namespace `name`, to emit on it.
    pub fn namespace_mut(&mut self, name: &str) -> Option<&mut Namespace> {
        self.namespaces.get_mut(name)
    }

    /// The names of the open namespaces.
    pub fn namespace_names(&self) -> impl Iterator<Item = &str> {
        self.namespaces.keys().map(String::as_str)
    }

    /// The Engine.IO session opened: every namespace sends CONNECT.
    pub fn handle_session_open(&mut self) {
        self.session_open = true;
        self.reassembler = Reassembler::default();
        self.namespaces
            .values_mut()
            .for_each(Namespace::handle_session_open);
    }

    /// The Engine.IO session closed.
    pub fn handle_session_closed(&mut self) {
        self.session_open = false;
        self.transmit.clear();
        self.reassembler = Reassembler::default();
        self.namespaces
            .values_mut()
            .for_each(Namespace::handle_session_closed);
    }

    /// Handles a text message of the session. Packets for namespaces not
    /// opened here are ignored, as socket.io-client does.
    pub fn handle_text(&mut self, text: &str, now: Instant) -> Result<(), DecodeError> {
        if let Some(packet) = self.reassembler.handle_text(text)? {
            if let Some(ns) = self.namespaces.get_mut(&packet.namespace) {
                ns.handle_packet(packet, now);
            }
        }
        Ok(())
    }

    /// Handles a binary message of the session (an attachment).
    pub fn handle_binary(&mut self, bytes: Vec<u8>, now: Instant) -> Result<(), DecodeError> {
        if let Some(packet) = self.reassembler.handle_binary(bytes)? {
            if let Some(ns) = self.namespaces.get_mut(&packet.namespace) {
                ns.handle_packet(packet, now);
            }
        }
        Ok(())
    }

    /// Lets every namespace fail or retry its overdue acks.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.namespaces
            .values_mut()
            .for_each(|ns| ns.handle_timeout(now));
    }

    fn collect(&mut self, ns: &mut Namespace) {
        while let Some(packet) = ns.poll_transmit() {
            let (wire, attachments) = packet.into_wire();
            self.transmit.push_back(Outgoing::Text(wire.encode()));
            self.transmit
                .extend(attachments.into_iter().map(Outgoing::Binary));
        }
    }

    /// The next message for the Engine.IO session.
    pub fn poll_transmit(&mut self) -> Option<Outgoing> {
        if self.transmit.is_empty() && self.session_open {
            let mut namespaces = std::mem::take(&mut self.namespaces);
            for ns in namespaces.values_mut() {
                self.collect(ns);
            }
            self.namespaces = namespaces;
        }
        self.transmit.pop_front()
    }

    /// The next event of any namespace, with the namespace's name.
    pub fn poll_event(&mut self) -> Option<(String, NamespaceEvent)> {
        self.namespaces
            .iter_mut()
            .find_map(|(name, ns)| ns.poll_event().map(|e| (name.clone(), e)))
    }

    /// The earliest deadline of any namespace.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.namespaces
            .values()
            .filter_map(Namespace::poll_timeout)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::EmitOptions;
    use crate::protocol::Value;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn drain(c: &mut Connection) -> Vec<Outgoing> {
        std::iter::from_fn(|| c.poll_transmit()).collect()
    }

    fn text(s: &str) -> Outgoing {
        Outgoing::Text(s.to_owned())
    }

    #[test]
    fn namespaces_share_one_session_and_get_only_their_packets() {
        let mut c = Connection::default();
        c.open_namespace("/", NamespaceOptions::default());
        c.open_namespace("/admin", NamespaceOptions::default());
        c.handle_session_open();
        assert_eq!(drain(&mut c), [text("0"), text("0/admin,")]);
        c.handle_text(r#"0/admin,{"sid":"b"}"#, t(0))
            .expect("valid");
        c.handle_text(r#"2/admin,["only admin"]"#, t(0))
            .expect("valid");
        c.handle_text(r#"2/other,["nobody"]"#, t(0)).expect("valid");
        assert_eq!(
            c.poll_event(),
            Some((
                "/admin".to_owned(),
                NamespaceEvent::Connected { sid: "b".into() }
            ))
        );
        assert!(matches!(
            c.poll_event(),
            Some((ns, NamespaceEvent::Event { name, .. })) if ns == "/admin" && name == "only admin"
        ));
        assert_eq!(c.poll_event(), None);
    }

    #[test]
    fn a_namespace_opened_on_a_live_session_connects_at_once() {
        let mut c = Connection::default();
        c.handle_session_open();
        c.open_namespace("/late", NamespaceOptions::default());
        assert_eq!(drain(&mut c), [text("0/late,")]);
    }

    #[test]
    fn binary_arguments_go_out_as_attachments_and_come_back_in_place() {
        let mut c = Connection::default();
        c.open_namespace("/", NamespaceOptions::default());
        c.handle_session_open();
        c.handle_text(r#"0{"sid":"a"}"#, t(0)).expect("valid");
        let args = vec![
            Value::Binary(vec![1]),
            Value::from(vec![Value::Binary(vec![2, 3])]),
        ];
        let ns = c.namespace_mut("/").expect("open");
        ns.emit("up", args.clone(), EmitOptions::default(), t(0))
            .expect("not full");
        assert_eq!(
            drain(&mut c),
            [
                text("0"),
                text(r#"52-["up",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]"#),
                Outgoing::Binary(vec![1]),
                Outgoing::Binary(vec![2, 3]),
            ]
        );
        c.handle_text(
            r#"52-["down",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]"#,
            t(1),
        )
        .expect("valid");
        c.handle_binary(vec![1], t(1)).expect("valid");
        assert_eq!(
            c.poll_event().map(|(ns, _)| ns).as_deref(),
            Some("/"),
            "Connected first"
        );
        assert_eq!(c.poll_event(), None, "waits for the second attachment");
        c.handle_binary(vec![2, 3], t(1)).expect("valid");
        assert_eq!(
            c.poll_event(),
            Some((
                "/".to_owned(),
                NamespaceEvent::Event {
                    name: "down".into(),
                    args,
                    ack_id: None
                }
            ))
        );
    }

    #[test]
    fn a_lost_session_drops_half_received_attachments() {
        let mut c = Connection::default();
        c.open_namespace("/", NamespaceOptions::default());
        c.handle_session_open();
        c.handle_text(r#"0{"sid":"a"}"#, t(0)).expect("valid");
        c.handle_text(r#"51-["x",{"_placeholder":true,"num":0}]"#, t(0))
            .expect("valid");
        c.handle_session_closed();
        c.handle_session_open();
        assert_eq!(
            c.handle_binary(vec![1], t(1)),
            Err(DecodeError::UnexpectedAttachment),
            "the new session does not mix in the old packet"
        );
    }
}
