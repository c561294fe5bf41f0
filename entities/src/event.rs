//! Conferences, trainings, study visits, fairs, campaigns, webinars.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i64,
    /// Natural key.
    pub slug: String,
    pub kind: EventKind,
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub date_note: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// `annual` for events held every year.
    pub recurrence: Option<String>,
    pub place_id: Option<i64>,
    /// The project it belongs to.
    pub project_id: Option<i64>,
    /// The programme it belongs to.
    pub programme_id: Option<i64>,
    /// The larger event or campaign it is part of.
    pub part_of_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
