//! A person's role at an organization.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "position")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub position_id: i64,
    pub person_id: i64,
    pub organization_id: i64,
    /// As written.
    pub title: String,
    pub title_lang: String,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
