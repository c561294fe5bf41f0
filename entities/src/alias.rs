//! Other names of an entity (acronyms, names in other languages), searched like names.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alias")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub alias_id: i64,
    /// The entity named.
    pub record_id: i64,
    /// The alias, as written.
    pub name: String,
    /// BCP 47 language tag.
    pub lang: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
