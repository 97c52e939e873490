//! [`TokioDriver`] (feature `native`): the client's runtime in a Rust
//! program. WebSocket by tokio-tungstenite, long-polling by reqwest, one
//! tokio timer, the remembered transport in memory for the life of the
//! process. It only performs; every decision is the runtime's, as in the
//! browser.
//!
//! Reports reach the runtime from the tokio tasks that own the transports,
//! so handlers run on tokio's threads: keep them short, and hand long work
//! to a task of your own.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::runtime::Handle as Tokio;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::client::driver::{Driver, HttpConfig, Io};
use crate::client::runtime::Handle;
use crate::client::sync::Lock;
use crate::engine::{TransportError, TransportEvent, TransportId};
use crate::protocol::Frame;
use crate::time::Instant;

/// One transport's tasks.
enum Transport {
    /// Frames to send go through `outgoing` to the task that owns the
    /// socket; dropping the sender closes it.
    WebSocket {
        outgoing: mpsc::UnboundedSender<Frame>,
    },
    /// The GET in flight, aborted when the transport closes (as the
    /// browser's `AbortController`). POSTs run to their end: the last one
    /// carries the session's `close`.
    Polling { get: Option<JoinHandle<()>> },
}

/// The driver of a native client, on the tokio runtime it was made in.
pub(crate) struct TokioDriver {
    tokio: Tokio,
    /// Made on the first polling request: a client that stays on
    /// WebSocket never builds one (an HTTP client with its TLS roots costs
    /// far more than the socket; a program holding thousands of sockets
    /// notices).
    http: std::sync::OnceLock<reqwest::Client>,
    started: std::time::Instant,
    transports: Lock<HashMap<TransportId, Transport>>,
    timer: Lock<Option<JoinHandle<()>>>,
    storage: Lock<HashMap<String, String>>,
}

impl TokioDriver {
    /// A driver on the tokio runtime running this call, if there is one.
    pub(crate) fn current() -> Option<Self> {
        let tokio = Tokio::try_current().ok()?;
        Some(Self {
            tokio,
            http: std::sync::OnceLock::new(),
            started: std::time::Instant::now(),
            transports: Lock::default(),
            timer: Lock::default(),
            storage: Lock::default(),
        })
    }

    /// The HTTP client of the polling transport, made on first use.
    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(reqwest::Client::new)
    }

    fn open_websocket(
        &self,
        id: TransportId,
        url: &str,
        http: HttpConfig<'_>,
        handle: &Handle,
    ) -> Result<(), TransportError> {
        let mut request = url
            .into_client_request()
            .map_err(|e| TransportError::Unavailable(format!("cannot open {url}: {e}")))?;
        for (name, value) in http.extra_headers {
            let (name, value) = header(name, value)?;
            request.headers_mut().insert(name, value);
        }
        let (outgoing, mut frames) = mpsc::unbounded_channel::<Frame>();
        let handle = handle.clone();
        self.tokio.spawn(async move {
            let socket = match tokio_tungstenite::connect_async_with_config(
                request,
                Some(websocket_config()),
                // Small frames go out at once, as a browser's WebSocket does.
                true,
            )
            .await
            {
                Ok((socket, _)) => socket,
                Err(e) => {
                    handle.report(id, TransportEvent::Failed(closed(1006, e.to_string())));
                    return;
                }
            };
            handle.report(id, TransportEvent::Open);
            let (mut sink, mut stream) = socket.split();
            loop {
                tokio::select! {
                    received = stream.next() => match received {
                        Some(Ok(Message::Text(text))) => {
                            handle.report(id, TransportEvent::Frame(Frame::Text(text.as_str().to_owned())));
                        }
                        Some(Ok(Message::Binary(bytes))) => {
                            handle.report(id, TransportEvent::Frame(Frame::Binary(bytes.to_vec())));
                        }
                        Some(Ok(Message::Close(frame))) => {
                            let (code, reason) = frame.map_or((1005, String::new()), |f| {
                                (u16::from(f.code), f.reason.as_str().to_owned())
                            });
                            handle.report(id, TransportEvent::Failed(closed(code, reason)));
                            return;
                        }
                        // Pings are answered by tungstenite itself.
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            handle.report(id, TransportEvent::Failed(closed(1006, e.to_string())));
                            return;
                        }
                        None => {
                            handle.report(id, TransportEvent::Failed(closed(1006, String::new())));
                            return;
                        }
                    },
                    frame = frames.recv() => match frame {
                        Some(frame) => {
                            let message = match frame {
                                Frame::Text(text) => Message::text(text),
                                Frame::Binary(bytes) => Message::binary(bytes),
                            };
                            if let Err(e) = sink.send(message).await {
                                handle.report(id, TransportEvent::Failed(closed(1006, e.to_string())));
                                return;
                            }
                        }
                        // Closed by the runtime: say goodbye, report nothing.
                        None => {
                            let _ = sink.send(Message::Close(Some(CloseFrame {
                                code: 1000.into(),
                                reason: "".into(),
                            }))).await;
                            return;
                        }
                    },
                }
            }
        });
        self.transports
            .lock()
            .insert(id, Transport::WebSocket { outgoing });
        Ok(())
    }

    fn request(
        &self,
        id: TransportId,
        request: reqwest::RequestBuilder,
        on_ok: fn(String) -> TransportEvent,
        handle: &Handle,
    ) -> JoinHandle<()> {
        let handle = handle.clone();
        self.tokio.spawn(async move {
            let event = match answer(request).await {
                Ok(body) => on_ok(body),
                Err(why) => TransportEvent::Failed(why),
            };
            handle.report(id, event);
        })
    }

    fn with_headers(
        &self,
        mut request: reqwest::RequestBuilder,
        http: HttpConfig<'_>,
    ) -> Result<reqwest::RequestBuilder, TransportError> {
        for (name, value) in http.extra_headers {
            let (name, value) = header(name, value)?;
            request = request.header(name, value);
        }
        Ok(request)
    }
}

