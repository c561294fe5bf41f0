//! All integration tests, in one binary (one link, one shared PostgreSQL cluster per run).

mod answers;
mod connections;
mod crash;
mod delete;
mod documents;
mod editing;
mod export;
mod exports_formats;
mod fundings;
mod geo;
mod graphql;
mod history;
mod hostile;
mod http;
mod merge;
mod numbers;
mod plans;
mod ratelimit;
mod runtime;
mod search;
mod seeds;
mod spec;
mod ties;
mod tokens;
