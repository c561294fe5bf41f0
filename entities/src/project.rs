//! Initiatives carried out by organizations, usually hosted by a library.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i64,
    /// Natural key.
    pub slug: String,
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    /// The problem it addresses.
    #[sea_orm(column_type = "Text")]
    pub why: Option<String>,
    /// What it does.
    #[sea_orm(column_type = "Text")]
    pub what: Option<String>,
    /// The programme it runs under.
    pub programme_id: Option<i64>,
    pub place_id: Option<i64>,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub date_note: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
