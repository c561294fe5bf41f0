//! An organization's role in a project, programme or event: what collaboration is computed from.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub participation_id: i64,
    pub organization_id: i64,
    /// The project, programme or event record.
    pub target_id: i64,
    /// The kind of `target_id`'s record (`project`, `programme` or `event`), copied from it, so
    /// that a page of participations looks each activity up in its own table. Null only for a
    /// row written before the column existed and not filled since.
    pub target_kind: Option<RecordKind>,
    pub role: Role,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub date_note: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
