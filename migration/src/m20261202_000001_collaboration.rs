//! Every organization's collaboration ties, computed ahead: one row per (organization, partner)
//! that share at least one project, event or programme, stored in both directions.
//!
//! `collaborators` used to gather every membership of every item of the organization and weigh
//! the ties on each request. For a hub (a ministry in thousands of projects) that is tens of
//! thousands of rows per request, growing with the graph: 91 ms at 20,000 organizations and
//! about 950 ms at 200,000. A page of ties is now a range of this table's primary key.
//!
//! - The ties are derived from `participation` (and the activities' years): an index kept as a
//!   table, like `search_word`. The loader, the only writer, recomputes the ties of every
//!   organization in an item it wrote, in the load's own transaction, so every API instance on
//!   one PostgreSQL database sees them change together with the participations.
//! - The weights are computed in Rust (the `graph` crate), not in SQL: the API still computes
//!   filtered collaborators from memberships, and the two must agree to the bit, which a SQL sum
//!   in no fixed order would not. So this migration creates the table empty, and `libgraph`
//!   fills it after migrating a database that has participations but no ties.
//! - `sort_key` is the weight in millionths, negated and rounded: ascending `sort_key`, then
//!   `partner_id`, is strongest first, and the primary key is exactly that order, so a page is a
//!   prefix of one organization's key range. (SQLite stores the table as that key, `WITHOUT
//!   ROWID`.) The pair is unique by construction: the loader deletes an organization's ties
//!   before writing them again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table, on `backend`. Its primary key is rendered from `entities::order::tie_primary_key`,
/// the definition the API's page of ties is read in (`store::order::child::TIES`); the test
/// below pins the statements as first published, which a database already migrated never runs
/// again.
fn statement(backend: DbBackend) -> String {
    let (_, key) = entities::order::tie_primary_key();
    match backend {
        DbBackend::Postgres => format!(
            "CREATE TABLE IF NOT EXISTS collaboration (
                    organization_id BIGINT NOT NULL REFERENCES organization (organization_id),
                    sort_key BIGINT NOT NULL,
                    partner_id BIGINT NOT NULL REFERENCES organization (organization_id),
                    weight DOUBLE PRECISION NOT NULL,
                    shared_count INTEGER NOT NULL,
                    first_year INTEGER,
                    last_year INTEGER,
                    PRIMARY KEY ({key})
                )"
        ),
        _ => format!(
            "CREATE TABLE IF NOT EXISTS collaboration (
                    organization_id INTEGER NOT NULL REFERENCES organization (organization_id),
                    sort_key INTEGER NOT NULL,
                    partner_id INTEGER NOT NULL REFERENCES organization (organization_id),
                    weight REAL NOT NULL,
                    shared_count INTEGER NOT NULL,
                    first_year INTEGER,
                    last_year INTEGER,
                    PRIMARY KEY ({key})
                ) WITHOUT ROWID"
        ),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = statement(db.get_database_backend());
        db.execute_unprepared(&sql).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements as first published (`PRIMARY KEY (organization_id, sort_key, partner_id)`).
    const PUBLISHED_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS collaboration (
                    organization_id BIGINT NOT NULL REFERENCES organization (organization_id),
                    sort_key BIGINT NOT NULL,
                    partner_id BIGINT NOT NULL REFERENCES organization (organization_id),
                    weight DOUBLE PRECISION NOT NULL,
                    shared_count INTEGER NOT NULL,
                    first_year INTEGER,
                    last_year INTEGER,
                    PRIMARY KEY (organization_id, sort_key, partner_id)
                )";
    const PUBLISHED_SQLITE: &str = "CREATE TABLE IF NOT EXISTS collaboration (
                    organization_id INTEGER NOT NULL REFERENCES organization (organization_id),
                    sort_key INTEGER NOT NULL,
                    partner_id INTEGER NOT NULL REFERENCES organization (organization_id),
                    weight REAL NOT NULL,
                    shared_count INTEGER NOT NULL,
                    first_year INTEGER,
                    last_year INTEGER,
                    PRIMARY KEY (organization_id, sort_key, partner_id)
                ) WITHOUT ROWID";

    #[test]
    fn the_definition_renders_the_table_this_migration_always_created() {
        assert_eq!(statement(DbBackend::Postgres), PUBLISHED_POSTGRES);
        assert_eq!(statement(DbBackend::Sqlite), PUBLISHED_SQLITE);
    }
}
