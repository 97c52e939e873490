//! Command-line flags; each can also be set through an environment variable.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;

use crate::auth::Token;
use crate::chat::ChatSettings;
use crate::origin::Origin;
use crate::store::Database;

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

    /// Engine.IO transports to accept: a comma-separated list of
    /// `websocket` and `polling` (at least one). With `websocket` alone,
    /// clients must connect straight over WebSocket; with `polling` alone,
    /// upgrades are not offered.
    #[arg(
        long,
        env = "LSIO_TRANSPORTS",
        default_value = "websocket,polling",
        value_name = "LIST"
    )]
    pub transports: Transports,

    /// Origin (scheme://host, or scheme://host:port) whose web pages may use /socket.io/;
    /// repeat the flag for several (the variable takes a comma-separated
    /// list). Compared exactly with the browser's Origin header (a trailing
    /// / is ignored). A request from any other origin gets no CORS headers
    /// and is refused with 403 on /socket.io/, WebSocket handshakes
    /// included; requests without an Origin header (curl, Node clients) are
    /// always allowed. No credentials are allowed. Giving any replaces the
    /// default, which is the server's own origin for the bound address,
    /// http://HOST:PORT (127.0.0.1 and localhost both count), plus the
    /// trunk dev server, http://127.0.0.1:8080 and http://localhost:8080.
    #[arg(
        long = "allowed-origin",
        env = "LSIO_ALLOWED_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<Origin>,

    /// Directory of the chat history; the database is the file
    /// chat.sqlite3 in it. Created if missing. Not used with
    /// --database-url.
    #[arg(
        long,
        env = "LSIO_DATA_DIR",
        default_value = "./data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// Where the chat history lives: `sqlite://FILE` (one server) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (any number of servers
    /// may share it; the database must exist, its tables are created).
    /// Unset: chat.sqlite3 in --data-dir.
    #[arg(
        long,
        env = "LSIO_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<Database>,

    /// Redis for several nodes serving one chat (`redis://HOST:PORT/`,
    /// Redis 7 or later): messages, presence and typing then reach the
    /// members on every node through socketioxide's Redis adapter, and
    /// presence lists the members of all nodes. Put the nodes behind a
    /// load balancer with sticky sessions and give them one
    /// --database-url postgres://… (see the README, "Several nodes").
    /// Unset: this server runs alone.
    #[arg(
        long,
        env = "LSIO_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,

    /// Most messages a `join` returns: the last ones, or with `since` the
    /// first ones after it.
    #[arg(long, env = "LSIO_HISTORY_LIMIT", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub history_limit: u32,

    /// Longest message text, in characters (Unicode scalar values).
    #[arg(long, env = "LSIO_MAX_TEXT_CHARS", default_value_t = 4000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_text_chars: u32,

    /// Shared token: when set, a connection must send `auth: {token}` with
    /// this value, or it is refused with `unauthorized`. Unset: anyone may
    /// connect.
    #[arg(long, env = "LSIO_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// `message` events each connection may send per second, on average;
    /// more are refused with an error ack.
    #[arg(long, env = "LSIO_RATE_LIMIT_PER_SEC", default_value_t = 20)]
    pub rate_limit_per_sec: u32,

    /// `message` events a connection may send in a burst before
    /// --rate-limit-per-sec applies.
    #[arg(long, env = "LSIO_RATE_LIMIT_BURST", default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: u32,

    /// Chat events of one connection that may wait to be handled (each
    /// connection's events are handled one at a time, in arrival order);
    /// one more is refused with an error ack.
    #[arg(long, env = "LSIO_MAX_PENDING_EVENTS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pending_events: u32,

    /// Packets each connection may have queued for sending; when a slow
    /// client lets it fill, further events to it fail (counted in
    /// /metrics as lsio_deliveries_failed_total and logged).
    #[arg(long, env = "LSIO_SEND_BUFFER", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub send_buffer: u32,
}

/// Which Engine.IO transports the server accepts (`--transports`); at least
/// one is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transports {
    /// Accept WebSocket connections (and upgrades to WebSocket).
    pub websocket: bool,
    /// Accept HTTP long-polling connections.
    pub polling: bool,
}

impl Default for Transports {
    fn default() -> Self {
        Self {
            websocket: true,
            polling: true,
        }
    }
}

impl FromStr for Transports {
    type Err = String;

    /// Parses a comma-separated list such as `websocket,polling`
    /// (case-insensitive, spaces around names ignored, repeats allowed).
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut transports = Self {
            websocket: false,
            polling: false,
        };
        for name in list.split(',').map(str::trim) {
            match name.to_ascii_lowercase().as_str() {
                "websocket" => transports.websocket = true,
                "polling" => transports.polling = true,
                "" => {
                    return Err(format!(
                        "empty transport name in {list:?}: give a comma-separated list of \
                         websocket and polling, e.g. websocket,polling"
                    ))
                }
                _ => {
                    return Err(format!(
                        "unknown transport {name:?}: the transports are websocket and polling \
                         (comma-separated, e.g. websocket,polling)"
                    ))
                }
            }
        }
        Ok(transports)
    }
}

