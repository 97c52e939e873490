//! [`Backoff`]: the reconnection delays of socket.io-client, exactly.
//!
//! socket.io-client computes its delays with `backo2`
//! (`packages/socket.io-client/lib/contrib/backo2.ts`):
//!
//! ```text
//! ms = min * factor^attempts;  attempts += 1
//! if jitter:
//!     rand      = random in [0, 1)
//!     deviation = floor(rand * jitter * ms)
//!     ms        = floor(rand * 10) is even ? ms - deviation : ms + deviation
//! return min(ms, max) | 0
//! ```
//!
//! The jitter is applied first and the cap last, so a delay never exceeds
//! `max`, and once `min * factor^n` is far above `max` every delay is `max`.
//! The randomness comes from a small seeded generator, never from a clock, so
//! a seed fixes the whole sequence.

use std::time::Duration;

/// The seed [`Backoff::new`] uses until [`Backoff::with_seed`] replaces it.
const DEFAULT_SEED: u64 = 0x5EED_BAC0_FF00_0001;

/// How the delays grow. Every default matches socket.io-client's `Manager`.
///
/// ```
/// use leptos_socketio::client::BackoffOptions;
/// use std::time::Duration;
///
/// let options = BackoffOptions::default().max(Duration::from_secs(30));
/// assert_eq!(options.min, Duration::from_millis(1_000));
/// assert_eq!(options.randomization_factor, 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffOptions {
    /// The first delay. Default: 1 000 ms (`reconnectionDelay`).
    pub min: Duration,
    /// No delay is longer. Default: 5 000 ms (`reconnectionDelayMax`).
    pub max: Duration,
    /// Each delay is this many times the previous one, before jitter.
    /// Default: 2. A value that is not finite and positive means 2.
    pub factor: f64,
    /// How far a delay may stray from `min * factor^n`, as a fraction of it.
    /// Default: 0.5 (`randomizationFactor`). Outside `(0, 1]` (0, negative,
    /// above 1, NaN) means no jitter, as in `backo2`.
    pub randomization_factor: f64,
}

impl BackoffOptions {
    /// Sets [`min`](Self::min).
    pub fn min(mut self, min: Duration) -> Self {
        self.min = min;
        self
    }

    /// Sets [`max`](Self::max).
    pub fn max(mut self, max: Duration) -> Self {
        self.max = max;
        self
    }

    /// Sets [`factor`](Self::factor).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Sets [`randomization_factor`](Self::randomization_factor).
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.randomization_factor = factor;
        self
    }

    /// The options as [`Backoff`] applies them: bad factors replaced.
    fn sanitized(mut self) -> Self {
        if !(self.factor.is_finite() && self.factor > 0.0) {
            self.factor = 2.0;
        }
        if !(self.randomization_factor > 0.0 && self.randomization_factor <= 1.0) {
            self.randomization_factor = 0.0;
        }
        self
    }
}

impl Default for BackoffOptions {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(1_000),
            max: Duration::from_millis(5_000),
            factor: 2.0,
            randomization_factor: 0.5,
        }
    }
}

/// Exponential backoff with jitter, as socket.io-client's `backo2`.
///
/// Give it a random seed (in the browser, `Math.random().to_bits()`); without
/// one every client draws the same jitter, which defeats its purpose.
///
/// ```
/// use leptos_socketio::client::{Backoff, BackoffOptions};
/// use std::time::Duration;
///
/// let mut backoff = Backoff::new(BackoffOptions::default().randomization_factor(0.0));
/// let delays: Vec<_> = (0..5).map(|_| backoff.next_delay().as_millis()).collect();
/// assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000]);
/// assert_eq!(backoff.attempts(), 5);
///
/// backoff.reset();
/// assert_eq!(backoff.next_delay(), Duration::from_millis(1_000));
/// ```
#[derive(Debug, Clone)]
pub struct Backoff {
    options: BackoffOptions,
    attempts: u32,
    rng: SplitMix64,
}

