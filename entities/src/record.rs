//! The supertype row that gives every entity and relation its id, kind and natural key.
//!
//! `key` is the slug for entities and a key derived from the fields for relations
//! (`participation:poltava-library-9:lead:b-zone`), which is what makes loading idempotent.

use crate::kinds::*;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub record_id: i64,
    /// What the record is.
    pub kind: RecordKind,
    /// Natural key: the slug of an entity, the derived key of a relation.
    pub key: String,
    /// Raised by one by every revision that changes the record: an edit names the version it
    /// read, and a stale one is refused.
    pub version: i64,
}

impl ActiveModelBehavior for ActiveModel {}
