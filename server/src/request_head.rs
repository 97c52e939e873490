//! The head of a request that opens a Socket.IO session, copied into
//! allocations of its own before socketioxide keeps it.
//!
//! hyper parses a request without copying: the URI and every header value
//! are slices of the connection's read buffer, and axum keeps one more
//! slice, the [`OriginalUri`] extension. socketioxide keeps the
//! session-opening request's head, extensions included, for the life of
//! the connection (`SocketRef::req_parts`), so each connection held that
//! whole buffer: about 16 KiB of its ~31 KiB while idle (heaptrack,
//! BENCHMARKS.md). Copying the few hundred bytes of the head lets the
//! buffer go as soon as the request is read.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;

use crate::origin::is_socketio_path;

/// Middleware in front of the Socket.IO layer: compacts the head of a
/// request that opens a session (see the module docs); other requests pass
/// untouched.
pub(crate) async fn compact_session_head(request: Request, next: Next) -> Response {
    let request = if opens_session(&request) {
        compact(request)
    } else {
        request
    };
    next.run(request).await
}

/// A request to `/socket.io/` without a session id: the Engine.IO
/// handshake (polling, or a WebSocket straight away).
fn opens_session(request: &Request) -> bool {
    let has_sid = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|pair| pair.starts_with("sid=")));
    is_socketio_path(request.uri().path()) && !has_sid
}

/// `uri` in an allocation of its own (the same URI if the copy does not
/// parse, which cannot happen for one that parsed once).
fn own_uri(uri: &Uri) -> Uri {
    Uri::from_maybe_shared(Bytes::from(uri.to_string())).unwrap_or_else(|_| uri.clone())
}

/// The same request, its URI, headers and original URI in allocations of
/// their own.
fn compact(request: Request) -> Request {
    let (mut parts, body) = request.into_parts();
    let mut headers = HeaderMap::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        let copied = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            HeaderValue::from_maybe_shared(Bytes::copy_from_slice(value.as_bytes())),
        );
        // Both parsed once already; should a copy not parse, keep the original.
        let (name, copy) = match copied {
            (Ok(copy_name), Ok(mut copy)) => {
                copy.set_sensitive(value.is_sensitive());
                (copy_name, copy)
            }
            _ => (name.clone(), value.clone()),
        };
        headers.append(name, copy);
    }
    parts.headers = headers;
    parts.uri = own_uri(&parts.uri);
    if let Some(OriginalUri(original)) = parts.extensions.get::<OriginalUri>() {
        let original = OriginalUri(own_uri(original));
        parts.extensions.insert(original);
    }
    Request::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use std::ops::Range;

    const HEAD: &str = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\
                        host: 127.0.0.1:3000\r\nsec-websocket-key: dGhlIHNhbXBsZQ==\r\n\r\n";

    /// A request whose URI, original URI and header values are slices of
    /// one buffer, as hyper and axum make them.
    fn parsed_like_hyper(buffer: &Bytes) -> Request {
        let slice = |s: &str| {
            let at = HEAD.find(s).expect("in the head");
            buffer.slice(at..at + s.len())
        };
        let uri =
            Uri::from_maybe_shared(slice("/socket.io/?EIO=4&transport=websocket")).expect("a URI");
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = uri.clone();
        request.extensions_mut().insert(OriginalUri(uri));
        for (name, value) in [
            ("host", "127.0.0.1:3000"),
            ("sec-websocket-key", "dGhlIHNhbXBsZQ=="),
        ] {
            request.headers_mut().insert(
                HeaderName::from_static(name),
                HeaderValue::from_maybe_shared(slice(value)).expect("a value"),
            );
        }
        request
    }

    fn within(range: &Range<usize>, bytes: &[u8]) -> bool {
        range.contains(&(bytes.as_ptr() as usize))
    }

    fn path_bytes(uri: &Uri) -> &[u8] {
        uri.path_and_query()
            .map_or(&[][..], |p| p.as_str().as_bytes())
    }

    #[test]
    fn a_session_opening_head_no_longer_points_into_the_read_buffer() {
        let buffer = Bytes::from(HEAD.to_owned().into_bytes());
        let range = buffer.as_ptr() as usize..buffer.as_ptr() as usize + buffer.len();
        let request = parsed_like_hyper(&buffer);
        assert!(opens_session(&request));
        assert!(
            within(&range, request.headers()["host"].as_bytes()),
            "the test's premise"
        );
        let compacted = compact(request);
        assert_eq!(compacted.uri(), "/socket.io/?EIO=4&transport=websocket");
        assert_eq!(compacted.headers()["host"], "127.0.0.1:3000");
        assert_eq!(compacted.headers()["sec-websocket-key"], "dGhlIHNhbXBsZQ==");
        for value in compacted.headers().values() {
            assert!(
                !within(&range, value.as_bytes()),
                "{value:?} still in the buffer"
            );
        }
        assert!(!within(&range, path_bytes(compacted.uri())), "the URI");
        let OriginalUri(original) = compacted.extensions().get::<OriginalUri>().expect("kept");
        assert_eq!(original, "/socket.io/?EIO=4&transport=websocket");
        assert!(!within(&range, path_bytes(original)), "the original URI");
    }

    #[test]
    fn only_requests_that_open_a_session_are_compacted() {
        let request = |uri: &str| {
            Request::builder()
                .uri(uri)
                .body(Body::empty())
                .expect("a request")
        };
        assert!(opens_session(&request(
            "/socket.io/?EIO=4&transport=polling&t=x"
        )));
        assert!(!opens_session(&request(
            "/socket.io/?EIO=4&transport=polling&sid=abc"
        )));
        assert!(!opens_session(&request(
            "/socket.io/?EIO=4&sid=abc&transport=websocket"
        )));
        assert!(!opens_session(&request("/app.js")));
    }
}
