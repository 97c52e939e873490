//! Time as a plain value, so the state machines never read a clock themselves.
//!
//! The browser driver reads `performance.now()` and passes it in; native tests
//! pass a virtual clock and step it by hand.

use std::ops::Add;
use std::time::Duration;

/// A point in time, in whole milliseconds since an arbitrary origin.
///
/// Only differences between two `Instant`s from the same clock mean anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant `ms` milliseconds after the clock's origin.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the clock's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// How long after `earlier` this instant is; zero if it is not later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        let ms = u64::try_from(rhs.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_a_duration_moves_forward_and_saturates() {
        let t = Instant::from_millis(1_000);
        assert_eq!((t + Duration::from_millis(250)).as_millis(), 1_250);
        assert_eq!((t + Duration::MAX).as_millis(), u64::MAX);
        assert_eq!(
            t.saturating_duration_since(Instant::from_millis(2_000)),
            Duration::ZERO
        );
    }
}
