//! Telemetry: logs, a request id and a span on every request, one log line per GraphQL request,
//! and Prometheus metrics.
//!
//! Request ids come from tower-http: [`SetRequestIdLayer`] keeps the client's `x-request-id` (when
//! it is a sane token, [`usable_request_id`]) or makes one, and [`PropagateRequestIdLayer`] returns
//! it in the response. A [`TraceLayer`] runs every request inside a span that carries the id, so
//! every line the request causes names it: a resolver's database error, the SQL statements at
//! `libgraph::sql=debug`, and the request line itself. The request line (method, path, GraphQL
//! operation, status, outcome, duration) is written by [`observe`], which reads the
//! [`GraphqlOutcome`] the GraphQL handler leaves in the response extensions.
//!
//! Metrics go through `prometheus-client` (why not the `metrics` facade: see `api/Cargo.toml`): a
//! histogram of request durations and a request counter by operation and outcome, errors by code,
//! SQL statements, the database pool, connections shed, and the per-client rate limiter's table.
//! Operation names
//! come from clients, so at most [`MAX_OPERATIONS`] distinct names are tracked; later ones are
//! counted as `other`, which keeps a hostile client from growing memory without bound.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::DatabaseConnection;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::cli::LogFormat;
use crate::http::graphql::GraphqlOutcome;
use crate::http::ratelimit::RateLimitCounters;
use crate::http::server::ConnectionCounters;

/// The header carrying the request id, in and out.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Distinct operation names tracked before the rest are counted as `other`.
pub const MAX_OPERATIONS: usize = 200;

/// The `Content-Type` of `/metrics`: the Prometheus text format 0.0.4.
pub const METRICS_CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Upper bounds of the duration histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Sets up logging to stderr with `filter`, coloured only for a person at a terminal who has not
/// set `NO_COLOR` (<https://no-color.org>): escape codes in a log file or a collector are noise.
/// tracing-subscriber checks `NO_COLOR` itself, but not whether stderr is a terminal, and
/// `with_ansi` overrides its check, so both are asked here.
pub fn init_logs(
    filter: &str,
    format: LogFormat,
) -> Result<(), tracing_subscriber::filter::ParseError> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !no_color);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    Ok(())
}

/// Wraps every route of `router` in the request id and span layers and in [`observe`].
pub fn observed(router: Router, telemetry: Arc<Telemetry>) -> Router {
    let request_ids = telemetry.request_ids.clone();
    // `Router::layer` wraps what is already there, so the last layer added sees a request first:
    // an unusable id is dropped, then one is set, the span opens with it, and the response gets
    // it back before the request is logged and counted.
    router
        .layer(axum::middleware::from_fn_with_state(telemetry, observe))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                // The request line is `observe`'s, and a failure is in it: no lines of the layer's
                // own on top.
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), request_ids))
        .layer(axum::middleware::map_request(usable_request_id))
}

/// The span a request runs in. At ERROR level, so that it is enabled whenever any line of the
/// request is: a span is only recorded when the filter lets its level through, and one at
/// `info` would be gone under `--log-level warn`, leaving the warnings it exists for without an id.
/// The span writes no line of its own.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::error_span!("request", request_id = %id)
}

