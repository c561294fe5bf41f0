//! Building and running the server: bind first (so tests can ask for port 0 and read the real
//! port), then serve until a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::graphql::{self, Limits};
use crate::http;

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
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds the listener and builds the routes.
    pub async fn build(config: &ServerConfig, db: DatabaseConnection) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await?;
        Ok(Application {
            listener,
            router: router(db, config),
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

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// All routes: `/graphql`, `/playground`, `/healthz`, and `/` leading to the playground.
pub fn router(db: DatabaseConnection, config: &ServerConfig) -> Router {
    let schema = graphql::schema(db.clone(), config.limits);
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
}
