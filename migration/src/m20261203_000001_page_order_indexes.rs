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
//! of indexes they had. The expressions are those of the API's orderings
//! (`api/src/graphql/object/mod.rs`, `by_date`, `by_key`, `by_name`), character for character:
//! a planner uses an expression index only for the expression it was built on.
//!
//! On SQLite, where an id column is the rowid, an index on `(parent)` is already in
//! `(parent, id)` order; the same definitions are used there so both databases have one schema.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, index dropped, index created, its columns)`.
const INDEXES: &[(&str, &str, &str, &str)] = &[
    (
        "participation",
        "ix_participation_organization_id",
        "ix_participation_organization_id_by_date",
        "organization_id, (COALESCE(year_from, 99999)), (COALESCE(start_date, '')), participation_id",
    ),
    (
        "participation",
        "ix_participation_target_id",
        "ix_participation_target_id_by_key",
        "target_id, participation_id",
    ),
    (
        "funding",
        "ix_funding_funder_id",
        "ix_funding_funder_id_by_date",
        "funder_id, (COALESCE(year_from, 99999)), (COALESCE(start_date, '')), funding_id",
    ),
    (
        "funding",
        "ix_funding_recipient_id",
        "ix_funding_recipient_id_by_key",
        "recipient_id, funding_id",
    ),
    (
        "outcome",
        "ix_outcome_subject_id",
        "ix_outcome_subject_id_by_key",
        "subject_id, outcome_id",
    ),
    (
        "citation",
        "ix_citation_record_id",
        "ix_citation_record_id_by_key",
        "record_id, citation_id",
    ),
    (
        "citation",
        "ix_citation_source_id",
        "ix_citation_source_id_by_key",
        "source_id, citation_id",
    ),
    // The top-level lists of one kind (`libraries`, `organizations(filter: {kinds: …})`).
    (
        "organization",
        "ix_organization_kind",
        "ix_organization_kind_by_name",
        "kind, sort_key, organization_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, dropped, created, columns) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {created} ON {table} ({columns})"
            ))
            .await?;
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {dropped}"))
                .await?;
        }
        Ok(())
    }
}
