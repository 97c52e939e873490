//! [`NameMap`]: a few values by namespace name.

/// Values by name, in name order, for the handful of namespaces one
/// connection multiplexes: a sorted `Vec` rather than a `BTreeMap`, whose
/// code would be compiled again for every value type (a few KB each in the
/// browser bundle) to hold two or three entries.
#[derive(Debug)]
pub(crate) struct NameMap<V>(Vec<(String, V)>);

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> NameMap<V> {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets `name`'s value, replacing any.
    pub(crate) fn insert(&mut self, name: String, value: V) {
        match self.find(&name) {
            Ok(at) => self.0[at].1 = value,
            Err(at) => self.0.insert(at, (name, value)),
        }
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<V> {
        let at = self.find(name).ok()?;
        Some(self.0.remove(at).1)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        let at = self.find(name).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        let at = self.find(name).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }

    /// `name`'s value, first set to the default if there is none.
    pub(crate) fn get_or_default(&mut self, name: &str) -> &mut V
    where
        V: Default,
    {
        let at = match self.find(name) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (name.to_owned(), V::default()));
                at
            }
        };
        &mut self.0[at].1
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(n, _)| n)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut V)> {
        self.0.iter_mut().map(|(n, v)| (&*n, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_one_value_per_name_in_name_order() {
        let mut map = NameMap::default();
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
        assert_eq!(map.remove("/admin"), None);
        assert!(!map.contains_key("/admin") && map.contains_key("/b"));
        assert_eq!(map.get("/chat"), Some(&4));
        if let Some(v) = map.get_mut("/") {
            *v = 0;
        }
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [0, 5, 4]);
    }
}
