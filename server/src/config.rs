//! Command-line flags; each can also be set through an environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// The server's settings, from flags or `LSIO_*` environment variables
/// (a flag wins over its variable).
#[derive(Debug, Clone, Parser)]
#[command(name = "leptos-socketio-server", version, about, long_about = None)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "LSIO_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free port.
    #[arg(long, env = "LSIO_PORT", default_value_t = 3000)]
    pub port: u16,

    /// Directory of the built WASM app, served at /.
    #[arg(long, env = "LSIO_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Engine.IO ping interval in milliseconds.
    #[arg(long, env = "LSIO_PING_INTERVAL_MS", default_value_t = 25_000)]
    pub ping_interval_ms: u64,

    /// Engine.IO ping timeout in milliseconds.
    #[arg(long, env = "LSIO_PING_TIMEOUT_MS", default_value_t = 20_000)]
    pub ping_timeout_ms: u64,

    /// Largest accepted packet, in bytes; a bigger one closes that
    /// connection.
    #[arg(long, env = "LSIO_MAX_PAYLOAD", default_value_t = 1_000_000)]
    pub max_payload: u64,
}

impl Args {
    /// The ping interval as a [`Duration`].
    pub fn ping_interval(&self) -> Duration {
        Duration::from_millis(self.ping_interval_ms)
    }

    /// The ping timeout as a [`Duration`].
    pub fn ping_timeout(&self) -> Duration {
        Duration::from_millis(self.ping_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_design() {
        let args = Args::try_parse_from(["server"]).expect("no flags parse");
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.port, 3000);
        assert_eq!(args.static_dir, PathBuf::from("dist"));
        assert_eq!(args.ping_interval(), Duration::from_millis(25_000));
        assert_eq!(args.ping_timeout(), Duration::from_millis(20_000));
        assert_eq!(args.max_payload, 1_000_000);
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
