//! The Socket.IO namespace `/`: connection logging and event routing.

use socketioxide::extract::SocketRef;
use socketioxide::socket::DisconnectReason;
use tracing::info;

use crate::echo::on_echo;

/// Connect handler of namespace `/`: logs the connection and registers the
/// event handlers of the chat contract.
pub(crate) async fn on_connect(socket: SocketRef) {
    info!(sid = %socket.id, transport = ?socket.transport_type(), "socket connected");
    socket.on("echo", on_echo);
    socket.on_disconnect(on_disconnect);
}

async fn on_disconnect(socket: SocketRef, reason: DisconnectReason) {
    info!(sid = %socket.id, %reason, "socket disconnected");
}
