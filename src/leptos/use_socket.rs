//! [`use_socket`]: a [`Socket`] whose connection state is a signal.

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::{ConnectionState, Socket, SocketOptions, TransportKind};

/// What [`use_socket`] returns: the socket and its connection as signals.
#[derive(Clone)]
pub struct UseSocketReturn {
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    pub state: Signal<ConnectionState>,
    /// The transport in use (`none` before the first connection).
    pub transport: Signal<TransportKind>,
    /// The last connection error, as a sentence for a person.
    pub last_error: Signal<Option<String>>,
    /// The socket, to `emit` and listen with `on`.
    pub socket: Socket,
}

/// Connects to the Socket.IO server at `url` (empty: the page's origin) for
/// the life of the current reactive owner.
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_socketio::leptos::{use_socket, UseSocketReturn};
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let UseSocketReturn { state, .. } = use_socket("http://127.0.0.1:3000");
///     view! { <p>{move || state.get().to_string()}</p> }
/// }
/// ```
pub fn use_socket(url: &str) -> UseSocketReturn {
    use_socket_with_options(SocketOptions::new(url))
}

/// [`use_socket`] with every [`SocketOptions`] field under your control.
pub fn use_socket_with_options(options: SocketOptions) -> UseSocketReturn {
    let socket = Socket::connect(options);
    let state = RwSignal::new(socket.state());
    let transport = RwSignal::new(socket.transport());
    let last_error = RwSignal::new(socket.last_error());

    let listener = {
        let watched = socket.clone();
        socket.on_connection_change(move |new_state, new_transport| {
            state.set(new_state);
            transport.set(new_transport);
            last_error.set(watched.last_error());
        })
    };
    // The socket and the listener are browser values (not `Send`); the
    // wrapper only lets the cleanup closure carry them on this thread.
    let owned = SendWrapper::new((socket.clone(), listener));
    on_cleanup(move || {
        let (socket, listener) = owned.take();
        drop(listener);
        socket.disconnect();
    });

    UseSocketReturn {
        state: state.into(),
        transport: transport.into(),
        last_error: last_error.into(),
        socket,
    }
}