/// Bytes read from a WebSocket at a time. tungstenite's default is
/// 128 KiB, and it zero-fills the whole spare capacity before every read:
/// with frames of a few hundred bytes, that `memset` took half of a busy
/// client's CPU (`benches/load`, BENCHMARKS.md). 8 KiB reads a typical
/// event in one go; bigger frames take several reads.
const WEBSOCKET_READ_BUFFER: usize = 8 * 1024;

fn websocket_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(WEBSOCKET_READ_BUFFER)
}

/// A header the options asked for, or the sentence saying why it cannot be
/// sent.
fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), TransportError> {
    let refused =
        || TransportError::Unavailable(format!("the header \"{name}\" is not valid HTTP"));
    Ok((
        HeaderName::try_from(name).map_err(|_| refused())?,
        HeaderValue::try_from(value).map_err(|_| refused())?,
    ))
}

fn closed(code: u16, reason: String) -> TransportError {
    TransportError::WebSocketClosed { code, reason }
}

/// The body of a 2xx answer, or why there is none.
async fn answer(request: reqwest::RequestBuilder) -> Result<String, TransportError> {
    let response = request
        .send()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(TransportError::from_http(status, &body))
    }
}

impl Driver for TokioDriver {
    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    fn seed(&self) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        // A per-process random key, mixed with the time.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(self.unix_ms());
        hasher.finish()
    }

    fn perform(&self, io: Io, http: HttpConfig<'_>, handle: &Handle) -> Result<(), TransportError> {
        match io {
            Io::OpenWebSocket { id, url } => self.open_websocket(id, &url, http, handle)?,
            Io::Get { id, url } => {
                let request = self.with_headers(self.http().get(&url), http)?;
                let get = self.request(id, request, TransportEvent::Response, handle);
                let mut transports = self.transports.lock();
                match transports.get_mut(&id) {
                    Some(Transport::Polling { get: slot }) => *slot = Some(get),
                    _ => {
                        transports.insert(id, Transport::Polling { get: Some(get) });
                    }
                }
            }
            Io::Post { id, url, body, .. } => {
                let request = self
                    .with_headers(self.http().post(&url), http)?
                    .header("content-type", "text/plain;charset=UTF-8")
                    .body(body);
                drop(self.request(id, request, |_| TransportEvent::PostDone, handle));
            }
            Io::Send { id, frame } => {
                if let Some(Transport::WebSocket { outgoing }) = self.transports.lock().get(&id) {
                    // A closed channel means the socket's task has ended and
                    // reported why; nothing more to say here.
                    let _ = outgoing.send(frame);
                }
            }
            Io::Close { id } => {
                // Dropping a WebSocket's sender ends its task, with a close
                // frame; a GET in flight is aborted.
                let removed = self.transports.lock().remove(&id);
                if let Some(Transport::Polling { get: Some(get) }) = removed {
                    get.abort();
                }
            }
        }
        Ok(())
    }

    fn arm_timer(&self, delay: Option<Duration>, handle: &Handle) {
        let timer = delay.map(|delay| {
            let handle = handle.clone();
            self.tokio.spawn(async move {
                tokio::time::sleep(delay).await;
                handle.wake();
            })
        });
        let replaced = std::mem::replace(&mut *self.timer.lock(), timer);
        if let Some(replaced) = replaced {
            // A timer that is waking the runtime right now is not stopped:
            // aborting only reaches it at its next await, after the wake.
            replaced.abort();
        }
    }

    fn load(&self, key: &str) -> Option<String> {
        self.storage.lock().get(key).cloned()
    }

    fn store(&self, key: &str, value: &str) -> Result<(), String> {
        self.storage.lock().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

impl Drop for TokioDriver {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.lock().take() {
            timer.abort();
        }
        for (_, transport) in self.transports.lock().drain() {
            if let Transport::Polling { get: Some(get) } = transport {
                get.abort();
            }
        }
    }
}

/// Why a native socket cannot connect outside a tokio runtime: a driver
/// that says so on every attempt (the socket's `last_error`).
#[derive(Debug)]
pub(crate) struct NoRuntimeDriver {
    started: std::time::Instant,
}

impl NoRuntimeDriver {
    pub(crate) fn new() -> Self {
        Self {
            started: std::time::Instant::now(),
        }
    }
}

impl Driver for NoRuntimeDriver {
    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn unix_ms(&self) -> u64 {
        0
    }

    fn seed(&self) -> u64 {
        0
    }

    fn perform(&self, _: Io, _: HttpConfig<'_>, _: &Handle) -> Result<(), TransportError> {
        Err(TransportError::Unavailable(
            "no tokio runtime is running: create the socket from inside one \
             (in an async fn under #[tokio::main], or a task it spawned)"
                .to_owned(),
        ))
    }

    fn arm_timer(&self, _: Option<Duration>, _: &Handle) {}

    fn load(&self, _: &str) -> Option<String> {
        None
    }

    fn store(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no tokio runtime is running".to_owned())
    }
}
