//! How a request is executed: everything between a parsed document and a response, apart from
//! the schema's own resolvers.
//!
//! - [`rules`]: checks async-graphql does not make (depth, `__typename`'s directives);
//!   [`cost`], [`admission`]: what a query may cost, and how much cost may execute at once.
//! - [`variables`]: the request's variables coerced to their declared types, and a variable
//!   without a value read as an argument not written (async-graphql does neither).
//! - [`batch`]: the executor that runs a request's loader fetches in its own task.
//! - [`lean`]: how pages and the objects in them are resolved without async-graphql's per-field
//!   machinery.
//! - [`shape`]: the response completed as the specification says (null propagation, key order).
//! - [`codes`]: the stable `extensions.code` of errors this layer raises.

pub mod admission;
pub mod batch;
pub mod codes;
pub mod cost;
pub mod lean;
pub mod rules;
pub mod shape;
pub mod variables;
