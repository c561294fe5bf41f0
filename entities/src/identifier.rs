//! External identifiers of an organization, so that imports can match records.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identifier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub identifier_id: i64,
    /// The organization identified.
    pub organization_id: i64,
    /// The register or kind of identifier.
    pub scheme: IdentifierScheme,
    /// The identifier.
    pub value: String,
}

impl ActiveModelBehavior for ActiveModel {}
