//! All integration tests, in one binary (one link, one shared PostgreSQL cluster per run).

mod answers;
mod connections;
mod documents;
mod export;
mod fundings;
mod graphql;
mod hostile;
mod http;
mod numbers;
mod plans;
mod ratelimit;
mod runtime;
mod search;
mod seeds;
mod spec;
