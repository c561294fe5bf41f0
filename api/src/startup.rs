//! Building and running the server: bind first (so tests can ask for port 0 and read the real
//! port), then serve until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::Redirect;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::graphql::{self, Limits};
use crate::http;
use crate::telemetry::Telemetry;

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            limits: Limits::default(),
            max_body_bytes: 1 << 20,
            shutdown_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
        }
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// Closed after the last request, so PostgreSQL sees the sessions end.
    db: DatabaseConnection,
    shutdown_timeout: Duration,
    /// SQL statements run so far (also served as `libgraph_db_statements_total`).
    statements: Arc<AtomicU64>,
}

impl Application {
    /// Binds the listener and builds the routes. The pool's metric callback is taken over to
    /// count SQL statements (set it on `db` before cloning it elsewhere).
    pub async fn build(config: &ServerConfig, mut db: DatabaseConnection) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        // Asked before the statement counter is set up: it is not a request's statement.
        let text_order = crate::store::page::TextOrder::of(&db).await;
        tracing::debug!(?text_order, "text order of the database");
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            // `--log-level libgraph::sql=debug` logs every statement with its duration.
            tracing::debug!(
                target: "libgraph::sql",
                micros = info.elapsed.as_micros() as u64,
                failed = info.failed,
                sql = %info.statement.sql,
            );
        });
        Ok(Application {
            listener,
            router: router(db.clone(), config, statements.clone(), text_order)?,
            db,
            shutdown_timeout: config.shutdown_timeout,
            statements,
        })
    }

    /// The number of SQL statements the server has run, live.
    pub fn statements(&self) -> Arc<AtomicU64> {
        self.statements.clone()
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
        let server = axum::serve(self.listener, self.router).with_graceful_shutdown(signal);
        let timeout = self.shutdown_timeout;
        let result = tokio::select! {
            result = server => result,
            _ = async { stopping.notified().await; tokio::time::sleep(timeout).await } => {
                tracing::warn!(?timeout, "in-flight requests did not finish in time; stopping anyway");
                Ok(())
            }
        };
        if let Err(error) = self.db.close().await {
            tracing::warn!(%error, "closing the database pool");
        }
        tracing::info!("stopped");
        result
    }
}

/// All routes: `/graphql`, `/playground`, `/sources/{slug}.txt`, `/healthz`, `/readyz`,
/// `/metrics`, and `/` leading to the playground; every one behind the telemetry middleware.
pub fn router(
    db: DatabaseConnection,
    config: &ServerConfig,
    statements: Arc<AtomicU64>,
    text_order: crate::store::page::TextOrder,
) -> std::io::Result<Router> {
    let telemetry = Telemetry::new(db.clone(), statements);
    let schema = graphql::schema(db.clone(), config.limits);
    let ready_db = db.clone();
    let sources_db = db.clone();
    let metrics = telemetry.clone();
    let options = http::graphql::GraphqlHttpOptions {
        max_body_bytes: config.max_body_bytes,
        prepare: None,
    };
    let routes = Router::new()
        .merge(http::graphql::routes(
            graphql::describe::SchemaDescription(
                graphql::executor::batch::Batched::new(schema, db, config.limits, text_order)
                    .map_err(std::io::Error::other)?,
            ),
            options,
        ))
        .merge(http::playground::routes(PLAYGROUND_EXAMPLES))
        .merge(http::sources::routes(sources_db))
        .route(
            "/",
            get(|| async { Redirect::temporary(http::playground::PLAYGROUND_PATH) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(move || readiness(ready_db.clone())))
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        metrics.render(),
                    )
                }
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            telemetry,
            crate::telemetry::observe,
        ));
    Ok(match cors(&config.cors_origins) {
        Some(layer) => routes.layer(layer),
        None => routes,
    })
}

/// The CORS policy for `origins`: GET and POST with the headers a GraphQL client sends, the
/// request id readable by the page; preflights cached for an hour.
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
                crate::telemetry::REQUEST_ID.clone(),
            ])
            .expose_headers([crate::telemetry::REQUEST_ID.clone()])
            .max_age(Duration::from_secs(3600)),
    )
}

/// `/readyz`: 200 when the database answers and has every migration, 503 (with the reason)
/// otherwise, so a load balancer stops sending traffic to an instance that cannot serve it.
async fn readiness(db: DatabaseConnection) -> (StatusCode, Json<serde_json::Value>) {
    let check = async {
        db.ping()
            .await
            .map_err(|_| "the database does not answer")?;
        let pending = crate::store::pending_migrations(&db)
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
