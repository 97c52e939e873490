//! [`SortedMap`]: values by an ordered key, in a sorted `Vec`.

/// Values by key, in key order: a sorted `Vec` of pairs.
///
/// For the emits of one connection waiting for their acks, keyed by ack id
/// (or by deadline): ids grow, so an insert lands at the end and the
/// answered emit is usually the first. A `BTreeMap` would do the same in
/// the same time for these sizes, with its code compiled again for every
/// key and value type (several KB each in the browser bundle).
#[derive(Debug)]
pub(crate) struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K: Ord + Copy, V> SortedMap<K, V> {
    fn find(&self, key: K) -> Result<usize, usize> {
        // The common case first: a key past the last one.
        match self.0.last() {
            Some((last, _)) if *last < key => Err(self.0.len()),
            None => Err(0),
            _ => self.0.binary_search_by(|(k, _)| k.cmp(&key)),
        }
    }

    /// Sets `key`'s value; returns the value it replaced.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(key) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn get(&self, key: K) -> Option<&V> {
        let at = self.find(key).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn get_mut(&mut self, key: K) -> Option<&mut V> {
        let at = self.find(key).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }

    pub(crate) fn remove(&mut self, key: K) -> Option<V> {
        let at = self.find(key).ok()?;
        Some(self.0.remove(at).1)
    }

    /// Keeps only the entries for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(K, &mut V) -> bool) {
        self.0.retain_mut(|(k, v)| keep(*k, v));
    }

    /// The entry with the smallest key.
    pub(crate) fn first(&self) -> Option<(K, &V)> {
        self.0.first().map(|(k, v)| (*k, v))
    }

    /// Keys and values in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// Takes every value out, in key order.
    pub(crate) fn drain_values(&mut self) -> impl Iterator<Item = V> + '_ {
        self.0.drain(..).map(|(_, v)| v)
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_entries_in_key_order_whatever_the_insert_order() {
        let mut map = SortedMap::default();
        for k in [5u64, 1, 9, 3, 7] {
            assert_eq!(map.insert(k, k * 10), None);
        }
        assert_eq!(map.insert(3, 33), Some(30));
        assert_eq!(
            map.iter().map(|(k, v)| (k, *v)).collect::<Vec<_>>(),
            [(1, 10), (3, 33), (5, 50), (7, 70), (9, 90)]
        );
        assert_eq!(map.first().map(|(k, _)| k), Some(1));
        assert_eq!(map.remove(5), Some(50));
        assert_eq!(map.remove(5), None);
        map.retain(|k, v| {
            *v += 1;
            k != 1
        });
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [34, 71, 91]);
        assert_eq!(map.drain_values().collect::<Vec<_>>(), [34, 71, 91]);
        assert!(map.is_empty());
    }
}
