//! Who is asking: the bearer token a request carries, looked up only by a field that needs to know.
//!
//! The HTTP layer reads the `Authorization` header and puts what it says in the request data,
//! unchecked: [`Credentials`], a token's text or why the header is not one. Nothing is looked up
//! then, so reads stay public, run no statement more, and answer the same whatever the header
//! holds. A field that writes calls [`require`] first, before it reads or writes anything:
//!
//! ```ignore
//! let actor = auth::require(ctx, Role::Editor).await?;
//! ```
//!
//! - no header: `UNAUTHENTICATED`;
//! - a header that is not `Bearer <token>`, text that is not a libgraph token, or a token that is
//!   unknown, revoked or expired: `UNAUTHENTICATED`, saying which of the first two it was (the
//!   last three are one message: which one is for an admin to see, not for whoever holds a copy);
//! - a token whose role is below `role`: `FORBIDDEN`. An admin may do all an editor may.
//!
//! No message quotes the token, and [`BearerToken`]'s `Debug` hides it. Tokens are made, stored
//! and found in [`crate::store::token`].

use async_graphql::{Context, Enum};
use chrono::{DateTime, Utc};
use entities::api_token;
use sea_orm::DatabaseConnection;

use crate::store::StoreError;
use crate::store::token::{self, TokenHash};

/// What the request's `Authorization` header says, as the HTTP layer found it (absent from the
/// request data when there was no header).
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `Bearer <token>`: the token's text, not yet checked.
    Bearer(BearerToken),
    /// A header that is not `Bearer <token>`, and why (never quoting it): a mutation is refused
    /// with this reason, a read ignores it.
    Malformed(&'static str),
}

/// A bearer token's text as a request presented it. Its `Debug` does not show it, so neither does
/// any log line or error that prints the request data.
#[derive(Clone)]
pub struct BearerToken(String);

impl BearerToken {
    pub fn new(text: impl Into<String>) -> Self {
        BearerToken(text.into())
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// What a token may write. An admin may do everything an editor may.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "TokenRole", remote = "entities::TokenRole")]
pub enum Role {
    /// Edits the graph's content: records, relations, citations.
    Editor,
    /// Everything an editor does; also creates and revokes tokens, merges, restores and
    /// hard-deletes records.
    Admin,
}

impl Role {
    /// Whether a token of this role may do what needs `needed`.
    pub fn allows(self, needed: Role) -> bool {
        entities::TokenRole::from(self) >= entities::TokenRole::from(needed)
    }
}

/// The holder of the token a request presented, once it is found to work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// `api_token.api_token_id`: what a revision records as its author.
    pub token_id: i64,
    /// The token's name, as people know it.
    pub name: String,
    pub role: Role,
    /// When the token stops working; never when `None`.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<&api_token::Model> for Actor {
    fn from(token: &api_token::Model) -> Self {
        Actor {
            token_id: token.api_token_id,
            name: token.name.clone(),
            role: token.role.into(),
            expires_at: token.expires_at,
        }
    }
}

/// The actor of this request, if it presented a token that works and whose role allows `role`;
/// otherwise `UNAUTHENTICATED` or `FORBIDDEN` (see the module docs). Call it before anything is
/// read or written: a refused request must leave the database as it was.
pub async fn require(ctx: &Context<'_>, role: Role) -> async_graphql::Result<Actor> {
    let Some(credentials) = ctx.data_opt::<Credentials>() else {
        return Err(unauthenticated(
            "this needs a token: send it as the header `Authorization: Bearer <token>`",
        ));
    };
    let db = ctx.data::<DatabaseConnection>()?;
    let now = token::now();
    let found = authenticate(db, credentials, now).await?;
    let actor = Actor::from(&found);
    if !actor.role.allows(role) {
        return Err(StoreError::Forbidden {
            reason: format!(
                "this needs an {} token; \"{}\" is an {} token",
                entities::TokenRole::from(role),
                actor.name,
                entities::TokenRole::from(actor.role)
            ),
        }
        .into());
    }
    // Bookkeeping, not a condition of the write: a failure is logged (by the error's conversion)
    // and the write goes on.
    let _ = token::touch(db, &found, now).await;
    Ok(actor)
}

/// The actor of this request: `None` when it sent no `Authorization` header, an
/// `UNAUTHENTICATED` error when it sent one that does not work. For `viewer`, which answers who
/// a client is without writing anything.
pub async fn current(ctx: &Context<'_>) -> async_graphql::Result<Option<Actor>> {
    let Some(credentials) = ctx.data_opt::<Credentials>() else {
        return Ok(None);
    };
    let db = ctx.data::<DatabaseConnection>()?;
    let found = authenticate(db, credentials, token::now()).await?;
    Ok(Some(Actor::from(&found)))
}

/// The token `credentials` present, if it works at `now`.
async fn authenticate(
    db: &DatabaseConnection,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> async_graphql::Result<api_token::Model> {
    let text = match credentials {
        Credentials::Malformed(reason) => return Err(unauthenticated(*reason)),
        Credentials::Bearer(BearerToken(text)) => text,
    };
    if !token::is_well_formed(text) {
        return Err(unauthenticated(format!(
            "the bearer token is not a libgraph token (they start with `{}`)",
            token::PREFIX
        )));
    }
    token::authenticate(db, &TokenHash::of(text), now)
        .await?
        .ok_or_else(|| unauthenticated("the token is unknown, revoked or expired"))
}

fn unauthenticated(reason: impl Into<String>) -> async_graphql::Error {
    StoreError::Unauthenticated {
        reason: reason.into(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_may_do_what_an_editor_may_and_not_the_other_way() {
        assert!(Role::Admin.allows(Role::Admin));
        assert!(Role::Admin.allows(Role::Editor));
        assert!(Role::Editor.allows(Role::Editor));
        assert!(!Role::Editor.allows(Role::Admin));
    }

    #[test]
    fn a_bearer_token_does_not_show_in_debug() {
        let text = "lgt_secret-text";
        let credentials = Credentials::Bearer(BearerToken::new(text));
        assert!(!format!("{credentials:?}").contains("secret"));
    }
}
