//! Schema migrations: schema only, never data (the seeds are loaded by the `seeds` crate); a
//! migration that adds a derived index table fills it from the rows it is derived from, when SQL
//! can derive it exactly (`search_word`, `search_pair`; the collaboration ties are computed in
//! Rust, see `m20261202_000001_collaboration`).
//!
//! One table is not the graph's: `api_token` (who may write), created by
//! `m20261209_000001_api_token`.
//!
//! Migrations are forward-only and written with sea-query's builder, so SQLite and PostgreSQL get
//! the same tables, keys and indexes from one definition; where the two need different SQL (a
//! collation, `WITHOUT ROWID`), the migration says why. Running them twice is a no-op: sea-orm
//! records applied migrations in `seaql_migrations`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_graph;
mod m20261201_000001_search_words;
mod m20261202_000001_collaboration;
mod m20261202_000002_graph_version;
mod m20261202_000003_search_rank;
mod m20261203_000001_page_order_indexes;
mod m20261206_000001_participation_target_kind;
mod m20261207_000001_source_text;
mod m20261207_000002_alias_citation;
mod m20261207_000003_round_tie_weights;
mod m20261208_000001_funding_recipient_by_date;
mod m20261209_000001_api_token;
mod m20261209_000002_revisions;
mod m20261210_000001_record_redirect;
mod m20261211_000002_funding_through_programme;
mod m20261212_000001_place_geo_match;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_graph::Migration),
            Box::new(m20261201_000001_search_words::Migration),
            Box::new(m20261202_000001_collaboration::Migration),
            Box::new(m20261202_000002_graph_version::Migration),
            Box::new(m20261202_000003_search_rank::Migration),
            Box::new(m20261203_000001_page_order_indexes::Migration),
            Box::new(m20261206_000001_participation_target_kind::Migration),
            Box::new(m20261207_000001_source_text::Migration),
            Box::new(m20261207_000002_alias_citation::Migration),
            Box::new(m20261207_000003_round_tie_weights::Migration),
            Box::new(m20261208_000001_funding_recipient_by_date::Migration),
            Box::new(m20261209_000001_api_token::Migration),
            Box::new(m20261209_000002_revisions::Migration),
            Box::new(m20261210_000001_record_redirect::Migration),
            Box::new(m20261211_000002_funding_through_programme::Migration),
            Box::new(m20261212_000001_place_geo_match::Migration),
        ]
    }
}
