//! Accepting and serving connections within limits: a header-read timeout that also ends idle
//! keep-alive connections, a cap on open connections below the process's descriptor limit, and a
//! cap on the connections one client address may hold, with `503` for the connections over either.
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
//!
//! # One address may hold only its share
//!
//! The global cap keeps the process from running out of descriptors, but not one client from
//! taking every connection it allows: 1,100 silent sockets from one address held all 896 (the
//! cap under a descriptor limit of 1,024), and every other client was answered `503` until the
//! header timeout cut the sockets off, 10 s later. So a client (an IPv4 address, an IPv6 /64:
//! keyed as the rate limit keys them, [`ClientAddress`]) may hold at most
//! `max_connections_per_address` at once; a connection over it is answered and closed as one
//! over the global cap is. It counts the connection's peer, so behind reverse proxies, where
//! every connection comes from a proxy, the command turns it off (`--trusted-proxies`, see
//! `crate::command`). A client with many addresses is the global cap's (and a firewall's) to
//! stop.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
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

use crate::http::ratelimit::ClientAddress;

/// The connection limits of the server.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's headers, counted from when the server waits for
    /// them: on a new connection and between the requests of a kept-alive one, so it is also how
    /// long a connection may sit idle.
    pub header_read_timeout: Duration,
    /// The most connections open at once; those over it are answered `503` and closed.
    pub max_connections: usize,
    /// The most connections one client (an IPv4 address, an IPv6 /64) may hold open at once;
    /// those over it are answered as those over `max_connections` are. `None` caps no address:
    /// behind reverse proxies every connection comes from one.
    pub max_connections_per_address: Option<NonZeroUsize>,
}

impl ConnectionLimits {
    /// `max_connections` open at once, each address allowed its default share of them
    /// ([`default_max_connections_per_address`]).
    pub fn new(header_read_timeout: Duration, max_connections: usize) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout,
            max_connections,
            max_connections_per_address: default_max_connections_per_address(max_connections),
        }
    }
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits::new(Duration::from_secs(10), default_max_connections())
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

/// The connections one address may hold when not told: half of `max_connections` (rounded up).
///
/// Half, so that one address holding its whole share (the 1,100 silent sockets that once held
/// every connection) still leaves as many connections to every other client together. Not less:
/// one address may be many people (an office, a library's or a university's network, a mobile
/// carrier's NAT), each browser opening up to six connections to a host, and a cap of a few
/// dozen would refuse them while doing nothing against a client with many addresses, which only
/// the global cap holds back.
pub fn default_max_connections_per_address(max_connections: usize) -> Option<NonZeroUsize> {
    NonZeroUsize::new(max_connections.div_ceil(2))
}

/// What `/metrics` shows of the connection limits (`crate::telemetry` reads it at scrape time):
/// the connections answered `503` before any request of theirs was read, by the limit they hit.
#[derive(Debug, Default)]
pub struct ConnectionCounters {
    /// Over `max_connections`.
    pub shed_at_max: AtomicU64,
    /// Over their address's `max_connections_per_address`.
    pub shed_per_address: AtomicU64,
}

/// The connections each client holds open, for `max_connections_per_address`.
///
/// An entry lives while its client has a connection open: the last one's [`AddressSlot`] removes
/// it. So the table never holds more entries than there are open connections, at most
/// `max_connections` (24 bytes an entry: with the map's spare room, well under a megabyte at the
/// 10,000 of the largest default), and needs no sweep. A `Mutex` over a `HashMap`: it is taken
/// for one map operation when a connection is accepted and one when it closes, next to which
/// accepting the connection and spawning its task cost far more.
#[derive(Debug, Default)]
struct OpenByAddress(Mutex<HashMap<ClientAddress, usize>>);

impl OpenByAddress {
    /// A slot for one more connection of `client`, if it holds fewer than `cap`.
    fn open(self: &Arc<Self>, client: ClientAddress, cap: NonZeroUsize) -> Option<AddressSlot> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= cap.get() {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            table: self.clone(),
            client,
        })
    }

    #[cfg(test)]
    fn held(&self, client: ClientAddress) -> Option<usize> {
        let open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(&client).copied()
    }
}

