//! Latency samples and their percentiles.

use std::sync::Mutex;
use std::time::Duration;

/// Latency samples in microseconds, recorded from many tasks at once.
#[derive(Debug, Default)]
pub(crate) struct Samples {
    micros: Mutex<Vec<u32>>,
}

impl Samples {
    /// Records one latency.
    pub(crate) fn record(&self, latency: Duration) {
        let micros = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
        self.lock().push(micros);
    }

    /// Takes the samples recorded so far, sorted, leaving none.
    pub(crate) fn take_sorted(&self) -> Sorted {
        let mut micros = std::mem::take(&mut *self.lock());
        micros.sort_unstable();
        Sorted(micros)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.micros
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sorted latency samples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sorted(Vec<u32>);

impl Sorted {
    /// The `p`-th percentile (0–100) in milliseconds, or `None` without
    /// samples. Nearest rank.
    pub(crate) fn percentile_ms(&self, p: f64) -> Option<f64> {
        if self.0.is_empty() {
            return None;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.0.len()) - 1;
        self.0.get(index).map(|&us| f64::from(us) / 1000.0)
    }

    /// How many samples there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_in_milliseconds() {
        let samples = Samples::default();
        for ms in (1..=100).rev() {
            samples.record(Duration::from_millis(ms));
        }
        let sorted = samples.take_sorted();
        assert_eq!(sorted.len(), 100);
        assert_eq!(sorted.percentile_ms(50.0), Some(50.0));
        assert_eq!(sorted.percentile_ms(99.0), Some(99.0));
        assert_eq!(sorted.percentile_ms(100.0), Some(100.0));
        assert_eq!(sorted.percentile_ms(0.0), Some(1.0));
        assert_eq!(samples.take_sorted().percentile_ms(50.0), None);
    }
}
