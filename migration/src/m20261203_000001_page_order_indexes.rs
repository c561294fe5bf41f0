//! Indexes in the order lists are paged in, so that a page is the first rows of one index range.
//!
//! A child list (an organization's participations, a project's partners, a record's citations)
//! is read as `WHERE parent = $1 ORDER BY <the list's keys> LIMIT n + 1`. With an index on the
//! parent column alone, PostgreSQL reads every row of the parent and sorts them to return the
//! first page: a hub's 1,000 participations for a page of 20. On size M, the third level of the
//! heavy benchmark query read 13,815 participations of 198 organizations to return 2,519, in
//! 20 ms; from an index in the list's order it reads the 2,519, in 7 ms.
//!
//! Each new index starts with the parent column, so it also serves the lookups and foreign-key
//! checks the index it replaces served; the replaced one is dropped, so writes keep the number
//! of indexes they had. The indexes are rendered from `entities::order::page_order`, the
//! definitions the API's orderings are built from too: a planner uses an expression index only
//! for the expression it was built on, and one definition keeps the two the same.
//!
//! On SQLite, where an id column is the rowid, an index on `(parent)` is already in
//! `(parent, id)` order; the same definitions are used there so both databases have one schema.
//!
//! A database already migrated never runs this again, so what it runs must never change: the
//! test below pins its statements, as first published. A new or changed ordering gets its index
//! from a new migration.

use entities::order::{PageOrderIndex, page_order};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexes created, in order.
fn indexes() -> [&'static PageOrderIndex; 8] {
    [
        &page_order::PARTICIPATION_BY_ORGANIZATION,
        &page_order::PARTICIPATION_BY_TARGET,
        &page_order::FUNDING_BY_FUNDER,
        &page_order::FUNDING_BY_RECIPIENT,
        &page_order::OUTCOME_BY_SUBJECT,
        &page_order::CITATION_BY_RECORD,
        &page_order::CITATION_BY_SOURCE,
        // The top-level lists of one kind (`libraries`, `organizations(filter: {kinds: …})`).
        &page_order::ORGANIZATION_BY_KIND,
    ]
}

/// What `up` runs: each index, then the index on its parent column alone that it replaces
/// (`ix_<table>_<parent>`, as `m20261122_000001_create_graph` named it).
fn statements() -> Vec<String> {
    indexes()
        .into_iter()
        .flat_map(|index| {
            [
                index.create_sql(),
                format!("DROP INDEX IF EXISTS ix_{}_{}", index.table, index.parent),
            ]
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in statements() {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// The statements this migration has run since it was published: what every database
    /// migrated before the indexes were rendered from `entities::order` holds.
    const PUBLISHED: [&str; 16] = [
        "CREATE INDEX IF NOT EXISTS ix_participation_organization_id_by_date ON participation (organization_id, (COALESCE(year_from, 99999)), (COALESCE(start_date, '')), participation_id)",
        "DROP INDEX IF EXISTS ix_participation_organization_id",
        "CREATE INDEX IF NOT EXISTS ix_participation_target_id_by_key ON participation (target_id, participation_id)",
        "DROP INDEX IF EXISTS ix_participation_target_id",
        "CREATE INDEX IF NOT EXISTS ix_funding_funder_id_by_date ON funding (funder_id, (COALESCE(year_from, 99999)), (COALESCE(start_date, '')), funding_id)",
        "DROP INDEX IF EXISTS ix_funding_funder_id",
        "CREATE INDEX IF NOT EXISTS ix_funding_recipient_id_by_key ON funding (recipient_id, funding_id)",
        "DROP INDEX IF EXISTS ix_funding_recipient_id",
        "CREATE INDEX IF NOT EXISTS ix_outcome_subject_id_by_key ON outcome (subject_id, outcome_id)",
        "DROP INDEX IF EXISTS ix_outcome_subject_id",
        "CREATE INDEX IF NOT EXISTS ix_citation_record_id_by_key ON citation (record_id, citation_id)",
        "DROP INDEX IF EXISTS ix_citation_record_id",
        "CREATE INDEX IF NOT EXISTS ix_citation_source_id_by_key ON citation (source_id, citation_id)",
        "DROP INDEX IF EXISTS ix_citation_source_id",
        "CREATE INDEX IF NOT EXISTS ix_organization_kind_by_name ON organization (kind, sort_key, organization_id)",
        "DROP INDEX IF EXISTS ix_organization_kind",
    ];

    #[test]
    fn the_definitions_render_the_statements_this_migration_always_ran() {
        assert_eq!(super::statements(), PUBLISHED);
    }
}
