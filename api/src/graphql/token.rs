//! Tokens in the schema: `createToken` and `revokeToken` (admins), the `tokens` list (admins) and
//! `viewer` (anyone: who am I?). Who may call what is [`super::auth`]'s; the rows are
//! [`crate::store::token`]'s.
//!
//! No field gives a token's hash, and only `createToken` gives its text, once.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::api_token;
use sea_orm::DatabaseConnection;

use super::auth::{self, Role};
use super::id::{decode_other, encode_other};
use crate::store::StoreError;
use crate::store::error::excerpt;
use crate::store::token::{self, NewToken};

/// The type name inside an `ApiToken`'s ID.
const API_TOKEN: &str = "ApiToken";

/// A token that may write through the API, as an admin sees it: never its text nor its hash.
pub struct ApiToken {
    model: api_token::Model,
    /// The name of the admin token that created it.
    created_by: Option<String>,
}

/// A token that may write through the API, as an admin sees it (its text is shown once, by
/// `createToken`, and stored nowhere).
#[Object]
impl ApiToken {
    /// Opaque ID, for `revokeToken`.
    async fn id(&self) -> ID {
        encode_other(API_TOKEN, self.model.api_token_id)
    }
    /// The name its holder is known by; unique.
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// What it may write.
    async fn role(&self) -> Role {
        self.model.role.into()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// The name of the admin token that created it; null for one created with `libgraph token
    /// create` on the server's command line.
    async fn created_by(&self) -> Option<&str> {
        self.created_by.as_deref()
    }
    /// When it stops working; null when it never expires.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.model.expires_at
    }
    /// When it was revoked; null while it is not.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.model.revoked_at
    }
    /// When it was last used for something that needs a token (a mutation, `tokens`), to the
    /// minute; null when it never has.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.model.last_used_at
    }
    /// Whether it works now: neither revoked nor expired.
    async fn active(&self) -> bool {
        token::works_at(&self.model, token::now())
    }
}

/// A token just created: its text, shown this once, and its record.
#[derive(SimpleObject)]
pub struct CreatedToken {
    /// The token's text, to send as the header `Authorization: Bearer <token>`. It is shown only
    /// here and now: the server keeps only its hash, so a lost token cannot be shown again
    /// (revoke it and create another).
    token: String,
    /// The token's record, as `tokens` lists it.
    api_token: ApiToken,
}

/// Who the request's token belongs to.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The token's name.
    name: String,
    /// What it may write.
    role: Role,
    /// When it stops working; null when it never expires.
    expires_at: Option<DateTime<Utc>>,
}

/// `viewer`: who the request's token belongs to; null without an `Authorization` header.
pub async fn viewer(ctx: &Context<'_>) -> async_graphql::Result<Option<Viewer>> {
    Ok(auth::current(ctx).await?.map(|actor| Viewer {
        name: actor.name,
        role: actor.role,
        expires_at: actor.expires_at,
    }))
}

/// `tokens`: every token, newest first, for admins.
pub async fn tokens(ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
    auth::require(ctx, Role::Admin).await?;
    let db = ctx.data::<DatabaseConnection>()?;
    let all = token::list(db).await?;
    let names: HashMap<i64, String> = all
        .iter()
        .map(|t| (t.api_token_id, t.name.clone()))
        .collect();
    Ok(all
        .into_iter()
        .map(|model| ApiToken {
            created_by: model.created_by.and_then(|id| names.get(&id).cloned()),
            model,
        })
        .collect())
}

/// The token mutations, a part of [`super::mutation::MutationRoot`].
#[derive(Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Creates a token that may write through the API (admins only). The answer holds the token's
    /// text, shown this once: hand it to its holder, who sends it as the header
    /// `Authorization: Bearer <token>`. Null when refused (the error says why): nullable so that
    /// a refused mutation beside it in the same request cannot null the answer that shows it.
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The name its holder will be known by (a person or a script), unique; \
                          at most 100 characters."
        )]
        name: String,
        #[graphql(
            desc = "What it may write: `EDITOR` edits content, `ADMIN` also manages \
                          tokens."
        )]
        role: Role,
        #[graphql(
            desc = "When it stops working (RFC 3339, such as `2027-01-31T00:00:00Z`), in \
                          the future; never when null."
        )]
        expires_at: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<Option<CreatedToken>> {
        let actor = auth::require(ctx, Role::Admin).await?;
        let db = ctx.data::<DatabaseConnection>()?;
        let new = NewToken {
            name,
            role: role.into(),
            expires_at,
            created_by: Some(actor.token_id),
        };
        let (model, secret) = token::create(db, new, token::now()).await?;
        tracing::info!(
            token = %model.name,
            role = %model.role,
            by = %actor.name,
            "token created"
        );
        Ok(Some(CreatedToken {
            token: secret.expose().to_owned(),
            api_token: ApiToken {
                model,
                created_by: Some(actor.name),
            },
        }))
    }

    /// Revokes a token (admins only): from now on it authorizes nothing. Revoking a revoked token
    /// changes nothing. Tokens are never deleted, so the edits one made keep their author. Null
    /// when refused (the error says why).
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token's ID, as `tokens` gives it.")] id: ID,
    ) -> async_graphql::Result<Option<ApiToken>> {
        let actor = auth::require(ctx, Role::Admin).await?;
        let db = ctx.data::<DatabaseConnection>()?;
        let row = decode_other("id", &id, API_TOKEN)?;
        let model = token::revoke(db, row, token::now())
            .await?
            .ok_or_else(|| StoreError::not_found(format!("token {}", excerpt(id.as_str()))))?;
        tracing::info!(token = %model.name, by = %actor.name, "token revoked");
        let created_by = match model.created_by {
            Some(creator) => token::by_id(db, creator).await?.map(|t| t.name),
            None => None,
        };
        Ok(Some(ApiToken { model, created_by }))
    }
}
