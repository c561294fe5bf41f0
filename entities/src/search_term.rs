//! The search index: folded names, aliases and descriptions of every entity, written by the
//! loader so that search runs the same on SQLite and PostgreSQL.

use sea_orm::entity::prelude::*;

use crate::kinds::RecordKind;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_term")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub search_term_id: i64,
    /// The entity found.
    pub record_id: i64,
    /// The entity's kind, so searches by type need no join.
    pub kind: RecordKind,
    /// How strong a match on this text is: 3 name, 2 alias or English name, 1 description.
    pub weight: i32,
    /// The folded text ([`crate::text::fold`]).
    #[sea_orm(column_type = "Text")]
    pub text: String,
}

impl ActiveModelBehavior for ActiveModel {}
