//! [`SeqStream`]: catch-up after any gap, sans-IO. For a stream whose items
//! the server numbers (`seq`, strictly increasing, as the chat's per-room
//! `seq`): live items and the answers to catch-up fetches are merged so the
//! app sees every item once, in `seq` order, with no hole it does not know
//! about.

/// What [`SeqStream::receive`] made of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival<T> {
    /// Next in order: deliver these, in order (the item, then any held
    /// items it unblocked).
    InOrder(Vec<(u64, T)>),
    /// Already delivered or held: handed back, e.g. to update fields the
    /// first copy lacked.
    Duplicate(T),
    /// After a gap: held until the gap is filled. [`SeqStream::gap`] says
    /// what to fetch.
    Held,
}

/// Items of a server-numbered stream, merged from live events and
/// catch-up fetches.
///
/// Feed live items to [`receive`](Self::receive); when it holds one back
/// (a `seq` was skipped: an event was lost, or the connection dropped),
/// fetch everything after [`gap`](Self::gap) at once and hand the answer to
/// [`catch_up`](Self::catch_up). Keep [`synced`](Self::synced) in storage
/// and [`resume`](Self::resume) from it after a reload: the next fetch
/// asks only [`since`](Self::since) that point.
///
/// ```
/// use leptos_socketio::client::{Arrival, SeqStream};
///
/// let mut stream = SeqStream::new();
/// assert_eq!(stream.since(), None); // first fetch: the whole (recent) history
/// assert_eq!(stream.catch_up(vec![(1, "a"), (2, "b")]).len(), 2);
///
/// assert_eq!(stream.receive(3, "c"), Arrival::InOrder(vec![(3, "c")]));
/// assert_eq!(stream.receive(3, "c"), Arrival::Duplicate("c"));
/// assert_eq!(stream.receive(5, "e"), Arrival::Held); // 4 is missing
/// assert_eq!(stream.gap(), Some(3)); // fetch everything after 3, now
///
/// // The answer: 4 and 5. 5 is delivered once, after 4.
/// let merged = stream.catch_up(vec![(4, "d"), (5, "e")]);
/// assert_eq!(merged, vec![(4, "d"), (5, "e")]);
/// assert_eq!((stream.synced(), stream.gap()), (5, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqStream<T> {
    /// Every `seq` up to this one was delivered (or does not exist).
    synced: u64,
    /// Whether `synced` means something: a catch-up was merged, or the
    /// stream resumed from a stored point.
    resumed: bool,
    /// Items after a gap, sorted by `seq`, each above `synced + 1`.
    held: Vec<(u64, T)>,
    /// Before the first catch-up of a fresh stream: the `seq`s delivered
    /// live, which that catch-up must not deliver again.
    early: Vec<u64>,
}

impl<T> Default for SeqStream<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> SeqStream<T> {
    /// A stream that has seen nothing: its first fetch asks for everything
    /// ([`since`](Self::since) is `None`).
    pub fn new() -> Self {
        Self {
            synced: 0,
            resumed: false,
            held: Vec::new(),
            early: Vec::new(),
        }
    }

    /// A stream that already delivered everything up to `synced` (kept in
    /// storage by an earlier page): it fetches only what came after.
    pub fn resume(synced: u64) -> Self {
        Self {
            synced,
            resumed: true,
            held: Vec::new(),
            early: Vec::new(),
        }
    }

    /// Every `seq` up to this one was delivered: the point to keep in
    /// storage.
    pub fn synced(&self) -> u64 {
        self.synced
    }

    /// What a fetch should ask for: items after this `seq`; `None` before
    /// the first catch-up of a fresh stream (ask for the recent history).
    pub fn since(&self) -> Option<u64> {
        self.resumed.then_some(self.synced)
    }

    /// `Some(since)` while items are held after a gap: fetch everything
    /// after `since`.
    pub fn gap(&self) -> Option<u64> {
        (!self.held.is_empty()).then_some(self.synced)
    }

