//! What `<Chat/>` needs from the browser besides the socket: the time, a
//! random seed, timers owned by Rust values, and local clock times. Outside
//! the browser (server rendering) there is no clock and no timer: the
//! component stays inert.

use std::time::Duration;

use crate::time::Instant;

/// The page's monotonic clock (`performance.now()`).
#[cfg(target_arch = "wasm32")]
pub(super) fn now() -> Instant {
    let ms = web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now());
    // performance.now() is non-negative and far below 2^53.
    Instant::from_millis(ms.max(0.0) as u64)
}

/// No clock outside the browser.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn now() -> Instant {
    Instant::default()
}

/// A random seed for message ids.
#[cfg(target_arch = "wasm32")]
pub(super) fn seed() -> u64 {
    // Two draws: Math.random() gives 52 random bits at most.
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (draw() << 32) ^ draw() ^ (js_sys::Date::now() as u64)
}

/// No randomness is needed where nothing is sent.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn seed() -> u64 {
    0
}

/// A one-shot timer; dropping it cancels it.
#[cfg(target_arch = "wasm32")]
pub(super) type Timer = gloo_timers::callback::Timeout;
/// A repeating timer; dropping it cancels it.
#[cfg(target_arch = "wasm32")]
pub(super) type Ticker = gloo_timers::callback::Interval;

/// Outside the browser no timer runs.
#[cfg(not(target_arch = "wasm32"))]
pub(super) enum Timer {}
/// Outside the browser no timer runs.
#[cfg(not(target_arch = "wasm32"))]
pub(super) enum Ticker {}

/// Milliseconds for a browser timer.
#[cfg(target_arch = "wasm32")]
fn millis(after: Duration) -> u32 {
    u32::try_from(after.as_millis()).unwrap_or(u32::MAX)
}

/// Calls `f` once, `after` from now, unless the timer is dropped first.
#[cfg(target_arch = "wasm32")]
pub(super) fn after(after: Duration, f: impl FnOnce() + 'static) -> Option<Timer> {
    Some(gloo_timers::callback::Timeout::new(millis(after), f))
}

/// Outside the browser nothing is ever called back.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn after(_after: Duration, _f: impl FnOnce() + 'static) -> Option<Timer> {
    None
}

/// Calls `f` every `period` until the ticker is dropped.
#[cfg(target_arch = "wasm32")]
pub(super) fn every(period: Duration, f: impl FnMut() + 'static) -> Option<Ticker> {
    Some(gloo_timers::callback::Interval::new(millis(period), f))
}

/// Outside the browser nothing is ever called back.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn every(_period: Duration, _f: impl FnMut() + 'static) -> Option<Ticker> {
    None
}

/// `ts` (ms since the Unix epoch) as the local `HH:MM`.
#[cfg(target_arch = "wasm32")]
pub(super) fn clock_time(ts: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// `ts` (ms since the Unix epoch) as `HH:MM` in UTC (no time zone here).
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn clock_time(ts: u64) -> String {
    let minutes = ts / 60_000;
    format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60)
}

/// `ts` as an ISO 8601 instant for `<time datetime>`; UTC arithmetic, no
/// clock read.
pub(super) fn iso_time(ts: u64) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let secs = ts / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_time_of_known_instants() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_764_619_269_000), "2025-12-01T20:01:09Z");
    }
}
