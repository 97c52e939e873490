//! The companion server of leptos-socketio.
//!
//! An axum app with a socketioxide layer: it serves the built demo app (the
//! WASM bundle) from a static directory, answers `GET /healthz`, and speaks
//! the chat contract of `DESIGN.md` on the Socket.IO namespace `/`. The
//! Socket.IO protocol itself is socketioxide's; nothing here re-implements it.
//!
//! The binary (`src/main.rs`) only parses [`Args`], sets up logging and calls
//! [`run`].

mod app;
mod auth;
pub mod chat;
mod cluster;
mod config;
mod echo;
mod listener;
mod logging;
mod metrics;
mod namespace;
mod origin;
mod rate_limit;
mod request_head;
mod server;
mod shutdown;
mod store;

pub use app::{build_app, App, AppError, Io};
pub use auth::{Token, Unauthorized};
pub use chat::{Chat, ChatSettings, ClusterNode};
pub use cluster::{ClusterAdapter, ConnectError, ManagedDriver};
pub use config::{Args, Transports};
pub use echo::{on_echo, EchoArgs};
pub use listener::{bind, BindError};
pub use logging::init_logging;
pub use metrics::{Connections, Metrics};
pub use origin::{AllowedOrigins, Origin};
pub use rate_limit::TokenBucket;
pub use server::run;
pub use shutdown::ShutdownSignal;
pub use store::{AppendError, Appended, Database, Message, OpenError, Store, DB_FILE, MAX_BATCH};
