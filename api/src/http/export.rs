//! `GET /export/…`: the graph as files ([`crate::export`]), streamed.
//!
//! | path | what |
//! |---|---|
//! | `/export/network.gexf` | the collaboration network, GEXF 1.3 (Gephi) |
//! | `/export/network.graphml` | the same network, GraphML |
//! | `/export/csv/nodes.csv`, `/export/csv/edges.csv` | the same network as two CSV tables |
//! | `/export/csv/<table>.csv` | one table of the graph ([`crate::export::tables::TABLES`]) |
//! | `/export/graph.jsonld` | the whole graph as JSON-LD with schema.org types |
//!
//! The network exports take `collaborationNetwork`'s filter as query parameters
//! ([`NetworkQuery`]: `country`, `kind`, `programme`, `topic`, `from`, `to`, `limit`) and answer
//! the network it answers. The tables and the JSON-LD are the whole graph and take none. A
//! parameter that is unknown or malformed is 400 with
//! `{"errors":[{"message":…,"extensions":{"code":"BAD_USER_INPUT","field":<the parameter>}}]}`,
//! the body `/graphql` gives its own request errors; a filter too broad to compute is 400
//! `TOO_BROAD`, an unknown table 404 `NOT_FOUND`.
//!
//! # Limits
//!
//! An export is a read anyone may ask for, and a table at size L is tens of megabytes, so:
//! - **Rate limit**: the client budget of `/graphql` (`--rate-limit`), the same limiter, so
//!   exports and queries draw on one budget per client (429 `RATE_LIMITED`).
//! - **At most [`MAX_EXPORTS_IN_FLIGHT`] exports at once**, server-wide; another one waits up to
//!   `--admission-wait` for a slot and is then refused with 503 `OVERLOADED` and `Retry-After`,
//!   as a query that cannot start is. Each running export holds one database connection while it
//!   streams (and at most `--db-request-share` of them while it reads a network), so exports can
//!   never take the pool from `/graphql`.
//! - **Memory**: nothing is collected. Rows go into a chunk of [`crate::export::CHUNK_BYTES`]
//!   and chunks into a channel of [`CHUNKS_IN_FLIGHT`], so one export holds about 300 KB of
//!   output whatever the graph's size; a network export also holds the network, bounded as
//!   `collaborationNetwork`'s is (`limit` ≤ 1,000 organizations, a filter keeping more than
//!   [`crate::graphql::Limits::max_memberships`] memberships refused with `TOO_BROAD`; the
//!   command line's `export` has no bound unless `--max-memberships` gives one).
//! - **Time**: computing the network has `--execution-timeout` (503 `TIMEOUT`, as a query's). A
//!   client must take each chunk within [`CHUNK_WAIT`]; one that stops reading ends its export
//!   and frees its slot and connection. Once streaming, a failure cannot change the status any
//!   more: the body is cut off (no final chunk), so a client never mistakes a partial file for a
//!   whole one.
//! - Networks computed for exports are not kept (they are downloaded, not polled as a
//!   playground polls); the slots bound how many are computed at once.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::export::network::DrawnNetwork;
use crate::export::{ExportError, NetworkQuery, Out, jsonld, tables};
use crate::graphql::Limits;
use crate::http::ratelimit::ClientLimiter;
use crate::store::collaboration::NetworkCache;
use crate::store::error::StoreError;

/// How many exports may run at once on one server: each holds a connection for as long as its
/// client reads, and two leave the rest of the default pool of ten to `/graphql`.
pub const MAX_EXPORTS_IN_FLIGHT: usize = 2;

/// Chunks written ahead of the client: enough to keep the socket busy while the next rows are
/// read, few enough that a slow client makes the export wait with little held.
pub const CHUNKS_IN_FLIGHT: usize = 4;

/// How long a client may take to read one chunk before its export is stopped.
pub const CHUNK_WAIT: Duration = Duration::from_secs(30);

/// What the export routes share.
#[derive(Clone)]
struct Exports {
    db: DatabaseConnection,
    limits: Limits,
    /// A cache that keeps nothing: see the module docs.
    networks: Arc<NetworkCache>,
    slots: Arc<Semaphore>,
    rate_limit: Option<Arc<ClientLimiter>>,
}

/// The export routes over `db`, within `limits`, drawing on `rate_limit` (the one `/graphql`
/// uses, when there is one).
pub fn routes(
    db: DatabaseConnection,
    limits: Limits,
    rate_limit: Option<Arc<ClientLimiter>>,
) -> Router {
    let exports = Exports {
        db,
        limits,
        networks: Arc::new(NetworkCache::new(0)),
        slots: Arc::new(Semaphore::new(MAX_EXPORTS_IN_FLIGHT)),
        rate_limit,
    };
    Router::new()
        .route("/export/network.gexf", get(gexf))
        .route("/export/network.graphml", get(graphml))
        .route("/export/csv/{file}", get(csv))
        .route("/export/graph.jsonld", get(graph))
        .with_state(exports)
}

