//! Building and running the server: bind first (so tests can ask for port 0 and read the real
//! port), then serve until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::context::AppContext;
use crate::graphql::{self, Limits};
use crate::{http, telemetry};

/// The example queries the playground opens with.
pub const PLAYGROUND_EXAMPLES: &str = include_str!("../assets/examples.json");

/// What the server needs to run.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    pub limits: Limits,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// How long in-flight requests may run on after a shutdown signal.
    pub shutdown_timeout: Duration,
    /// Origins allowed to call the API from a browser (`*` for any); empty sends no CORS
    /// headers, so browsers keep pages of other sites out.
    pub cors_origins: Vec<String>,
    /// Header-read (and idle) timeout, the most connections open at once and per address.
    pub connections: http::server::ConnectionLimits,
    /// How long a client has to send a whole request body.
    pub body_read_timeout: Duration,
    /// Each client's budget of `/graphql` requests; `None` limits no one. Off by default, as on
    /// the embedded database: the command turns it on for PostgreSQL (see `crate::command`).
    pub rate_limit: Option<http::ratelimit::RateLimit>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            limits: Limits::default(),
            max_body_bytes: 1 << 20,
            shutdown_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            connections: http::server::ConnectionLimits::default(),
            body_read_timeout: Duration::from_secs(10),
            rate_limit: None,
        }
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// What the routes share; its pool is closed after the last request.
    context: Arc<AppContext>,
    shutdown_timeout: Duration,
    connections: http::server::ConnectionLimits,
}

impl Application {
    /// Binds the listener, builds the context over `db` ([`AppContext::new`], which takes the
    /// pool's metric callback over) and the routes.
    pub async fn build(config: &ServerConfig, db: DatabaseConnection) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        let context = AppContext::new(db, config.limits).await;
        Ok(Application {
            listener,
            router: router(context.clone(), config)?,
            context,
            shutdown_timeout: config.shutdown_timeout,
            connections: config.connections,
        })
    }

    /// The number of SQL statements the server has run, live (also served as
    /// `libgraph_db_statements_total`).
    pub fn statements(&self) -> Arc<AtomicU64> {
        self.context.telemetry.statements()
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes; then stops accepting, lets in-flight requests finish
    /// for up to the shutdown timeout, and closes the database pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let stopping = Arc::new(tokio::sync::Notify::new());
        let notify = stopping.clone();
        let signal = async move {
            shutdown.await;
            notify.notify_one();
        };
        let server = http::server::serve(
            self.listener,
            self.router,
            self.connections,
            self.context.telemetry.connection_counters(),
            signal,
        );
        let timeout = self.shutdown_timeout;
        let result = tokio::select! {
            () = server => Ok(()),
            _ = async { stopping.notified().await; tokio::time::sleep(timeout).await } => {
                tracing::warn!(?timeout, "in-flight requests did not finish in time; stopping anyway");
                Ok(())
            }
        };
        if let Err(error) = self.context.db.clone().close().await {
            tracing::warn!(%error, "closing the database pool");
        }
        tracing::info!("stopped");
        result
    }
}

/// All routes: `/graphql`, `/playground`, `/sources/{slug}.txt`, `/healthz`, `/readyz`,
/// `/metrics`, and `/` leading to the playground; every one with a request id, in a span, logged
/// and counted ([`telemetry::observed`]). Only `/graphql` is rate limited (its endpoint checks the
/// client first), so the health checks and the scraper are answered whatever a client does.
pub fn router(context: Arc<AppContext>, config: &ServerConfig) -> std::io::Result<Router> {
    let schema = graphql::schema(context.db.clone(), context.limits);
    let executor = graphql::executor::batch::Batched::new(
        schema,
        context.db.clone(),
        context.limits,
        context.text_order,
    )
    .map_err(std::io::Error::other)?;
    // One limiter for `/graphql` and `/export/…`: a client's budget covers both.
    let rate_limit = config.rate_limit.map(|limit| {
        http::ratelimit::ClientLimiter::start(limit, context.telemetry.rate_limit_counters())
    });
    let options = http::graphql::GraphqlHttpOptions {
        max_body_bytes: config.max_body_bytes,
        body_read_timeout: config.body_read_timeout,
        max_errors: config.limits.max_errors,
        max_query_bytes: config.limits.max_query_bytes,
        rate_limit: rate_limit.clone(),
    };
    let routes = Router::new()
        .merge(http::graphql::routes(
            graphql::describe::SchemaDescription(executor),
            options,
        ))
        .merge(http::playground::routes(PLAYGROUND_EXAMPLES))
        .merge(http::explore::routes())
        .merge(http::sources::routes(context.clone()))
        .merge(http::export::routes(
            context.db.clone(),
            context.limits,
            rate_limit,
        ))
        .route(
            "/",
            get(|| async { Redirect::temporary(http::playground::PLAYGROUND_PATH) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .merge(
            Router::new()
                .route("/readyz", get(readiness))
                .route("/metrics", get(metrics))
                .with_state(context.clone()),
        );
    let routes = telemetry::observed(routes, context.telemetry.clone());
    Ok(match cors(&config.cors_origins) {
        Some(layer) => routes.layer(layer),
        None => routes,
    })
}

/// `/metrics`: the Prometheus text exposition.
async fn metrics(State(context): State<Arc<AppContext>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, telemetry::METRICS_CONTENT_TYPE)],
        context.telemetry.render(&context.db),
    )
}

/// The CORS policy for `origins`: GET and POST with the headers a GraphQL client sends (with
/// `Authorization`, so a page of an allowed origin can send a token to write), the request id
/// readable by the page; preflights cached for an hour. A token is not an ambient credential:
/// a browser never attaches it by itself, as it does a cookie, so another site's page cannot
/// write with a user's token (and credentials mode stays off).
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| header::HeaderValue::from_str(o).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::AUTHORIZATION,
                crate::telemetry::REQUEST_ID.clone(),
            ])
            .expose_headers([crate::telemetry::REQUEST_ID.clone()])
            .max_age(Duration::from_secs(3600)),
    )
}

/// `/readyz`: 200 when the database answers and has every migration, 503 (with the reason)
/// otherwise, so a load balancer stops sending traffic to an instance that cannot serve it.
async fn readiness(
    State(context): State<Arc<AppContext>>,
) -> (StatusCode, Json<serde_json::Value>) {
    let db = &context.db;
    let check = async {
        db.ping()
            .await
            .map_err(|_| "the database does not answer")?;
        let pending = crate::store::pending_migrations(db)
            .await
            .map_err(|_| "the database does not answer")?;
        if pending > 0 {
            Err("the database has pending migrations")
        } else {
            Ok(())
        }
    };
    let unavailable = |reason: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "reason": reason })),
        )
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        ),
        Ok(Err(reason)) => unavailable(reason),
        Err(_) => unavailable("the database did not answer in time"),
    }
}
