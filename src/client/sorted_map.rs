//! [`SortedMap`]: values by an ordered key, in a sorted `Vec`.

use std::borrow::Borrow;

/// Values by key, in key order: a sorted `Vec` of pairs, looked up by a
/// borrowed key as a `BTreeMap` is (`&str` for a `String` key).
///
/// For the client's small maps: the namespaces of one connection (two or
/// three), its transports (one or two), and the emits waiting for their
/// acks, by ack id or deadline (ids grow, so an insert lands at the end and
/// the answered emit is usually the first). A `BTreeMap` would do the same
/// in the same time for these sizes, with its code compiled again for every
/// key and value type (several KB each in the browser bundle).
#[derive(Debug)]
pub(crate) struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub(crate) fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key`'s value; returns the value it replaced.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }

    /// `key`'s value, first set to the default if there is none.
    pub(crate) fn get_or_default<Q: Ord + ToOwned<Owned = K> + ?Sized>(&mut self, key: &Q) -> &mut V
    where
        K: Borrow<Q>,
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    /// `key`'s value, first set to `make()` if there is none.
    pub(crate) fn get_or_insert_with<Q: Ord + ToOwned<Owned = K> + ?Sized>(
        &mut self,
        key: &Q,
        make: impl FnOnce() -> V,
    ) -> &mut V
    where
        K: Borrow<Q>,
    {
        let at = match self.find(key) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (key.to_owned(), make()));
                at
            }
        };
        &mut self.0[at].1
    }

    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.find(key).ok()?;
        Some(self.0.remove(at).1)
    }

    /// Keeps only the entries for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entry with the smallest key.
    pub(crate) fn first(&self) -> Option<(&K, &V)> {
        self.0.first().map(|(k, v)| (k, v))
    }

    /// Keys and values in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
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
            map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [(1, 10), (3, 33), (5, 50), (7, 70), (9, 90)]
        );
        assert_eq!(map.first().map(|(k, _)| *k), Some(1));
        assert_eq!(map.remove(&5), Some(50));
        assert_eq!(map.remove(&5), None);
        map.retain(|k, v| {
            *v += 1;
            *k != 1
        });
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [34, 71, 91]);
        assert_eq!(map.drain_values().collect::<Vec<_>>(), [34, 71, 91]);
        assert!(map.is_empty());
    }

    #[test]
    fn string_keys_are_looked_up_by_str() {
        let mut map: SortedMap<String, u32> = SortedMap::default();
        map.insert("/chat".to_owned(), 1);
        map.insert("/".to_owned(), 2);
        map.insert("/admin".to_owned(), 3);
        map.insert("/chat".to_owned(), 4);
        *map.get_or_default("/b") += 5;
        *map.get_or_default("/admin") += 10;
        assert_eq!(
            map.iter()
                .map(|(n, v)| (n.as_str(), *v))
                .collect::<Vec<_>>(),
            [("/", 2), ("/admin", 13), ("/b", 5), ("/chat", 4)]
        );
        assert_eq!(map.remove("/admin"), Some(13));
        assert!(!map.contains_key("/admin") && map.contains_key("/b"));
        assert_eq!(map.get("/chat"), Some(&4));
        if let Some(v) = map.get_mut("/") {
            *v = 0;
        }
        assert_eq!(
            map.keys().map(String::as_str).collect::<Vec<_>>(),
            ["/", "/b", "/chat"]
        );
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [0, 5, 4]);
    }
}
