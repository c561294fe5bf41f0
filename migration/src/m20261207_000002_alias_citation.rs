//! A citation may support one alias of its record rather than the record itself: an alias is a
//! fact like any other, stated by a document (with its quote) or inferred (with the reasoning).
//!
//! An alias is a property of its entity, not a node of the graph, so it gets no `record` row of
//! its own (that would make it a `Record` in the API, with a global id and a place in every
//! union). Instead `citation.alias_id` narrows a citation of the entity to one of its aliases;
//! the entity's own citations are those without it. The loader replaces an entity's aliases
//! wholesale, so the key cascades: citations of an alias go with it.
//!
//! The column is nullable because SQLite adds a column to an existing table only with a NULL
//! default, and the foreign key is written inline for the same reason (SQLite cannot add a
//! constraint to an existing table); the one statement is valid on both databases.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE citation ADD COLUMN alias_id BIGINT NULL \
                 REFERENCES alias (alias_id) ON DELETE CASCADE",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_citation_alias_id")
                    .table(Alias::new("citation"))
                    .col(Alias::new("alias_id"))
                    .to_owned(),
            )
            .await
    }
}
