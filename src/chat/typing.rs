//! Typing indicators: who else is typing (shown for 3 s after their last
//! `typing`), and when to tell the others that we are (at most once a second).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::time::Instant;

/// How long another member shows as typing after their last `typing`.
pub const TYPING_SHOWN_FOR: Duration = Duration::from_secs(3);

/// The least time between two `typing` emits of ours.
pub const TYPING_SEND_INTERVAL: Duration = Duration::from_secs(1);

/// The other members typing now, each with the instant their indicator ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Typists {
    until: BTreeMap<String, Instant>,
}

impl Typists {
    /// `name` typed at `now`.
    pub(crate) fn typed(&mut self, name: String, now: Instant) {
        self.until.insert(name, now + TYPING_SHOWN_FOR);
    }

    /// `name` stopped (e.g. their message arrived).
    pub(crate) fn stopped(&mut self, name: &str) {
        self.until.remove(name);
    }

    /// Forgets the indicators that ended at or before `now`.
    pub(crate) fn expire(&mut self, now: Instant) {
        self.until.retain(|_, until| *until > now);
    }

    /// The earliest end of an indicator.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.until.values().min().copied()
    }

    /// The names, sorted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.until.keys().map(String::as_str)
    }
}

/// Whether our own `typing` may go out at `now`, given the last one.
pub(crate) fn may_send_typing(last: Option<Instant>, now: Instant) -> bool {
    last.is_none_or(|last| now.saturating_duration_since(last) >= TYPING_SEND_INTERVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn an_indicator_lasts_three_seconds_after_the_last_typing() {
        let mut typists = Typists::default();
        typists.typed("bob".into(), t(0));
        typists.typed("bob".into(), t(2_000));
        assert_eq!(typists.next_expiry(), Some(t(5_000)));
        typists.expire(t(4_999));
        assert_eq!(typists.names().collect::<Vec<_>>(), ["bob"]);
        typists.expire(t(5_000));
        assert_eq!(typists.names().count(), 0);
        assert_eq!(typists.next_expiry(), None);
    }

    #[test]
    fn our_typing_goes_out_at_most_once_a_second() {
        assert!(may_send_typing(None, t(0)));
        assert!(!may_send_typing(Some(t(0)), t(999)));
        assert!(may_send_typing(Some(t(0)), t(1_000)));
    }
}
