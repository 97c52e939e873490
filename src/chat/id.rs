//! [`IdGenerator`]: the client-made unique ids of outgoing messages.

/// Makes message ids: 16 hex digits, unique for one generator and, given a
/// random seed, between clients with overwhelming probability.
///
/// The driver passes the seed in (e.g. from `Math.random()`), so the model
/// reads no randomness of its own and tests are repeatable. Each id is
/// SplitMix64 of seed + counter × golden ratio, a bijection of the counter,
/// so one generator never repeats itself.
///
/// ```
/// use leptos_socketio::chat::IdGenerator;
///
/// let mut ids = IdGenerator::new(7);
/// let (a, b) = (ids.next_id(), ids.next_id());
/// assert_ne!(a, b);
/// assert_eq!(a.len(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdGenerator {
    seed: u64,
    counter: u64,
}

impl IdGenerator {
    /// A generator whose ids derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    /// The next id.
    pub fn next_id(&mut self) -> String {
        self.counter = self.counter.wrapping_add(1);
        let mut z = self
            .seed
            .wrapping_add(self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        format!("{z:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn one_generator_never_repeats_an_id() {
        let mut ids = IdGenerator::new(0);
        let seen: HashSet<String> = (0..10_000).map(|_| ids.next_id()).collect();
        assert_eq!(seen.len(), 10_000);
    }

    #[test]
    fn different_seeds_give_different_ids() {
        let a: Vec<String> = {
            let mut ids = IdGenerator::new(1);
            (0..100).map(|_| ids.next_id()).collect()
        };
        let mut ids = IdGenerator::new(2);
        assert!((0..100).all(|_| !a.contains(&ids.next_id())));
    }
}
