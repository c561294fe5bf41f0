//! Telemetry: a request id on every request, one log line per request, and Prometheus metrics.
//!
//! The middleware here wraps every route. It takes the client's `x-request-id` (when it is a
//! sane token) or makes one, returns it in the response, and logs method, path, GraphQL operation,
//! status, outcome and duration. The GraphQL handler leaves a [`GraphqlOutcome`] in the response
//! extensions; that is where the operation name and error codes come from.
//!
//! Metrics are kept in-process, without a metrics crate: a histogram of request durations and a
//! request counter by operation and outcome, errors by code, and the database pool. Operation
//! names come from clients, so at most [`MAX_OPERATIONS`] distinct names are tracked; later ones
//! are counted as `other`, which keeps a hostile client from growing memory without bound.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::DatabaseConnection;

use crate::http::graphql::GraphqlOutcome;

/// The header carrying the request id, in and out.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Distinct operation names tracked before the rest are counted as `other`.
pub const MAX_OPERATIONS: usize = 200;

/// Upper bounds of the duration histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Default)]
struct Series {
    /// (operation, outcome) → durations.
    requests: HashMap<(String, &'static str), Histogram>,
    /// error code → count.
    errors: HashMap<String, u64>,
}

/// The process's metrics and what request ids are made from.
pub struct Telemetry {
    series: Mutex<Series>,
    db: DatabaseConnection,
    /// SQL statements run through the pool: how a benchmark or an operator sees N+1 queries.
    statements: Arc<AtomicU64>,
    next_id: AtomicU64,
    id_seed: u64,
}

impl Telemetry {
    /// Metrics of the server over `db`; `statements` is the counter that `db`'s metric callback
    /// increments (see [`crate::startup::Application::build`]).
    pub fn new(db: DatabaseConnection, statements: Arc<AtomicU64>) -> Arc<Self> {
        Arc::new(Telemetry {
            series: Mutex::new(Series::default()),
            db,
            statements,
            next_id: AtomicU64::new(1),
            // Random per process (std's hasher keys are), so ids of two instances do not collide.
            id_seed: RandomState::new().hash_one(std::process::id()),
        })
    }

    fn request_id(&self, incoming: Option<&HeaderValue>) -> String {
        let acceptable = |v: &&HeaderValue| {
            let bytes = v.as_bytes();
            !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(|b| b.is_ascii_graphic())
        };
        match incoming.filter(acceptable).and_then(|v| v.to_str().ok()) {
            Some(id) => id.to_owned(),
            None => format!(
                "{:016x}{:08x}",
                self.id_seed,
                self.next_id.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }

    fn record(&self, operation: &str, outcome: &'static str, seconds: f64, codes: &[String]) {
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let known = series.requests.keys().any(|(op, _)| op == operation);
        let distinct = series
            .requests
            .keys()
            .map(|(op, _)| op.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        let operation = if known || distinct < MAX_OPERATIONS {
            operation.to_owned()
        } else {
            "other".to_owned()
        };
        series
            .requests
            .entry((operation, outcome))
            .or_default()
            .observe(seconds);
        for code in codes {
            *series.errors.entry(code.clone()).or_default() += 1;
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(series) = self.series.lock() {
            let mut keys: Vec<&(String, &'static str)> = series.requests.keys().collect();
            keys.sort();
            out.push_str(
                "# HELP libgraph_requests_total GraphQL requests by operation name and outcome.\n",
            );
            out.push_str("# TYPE libgraph_requests_total counter\n");
            for key in &keys {
                let h = &series.requests[*key];
                let _ = writeln!(
                    out,
                    "libgraph_requests_total{{operation=\"{}\",outcome=\"{}\"}} {}",
                    escape(&key.0),
                    key.1,
                    h.count
                );
            }
            out.push_str("# HELP libgraph_request_duration_seconds GraphQL request duration by operation name and outcome.\n");
            out.push_str("# TYPE libgraph_request_duration_seconds histogram\n");
            for key in &keys {
                let h = &series.requests[*key];
                let labels = format!("operation=\"{}\",outcome=\"{}\"", escape(&key.0), key.1);
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "libgraph_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "libgraph_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "libgraph_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "libgraph_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
            out.push_str("# HELP libgraph_errors_total GraphQL errors by extensions.code.\n");
            out.push_str("# TYPE libgraph_errors_total counter\n");
            let mut codes: Vec<(&String, &u64)> = series.errors.iter().collect();
            codes.sort();
            for (code, n) in codes {
                let _ = writeln!(
                    out,
                    "libgraph_errors_total{{code=\"{}\"}} {n}",
                    escape(code)
                );
            }
        }
        out.push_str("# HELP libgraph_db_statements_total SQL statements run on the database.\n");
        out.push_str("# TYPE libgraph_db_statements_total counter\n");
        let _ = writeln!(
            out,
            "libgraph_db_statements_total {}",
            self.statements.load(Ordering::Relaxed)
        );
        let (size, idle) = pool_state(&self.db);
        out.push_str("# HELP libgraph_db_connections Database pool connections by state.\n");
        out.push_str("# TYPE libgraph_db_connections gauge\n");
        let _ = writeln!(
            out,
            "libgraph_db_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        let _ = writeln!(out, "libgraph_db_connections{{state=\"idle\"}} {idle}");
        out
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

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware: request id, log line, metrics.
pub async fn observe(
    State(telemetry): State<Arc<Telemetry>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = telemetry.request_id(request.headers().get(&REQUEST_ID));
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
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