impl Backoff {
    /// A backoff at attempt 0, with a fixed seed (see [`with_seed`](Self::with_seed)).
    pub fn new(options: BackoffOptions) -> Self {
        Self {
            options: options.sanitized(),
            attempts: 0,
            rng: SplitMix64(DEFAULT_SEED),
        }
    }

    /// Replaces the seed of the jitter; the same seed gives the same delays.
    ///
    /// ```
    /// use leptos_socketio::client::{Backoff, BackoffOptions};
    ///
    /// let mut a = Backoff::new(BackoffOptions::default()).with_seed(42);
    /// let mut b = Backoff::new(BackoffOptions::default()).with_seed(42);
    /// assert_eq!(a.next_delay(), b.next_delay());
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = SplitMix64(seed);
        self
    }

    /// The options in effect (factors outside their range already replaced).
    pub fn options(&self) -> &BackoffOptions {
        &self.options
    }

    /// How many delays were handed out since the last [`reset`](Self::reset).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The delay before the next attempt; counts one attempt.
    ///
    /// Never panics: for huge attempt counts the delay stays at `max`.
    pub fn next_delay(&mut self) -> Duration {
        let BackoffOptions {
            min,
            max,
            factor,
            randomization_factor,
        } = self.options;
        let rand = if randomization_factor > 0.0 {
            self.rng.next_f64()
        } else {
            0.0
        };
        let ms = delay_ms(
            millis(min),
            millis(max),
            factor,
            randomization_factor,
            self.attempts,
            rand,
        );
        self.attempts = self.attempts.saturating_add(1);
        Duration::from_millis(ms)
    }

    /// Back to attempt 0: the next delay is `min` again (give or take jitter).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

/// `backo2`'s `duration()` for one attempt, with its random draw given.
fn delay_ms(min: f64, max: f64, factor: f64, jitter: f64, attempts: u32, rand: f64) -> u64 {
    let mut ms = min * pow(factor, f64::from(attempts));
    if jitter > 0.0 {
        let deviation = (rand * jitter * ms).floor();
        ms = if ((rand * 10.0).floor() as u64) & 1 == 0 {
            ms - deviation
        } else {
            ms + deviation
        };
    }
    // `ms` is NaN only once it overflowed to infinity (∞ - ∞): that is `max`.
    let capped = if ms.is_nan() { max } else { ms.min(max) };
    // `| 0` in JS: truncate. Float-to-int `as` saturates, so this cannot wrap.
    capped.max(0.0) as u64
}

