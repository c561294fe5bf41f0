//! libgraph: a GraphQL knowledge graph of public libraries, their partner organizations, funders,
//! programmes, projects, events and outcomes — with the source of every fact.
//!
//! # Layout
//! - [`cli`]: command-line options and environment variables.
//! - [`store`]: the database below everything else: connecting, migrating and seeding, rows,
//!   pages and the batched reads every relation goes through.
//! - [`graphql`]: the schema and how a request is executed over the store.
//! - [`http`]: the endpoints; [`startup`], [`telemetry`]: serving, logs and metrics.
//!
//! The data model lives in the `entities` crate, the schema in `migration`, the curated data and
//! its loader in `seeds`, the collaboration-graph algorithms (ties, networks, paths) in `graph`.

// Proving the lean executor's nested futures `Send` goes deeper than the default 128 steps.
#![recursion_limit = "256"]

pub mod cli;
pub mod graphql;
pub mod http;
pub mod startup;
pub mod store;
pub mod telemetry;
