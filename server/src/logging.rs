//! Logging setup: `tracing` to stderr, filtered by `RUST_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs a `tracing` subscriber that writes to stderr (stdout carries only
/// the `listening on …` line), filtered by `RUST_LOG`, default `info`.
///
/// Does nothing if a subscriber is already installed.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // An error only means a subscriber is already set (e.g. in tests): keep it.
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