    /// A live item: delivered now if it is the next `seq` (with whatever it
    /// unblocks), handed back if already seen, held if it comes after a gap.
    /// Before the first catch-up of a fresh stream every new item is
    /// delivered at once: there is no point yet to measure a gap from.
    pub fn receive(&mut self, seq: u64, item: T) -> Arrival<T> {
        if !self.resumed {
            if self.early.contains(&seq) {
                return Arrival::Duplicate(item);
            }
            self.early.push(seq);
            self.synced = self.synced.max(seq);
            return Arrival::InOrder(vec![(seq, item)]);
        }
        if seq <= self.synced {
            return Arrival::Duplicate(item);
        }
        if seq > self.synced + 1 {
            return match self.held.binary_search_by_key(&seq, |(s, _)| *s) {
                Ok(_) => Arrival::Duplicate(item),
                Err(at) => {
                    self.held.insert(at, (seq, item));
                    Arrival::Held
                }
            };
        }
        self.synced = seq;
        let mut delivered = vec![(seq, item)];
        self.release_next(&mut delivered);
        Arrival::InOrder(delivered)
    }

    /// The answer to a fetch of everything after [`since`](Self::since) (or
    /// [`gap`](Self::gap)): merged with what is held, returned in `seq`
    /// order without what was already delivered. The server answered with
    /// everything it had, so afterwards the stream counts as in sync up to
    /// the highest `seq` it holds: a hole left now is a `seq` that does not
    /// exist.
    pub fn catch_up(&mut self, answer: impl IntoIterator<Item = (u64, T)>) -> Vec<(u64, T)> {
        let mut merged = std::mem::take(&mut self.held);
        let early = std::mem::take(&mut self.early);
        for (seq, item) in answer {
            let delivered = if self.resumed {
                seq <= self.synced
            } else {
                early.contains(&seq)
            };
            if delivered {
                continue;
            }
            if let Err(at) = merged.binary_search_by_key(&seq, |(s, _)| *s) {
                merged.insert(at, (seq, item));
            }
        }
        if let Some((last, _)) = merged.last() {
            self.synced = self.synced.max(*last);
        }
        self.resumed = true;
        merged
    }

    /// One page of the answer to a fetch after [`since`](Self::since) (or
    /// [`gap`](Self::gap)), when the server may have more (it returned as
    /// many as its page size): the page is delivered, in `seq` order
    /// without what was already delivered, and the stream is in sync up to
    /// its last `seq`; held items that now follow on come out too, and the
    /// others stay held, so [`gap`](Self::gap) asks for the next page.
    ///
    /// ```
    /// use leptos_socketio::client::SeqStream;
    ///
    /// let mut stream = SeqStream::resume(0);
    /// stream.receive(9, "i"); // held: 1–8 are missing
    /// let page = stream.catch_up_page(vec![(1, "a"), (2, "b"), (3, "c")]);
    /// assert_eq!(page.len(), 3);
    /// assert_eq!((stream.synced(), stream.gap()), (3, Some(3))); // fetch the next page
    /// ```
    pub fn catch_up_page(&mut self, page: impl IntoIterator<Item = (u64, T)>) -> Vec<(u64, T)> {
        let early = std::mem::take(&mut self.early);
        let mut delivered: Vec<(u64, T)> = Vec::new();
        for (seq, item) in page {
            let seen = if self.resumed {
                seq <= self.synced
            } else {
                early.contains(&seq)
            };
            if seen {
                continue;
            }
            if let Err(at) = delivered.binary_search_by_key(&seq, |(s, _)| *s) {
                delivered.insert(at, (seq, item));
            }
        }
        if let Some((last, _)) = delivered.last() {
            self.synced = self.synced.max(*last);
        }
        self.resumed = true;
        let synced = self.synced;
        // Held items the page covered were delivered with it.
        self.held.retain(|(seq, _)| *seq > synced);
        self.release_next(&mut delivered);
        delivered
    }

