//! HTTP: the GraphQL endpoint (GraphQL-over-HTTP), the offline playground, health.

pub mod graphql;
pub mod playground;
