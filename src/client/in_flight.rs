//! [`InFlight`]: the emits of one namespace waiting for their ack, by wire
//! ack id, with their deadlines kept in order beside them, so the earliest
//! deadline and the overdue acks are found without looking at every emit
//! (with 100 emits in flight, the pump asks on every message).

use crate::client::sorted_map::SortedMap;
use crate::time::Instant;

/// One emit waiting for its ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiting {
    /// The id the application knows (`None`: a retried emit without a user ack).
    pub(crate) handle: Option<u64>,
    pub(crate) deadline: Option<Instant>,
}

/// The emits waiting for an ack, by wire ack id.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    waiting: SortedMap<u64, Waiting>,
    /// `(deadline, wire id)` of every waiting emit that has a deadline.
    deadlines: SortedMap<(Instant, u64), ()>,
}

impl InFlight {
    pub(crate) fn insert(&mut self, wire: u64, waiting: Waiting) {
        if let Some(old) = self.waiting.insert(wire, waiting) {
            self.forget_deadline(wire, old);
        }
        if let Some(deadline) = waiting.deadline {
            self.deadlines.insert((deadline, wire), ());
        }
    }

    pub(crate) fn remove(&mut self, wire: u64) -> Option<Waiting> {
        let waiting = self.waiting.remove(&wire)?;
        self.forget_deadline(wire, waiting);
        Some(waiting)
    }

    /// Keeps only the emits for which `keep(wire, waiting)` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(u64, &Waiting) -> bool) {
        let deadlines = &mut self.deadlines;
        self.waiting.retain(|&wire, waiting| {
            let kept = keep(wire, waiting);
            if !kept {
                if let Some(deadline) = waiting.deadline {
                    deadlines.remove(&(deadline, wire));
                }
            }
            kept
        });
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Waiting> {
        // Deadlines are not changed through this (only handles are).
        self.waiting.values_mut()
    }

    pub(crate) fn handles(&self) -> impl Iterator<Item = u64> + '_ {
        self.waiting.values().filter_map(|w| w.handle)
    }

    pub(crate) fn clear(&mut self) {
        self.waiting.clear();
        self.deadlines.clear();
    }

    /// The wire ids whose deadline is at or before `now`, earliest first.
    pub(crate) fn overdue(&self, now: Instant) -> Vec<u64> {
        self.deadlines
            .iter()
            .take_while(|((deadline, _), ())| *deadline <= now)
            .map(|((_, wire), ())| *wire)
            .collect()
    }

    /// The earliest deadline.
    pub(crate) fn earliest(&self) -> Option<Instant> {
        self.deadlines.first().map(|((deadline, _), ())| *deadline)
    }

    fn forget_deadline(&mut self, wire: u64, waiting: Waiting) {
        if let Some(deadline) = waiting.deadline {
            self.deadlines.remove(&(deadline, wire));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Option<Instant> {
        Some(Instant::from_millis(ms))
    }

    fn waiting(handle: u64, deadline: Option<Instant>) -> Waiting {
        Waiting {
            handle: Some(handle),
            deadline,
        }
    }

    #[test]
    fn the_earliest_deadline_and_the_overdue_ones_follow_inserts_and_removals() {
        let mut acks = InFlight::default();
        acks.insert(1, waiting(10, at(300)));
        acks.insert(2, waiting(11, None));
        acks.insert(3, waiting(12, at(100)));
        acks.insert(4, waiting(13, at(200)));
        assert_eq!(acks.earliest(), at(100));
        assert_eq!(acks.overdue(Instant::from_millis(200)), vec![3, 4]);

        assert_eq!(acks.remove(3), Some(waiting(12, at(100))));
        assert_eq!(acks.earliest(), at(200));
        acks.retain(|wire, _| wire != 4);
        assert_eq!(acks.earliest(), at(300));
        assert_eq!(acks.remove(2), Some(waiting(11, None)));
        assert_eq!(acks.remove(2), None);
        acks.clear();
        assert_eq!(acks.earliest(), None);
        assert!(acks.overdue(Instant::from_millis(u64::MAX)).is_empty());
    }

    #[test]
    fn replacing_an_entry_replaces_its_deadline() {
        let mut acks = InFlight::default();
        acks.insert(7, waiting(1, at(100)));
        acks.insert(7, waiting(1, at(500)));
        assert_eq!(acks.earliest(), at(500));
        assert_eq!(acks.handles().collect::<Vec<_>>(), vec![1]);
    }
}
