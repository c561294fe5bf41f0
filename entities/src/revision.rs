//! One change to the graph: a story recorded, a revert, a seed load (see `revision_change` for
//! the records it touched).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub revision_id: i64,
    /// When, as RFC 3339 UTC with milliseconds (text sorts in time order on both databases).
    pub at: String,
    /// Who: the token's name, or `seed` for `libgraph seed`.
    pub actor: String,
    /// The token that made it, if one did.
    pub token_id: Option<i64>,
    /// What: the mutation or command (`recordStory`, `revert`, `seed`).
    pub operation: String,
    /// Why, in the editor's words.
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    /// The revision this one undid, for a revert.
    pub reverts: Option<i64>,
    /// The sources it added and removed, rows and stored texts:
    /// an object with the lists `added` and `removed`, each item a `source` row and its `source_text`.
    #[sea_orm(column_type = "Text")]
    pub sources: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
