//! A record serves a target group.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audience")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub audience_id: i64,
    /// The record serving the group.
    pub subject_id: i64,
    pub target_group_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
