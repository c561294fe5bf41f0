//! Organization-to-organization relations: membership, succession, renaming.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_relation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_relation_id: i64,
    pub subject_id: i64,
    pub kind: OrganizationRelationKind,
    pub object_id: i64,
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
