//! Accepting and serving connections within limits: a header-read timeout that also ends idle
//! keep-alive connections, and a cap on open connections below the process's descriptor limit,
//! with `503` for the connections over it.
//!
//! This is `axum::serve`'s loop (hyper, hyper-util's graceful shutdown) with what axum 0.8 cannot
//! be told. Its builder has no timer, so hyper's header-read timeout never ran: a client that sent
//! its headers a byte at a time, or held a kept-alive connection silent, was never cut off (500
//! idle keep-alive and 500 silent sockets stayed open for 70 s). And it accepts without bound:
//! under `ulimit -n 1024`, 1,100 silent sockets made `accept` fail with `Too many open files`, and
//! every client, the database pool's new connections included, was refused.
//!
//! It speaks HTTP/1.1 only. axum's auto builder also took cleartext HTTP/2 by prior knowledge
//! (h2c), telling the two apart by reading a connection's first bytes with no timeout at all, so a
//! socket that sent nothing was held forever whatever hyper was told. Browsers never speak h2c, and
//! a proxy that terminates TLS talks HTTP/1.1 to its upstream.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The connection limits of the server.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's headers, counted from when the server waits for
    /// them: on a new connection and between the requests of a kept-alive one, so it is also how
    /// long a connection may sit idle.
    pub header_read_timeout: Duration,
    /// The most connections open at once; those over it are answered `503` and closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: default_max_connections(),
        }
    }
}

/// Descriptors kept free of client connections, for the database pool, the data directory, logs
/// and the connections being shed (each needs a descriptor for the moment it is answered).
const RESERVED_DESCRIPTORS: u64 = 128;

/// The most connections the process can hold open and still open what else it needs: the
/// descriptor limit (raised to its hard limit first, as a server may) less a reserve, at most
/// 10,000 and at least 16.
pub fn default_max_connections() -> usize {
    // `increase_nofile_limit` raises the soft limit up to the hard one and returns the new soft
    // limit; where it cannot (not Unix), assume the common default of 1024.
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS).clamp(16, 10_000)).unwrap_or(16)
}

/// What a connection over the limit is answered before it is closed: no request of it is read,
/// so the answer needs none of the router.
static OVERLOADED_RESPONSE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let body = r#"{"errors":[{"message":"too many open connections; retry later","extensions":{"code":"OVERLOADED"}}]}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting and waits for
/// the open connections to finish their requests (the caller bounds that wait).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut shed_count: u64 = 0;
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Logged at the 1st, 2nd, 4th, 8th… shed connection, not at each: a flood is when
            // connections are shed, and a line for each would add the log's I/O to it.
            shed_count += 1;
            if shed_count.is_power_of_two() {
                tracing::warn!(
                    shed = shed_count,
                    max_connections = limits.max_connections,
                    "connection limit reached; answering 503"
                );
            }
            tokio::spawn(shed(stream));
            continue;
        };
        let service = router
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request.map(axum::body::Body::new)
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Answers a connection over the limit and closes it, without waiting on a slow client for long.
async fn shed(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&OVERLOADED_RESPONSE).await?;
        stream.shutdown().await
    })
    .await;
}

/// After a failed `accept`: a connection reset before it was accepted is the client's affair;
/// anything else (`EMFILE`, `ENFILE`, `ENOMEM`) is logged and the loop pauses, as axum's and
/// hyper's do, since retrying at once would spin.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
