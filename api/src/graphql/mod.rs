//! The GraphQL API: schema, objects, loaders.
pub mod page;