    /// Moves held items that now follow on into `delivered`.
    fn release_next(&mut self, delivered: &mut Vec<(u64, T)>) {
        let next = self
            .held
            .iter()
            .zip(self.synced + 1..)
            .take_while(|((seq, _), want)| seq == want)
            .count();
        for (seq, item) in self.held.drain(..next) {
            self.synced = seq;
            delivered.push((seq, item));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seqs<T>(items: &[(u64, T)]) -> Vec<u64> {
        items.iter().map(|(s, _)| *s).collect()
    }

    #[test]
    fn items_after_a_gap_wait_for_it_and_come_out_once_in_order() {
        let mut stream = SeqStream::resume(10);
        assert_eq!(stream.receive(13, 'c'), Arrival::Held);
        assert_eq!(stream.receive(12, 'b'), Arrival::Held);
        assert_eq!(stream.receive(13, 'c'), Arrival::Duplicate('c'));
        assert_eq!(stream.gap(), Some(10));
        assert_eq!(
            stream.receive(11, 'a'),
            Arrival::InOrder(vec![(11, 'a'), (12, 'b'), (13, 'c')]),
            "the missing one releases the held ones"
        );
        assert_eq!((stream.synced(), stream.gap()), (13, None));
        assert_eq!(stream.receive(12, 'b'), Arrival::Duplicate('b'));
    }

    #[test]
    fn a_catch_up_fills_the_gap_and_drops_what_was_delivered() {
        let mut stream = SeqStream::resume(2);
        assert!(matches!(stream.receive(5, "e"), Arrival::Held));
        let merged = stream.catch_up(vec![(1, "a"), (3, "c"), (4, "d"), (5, "e"), (6, "f")]);
        assert_eq!(seqs(&merged), [3, 4, 5, 6], "no duplicate of 1 or of 5");
        assert_eq!(stream.synced(), 6);
        assert_eq!(stream.since(), Some(6));
    }

    #[test]
    fn a_hole_the_server_does_not_fill_is_a_seq_that_does_not_exist() {
        let mut stream = SeqStream::resume(1);
        assert!(matches!(stream.receive(4, ()), Arrival::Held));
        let merged = stream.catch_up(vec![(2, ())]);
        assert_eq!(seqs(&merged), [2, 4]);
        assert_eq!((stream.synced(), stream.gap()), (4, None));
        assert_eq!(stream.receive(5, ()), Arrival::InOrder(vec![(5, ())]));
    }

    #[test]
    fn a_page_of_a_longer_answer_keeps_what_lies_beyond_it_held() {
        let mut stream = SeqStream::resume(10);
        assert_eq!(stream.receive(15, 'o'), Arrival::Held);
        assert_eq!(stream.receive(30, 'z'), Arrival::Held);
        let page = stream.catch_up_page(vec![(11, 'k'), (12, 'l'), (13, 'm'), (14, 'n')]);
        assert_eq!(
            seqs(&page),
            [11, 12, 13, 14, 15],
            "15 follows on from the page"
        );
        assert_eq!(
            (stream.synced(), stream.gap()),
            (15, Some(15)),
            "16–29 still to fetch"
        );
        let rest: Vec<(u64, char)> = (16..=30).map(|s| (s, 'x')).collect();
        assert_eq!(seqs(&stream.catch_up_page(rest)).len(), 15);
        assert_eq!((stream.synced(), stream.gap()), (30, None));
    }

    #[test]
    fn a_fresh_stream_asks_for_everything_and_takes_items_as_they_come() {
        let mut stream = SeqStream::new();
        assert_eq!(stream.since(), None);
        assert_eq!(stream.receive(40, 'x'), Arrival::InOrder(vec![(40, 'x')]));
        assert_eq!(stream.gap(), None, "no point to measure a gap from yet");
        assert_eq!(stream.receive(40, 'x'), Arrival::Duplicate('x'));
        let merged = stream.catch_up(vec![(38, 'v'), (39, 'w'), (40, 'x')]);
        assert_eq!(seqs(&merged), [38, 39], "40 was delivered already");
        assert_eq!(stream.since(), Some(40));
        assert_eq!(stream.receive(42, 'z'), Arrival::Held, "now gaps count");
    }
}
