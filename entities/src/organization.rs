//! Any actor: libraries, NGOs, public authorities, networks, informal groups, crowds.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i64,
    /// Natural key.
    pub slug: String,
    /// What kind of actor.
    pub kind: OrganizationKind,
    /// Name in the original language.
    pub name: String,
    /// BCP 47 tag of `name`.
    pub name_lang: String,
    /// English name.
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    /// What the sources say it is.
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Where it is.
    pub place_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
