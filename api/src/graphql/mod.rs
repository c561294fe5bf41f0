//! The GraphQL API: the schema and everything it resolves.
//!
//! # Layout
//! - [`query`]: the root `Query`; [`input`]: its filters, orders and ranges.
//! - [`object`]: one module per group of object types, wrapping sea-orm models.
//! - [`loader`]: per-request DataLoaders; every relation goes through them.
//! - [`batch`]: the executor that runs a request's loader fetches in its own task.
//! - [`describe`]: the schema's descriptions as clients read them (prose, every argument).
//! - [`cost`], [`admission`]: what a query may cost, and how much cost may execute at once.
//! - [`page`], [`connection`]: keyset pagination and Relay connections; [`lean`]: how pages and
//!   the objects in them are resolved.
//! - [`row`]: reading models out of result rows.
//! - [`id`]: opaque global IDs; [`country`]: country codes as filters take them.
//! - [`rules`]: checks async-graphql does not make (depth, `__typename`'s directives);
//!   [`shape`]: the response completed as the specification says (null propagation, key order).
//! - [`collaboration`], [`search`], [`statistics`]: the services behind those root fields.

// A resolver takes one parameter per GraphQL argument; connection fields alone have four.
#![allow(clippy::too_many_arguments)]

pub mod collaboration;
pub mod connection;
pub mod country;
pub mod describe;
pub mod error;
pub mod executor;
pub mod id;
pub mod input;
pub mod object;
pub mod query;
pub mod search;
pub mod statistics;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

/// The schema type served.
pub type LibgraphSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// Limits that keep one client from stalling the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest query cost accepted ([`cost`]): a connection costs its page size times its children.
    pub max_complexity: usize,
    /// How much one `search` may read.
    pub search: crate::store::search::SearchLimits,
    /// Most activity memberships one collaboration computation may read (a network, or the
    /// filtered collaborators of one batch of organizations); a filter that keeps more is
    /// refused with `TOO_BROAD` instead of holding the server for seconds (reading and weighing
    /// one takes 4–7 µs on the 2-core benchmark machine, so the bound is about a second).
    pub max_memberships: usize,
    /// How much query cost may execute at once, and how long a request waits to start.
    pub admission: executor::admission::AdmissionLimits,
}

impl Limits {
    /// How deep a document may nest ([`executor::rules::DepthLimit`]).
    pub fn depth(&self) -> executor::rules::DepthLimit {
        executor::rules::DepthLimit {
            fields: self.max_depth,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 24,
            max_complexity: 250_000,
            search: crate::store::search::SearchLimits::default(),
            max_memberships: 150_000,
            admission: executor::admission::AdmissionLimits::default(),
        }
    }
}

/// Builds the schema over a database.
pub fn schema(db: DatabaseConnection, limits: Limits) -> LibgraphSchema {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .register_output_type::<describe::Documented>()
        .data(db)
        .data(crate::store::collaboration::NetworkCache::default())
        .data(limits)
        // The depth rule is libgraph's own (`rules`), checked before the schema sees a document;
        // the schema's recursion limit is set to the same figure so it never speaks first.
        .limit_recursive_depth(limits.depth().nesting())
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .register_output_type::<describe::Documented>()
        .finish()
        .sdl()
}