/// The network formats.
#[derive(Clone, Copy)]
enum Format {
    Gexf,
    Graphml,
    NodesCsv,
    EdgesCsv,
}

impl Format {
    fn media_type(self) -> &'static str {
        match self {
            Format::Gexf => "application/gexf+xml; charset=utf-8",
            Format::Graphml => "application/graphml+xml; charset=utf-8",
            Format::NodesCsv | Format::EdgesCsv => CSV,
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Format::Gexf => "network.gexf",
            Format::Graphml => "network.graphml",
            Format::NodesCsv => "nodes.csv",
            Format::EdgesCsv => "edges.csv",
        }
    }
}

const CSV: &str = "text/csv; charset=utf-8; header=present";

async fn gexf(State(exports): State<Exports>, request: Request) -> Response {
    network(exports, request, Format::Gexf).await
}

async fn graphml(State(exports): State<Exports>, request: Request) -> Response {
    network(exports, request, Format::Graphml).await
}

async fn network(exports: Exports, request: Request, format: Format) -> Response {
    match network_export(exports, request, format).await {
        Ok(response) | Err(response) => response,
    }
}

async fn network_export(
    exports: Exports,
    request: Request,
    format: Format,
) -> Result<Response, Response> {
    let (request, _) = request.into_parts();
    exports.admit_client(&request)?;
    let query = NetworkQuery::from_pairs(&pairs(request.uri.query())?, &[]).map_err(store_error)?;
    let slot = exports.slot().await?;
    let limits = exports.limits;
    let read = crate::store::share::scope(
        limits.db_request_share,
        DrawnNetwork::read(
            &exports.db,
            &exports.networks,
            &query,
            limits.max_memberships,
        ),
    );
    let drawn = match tokio::time::timeout(limits.execution_timeout, read).await {
        Ok(drawn) => drawn.map_err(store_error)?,
        Err(_) => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::graphql::executor::codes::TIMEOUT,
                None,
                "the network was not computed within the execution timeout; narrow the filter",
            ));
        }
    };
    Ok(streamed(
        format.media_type(),
        format.file_name(),
        slot,
        move |mut out| async move {
            match format {
                Format::Gexf => drawn.write_gexf(&mut out).await?,
                Format::Graphml => drawn.write_graphml(&mut out).await?,
                Format::NodesCsv => drawn.write_nodes_csv(&mut out).await?,
                Format::EdgesCsv => drawn.write_edges_csv(&mut out).await?,
            }
            out.finish().await
        },
    ))
}

