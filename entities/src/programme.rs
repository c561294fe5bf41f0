//! Funding and flagship programmes; they nest (priority 4 → intervention direction 4.1).

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: i64,
    /// Natural key.
    pub slug: String,
    pub kind: ProgrammeKind,
    /// Name in the original language.
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
    /// The folded name ([`crate::text::fold`]), for ordering.
    pub sort_key: String,
    /// The programme's own numbering (`4.1`).
    pub code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    /// The enclosing programme.
    pub parent_id: Option<i64>,
    /// EDTF.
    pub start_date: Option<String>,
    /// EDTF.
    pub end_date: Option<String>,
    /// The words of the source about time.
    #[sea_orm(column_type = "Text")]
    pub date_note: Option<String>,
    /// First year covered, derived from the dates for filtering.
    pub year_from: Option<i32>,
    /// Last year covered.
    pub year_to: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