/// Drops an incoming request id that is not a sane token (empty, longer than 128 bytes, or with
/// anything but visible ASCII), so that [`SetRequestIdLayer`], which keeps any id it is given,
/// makes one instead: an id goes into every log line and back to the client.
pub async fn usable_request_id(mut request: Request) -> Request {
    let usable = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(|b| b.is_ascii_graphic())
    };
    if request
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|value| !usable(value))
    {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// Makes request ids: a per-process random prefix, so that ids of two instances do not collide,
/// and a counter.
#[derive(Clone)]
pub struct RequestIds {
    seed: u64,
    next: Arc<AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        RequestIds {
            // Random per process (std's hasher keys are).
            seed: RandomState::new().hash_one(std::process::id()),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!(
            "{:016x}{:08x}",
            self.seed,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The labels of a GraphQL request's metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: &'static str,
}

/// The label of an error's counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

/// The label of the pool's gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// The process's metrics and what request ids are made from.
pub struct Telemetry {
    /// Every metric below, in the order `/metrics` lists them.
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram, fn() -> Histogram>,
    errors: Family<ErrorLabels, Counter>,
    connections: Family<PoolLabels, Gauge>,
    /// SQL statements run through the pool: how a benchmark or an operator sees N+1 queries.
    statements: Arc<AtomicU64>,
    /// The rate limiter's table (`http::ratelimit`), zero while the limit is off; the limiter
    /// counts into it, made here so that the registry can read it from the start.
    rate_limit: Arc<RateLimitCounters>,
    /// The connections the server answered `503` without reading them (`http::server`), made
    /// here for the same reason.
    connections_shed: Arc<ConnectionCounters>,
    /// The operation names counted under their own name, at most [`MAX_OPERATIONS`].
    operations: Mutex<HashSet<String>>,
    request_ids: RequestIds,
}

impl Telemetry {
    /// Empty metrics. `statements` is for the database's metric callback to count into (see
    /// [`crate::context::AppContext::new`]).
    pub fn new() -> Arc<Self> {
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Family<RequestLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(|| Histogram::new(BUCKETS));
        let errors = Family::<ErrorLabels, Counter>::default();
        let connections = Family::<PoolLabels, Gauge>::default();
        let statements = Arc::new(AtomicU64::new(0));
        let rate_limit = Arc::new(RateLimitCounters::default());
        let connections_shed = Arc::new(ConnectionCounters::default());
        // prometheus-client adds the `_total` of a counter and the full stop of a help text.
        let mut registry = Registry::default();
        registry.register(
            "libgraph_requests",
            "GraphQL requests by operation name and outcome",
            requests.clone(),
        );
        registry.register(
            "libgraph_request_duration_seconds",
            "GraphQL request duration by operation name and outcome",
            durations.clone(),
        );
        registry.register(
            "libgraph_errors",
            "GraphQL errors by extensions.code",
            errors.clone(),
        );
        registry.register_collector(Box::new(Statements(statements.clone())));
        registry.register(
            "libgraph_db_connections",
            "Database pool connections by state",
            connections.clone(),
        );
        registry.register_collector(Box::new(ConnectionsShed(connections_shed.clone())));
        registry.register_collector(Box::new(RateLimitTable(rate_limit.clone())));
        Arc::new(Telemetry {
            registry,
            requests,
            durations,
            errors,
            connections,
            statements,
            rate_limit,
            connections_shed,
            operations: Mutex::new(HashSet::new()),
            request_ids: RequestIds::new(),
        })
    }

    /// The count of SQL statements run, live; the database's metric callback increments it.
    pub fn statements(&self) -> Arc<AtomicU64> {
        self.statements.clone()
    }

    /// What the rate limiter counts into, for `/metrics`.
    pub fn rate_limit_counters(&self) -> Arc<RateLimitCounters> {
        self.rate_limit.clone()
    }

    /// What the server counts the connections it sheds into, for `/metrics`.
    pub fn connection_counters(&self) -> Arc<ConnectionCounters> {
        self.connections_shed.clone()
    }

    fn record(&self, operation: &str, outcome: &'static str, seconds: f64, codes: &[String]) {
        let labels = RequestLabels {
            operation: self.tracked(operation),
            outcome,
        };
        self.requests.get_or_create(&labels).inc();
        self.durations.get_or_create(&labels).observe(seconds);
        for code in codes {
            self.errors
                .get_or_create(&ErrorLabels { code: code.clone() })
                .inc();
        }
    }

    /// `operation` if it is tracked or there is room to track it, `other` otherwise.
    fn tracked(&self, operation: &str) -> String {
        let mut known = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if known.contains(operation) || known.len() < MAX_OPERATIONS {
            known.insert(operation.to_owned());
            operation.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// The Prometheus text exposition of every metric, with the state of `db`'s pool now.
    pub fn render(&self, db: &DatabaseConnection) -> String {
        let (size, idle) = pool_state(db);
        let gauge = |state| {
            self.connections
                .get_or_create(&PoolLabels { state })
                .clone()
        };
        gauge("in_use").set(i64::from(size.saturating_sub(idle)));
        gauge("idle").set(i64::from(idle));
        let mut text = String::new();
        if let Err(error) =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)
        {
            tracing::error!(%error, "could not write the metrics");
        }
        text
    }
}

/// `libgraph_db_statements_total`, read at scrape time from the counter the database's metric
/// callback increments: the callback must stay a plain atomic add (it runs for every statement),
/// and tests read the same counter.
#[derive(Debug)]
struct Statements(Arc<AtomicU64>);

impl Collector for Statements {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counter = ConstCounter::new(self.0.load(Ordering::Relaxed));
        let metric = encoder.encode_descriptor(
            "libgraph_db_statements",
            "SQL statements run on the database.",
            None,
            counter.metric_type(),
        )?;
        counter.encode(metric)
    }
}

/// The label of the shed connections' counter: the limit they were over.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShedLabels {
    limit: &'static str,
}

/// `libgraph_connections_shed_total{limit}`, read at scrape time from the counters the accept
/// loop keeps as plain atomics. `limit` is `max_connections` (every connection the server may
/// hold was open) or `max_connections_per_address` (the client's address held its share).
#[derive(Debug)]
struct ConnectionsShed(Arc<ConnectionCounters>);

impl Collector for ConnectionsShed {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(
            "libgraph_connections_shed",
            "Connections answered 503 and closed before any request was read, by the limit they were over.",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (limit, count) in [
            ("max_connections", &self.0.shed_at_max),
            ("max_connections_per_address", &self.0.shed_per_address),
        ] {
            let counter = ConstCounter::new(count.load(Ordering::Relaxed));
            counter.encode(metric.encode_family(&ShedLabels { limit })?)?;
        }
        Ok(())
    }
}

/// `libgraph_rate_limit_clients` and `libgraph_rate_limit_unplaced_requests_total`, read at scrape
/// time from the counters the limiter keeps as plain atomics (it updates them on requests).
/// Refusals are not repeated here: they are `libgraph_errors_total{code="RATE_LIMITED"}`.
#[derive(Debug)]
struct RateLimitTable(Arc<RateLimitCounters>);

impl Collector for RateLimitTable {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let clients = ConstGauge::new(
            i64::try_from(self.0.clients.load(Ordering::Relaxed)).unwrap_or(i64::MAX),
        );
        let metric = encoder.encode_descriptor(
            "libgraph_rate_limit_clients",
            "Clients (IPv4 addresses, IPv6 /64s) the rate limiter tracks.",
            None,
            clients.metric_type(),
        )?;
        clients.encode(metric)?;
        let unplaced = ConstCounter::new(self.0.unplaced.load(Ordering::Relaxed));
        let metric = encoder.encode_descriptor(
            "libgraph_rate_limit_unplaced_requests",
            "Requests counted against the budget untracked clients share, the limiter's table being full.",
            None,
            unplaced.metric_type(),
        )?;
        unplaced.encode(metric)
    }
}

/// (open connections, idle connections) of the pool.
fn pool_state(db: &DatabaseConnection) -> (u32, u32) {
    // The getters panic on the other backend, hence the match on the backend first.
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            )
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            )
        }
        _ => (0, 0),
    }
}

