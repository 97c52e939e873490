//! [`Chat`]: the demo chat as one component — join form, messages,
//! composer, members, typing indicator and connection bar — on top of the
//! sans-IO [`ChatState`](crate::chat::ChatState).
//!
//! Styling: the markup uses classes prefixed `lsio-chat`; the crate ships a
//! default stylesheet, `style/chat.css`. Include it (with trunk:
//! `<link data-trunk rel="css" href="style/chat.css" />`) or write your own.

mod clock;
mod driver;
mod saved;
mod view;
mod wire;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use leptos::prelude::*;
#[cfg(target_arch = "wasm32")]
use send_wrapper::SendWrapper;

use crate::chat::ChatState;
use crate::engine::TransportMode;
use crate::leptos::{use_socket_with_options, UseSocketReturn};
use crate::protocol::Value;
use crate::{ConnectionState, SocketOptions};
use driver::Driver;
use wire::Wire;

/// How often the connection bar refreshes the reconnect countdown.
const TICK: Duration = Duration::from_millis(500);

/// A complete chat client for the [chat contract](crate::chat) of the
/// companion server, in one component.
///
/// It connects for the life of its reactive owner; every listener and timer
/// is released when the owner is disposed. Under server rendering (`ssr`)
/// it renders the join form and stays inert.
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_socketio::leptos::Chat;
///
/// #[component]
/// fn App() -> impl IntoView {
///     // Empty `server`: the page's own origin. Both `room` and `name`
///     // given: it joins at once.
///     view! { <Chat server="" room="lobby".to_owned() name="ada".to_owned() /> }
/// }
/// ```
// The macro's inner function copies this one's `pub`; it is reachable only
// through the re-export, which the lint does not see.
#[allow(unreachable_pub)]
#[component]
pub fn Chat(
    /// The Socket.IO server's URL; empty (the default) for the page's origin.
    #[prop(optional, into)]
    server: String,
    /// Prefills the room; with `name` too, joins at once.
    #[prop(optional_no_strip, into)]
    room: Option<String>,
    /// Prefills the name; with `room` too, joins at once.
    #[prop(optional_no_strip, into)]
    name: Option<String>,
    /// Which transports to use. Default: [`TransportMode::Auto`].
    #[prop(optional)]
    transport: TransportMode,
    /// Sent as `auth: {token}` on connect, when given.
    #[prop(optional_no_strip, into)]
    token: Option<String>,
    /// Extra classes on the root element (after `lsio-chat`).
    #[prop(optional, into)]
    class: String,
) -> impl IntoView {
    let mut options = SocketOptions::new(server.clone())
        .transports(transport)
        .durable();
    if let Some(token) = token {
        let auth = [("token".to_owned(), Value::String(token))];
        options = options.auth(Value::Object(auth.into_iter().collect()));
    }
    let UseSocketReturn {
        state: connection,
        transport,
        last_error,
        rtt,
        socket,
        ..
    } = use_socket_with_options(options);

    // Messages are kept in browser storage until the server has them, when
    // the page may keep anything there; otherwise they are kept in memory
    // (a reload while offline loses them), and the notice says so.
    let storage_problem = saved::storage_problem();
    let durable = storage_problem.is_none();
    let model = ChatState::new(clock::seed());
    let chat = RwSignal::new(if durable { model.durable() } else { model });
    let driver = Driver::new(chat, Wire::new(socket.clone(), durable), &server);
    let storage_notice = RwSignal::new(None::<String>);
    // After mounting, so a hydrated page renders what the server rendered
    // first.
    Effect::new(move || {
        storage_notice.set(storage_problem.clone().map(|why| {
            format!(
                "This page cannot keep messages in browser storage ({why}): \
                 they are sent while connected, but a reload while offline loses \
                 the ones not sent yet."
            )
        }));
    });
    let listeners = Wire::new(socket.clone(), durable).listen({
        let driver = driver.clone();
        move |incoming| driver.incoming(incoming)
    });
    // The socket may already be connected (a shared manager).
    if socket.state() == ConnectionState::Connected {
        driver.incoming(wire::Incoming::Connection(ConnectionState::Connected));
    }

    let countdown = RwSignal::new(None::<u64>);
    let ticker = {
        let socket = socket.clone();
        clock::every(TICK, move || {
            let retry = (socket.state() == ConnectionState::Reconnecting)
                .then(|| socket.next_attempt_in())
                .flatten()
                .map(|d| d.as_millis().div_ceil(1000) as u64);
            countdown.try_set(retry);
        })
    };

    let (name, room) = (name.unwrap_or_default(), room.unwrap_or_default());
    if !name.trim().is_empty() && !room.trim().is_empty() {
        driver.join(&name, &room);
    }

    // In the browser: browser values (not `Send`), carried to the cleanup,
    // which runs on the page's one thread.
    #[cfg(target_arch = "wasm32")]
    {
        let owned = SendWrapper::new((driver.clone(), listeners, ticker));
        on_cleanup(move || {
            // The ticker is cancelled when `_ticker` goes out of scope.
            let (driver, listeners, _ticker) = owned.take();
            drop(listeners);
            driver.stop();
        });
    }
    // On the server nothing runs (no timer, no connection), so there is
    // nothing to release later, and nothing thread-bound may outlive this
    // call: a multi-threaded server may dispose the owner elsewhere.
    #[cfg(not(target_arch = "wasm32"))]
    drop((listeners, ticker));

    let ids = next_instance();
    view::render(view::Parts {
        ids,
        class,
        chat,
        driver: StoredValue::new_with_storage(driver),
        connection,
        transport,
        last_error,
        rtt: Signal::derive(move || rtt.get().map(|d| d.as_millis() as u64)),
        countdown: countdown.into(),
        storage_notice: storage_notice.into(),
        name,
        room,
    })
}

/// A prefix for element ids, distinct per `<Chat/>` on the page.
fn next_instance() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("lsio-chat-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
