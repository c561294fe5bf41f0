//! A bearer token that may write through the API: who holds it (a name people choose), what it may
//! do (its role), and when it stops working. The token itself is never stored, only its SHA-256
//! (see migration `m20261209_000001_api_token` and the API's `store::token`).

use sea_orm::entity::prelude::*;

use crate::TokenRole;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub api_token_id: i64,
    /// The label its holder is known by in lists, revocations and (later) the history of edits;
    /// unique, so `libgraph token revoke NAME` names one token.
    #[sea_orm(unique)]
    pub name: String,
    pub role: TokenRole,
    /// The SHA-256 of the token's text, in lowercase hex: a presented token is found by hashing
    /// it and looking this up (unique index), so the text itself never reaches the database.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    /// When it stops working; never when null.
    pub expires_at: Option<DateTimeUtc>,
    /// When it was revoked; it works only while this is null.
    pub revoked_at: Option<DateTimeUtc>,
    /// The admin token that created it; null for one made by `libgraph token create` (the first
    /// admin's comes from there) or whose creator is gone.
    pub created_by: Option<i64>,
    /// When it was last used for something that needs a token (a mutation, an admin's `tokens`),
    /// to the minute: what an admin looks at before revoking a token nobody uses.
    pub last_used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
