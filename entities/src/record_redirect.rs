//! Where a merged record went: its old id and slug resolve to the record it was merged into.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_redirect")]
pub struct Model {
    /// The removed record's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
    /// What the removed record was (`organization`).
    pub kind: String,
    /// The removed record's key (its slug).
    pub key: String,
    /// The record that answers for it now.
    pub target_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