/// One open connection of a client, counted in [`OpenByAddress`] until it is dropped.
#[derive(Debug)]
struct AddressSlot {
    table: Arc<OpenByAddress>,
    client: ClientAddress,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Entry::Occupied(mut entry) = open.entry(self.client) {
            *entry.get_mut() -= 1;
            if *entry.get() == 0 {
                entry.remove();
            }
        }
    }
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
    counters: Arc<ConnectionCounters>,
    shutdown: impl Future<Output = ()> + Send,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let by_address = Arc::new(OpenByAddress::default());
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
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
            let shed_count = counters.shed_at_max.fetch_add(1, Ordering::Relaxed) + 1;
            // Logged at the 1st, 2nd, 4th, 8th… shed connection, not at each: a flood is when
            // connections are shed, and a line for each would add the log's I/O to it.
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
        let address_slot = match limits.max_connections_per_address {
            None => None,
            Some(cap) => match by_address.open(ClientAddress::of(remote.ip()), cap) {
                Some(address_slot) => Some(address_slot),
                None => {
                    shed_over_address_cap(&counters, remote, cap);
                    tokio::spawn(shed(stream));
                    continue;
                }
            },
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
            drop((slot, address_slot));
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Counts, and now and then logs, a connection refused because `remote`'s address already held
/// `cap`: at the 1st, 2nd, 4th… such connection, as for the global cap, naming the address (the
/// operator's lead to a client worth a firewall rule).
fn shed_over_address_cap(counters: &ConnectionCounters, remote: SocketAddr, cap: NonZeroUsize) {
    let shed_count = counters.shed_per_address.fetch_add(1, Ordering::Relaxed) + 1;
    if shed_count.is_power_of_two() {
        tracing::warn!(
            shed = shed_count,
            address = %remote.ip(),
            max_connections_per_address = cap.get(),
            "an address holds its share of the connections; answering 503"
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client(text: &str) -> ClientAddress {
        ClientAddress::of(text.parse().expect("an address"))
    }

    fn cap(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).expect("nonzero")
    }

    #[test]
    fn an_address_holds_at_most_its_cap_and_is_forgotten_with_its_last_connection() {
        let table = Arc::new(OpenByAddress::default());
        let (one, other) = (client("192.0.2.1"), client("192.0.2.2"));

        let first = table.open(one, cap(2));
        let second = table.open(one, cap(2));
        let third = table.open(one, cap(2));
        let elsewhere = table.open(other, cap(2));

        assert!(first.is_some() && second.is_some());
        assert!(third.is_none(), "over the cap");
        assert!(elsewhere.is_some(), "another address has its own count");
        assert_eq!(table.held(one), Some(2));

        drop(first);
        assert_eq!(table.held(one), Some(1));
        assert!(
            table.open(one, cap(2)).is_some(),
            "a freed slot serves again"
        );
        drop(second);
        drop(elsewhere);
        assert_eq!(table.held(one), None, "no entry once nothing is open");
        assert!(
            table.0.lock().expect("not poisoned").is_empty(),
            "the table holds only addresses with connections open"
        );
    }

    #[test]
    fn an_ipv6_64_shares_one_count() {
        let table = Arc::new(OpenByAddress::default());

        let first = table.open(client("2001:db8:1:2::1"), cap(1));
        let same_64 = table.open(client("2001:db8:1:2::ffff"), cap(1));
        let next_64 = table.open(client("2001:db8:1:3::1"), cap(1));

        assert!(first.is_some());
        assert!(same_64.is_none());
        assert!(next_64.is_some());
    }

    #[test]
    fn by_default_an_address_may_hold_half_the_connections() {
        let half = |n| default_max_connections_per_address(n).map(NonZeroUsize::get);

        assert_eq!(half(896), Some(448));
        assert_eq!(half(5), Some(3));
        assert_eq!(half(1), Some(1));
        assert_eq!(half(0), None);
    }
}
