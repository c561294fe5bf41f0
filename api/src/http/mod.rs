//! HTTP: the GraphQL endpoint (GraphQL-over-HTTP), the offline playground, the sources' stored
//! texts, health.

pub mod graphql;
pub mod playground;
pub mod sources;