/// `/export/csv/{file}`: `nodes.csv` and `edges.csv` are the network, any other name a table.
async fn csv(
    State(exports): State<Exports>,
    Path(file): Path<String>,
    request: Request,
) -> Response {
    let table = match file.strip_suffix(".csv") {
        Some("nodes") => return network(exports, request, Format::NodesCsv).await,
        Some("edges") => return network(exports, request, Format::EdgesCsv).await,
        Some(table) if tables::TABLES.contains(&table) => table.to_owned(),
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                None,
                &format!(
                    "no such export: /export/csv/{file}; the CSV exports are nodes.csv, edges.csv and {}",
                    tables::TABLES
                        .iter()
                        .map(|t| format!("{t}.csv"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    };
    let (request, _) = request.into_parts();
    let run = async {
        exports.admit_client(&request)?;
        no_parameters(request.uri.query())?;
        let slot = exports.slot().await?;
        let db = exports.db.clone();
        let share = exports.limits.db_request_share;
        let name = format!("{table}.csv");
        Ok::<_, Response>(streamed(CSV, &name, slot, move |mut out| async move {
            crate::store::share::scope(share, async {
                tables::write_table(&db, &table, &mut out)
                    .await
                    .unwrap_or(Ok(()))?;
                out.finish().await
            })
            .await
        }))
    };
    match run.await {
        Ok(response) | Err(response) => response,
    }
}

/// `/export/graph.jsonld`.
async fn graph(State(exports): State<Exports>, request: Request) -> Response {
    let (request, _) = request.into_parts();
    let run = async {
        exports.admit_client(&request)?;
        no_parameters(request.uri.query())?;
        let slot = exports.slot().await?;
        let db = exports.db.clone();
        let share = exports.limits.db_request_share;
        Ok::<_, Response>(streamed(
            "application/ld+json",
            "graph.jsonld",
            slot,
            move |mut out| async move {
                crate::store::share::scope(share, async {
                    jsonld::write(&db, &mut out).await?;
                    out.finish().await
                })
                .await
            },
        ))
    };
    match run.await {
        Ok(response) | Err(response) => response,
    }
}

impl Exports {
    /// Refuses a client over its rate limit (429 `RATE_LIMITED` with `Retry-After`).
    #[allow(clippy::result_large_err)]
    fn admit_client(&self, request: &axum::http::request::Parts) -> Result<(), Response> {
        let Some(limiter) = &self.rate_limit else {
            return Ok(());
        };
        let peer = request
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(peer)| *peer);
        match limiter.check(peer, &request.headers) {
            Ok(()) => Ok(()),
            Err(limited) => {
                let mut response = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    None,
                    "too many requests from this client; retry later",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, limited.retry_after_seconds.into());
                Err(response)
            }
        }
    }

    /// An export slot, waited for up to `--admission-wait`; else 503 `OVERLOADED`.
    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Response> {
        let wait = self.limits.admission.wait;
        match tokio::time::timeout(wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                let mut response = error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    crate::graphql::executor::admission::OVERLOADED,
                    None,
                    &format!(
                        "{MAX_EXPORTS_IN_FLIGHT} exports are running and none finished within {} s; retry later",
                        wait.as_secs()
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
                Err(response)
            }
        }
    }
}

/// A 200 response whose body is what `write` writes into its [`Out`], streamed: `write` runs in
/// a task of its own, holding `slot`, and the body ends with an error (the connection is cut
/// without a final chunk) when the export fails.
fn streamed<W, F>(
    media_type: &'static str,
    file_name: &str,
    slot: tokio::sync::OwnedSemaphorePermit,
    write: W,
) -> Response
where
    W: FnOnce(Out) -> F + Send + 'static,
    F: Future<Output = Result<(), ExportError>> + Send + 'static,
{
    let (chunks, receiver) = mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
    let (done, outcome) = oneshot::channel::<bool>();
    tokio::spawn(async move {
        let _slot = slot;
        let result = write(Out::channel(chunks, CHUNK_WAIT)).await;
        if let Err(error) = &result {
            match error {
                ExportError::Closed => {
                    tracing::debug!("export stopped: the client stopped reading")
                }
                error => tracing::warn!(%error, "export failed while streaming"),
            }
        }
        let _ = done.send(result.is_ok());
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(Bytes::from(chunk)), receiver))
    })
    .chain(
        futures_util::stream::once(async move {
            match outcome.await {
                Ok(true) => None,
                _ => Some(Err(std::io::Error::other("the export failed"))),
            }
        })
        .filter_map(|end| async move { end }),
    );
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// The query string's `name=value` pairs, percent-decoded; a query string that cannot be read
/// is 400 `BAD_USER_INPUT` naming `query`.
#[allow(clippy::result_large_err)]
fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, Response> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            Some("query"),
            "the query string is not `name=value` pairs",
        )
    })
}

/// Refuses any parameter: the tables and the JSON-LD are the whole graph.
#[allow(clippy::result_large_err)]
fn no_parameters(query: Option<&str>) -> Result<(), Response> {
    match pairs(query)?.first() {
        None => Ok(()),
        Some((name, _)) => Err(store_error(StoreError::invalid(
            name.as_str(),
            "unknown parameter; the tables and the JSON-LD export are the whole graph and take \
             no parameters (the network exports take the filter)",
        ))),
    }
}

/// A store error as an HTTP answer with its code.
fn store_error(error: StoreError) -> Response {
    let status = match &error {
        StoreError::Invalid { .. } | StoreError::TooBroad { .. } => StatusCode::BAD_REQUEST,
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        StoreError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        StoreError::Forbidden { .. } => StatusCode::FORBIDDEN,
        StoreError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let field = match &error {
        StoreError::Invalid { field, .. } | StoreError::TooBroad { field, .. } => {
            Some(field.as_str())
        }
        _ => None,
    };
    error_with(status, error.code(), field, &error.message())
}

fn error(status: StatusCode, code: &str, field: Option<&str>, message: &str) -> Response {
    error_with(status, code, field, message)
}

/// The body `/graphql` gives a request error: `{"errors":[{"message","extensions":{"code",
/// "field"?}}]}`.
fn error_with(status: StatusCode, code: &str, field: Option<&str>, message: &str) -> Response {
    let mut extensions = serde_json::json!({ "code": code });
    if let Some(field) = field {
        extensions["field"] = serde_json::Value::String(field.to_owned());
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "errors": [{ "message": message, "extensions": extensions }] })
            .to_string(),
    )
        .into_response()
}
