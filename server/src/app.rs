//! The axum app: Socket.IO on `/socket.io/`, `GET /healthz`,
//! `GET /metrics`, static files.

use std::sync::Arc;

use axum::http::header;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use socketioxide::adapter::Adapter;
use socketioxide::{SocketIo, SocketIoBuilder, TransportType};
use thiserror::Error;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tracing::{info, warn};

use crate::chat::{Chat, ClusterNode};
use crate::cluster::{ClusterAdapter, ConnectError, ManagedDriver};
use crate::config::Args;
use crate::metrics::{Connections, Metrics};
use crate::namespace::register;
use crate::origin::{guard_origin, AllowedOrigins};
use crate::request_head::compact_session_head;
use crate::store::Store;

/// Bytes read from a client's WebSocket at a time (see `build_app`).
const WS_READ_BUFFER: usize = 1024;

/// The app's router and the Socket.IO handle that drives its connections.
#[derive(Debug)]
pub struct App {
    /// Serves `/socket.io/` (the `--transports`), `/healthz` and the static app.
    pub router: Router,
    /// The Socket.IO server, e.g. to close every connection on shutdown.
    pub io: Io,
    /// The counters served at `/metrics`.
    pub metrics: Arc<Metrics>,
}

/// The Socket.IO server, alone or as one node of several.
#[derive(Debug, Clone)]
pub enum Io {
    /// This server alone (no `--redis-url`).
    Alone(SocketIo),
    /// One node of several, through socketioxide's Redis adapter.
    Cluster(SocketIo<ClusterAdapter>),
}

impl Io {
    /// Closes every connection (see [`SocketIo::close`]).
    pub async fn close(&self) {
        match self {
            Self::Alone(io) => io.close().await,
            Self::Cluster(io) => io.close().await,
        }
    }
}

/// Why the app could not be built: only with `--redis-url`.
#[derive(Debug, Error)]
pub enum AppError {
    /// Redis could not be reached.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The adapter could not subscribe to the other nodes.
    #[error(
        "cannot subscribe to the other nodes through Redis: {0} — check --redis-url \
         (or LSIO_REDIS_URL)"
    )]
    Subscribe(String),
}

/// Builds the app from `args`: socketioxide on its default path
/// `/socket.io/` with the transports of `--transports` (default polling and
/// WebSocket), the handlers of namespace `/`,
/// `GET /healthz` → `ok`, `GET /metrics` (Prometheus text), and
/// `--static-dir` served at `/` (`index.html` for directories).
///
/// The chat keeps its history in `store`; its limits, the `--token` and the
/// per-socket send buffer (`--send-buffer`) come from `args`. With
/// `--redis-url` the server is one node of several: it connects to Redis
/// and subscribes to the other nodes before it returns.
///
/// `origins` is the allow-list (see `--allowed-origin`): CORS headers go only
/// to those origins, and a request from any other origin is refused with 403
/// on `/socket.io/` (both transports) before socketioxide sees it. Requests
/// without an `Origin` header are allowed.
///
/// A missing static directory is logged as a warning; Socket.IO and
/// `/healthz` work regardless.
pub async fn build_app(
    args: &Args,
    origins: AllowedOrigins,
    store: Arc<Store>,
) -> Result<App, AppError> {
    let metrics = Arc::new(Metrics::default());
    let chat = Arc::new(Chat::new(
        args.chat_settings(),
        store,
        Arc::clone(&metrics),
        args.redis_url.is_some().then(ClusterNode::new),
    ));
    let (router, io) = match &args.redis_url {
        None => {
            let (layer, io) = socket_io(args, SocketIo::builder()).build_layer();
            register(&io, chat, args.token(), Arc::clone(&metrics));
            let io = Io::Alone(io);
            (routes(args, &io, &metrics).layer(layer), io)
        }
        Some(url) => {
            let driver = ManagedDriver::connect(url).await?;
            let builder = SocketIo::builder().with_adapter::<ClusterAdapter>(driver.into_adapter());
            let (layer, io) = socket_io(args, builder).build_layer();
            register(&io, chat, args.token(), Arc::clone(&metrics))
                .await
                .map_err(|e| AppError::Subscribe(e.to_string()))?;
            info!("one node of several: events and presence go through Redis");
            let io = Io::Cluster(io);
            (routes(args, &io, &metrics).layer(layer), io)
        }
    };

    if !args.static_dir.is_dir() {
        warn!(
            "--static-dir {} is not a directory: the app will not be served at / \
             (Socket.IO and /healthz still work). Run the build first (`trunk build`), \
             or pass --static-dir <DIR> (or set LSIO_STATIC_DIR) to the built app.",
            args.static_dir.display()
        );
    }

    let router = router
        // In front of socketioxide, which keeps a session's first request
        // head: that head must not pin hyper's read buffer.
        .layer(from_fn(compact_session_head))
        .layer(origins.cors_layer())
        // Outside the CORS layer, so a refused origin's preflight is refused
        // too instead of being answered by the CORS layer.
        .layer(from_fn_with_state(Arc::new(origins), guard_origin))
        .layer(TraceLayer::new_for_http());
    Ok(App {
        router,
        io,
        metrics,
    })
}

