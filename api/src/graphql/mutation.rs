//! The root `Mutation`: every write the API takes, each group in the module that owns it, merged
//! into one type (async-graphql's `MergedObject`), so a new group is one more part here rather
//! than one more file's fields in a shared impl.
//!
//! Every mutation calls [`super::auth::require`] before it reads or writes anything, and runs
//! only over `POST` with a JSON body (the HTTP layer refuses a mutation over `GET` with 405, and
//! any other body with 415).

use async_graphql::MergedObject;

use super::story::EditMutation;
use super::token::TokenMutation;

/// Every write. Each needs a token (`Authorization: Bearer <token>`): without one a mutation is
/// refused with `UNAUTHENTICATED`, with a token whose role may not do it with `FORBIDDEN`, and
/// nothing is written.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(TokenMutation, EditMutation);
