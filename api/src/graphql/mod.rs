//! The GraphQL layer: the schema over the [`crate::store`], and how a request executes.
//!
//! # Layout
//! - [`query`]: the root `Query`; [`input`]: its filters, orders and ranges.
//! - [`mutation`]: the root `Mutation`, merged from the groups of writes; [`auth`]: who may
//!   write ([`auth::require`], called first by every mutation); [`token`]: the token fields.
//! - [`object`]: the object types, one per file, each wrapping a sea-orm model; every relation
//!   loads through the store's batched loaders.
//! - [`connection`]: Relay connections over the store's keyset pages.
//! - [`collaboration`], [`search`], [`statistics`]: the services behind those root fields, over
//!   the store's reads of the same names.
//! - [`executor`]: how a request runs (depth and cost rules, admission, the batching executor,
//!   the lean executor, response completion).
//! - [`story`]: recording stories and undoing revisions (mutations); [`edit`]: the history they
//!   leave and every record's version.
//! - [`limits`]: the limits a request is held to, as the `limits` query field.
//! - [`describe`]: the schema's descriptions as clients read them (prose, every argument).
//! - [`error`]: how a store error looks to a client (`extensions.code`).
//! - [`id`]: opaque global IDs.

// A resolver takes one parameter per GraphQL argument; connection fields alone have four.
#![allow(clippy::too_many_arguments)]

pub mod auth;
pub mod collaboration;
pub mod connection;
pub mod describe;
pub mod edit;
pub mod error;
pub mod executor;
pub mod id;
pub mod input;
pub mod limits;
pub mod mutation;
pub mod object;
pub mod query;
pub mod search;
pub mod statistics;
pub mod story;
pub mod token;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

/// The schema type served.
pub type LibgraphSchema = Schema<query::QueryRoot, mutation::MutationRoot, EmptySubscription>;

/// Limits that keep one client from stalling the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest selection nesting accepted.
    pub max_depth: usize,
    /// Highest query cost accepted ([`executor::cost`]): a connection costs its page size times its children.
    pub max_complexity: usize,
    /// The longest document text parsed, in bytes ([`executor::rules::check_length`]).
    pub max_query_bytes: usize,
    /// Most fields one operation may select once its fragments are expanded
    /// ([`executor::rules::check_size`]).
    pub max_selections: usize,
    /// Most `__schema` and `__type` fields one operation may hold once expanded.
    pub max_introspections: usize,
    /// Most aliased fields one operation may hold once expanded.
    pub max_aliases: usize,
    /// Most root fields one operation may hold once expanded.
    pub max_root_fields: usize,
    /// Most errors one response lists; the HTTP layer leaves out the rest and counts them.
    pub max_errors: usize,
    /// How long a document may execute before it is abandoned with `TIMEOUT`.
    pub execution_timeout: std::time::Duration,
    /// Most statements one request may run at once ([`crate::store::share`]): its share of the
    /// database pool.
    pub db_request_share: usize,
    /// Most bytes the networks an instance keeps may hold together
    /// ([`crate::store::collaboration::NetworkCache`]).
    pub network_cache_bytes: usize,
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
    /// How large a document may be once expanded ([`executor::rules::check_size`]).
    pub fn size(&self) -> executor::rules::SizeLimit {
        executor::rules::SizeLimit {
            selections: self.max_selections,
            introspections: self.max_introspections,
            aliases: self.max_aliases,
            root_fields: self.max_root_fields,
        }
    }

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
            max_query_bytes: 32 << 10,
            max_selections: 2_000,
            max_introspections: 3,
            max_aliases: 100,
            max_root_fields: 50,
            max_errors: 100,
            execution_timeout: std::time::Duration::from_secs(10),
            db_request_share: default_request_share(10),
            network_cache_bytes: 64 << 20,
            search: crate::store::search::SearchLimits::default(),
            max_memberships: 150_000,
            admission: executor::admission::AdmissionLimits::default(),
        }
    }
}

/// How many statements one request may run at once on a pool of `pool` connections: a quarter
/// of it, rounded up. Two such requests still leave half the pool to everyone else, and the
/// statements a nested query runs side by side (one per loader of a level, a few at a time) are
/// never more than a handful on two cores.
pub fn default_request_share(pool: u32) -> usize {
    usize::try_from(pool.div_ceil(4).max(1)).unwrap_or(1)
}

/// Builds the schema over a database.
pub fn schema(db: DatabaseConnection, limits: Limits) -> LibgraphSchema {
    Schema::build(
        query::QueryRoot,
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .register_output_type::<describe::Documented>()
    .data(db)
    .data(crate::store::collaboration::NetworkCache::new(
        limits.network_cache_bytes,
    ))
    .data(limits)
    // The depth rule is libgraph's own (`rules`), checked before the schema sees a document;
    // the schema's recursion limit is set to the same figure so it never speaks first.
    .limit_recursive_depth(limits.depth().nesting())
    .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        query::QueryRoot,
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .register_output_type::<describe::Documented>()
    .finish()
    .sdl()
}
