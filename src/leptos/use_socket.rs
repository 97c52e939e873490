//! [`use_socket`]: a [`Socket`] whose connection is a set of signals.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use crate::{ConnectionState, Socket, SocketOptions, TransportKind};

/// What [`use_socket`] returns: the socket, its connection as signals, and
/// callbacks to connect and disconnect. Every field is `Copy` or cheap to
/// clone, and `Send + Sync`, so it can go into views and contexts.
#[derive(Clone, Debug)]
pub struct UseSocketReturn {
    /// `connecting`, `connected`, `reconnecting` or `disconnected`.
    pub state: Signal<ConnectionState>,
    /// The transport in use (`none` before the first connection).
    pub transport: Signal<TransportKind>,
    /// The round trip of the latest acknowledged emit; `None` before the
    /// first one.
    pub rtt: Signal<Option<Duration>>,
    /// The last connection error, as a sentence for a person.
    pub last_error: Signal<Option<String>>,
    /// Whether the server restored the previous session on the last
    /// connect ([`Socket::recovered`]): `false` means the app must catch up
    /// by itself.
    pub recovered: Signal<bool>,
    /// The socket, to `emit` and listen with `on` (or [`use_event`](super::use_event)).
    pub socket: Socket,
    /// Joins again after `disconnect` (or after reconnection gave up).
    pub connect: Callback<()>,
    /// Leaves for good, until `connect`.
    pub disconnect: Callback<()>,
}

/// Connects to the Socket.IO server at `url` (empty: the page's origin) for
/// the life of the current reactive owner: it disconnects, and releases
/// every handler it registered, when the owner is disposed.
///
/// Under server rendering (`ssr`, or any native build) it never touches a
/// browser API: the socket is inert and the signals stay `disconnected`,
/// `none` and `None`. With `hydrate`, the signals start at those same
/// values, so the hydrated markup matches the server's, and show the real
/// state right after hydration; with `csr` they start at the real state
/// (`connecting`).
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_socketio::leptos::{use_socket, UseSocketReturn};
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let UseSocketReturn { state, transport, disconnect, .. } =
///         use_socket("http://127.0.0.1:3000");
///     view! {
///         <p>{move || format!("{} over {}", state.get(), transport.get())}</p>
///         <button on:click=move |_| disconnect.run(())>"Leave"</button>
///     }
/// }
/// ```
pub fn use_socket(url: &str) -> UseSocketReturn {
    use_socket_with_options(SocketOptions::new(url))
}

/// [`use_socket`] with every [`SocketOptions`] field under your control.
pub fn use_socket_with_options(options: SocketOptions) -> UseSocketReturn {
    // Rendered on the server, a page is not connected, even in a build
    // where a native driver could.
    let socket = if cfg!(feature = "ssr") {
        Socket::inert(options)
    } else {
        Socket::new(options)
    };
    let hydrating = cfg!(feature = "hydrate");
    let state = RwSignal::new(if hydrating {
        ConnectionState::Disconnected
    } else {
        socket.state()
    });
    let transport = RwSignal::new(if hydrating {
        TransportKind::None
    } else {
        socket.transport()
    });
    let rtt = RwSignal::new(None);
    let last_error = RwSignal::new(if hydrating { None } else { socket.last_error() });
    // Changes only when the state does (on a connect): read through a
    // signal derived from the state's, with no signal of its own.
    let recovered_now = Arc::new(AtomicBool::new(false));

    let refresh = {
        let socket = socket.clone();
        let recovered_now = Arc::clone(&recovered_now);
        move || {
            // Before the state, whose change makes `recovered` read it.
            recovered_now.store(socket.recovered(), Ordering::Relaxed);
            state.set(socket.state());
            transport.set(socket.transport());
            last_error.set(socket.last_error());
        }
    };
    let on_change = {
        let refresh = refresh.clone();
        socket.on_connection_change(move |_, _| refresh())
    };
    let on_rtt = socket.on_rtt(move |measured| rtt.set(Some(measured)));
    if hydrating {
        // Effects run in the browser only, after hydration.
        let refresh = refresh.clone();
        Effect::new(refresh);
    }
    {
        let socket = socket.clone();
        on_cleanup(move || {
            drop((on_change, on_rtt));
            socket.disconnect();
        });
    }

    let connect = {
        let socket = socket.clone();
        let refresh = refresh.clone();
        Callback::new(move |()| {
            socket.connect();
            refresh();
        })
    };
    let disconnect = {
        let socket = socket.clone();
        Callback::new(move |()| {
            socket.disconnect();
            refresh();
        })
    };

    UseSocketReturn {
        state: state.into(),
        transport: transport.into(),
        rtt: rtt.into(),
        last_error: last_error.into(),
        recovered: Signal::derive(move || {
            state.track();
            recovered_now.load(Ordering::Relaxed)
        }),
        socket,
        connect,
        disconnect,
    }
}
