//! The word index of search: each distinct word of a record's folded search texts, so a search
//! token finds its records by a prefix range of the key instead of a scan of every text.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_word")]
pub struct Model {
    /// One folded word ([`crate::text::fold`] output holds words of `[a-z0-9]`).
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub word: String,
    /// The entity whose texts hold the word.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
