//! One socket for a whole component tree: [`provide_socket`] and
//! [`use_socket_context`].

use leptos::prelude::*;

use super::UseSocketReturn;

/// Makes `socket` (from [`use_socket`](super::use_socket)) available to
/// every descendant through [`use_socket_context`], so a tree shares one
/// connection instead of opening one per component.
///
/// ```no_run
/// use leptos::prelude::*;
/// use leptos_socketio::leptos::{provide_socket, use_socket, use_socket_context};
///
/// #[component]
/// fn App() -> impl IntoView {
///     provide_socket(use_socket("http://127.0.0.1:3000"));
///     view! { <Status/> }
/// }
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let state = use_socket_context().expect("inside <App/>").state;
///     view! { <p>{move || state.get().to_string()}</p> }
/// }
/// ```
pub fn provide_socket(socket: UseSocketReturn) {
    provide_context(socket);
}

/// The socket an ancestor provided with [`provide_socket`], or `None` when
/// there is none.
pub fn use_socket_context() -> Option<UseSocketReturn> {
    use_context::<UseSocketReturn>()
}
