//! Building and running the server: bind first (so tests can ask for port 0 and read the real
//! port), then serve until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            limits: Limits::default(),
            max_body_bytes: 1 << 20,
            shutdown_timeout: Duration::from_secs(30),
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
}

impl Application {
    /// Binds the listener and builds the routes.
    pub async fn build(config: &ServerConfig, db: DatabaseConnection) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        Ok(Application {
            listener,
            router: router(db.clone(), config),
            db,
            shutdown_timeout: config.shutdown_timeout,
        })
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

/// All routes: `/graphql`, `/playground`, `/healthz`, `/readyz`, `/metrics`, and `/` leading to
/// the playground; every one behind the telemetry middleware.
pub fn router(db: DatabaseConnection, config: &ServerConfig) -> Router {
    let telemetry = Telemetry::new(db.clone());
    let schema = graphql::schema(db.clone(), config.limits);
    let ready_db = db.clone();
    let metrics = telemetry.clone();
    let prepare: http::graphql::PrepareRequest = Arc::new(move |request, _headers| {
        // Loaders are per request: their caches must not outlive it or leak across clients.
        request.data(graphql::loader::loaders(db.clone()))
    });
    let options = http::graphql::GraphqlHttpOptions {
        max_body_bytes: config.max_body_bytes,
        prepare: Some(prepare),
    };
    Router::new()
        .merge(http::graphql::routes(schema, options))
        .merge(http::playground::routes(PLAYGROUND_EXAMPLES))
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
        ))
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
