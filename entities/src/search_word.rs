//! The word index of search: each distinct word of a record's folded search texts, with the best
//! score that word gives the record, so a one-token search ranks from key ranges of this table
//! and never reads the texts (see the `m20261202_000003_search_rank` migration).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_word")]
pub struct Model {
    /// One folded word ([`crate::text::fold`] output holds words of `[a-z0-9]`).
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub word: String,
    /// The record's kind ([`crate::RecordKind::as_str`]), or `library` for an organization with
    /// library details.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub class: String,
    /// Minus the best score of a token that starts this word: `weight × 100 + 30` when the word
    /// starts a text of the record, `weight × 100 + 20` when it is a later word; ascending order
    /// is best first.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sort_key: i32,
    /// The entity whose texts hold the word.
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: i64,
    /// Minus `weight × 100 + 50` for the best text that is this word alone (none: null), the score
    /// of a token that is the whole word.
    pub exact_key: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
