//! Countries, regions, cities and addresses.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "place")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub place_id: i64,
    /// Natural key.
    pub slug: String,
    /// What the place is.
    pub kind: PlaceKind,
    /// Name in the original language.
    pub name: String,
    /// BCP 47 tag of `name`.
    pub name_lang: String,
    /// English name.
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    /// ISO 3166-1 alpha-2 code, inherited from the parent place when not given.
    pub country_code: Option<String>,
    /// The place this one lies in.
    pub parent_id: Option<i64>,
    /// WGS 84.
    pub latitude: Option<f64>,
    /// WGS 84.
    pub longitude: Option<f64>,
    /// Where the coordinates come from, or why there are none: set by every load.
    pub geo_match: GeoMatch,
    /// Why the place is located so, or not at all (the gazetteer's reasoning); null when a
    /// document states the coordinates.
    pub geo_note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
