//! Groups of people a project or programme serves.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "target_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_group_id: i64,
    /// Natural key.
    pub slug: String,
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
