//! Collaboration ties computed ahead: for every organization, one row per partner it shares a
//! project, event or programme with, in strongest-first order. Derived from `participation` by
//! the loader (the `graph` crate's `ties`), never written by the API.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "collaboration")]
pub struct Model {
    /// The organization whose tie this is.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i64,
    /// The weight in millionths, negated and rounded, so ascending order is strongest first;
    /// with `partner_id`, the order and cursor of a page of collaborators.
    #[sea_orm(primary_key, auto_increment = false)]
    pub sort_key: i64,
    /// The other organization.
    #[sea_orm(primary_key, auto_increment = false)]
    pub partner_id: i64,
    /// Tie strength: each shared item adds 1/(its number of organizations − 1).
    #[sea_orm(column_type = "Double")]
    pub weight: f64,
    /// How many projects, events and programmes the two share.
    pub shared_count: i32,
    /// Earliest year either was involved in a shared item.
    pub first_year: Option<i32>,
    /// Latest year either was involved in a shared item.
    pub last_year: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
