//! Provenance: one quote from a source supporting one record, or one alias of it.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub citation_id: i64,
    /// The cited record.
    pub record_id: i64,
    /// The alias of the record this citation supports; null when it supports the record itself.
    pub alias_id: Option<i64>,
    /// The source quoted.
    pub source_id: i64,
    /// Verbatim quote in the source's language.
    #[sea_orm(column_type = "Text")]
    pub quote: String,
    /// Stated in the text, or inferred from it.
    pub basis: CitationBasis,
    /// Why an inferred fact follows from the quote.
    #[sea_orm(column_type = "Text")]
    pub reasoning: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
