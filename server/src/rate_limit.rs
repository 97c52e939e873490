//! A token bucket for the per-socket `message` rate limit.
//!
//! Time is a parameter (`now`), so the bucket is tested on virtual time.

use std::time::Instant;

/// A token bucket: holds up to `burst` tokens, refilled at `per_sec` tokens
/// a second; each allowed event takes one.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    per_sec: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`. A `burst` of 0 is taken as 1 (otherwise
    /// nothing would ever pass).
    pub fn new(per_sec: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            per_sec: f64::from(per_sec),
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes one token if there is one at `now`; `false` means over the
    /// limit. A `now` earlier than the last call adds nothing.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        if now > self.last {
            self.last = now;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn taken(bucket: &mut TokenBucket, now: Instant, tries: usize) -> usize {
        (0..tries).filter(|_| bucket.try_take(now)).count()
    }

    #[test]
    fn a_full_bucket_allows_the_burst_then_refuses() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(20, 40, t0);
        assert_eq!(taken(&mut bucket, t0, 100), 40);
        assert!(!bucket.try_take(t0));
    }

    #[test]
    fn tokens_come_back_at_the_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(20, 40, t0);
        assert_eq!(taken(&mut bucket, t0, 40), 40);
        // 50 ms at 20/s is one token.
        let t1 = t0 + Duration::from_millis(50);
        assert_eq!(taken(&mut bucket, t1, 5), 1);
        // Half a second later: 10 more.
        let t2 = t1 + Duration::from_millis(500);
        assert_eq!(taken(&mut bucket, t2, 50), 10);
    }

    #[test]
    fn refill_stops_at_the_burst() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(20, 40, t0);
        assert_eq!(taken(&mut bucket, t0, 40), 40);
        let later = t0 + Duration::from_secs(3600);
        assert_eq!(taken(&mut bucket, later, 100), 40);
    }

    #[test]
    fn a_steady_rate_at_the_limit_always_passes() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10, 1, t0);
        for i in 0..100u64 {
            let now = t0 + Duration::from_millis(100 * i);
            assert!(bucket.try_take(now), "event {i} at the allowed rate");
        }
        assert!(!bucket.try_take(t0 + Duration::from_millis(9_950)));
    }

    #[test]
    fn time_going_backwards_adds_nothing() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut bucket = TokenBucket::new(1, 1, t0);
        assert!(bucket.try_take(t0));
        assert!(!bucket.try_take(t0 - Duration::from_secs(5)));
        assert!(bucket.try_take(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn a_zero_burst_still_lets_one_through() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(0, 0, t0);
        assert!(bucket.try_take(t0));
        assert!(!bucket.try_take(t0 + Duration::from_secs(60)));
    }
}
