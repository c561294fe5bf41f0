//! One record as a revision changed it: its rows before and after, as JSON (null: it did not
//! exist). The record id has no foreign key, so a deleted record keeps its history.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revision_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub revision_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
    /// The record's kind (`organization`, `participation`, …).
    pub kind: String,
    /// The record's natural key (a slug, or a relation's derived key).
    pub key: String,
    #[sea_orm(column_type = "Text")]
    pub before: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub after: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
