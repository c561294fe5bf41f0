//! The word forms of search, one row per `(word, class)` that `search_word` has held, so a token's
//! forms are a short key range however many records they name.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_pair")]
pub struct Model {
    /// One folded word.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub word: String,
    /// A class of record ([`super::search_word::Model::class`]) that has held the word.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub class: String,
}

impl ActiveModelBehavior for ActiveModel {}
