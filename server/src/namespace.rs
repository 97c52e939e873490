//! The Socket.IO namespace `/`: the token check, connection logging and
//! the chat's event handlers.

use std::convert::Infallible;
use std::sync::Arc;

use socketioxide::adapter::Adapter;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
// socketioxide sets a namespace up only with an adapter marked as whole
// (`DefinedAdapter`); the marker lives in its core crate.
use socketioxide_core::adapter::DefinedAdapter;
use tracing::info;

use crate::auth::Token;
use crate::chat::validate::Reason;
use crate::chat::{log_connect, Chat};
use crate::metrics::Metrics;

/// Sets up namespace `/` on `io`: with a `token`, a CONNECT without
/// `auth: {token}` equal to it gets CONNECT_ERROR `unauthorized`; each
/// connected socket is logged and gets the chat handlers.
///
/// The handlers are registered in a middleware, which socketioxide awaits
/// *before* it answers the CONNECT. Its connect handler is spawned only
/// after the answer is sent, so handlers registered there could miss the
/// first events of a client that emits as soon as it is connected (as
/// socket.io-client does with its buffered emits).
///
/// Returns what the adapter's namespace set-up returns: nothing to wait for
/// alone, a future that subscribes to the other nodes with `--redis-url`.
pub(crate) fn register<A: Adapter + DefinedAdapter>(
    io: &SocketIo<A>,
    chat: Arc<Chat>,
    token: Option<Token>,
    metrics: Arc<Metrics>,
) -> A::InitRes {
    let on_connect = |socket: SocketRef<A>| async move { log_connect(&socket) };
    let add_handlers = move |socket: SocketRef<A>, io: SocketIo<A>| async move {
        chat.register(&socket, io);
        Ok::<(), Infallible>(())
    };
    let Some(token) = token else {
        return io.ns("/", on_connect.with(add_handlers));
    };
    let check = move |socket: SocketRef<A>, TryData(auth): TryData<serde_json::Value>| async move {
        let checked = token.check(auth.ok().as_ref());
        if checked.is_err() {
            metrics.rejected(Reason::Unauthorized);
            info!(sid = %socket.id, "connection refused: missing or wrong token");
        }
        checked
    };
    // The last `with` runs first: the token, then the handlers.
    io.ns("/", on_connect.with(add_handlers).with(check))
}