/// `Math.pow`, as backo2 calls it: in the browser the page's own (a libm
/// `pow` compiled in would add 2 KB), natively Rust's.
fn pow(base: f64, exponent: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::pow(base, exponent)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        base.powf(exponent)
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fine for jitter.
/// Any seed, 0 included, gives a full-period stream.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, like `Math.random()`: the top 53 bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delays(backoff: &mut Backoff, n: usize) -> Vec<u64> {
        (0..n)
            .map(|_| backoff.next_delay().as_millis() as u64)
            .collect()
    }

    #[test]
    fn matches_backo2_for_given_random_draws() {
        // (attempts, rand, expected) with min 1000, max 5000, factor 2, jitter 0.5.
        let table = [
            (0, 0.0, 1_000),    // floor(0) even, deviation 0
            (0, 0.25, 875),     // deviation 125, floor(2.5) = 2 even: minus
            (0, 0.125, 1_062),  // deviation floor(62.5), floor(1.25) = 1 odd: plus
            (1, 0.5625, 2_562), // deviation floor(562.5), floor(5.625) = 5 odd: plus
            (1, 0.9375, 2_937), // deviation floor(937.5), 9 odd: plus
            (2, 0.9375, 5_000), // 4000 + 1875 = 5875, then capped
            (3, 0.8125, 4_750), // 8000 - 3250: jitter before the cap
            (3, 0.0625, 5_000), // 8000 - 250, capped
        ];
        for (attempts, rand, expected) in table {
            assert_eq!(
                delay_ms(1_000.0, 5_000.0, 2.0, 0.5, attempts, rand),
                expected,
                "attempt {attempts}, rand {rand}"
            );
        }
    }

    #[test]
    fn delays_double_from_min_and_stop_at_max_without_jitter() {
        let mut backoff = Backoff::new(BackoffOptions::default().randomization_factor(0.0));
        assert_eq!(
            delays(&mut backoff, 6),
            [1_000, 2_000, 4_000, 5_000, 5_000, 5_000]
        );
        assert_eq!(backoff.attempts(), 6);
    }

    #[test]
    fn jittered_delays_stay_within_backo2_bounds_across_seeds() {
        let options = BackoffOptions::default();
        let (min, max, r) = (1_000.0_f64, 5_000.0_f64, 0.5);
        for seed in 0..2_000 {
            let mut backoff = Backoff::new(options).with_seed(seed);
            for (n, got) in delays(&mut backoff, 8).into_iter().enumerate() {
                let d = min * 2f64.powi(n as i32);
                let low = (d * (1.0 - r)).min(max);
                let high = (d * (1.0 + r)).min(max);
                let got = got as f64;
                assert!(low <= got && got <= high, "seed {seed}, attempt {n}: {got}");
            }
        }
    }

    #[test]
    fn jitter_actually_varies_the_delays() {
        let firsts: std::collections::HashSet<u64> = (0..50)
            .map(|seed| {
                delays(
                    &mut Backoff::new(BackoffOptions::default()).with_seed(seed),
                    1,
                )[0]
            })
            .collect();
        assert!(firsts.len() > 10, "{firsts:?}");
    }

    #[test]
    fn same_seed_gives_same_sequence() {
        let run = |seed| {
            delays(
                &mut Backoff::new(BackoffOptions::default()).with_seed(seed),
                20,
            )
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn reset_starts_again_from_min() {
        let mut backoff = Backoff::new(BackoffOptions::default().randomization_factor(0.0));
        delays(&mut backoff, 3);
        backoff.reset();
        assert_eq!(backoff.attempts(), 0);
        assert_eq!(delays(&mut backoff, 2), [1_000, 2_000]);
    }

    #[test]
    fn huge_attempt_counts_saturate_at_max_without_panicking() {
        for r in [0.0, 0.5, 1.0] {
            let mut backoff = Backoff::new(BackoffOptions::default().randomization_factor(r));
            let all = delays(&mut backoff, 3_000);
            assert!(all[10..].iter().all(|&d| d == 5_000), "r = {r}");
        }
        // Past u32::MAX attempts, and with extreme options.
        let mut backoff = Backoff::new(
            BackoffOptions::default()
                .min(Duration::MAX)
                .max(Duration::MAX)
                .factor(f64::MAX),
        );
        backoff.attempts = u32::MAX;
        assert_eq!(backoff.next_delay(), Duration::from_millis(u64::MAX));
        assert_eq!(backoff.attempts(), u32::MAX);
    }

    #[test]
    fn randomization_outside_zero_to_one_means_no_jitter() {
        for r in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let mut backoff = Backoff::new(BackoffOptions::default().randomization_factor(r));
            assert_eq!(delays(&mut backoff, 3), [1_000, 2_000, 4_000], "r = {r}");
        }
    }

    #[test]
    fn bad_factor_falls_back_to_two() {
        for factor in [0.0, -3.0, f64::NAN, f64::INFINITY] {
            let mut backoff = Backoff::new(
                BackoffOptions::default()
                    .factor(factor)
                    .randomization_factor(0.0),
            );
            assert_eq!(delays(&mut backoff, 3), [1_000, 2_000, 4_000]);
        }
    }

    #[test]
    fn min_above_max_gives_max() {
        let mut backoff = Backoff::new(
            BackoffOptions::default()
                .min(Duration::from_secs(10))
                .randomization_factor(0.0),
        );
        assert_eq!(delays(&mut backoff, 2), [5_000, 5_000]);
    }

    #[test]
    fn random_draws_are_in_the_unit_interval() {
        let mut rng = SplitMix64(0);
        assert!((0..10_000).all(|_| (0.0..1.0).contains(&rng.next_f64())));
    }
}