impl fmt::Display for Transports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.websocket, self.polling) {
            (true, true) => f.write_str("websocket,polling"),
            (true, false) => f.write_str("websocket"),
            (false, true) => f.write_str("polling"),
            (false, false) => f.write_str("none"),
        }
    }
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

    /// The chat limits from `--max-text-chars`, `--history-limit` and the
    /// rate-limit flags.
    pub fn chat_settings(&self) -> ChatSettings {
        ChatSettings {
            max_text_chars: usize::try_from(self.max_text_chars).unwrap_or(usize::MAX),
            history_limit: self.history_limit,
            rate_per_sec: self.rate_limit_per_sec,
            rate_burst: self.rate_limit_burst,
            max_pending_events: usize::try_from(self.max_pending_events).unwrap_or(usize::MAX),
        }
    }

    /// The history database: `--database-url`, else chat.sqlite3 in
    /// `--data-dir`.
    pub fn database(&self) -> Database {
        self.database_url
            .clone()
            .unwrap_or_else(|| Database::in_dir(&self.data_dir))
    }

    /// The `--token`, if one is set and not empty.
    pub fn token(&self) -> Option<Token> {
        self.token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(Token::new)
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
        assert_eq!(args.transports, Transports::default());
        assert!(args.allowed_origins.is_empty());
        assert_eq!(args.data_dir, PathBuf::from("./data"));
        assert_eq!(args.chat_settings(), ChatSettings::default());
        assert!(args.token().is_none());
        assert_eq!(args.send_buffer, 1024);
    }

    #[test]
    fn chat_flags_parse_and_refuse_zero_limits() {
        let args = Args::try_parse_from([
            "server",
            "--data-dir",
            "var/chat-data",
            "--history-limit",
            "5",
            "--max-text-chars",
            "10",
            "--rate-limit-per-sec",
            "1",
            "--rate-limit-burst",
            "2",
            "--send-buffer",
            "64",
            "--max-pending-events",
            "8",
            "--token",
            "s3cret",
        ])
        .expect("flags parse");
        assert_eq!(args.data_dir, PathBuf::from("var/chat-data"));
        assert_eq!(
            args.chat_settings(),
            ChatSettings {
                max_text_chars: 10,
                history_limit: 5,
                rate_per_sec: 1,
                rate_burst: 2,
                max_pending_events: 8,
            }
        );
        assert_eq!(args.send_buffer, 64);
        assert!(args.token().is_some());
        for flag in [
            "--history-limit",
            "--max-text-chars",
            "--rate-limit-burst",
            "--send-buffer",
            "--max-pending-events",
        ] {
            let err = Args::try_parse_from(["server", flag, "0"]).expect_err(flag);
            assert!(err.to_string().contains(flag), "{err}");
        }
        let empty = Args::try_parse_from(["server", "--token", ""]).expect("empty token parses");
        assert!(empty.token().is_none(), "an empty token means no token");
    }

    #[test]
    fn allowed_origins_repeat_and_normalise() {
        let args = Args::try_parse_from([
            "server",
            "--allowed-origin",
            "https://Chat.Example.com/",
            "--allowed-origin",
            "http://localhost:5173",
        ])
        .expect("two origins parse");
        let got: Vec<_> = args.allowed_origins.iter().map(Origin::to_string).collect();
        assert_eq!(got, ["https://chat.example.com", "http://localhost:5173"]);

        let err = Args::try_parse_from(["server", "--allowed-origin", "http://x.example/app"])
            .expect_err("a path is not an origin")
            .to_string();
        assert!(err.contains("--allowed-origin"), "{err}");
        assert!(err.contains("scheme://host[:port]"), "{err}");
    }

    #[test]
    fn transports_parse_from_a_comma_list() {
        let parse = |flag: &str| Args::try_parse_from(["server", "--transports", flag]);
        let both = Transports {
            websocket: true,
            polling: true,
        };
        let ws = Transports {
            websocket: true,
            polling: false,
        };
        let poll = Transports {
            websocket: false,
            polling: true,
        };
        for (flag, want) in [
            ("websocket,polling", both),
            ("polling,websocket", both),
            (" WebSocket , polling ", both),
            ("websocket", ws),
            ("websocket,websocket", ws),
            ("polling", poll),
        ] {
            let args = parse(flag).unwrap_or_else(|e| panic!("{flag:?} should parse: {e}"));
            assert_eq!(args.transports, want, "{flag:?}");
        }
        for flag in ["", ",", "websocket,", "webtransport", "websocket,flash"] {
            let err = parse(flag).expect_err(flag).to_string();
            assert!(
                err.contains("websocket and polling"),
                "{flag:?}: the error should name the valid transports: {err}"
            );
        }
        assert_eq!(both.to_string(), "websocket,polling");
        assert_eq!(ws.to_string(), "websocket");
        assert_eq!(poll.to_string(), "polling");
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
