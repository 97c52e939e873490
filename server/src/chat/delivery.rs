//! Handing events and acks to sockets: every result is checked, and a
//! failure is counted (`lsio_deliveries_failed_total`) and logged.

use std::convert::Infallible;
use std::sync::Arc;

use serde::Serialize;
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::AckSender;
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::{Sid, Socket};
use socketioxide::SocketIo;
use tracing::warn;

use crate::metrics::Metrics;

/// The ack of one incoming event, and whether the client asked for one.
pub(super) struct Reply {
    ack: AckSender,
    wanted: bool,
    sid: Sid,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("wanted", &self.wanted)
            .field("sid", &self.sid)
            .finish_non_exhaustive()
    }
}

impl FromMessageParts<LocalAdapter> for Reply {
    type Error = Infallible;

    fn from_message_parts(
        s: &Arc<Socket<LocalAdapter>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self {
            ack: AckSender::from_message_parts(s, v, ack_id)?,
            wanted: ack_id.is_some(),
            sid: s.id,
        })
    }
}

impl Reply {
    /// Sends `data` as the ack of `event`, if the client asked for one.
    pub(super) fn send<T: Serialize + ?Sized>(self, event: &str, data: &T, metrics: &Metrics) {
        if !self.wanted {
            return;
        }
        match self.ack.send(data) {
            Ok(()) => metrics.ack_sent(),
            Err(e) => {
                metrics.delivery_failed();
                warn!(sid = %self.sid, event, error = %e, "could not send the ack");
            }
        }
    }
}

/// Emits `event` with `data` to each socket of `sids` (namespace `/`).
pub(super) fn emit_to<T: Serialize + ?Sized>(
    io: &SocketIo,
    sids: &[Sid],
    event: &str,
    data: &T,
    metrics: &Metrics,
) {
    let Some(ns) = io.of("/") else {
        for sid in sids {
            metrics.delivery_failed();
            warn!(%sid, event, "could not deliver: the namespace is gone");
        }
        return;
    };
    for &sid in sids {
        let Some(socket) = ns.get_socket(sid) else {
            metrics.delivery_failed();
            warn!(%sid, event, "could not deliver: the socket is gone");
            continue;
        };
        if let Err(e) = socket.emit(event, data) {
            metrics.delivery_failed();
            warn!(%sid, event, error = %e, "could not deliver");
        }
    }
}
