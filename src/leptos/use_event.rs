//! [`use_event`]: the latest data of one server event, as a signal.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::{DataError, Socket};

/// A signal of the latest `event` the server emitted on `socket`, decoded
/// into `T`: `None` until the first one, then `Some(Ok(data))`, or
/// `Some(Err(_))` when the data did not match `T` (nothing is dropped
/// silently). The handler is removed when the current reactive owner is
/// disposed. Under server rendering it stays `None`.
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_socketio::leptos::{use_event, use_socket};
///
/// #[component]
/// fn Visitors() -> impl IntoView {
///     let socket = use_socket("").socket;
///     let count = use_event::<u64>(&socket, "visitors");
///     view! {
///         <p>{move || match count.get() {
///             None => "…".to_owned(),
///             Some(Ok(n)) => format!("{n} online"),
///             Some(Err(err)) => err.to_string(),
///         }}</p>
///     }
/// }
/// ```
pub fn use_event<T>(socket: &Socket, event: &str) -> Signal<Option<Result<T, DataError>>>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let latest = RwSignal::new(None);
    let listener = socket.on(event, move |data: Result<T, DataError>| {
        latest.set(Some(data));
    });
    on_cleanup(move || drop(listener));
    latest.into()
}