/// `/healthz`, `/metrics` and the static app (Socket.IO's layer goes on
/// top).
fn routes(args: &Args, io: &Io, metrics: &Arc<Metrics>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(metrics_handler(io.clone(), Arc::clone(metrics))),
        )
        .fallback_service(ServeDir::new(&args.static_dir))
}

/// The builder with the settings of `args`, for either adapter.
fn socket_io<A: Adapter>(args: &Args, builder: SocketIoBuilder<A>) -> SocketIoBuilder<A> {
    let max_payload = args.max_payload;
    let builder = builder
        .ping_interval(args.ping_interval())
        .ping_timeout(args.ping_timeout())
        .max_payload(max_payload)
        .max_buffer_size(usize::try_from(args.send_buffer).unwrap_or(usize::MAX))
        // Engine.IO's max payload bounds polling bodies; bound WebSocket
        // messages the same way, so a bigger packet closes that connection.
        .ws_max_message_size(usize::try_from(max_payload).unwrap_or(usize::MAX))
        // Clients send little (a chat event is a few hundred bytes, at most
        // `--rate-limit-per-sec` messages a second); each connection keeps
        // this buffer for its whole life, so 1 KiB instead of socketioxide's
        // 4 KiB: 3 KiB less per connection. A bigger frame grows it.
        .ws_read_buffer_size(WS_READ_BUFFER);
    // `--transports` parses to at least one transport; `(false, false)`
    // cannot happen and falls back to both.
    match (args.transports.websocket, args.transports.polling) {
        (true, false) => builder.transports([TransportType::Websocket]),
        (false, true) => builder.transports([TransportType::Polling]),
        _ => builder.transports([TransportType::Polling, TransportType::Websocket]),
    }
}

/// `GET /metrics`: the counters, plus the open connections by transport.
fn metrics_handler(
    io: Io,
    metrics: Arc<Metrics>,
) -> impl Fn() -> std::future::Ready<axum::response::Response> + Clone + Send + Sync + 'static {
    move || {
        let connections = match &io {
            Io::Alone(io) => count_connections(io),
            Io::Cluster(io) => count_connections(io),
        };
        let body = metrics.render(connections);
        std::future::ready(
            (
                [(
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                body,
            )
                .into_response(),
        )
    }
}

/// This node's open connections by transport.
fn count_connections<A: Adapter>(io: &SocketIo<A>) -> Connections {
    let mut connections = Connections::default();
    for socket in io.of("/").map(|ns| ns.sockets()).unwrap_or_default() {
        match socket.transport_type() {
            TransportType::Websocket => connections.websocket += 1,
            TransportType::Polling => connections.polling += 1,
        }
    }
    connections
}

async fn healthz() -> &'static str {
    "ok"
}
