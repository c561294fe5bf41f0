//! Results of projects, programmes and events, with an indicator when the source gives a number.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outcome")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub outcome_id: i64,
    /// Natural key.
    pub slug: String,
    /// The record (project, programme, event, organization) it is a result of.
    pub subject_id: i64,
    /// In the source's language.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub description_lang: String,
    pub description_en: Option<String>,
    /// What is counted.
    pub indicator: Option<String>,
    pub value: Option<f64>,
    /// How the value relates to the stated number.
    pub value_qualifier: Option<ValueQualifier>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
