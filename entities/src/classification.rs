//! A record is about a topic.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "classification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub classification_id: i64,
    /// The classified record.
    pub subject_id: i64,
    pub topic_id: i64,
}

impl ActiveModelBehavior for ActiveModel {}