/// The middleware that logs and counts every request, inside its span: one `info` line per GraphQL
/// request, a `debug` line for any other.
pub async fn observe(
    State(telemetry): State<Arc<Telemetry>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    match response.extensions().get::<GraphqlOutcome>() {
        Some(outcome) => {
            let operation = outcome.operation.as_deref().unwrap_or("anonymous");
            let result = if outcome.error_codes.is_empty() {
                "ok"
            } else if status >= 400 {
                "rejected"
            } else {
                "error"
            };
            telemetry.record(operation, result, seconds, &outcome.error_codes);
            tracing::info!(
                request_id = %id, %method, path, operation, status, outcome = result,
                errors = ?outcome.error_codes, duration_ms = seconds * 1000.0, "graphql request"
            );
        }
        None => {
            tracing::debug!(request_id = %id, %method, path, status, duration_ms = seconds * 1000.0, "request")
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_past_the_cap_count_as_other_and_known_ones_keep_theirs() {
        let telemetry = Telemetry::new();
        for n in 0..MAX_OPERATIONS {
            assert_eq!(telemetry.tracked(&format!("Op{n}")), format!("Op{n}"));
        }

        let late = telemetry.tracked("OneTooMany");
        let known = telemetry.tracked("Op0");

        assert_eq!(late, "other");
        assert_eq!(known, "Op0");
    }

    #[tokio::test]
    async fn unusable_request_ids_are_dropped_and_tokens_kept() {
        let with_id = |id: &str| {
            axum::http::Request::builder()
                .header(&REQUEST_ID, id)
                .body(axum::body::Body::empty())
                .expect("a request")
        };
        let kept = |request: Request| request.headers().get(&REQUEST_ID).cloned();

        let token = kept(usable_request_id(with_id("trace-42")).await);
        let spaced = kept(usable_request_id(with_id("two words")).await);
        let long = kept(usable_request_id(with_id(&"x".repeat(129))).await);
        let empty = kept(usable_request_id(with_id("")).await);

        assert_eq!(token.as_ref().map(|v| v.as_bytes()), Some(&b"trace-42"[..]));
        assert_eq!((spaced, long, empty), (None, None, None));
    }
}
