//! People named by the sources.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    /// Natural key.
    pub slug: String,
    pub name: String,
    pub name_lang: String,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
