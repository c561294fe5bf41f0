//! The store: everything that reads or writes the database, below the GraphQL layer.
//!
//! It never imports [`crate::graphql`] or [`crate::http`], and it fails with its own
//! [`StoreError`], so editing, import and export can call it directly. Batching goes through
//! async-graphql's `dataloader`, which is a plain batching utility (keys in, a map out) and knows
//! nothing of GraphQL; the GraphQL layer turns a [`StoreError`] into a GraphQL error with its code.
//!
//! - [`connect`]: reaching the embedded SQLite file or PostgreSQL.
//! - [`admin`]: operations on a whole database: migrate, seed, summarise.
//! - [`row`]: reading models out of result rows; [`page`]: keyset pages and their cursors;
//!   [`order`]: the orders lists are paged in and every child list the API pages, built from
//!   the entities' columns and the definitions the page-order indexes are built from
//!   (`entities::order`).
//! - [`loader`]: the batched reads every relation goes through; [`sql`]: building blocks of
//!   their statements.
//! - [`collaboration`]: memberships, shared activities, networks and paths, read for the
//!   algorithms of the `graph` crate.
//! - [`filter`]: the root lists' filters and the conditions they become; [`country`]: country
//!   codes as filters take them.
//! - [`search`]: ranking a text's matches from the word index, within bounds.
//! - [`statistics`]: the dashboard's counts and sums.
//! - [`edit`]: writes through the API (stories, reverts, merges) and the history they leave;
//!   every write goes through the seeds crate's writers.
//! - [`redirect`]: where the ids and slugs of merged records resolve now.
//! - [`share`]: how many statements one request may run at once, so it holds only a share of
//!   the pool.
//! - [`token`]: API tokens: making them (shown once, stored as a hash), finding the one a request
//!   presents, listing and revoking them.
//! - [`export`]: what the exports read besides the network: node facts, tie years, whole tables
//!   streamed row by row.
//! - [`error`]: what a read can fail with, and the stable code each failure has.

pub mod admin;
pub mod collaboration;
pub mod connect;
pub mod country;
pub mod edit;
pub mod error;
pub mod export;
pub mod filter;
pub mod loader;
pub mod order;
pub mod page;
pub mod redirect;
pub mod row;
pub mod search;
pub mod share;
pub mod sql;
pub mod statistics;
pub mod token;

pub use admin::*;
pub use error::{StoreError, StoreResult};
