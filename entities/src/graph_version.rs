//! The version of the whole graph: one row, raised by every load in its transaction, so an API
//! instance knows when an answer it keeps (a collaboration network) is out of date.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "graph_version")]
pub struct Model {
    /// Always 1: the table has one row.
    #[sea_orm(primary_key, auto_increment = false)]
    pub graph_version_id: i32,
    /// Raised by one on every load.
    pub version: i64,
}

impl ActiveModelBehavior for ActiveModel {}
