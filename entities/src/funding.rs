//! Who funds what (a project, programme or event, or an organization directly), through which
//! programme and intermediary.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "funding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub funding_id: i64,
    /// The funding organization.
    pub funder_id: i64,
    /// The funded record: a project, programme or event, or an organization funded directly (a
    /// ministry funding a library).
    pub recipient_id: i64,
    /// The programme the money flows through.
    pub programme_id: Option<i64>,
    /// An operator passing the money on.
    pub intermediary_id: Option<i64>,
    pub instrument: Option<FundingInstrument>,
    /// Amount in the currency's minor unit (grosz, ban, cent).
    pub amount_minor: Option<i64>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub date_note: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
