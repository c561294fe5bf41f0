//! The stored text of a source document, apart from `source` so that reading a source for a
//! citation does not read its whole text (see migration `m20261207_000001_source_text`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source_text")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub source_id: i64,
    /// The document's text as stored, verbatim: every quote of the source stands in it.
    #[sea_orm(column_type = "Text")]
    pub text: String,
}

impl ActiveModelBehavior for ActiveModel {}
