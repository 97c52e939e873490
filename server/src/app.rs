//! The axum app: Socket.IO on `/socket.io/`, `GET /healthz`, static files.

use axum::routing::get;
use axum::Router;
use socketioxide::{SocketIo, TransportType};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tracing::warn;

use crate::config::Args;
use crate::namespace::on_connect;

/// The app's router and the Socket.IO handle that drives its connections.
#[derive(Debug)]
pub struct App {
    /// Serves `/socket.io/` (both transports), `/healthz` and the static app.
    pub router: Router,
    /// The Socket.IO server, e.g. to close every connection on shutdown.
    pub io: SocketIo,
}

/// Builds the app from `args`: socketioxide on its default path
/// `/socket.io/` with polling and WebSocket, the handlers of namespace `/`,
/// `GET /healthz` → `ok`, and `--static-dir` served at `/` (`index.html` for
/// directories).
///
/// A missing static directory is logged as a warning; Socket.IO and
/// `/healthz` work regardless.
pub fn build_app(args: &Args) -> App {
    let max_payload = args.max_payload;
    let (layer, io) = SocketIo::builder()
        .ping_interval(args.ping_interval())
        .ping_timeout(args.ping_timeout())
        .max_payload(max_payload)
        // Engine.IO's max payload bounds polling bodies; bound WebSocket
        // messages the same way, so a bigger packet closes that connection.
        .ws_max_message_size(usize::try_from(max_payload).unwrap_or(usize::MAX))
        .transports([TransportType::Polling, TransportType::Websocket])
        .build_layer();
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
        .layer(TraceLayer::new_for_http());
    App { router, io }
}

async fn healthz() -> &'static str {
    "ok"
}
