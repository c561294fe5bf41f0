//! Library details of an organization of kind `library`.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i64,
    /// Administrative type.
    pub library_type: Option<LibraryType>,
    /// Postal address.
    pub address: Option<String>,
    /// As stated.
    #[sea_orm(column_type = "Text")]
    pub opening_hours: Option<String>,
    /// The library this one is a branch of.
    pub parent_library_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
