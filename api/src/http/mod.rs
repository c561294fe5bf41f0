//! HTTP: the GraphQL endpoint (GraphQL-over-HTTP), the offline playground and the explorer page,
//! the sources' stored texts, health, the exports ([`export`]); [`server`] accepts and serves the
//! connections within limits, and [`ratelimit`] keeps each client of `/graphql` to its share.

pub mod explore;
pub mod export;
pub mod graphql;
pub mod playground;
pub mod ratelimit;
pub mod server;
pub mod sources;
