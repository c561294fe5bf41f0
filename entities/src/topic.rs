//! UN Sustainable Development Goals and themes.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "topic")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub topic_id: i64,
    /// Natural key.
    pub slug: String,
    pub kind: TopicKind,
    /// The SDG number.
    pub code: Option<String>,
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
