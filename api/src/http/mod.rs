//! HTTP: the GraphQL endpoint (GraphQL-over-HTTP), the offline playground, the sources' stored
//! texts, health; [`server`] accepts and serves the connections within limits.

pub mod graphql;
pub mod playground;
pub mod server;
pub mod sources;
