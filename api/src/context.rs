//! The application context: what every part of a running server shares, built once when it starts
//! ([`AppContext::new`]) and held by the server and its routes as one `Arc`.
//!
//! It exists so that the things a server is made of are set up in one place and in the one order
//! that works: the database's text order is asked before the statement counter is attached (it
//! is not a request's statement), and the counter is attached before anything takes a copy of the
//! pool handle (a copy taken earlier would not count). The GraphQL schema and executor are then
//! given their pool handle from here ([`crate::startup::router`]): the schema for its resolvers,
//! which read it from the request data, and the executor for the loaders it builds per request.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use sea_orm::DatabaseConnection;

use crate::graphql::Limits;
use crate::store::page::TextOrder;
use crate::telemetry::Telemetry;

/// What a running server shares.
pub struct AppContext {
    /// The connection pool. Every statement run through it is counted in `telemetry`; it is
    /// closed after the last request, so PostgreSQL sees the sessions end.
    pub db: DatabaseConnection,
    /// What one request may cost; the schema and the executor are built with them.
    pub limits: Limits,
    /// How the database orders text, asked once at start: it decides whether a page may be read
    /// in the order of its index ([`TextOrder`]).
    pub text_order: TextOrder,
    /// Metrics and request ids; `/metrics` renders them.
    pub telemetry: Arc<Telemetry>,
}

impl AppContext {
    /// The context of a server over `db`. Takes `db`'s metric callback over to count SQL
    /// statements (and log them at `libgraph::sql=debug`).
    pub async fn new(mut db: DatabaseConnection, limits: Limits) -> Arc<Self> {
        let text_order = TextOrder::of(&db).await;
        tracing::debug!(?text_order, "text order of the database");
        let telemetry = Telemetry::new();
        let statements = telemetry.statements();
        db.set_metric_callback(move |info| {
            statements.fetch_add(1, Ordering::Relaxed);
            // `--log-level libgraph::sql=debug` logs every statement with its duration.
            tracing::debug!(
                target: "libgraph::sql",
                micros = info.elapsed.as_micros() as u64,
                failed = info.failed,
                sql = %info.statement.sql,
            );
        });
        Arc::new(AppContext {
            db,
            limits,
            text_order,
            telemetry,
        })
    }
}
