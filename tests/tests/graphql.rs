//! GraphQL behaviour tests (being written).
