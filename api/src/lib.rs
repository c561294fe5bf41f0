//! libgraph: a GraphQL knowledge graph of public libraries, their partner organizations, funders,
//! programmes, projects, events and outcomes — with the source of every fact.
//!
//! # Layout
//! - [`cli`]: command-line options and environment variables; [`command`]: what each command
//!   does (the binary, `main.rs`, only calls [`command::run`]).
//! - [`startup`]: binding and running the server, its routes; [`context`]: what a running server
//!   shares (database, limits, text order, telemetry), built once.
//! - [`http`]: the endpoints (GraphQL over HTTP, playground, source texts); [`telemetry`]: logs,
//!   request ids and spans, metrics.
//! - [`graphql`]: the schema over the store, and how a request executes.
//! - [`export`]: the graph as files for other tools (GEXF, GraphML, CSV, JSON-LD), streamed,
//!   for `/export/…` and `libgraph export`.
//! - [`store`]: the database below everything else: connecting, migrating and seeding, rows,
//!   pages and the batched reads every relation goes through; it never imports the layers above.
//!
//! The data model lives in the `entities` crate, the schema in `migration`, the curated data and
//! its loader in `seeds`, the collaboration-graph algorithms (ties, networks, paths) in `graph`.

// Proving the lean executor's nested futures `Send` goes deeper than the default 128 steps.
#![recursion_limit = "256"]

pub mod cli;
pub mod command;
pub mod context;
pub mod export;
pub mod graphql;
pub mod http;
pub mod startup;
pub mod store;
pub mod telemetry;
