//! A document that facts are cited from.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "source")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub source_id: i64,
    /// Natural key.
    pub slug: String,
    /// The document's title, verbatim.
    pub title: String,
    /// Where it was published.
    pub url: Option<String>,
    /// The publishing organization.
    pub publisher_id: Option<i64>,
    /// BCP 47 language tag.
    pub language: String,
    /// Publication date (EDTF).
    pub published: Option<String>,
    /// Path of the stored copy, relative to the seed file that declares the source; its text is
    /// in `source_text`.
    pub document: Option<String>,
    /// What the document is.
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
