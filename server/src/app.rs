//! The axum app: Socket.IO on `/socket.io/`, `GET /healthz`, static files.

use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;
use socketioxide::{SocketIo, TransportType};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tracing::warn;

use crate::config::Args;
use crate::namespace::on_connect;
use crate::origin::{guard_origin, AllowedOrigins};

/// The app's router and the Socket.IO handle that drives its connections.
#[derive(Debug)]
pub struct App {
    /// Serves `/socket.io/` (the `--transports`), `/healthz` and the static app.
    pub router: Router,
    /// The Socket.IO server, e.g. to close every connection on shutdown.
    pub io: SocketIo,
}

/// Builds the app from `args`: socketioxide on its default path
/// `/socket.io/` with the transports of `--transports` (default polling and
/// WebSocket), the handlers of namespace `/`,
/// `GET /healthz` → `ok`, and `--static-dir` served at `/` (`index.html` for
/// directories).
///
/// `origins` is the allow-list (see `--allowed-origin`): CORS headers go only
/// to those origins, and a request from any other origin is refused with 403
/// on `/socket.io/` (both transports) before socketioxide sees it. Requests
/// without an `Origin` header are allowed.
///
/// A missing static directory is logged as a warning; Socket.IO and
/// `/healthz` work regardless.
pub fn build_app(args: &Args, origins: AllowedOrigins) -> App {
    let max_payload = args.max_payload;
    let builder = SocketIo::builder()
        .ping_interval(args.ping_interval())
        .ping_timeout(args.ping_timeout())
        .max_payload(max_payload)
        // Engine.IO's max payload bounds polling bodies; bound WebSocket
        // messages the same way, so a bigger packet closes that connection.
        .ws_max_message_size(usize::try_from(max_payload).unwrap_or(usize::MAX));
    // `--transports` parses to at least one transport; `(false, false)`
    // cannot happen and falls back to both.
    let builder = match (args.transports.websocket, args.transports.polling) {
        (true, false) => builder.transports([TransportType::Websocket]),
        (false, true) => builder.transports([TransportType::Polling]),
        _ => builder.transports([TransportType::Polling, TransportType::Websocket]),
    };
    let (layer, io) = builder.build_layer();
    io.ns("/", on_connect);

    if !args.static_dir.is_dir() {
        warn!(
            "--static-dir {} is not a directory: the app will not be served at / \
             (Socket.IO and /healthz still work). Run the build first (`trunk build`), \
             or pass --static-dir <DIR> (or set LSIO_STATIC_DIR) to the built app.",
            args.static_dir.display()
        );
    }

    let router = Router::new()
        .route("/healthz", get(healthz))
        .fallback_service(ServeDir::new(&args.static_dir))
        .layer(layer)
        .layer(origins.cors_layer())
        // Outside the CORS layer, so a refused origin's preflight is refused
        // too instead of being answered by the CORS layer.
        .layer(from_fn_with_state(Arc::new(origins), guard_origin))
        .layer(TraceLayer::new_for_http());
    App { router, io }
}

async fn healthz() -> &'static str {
    "ok"
}
