//! Reading the page's query parameters.

/// The value of query parameter `name` of the current page, if present.
#[cfg(target_arch = "wasm32")]
pub(crate) fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// Outside the browser there is no page, hence no parameter. (Natively the
/// app is compiled but never mounted, so nothing calls this.)
#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)]
pub(crate) fn param(_name: &str) -> Option<String> {
    None
}
