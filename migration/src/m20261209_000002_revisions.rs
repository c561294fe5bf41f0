//! History: every change to the graph is a revision, whoever made it (an editor's token through
//! the API, or `libgraph seed`), with the records it touched before and after.
//!
//! - `revision`: one row per change (a `recordStory`, a revert, a seed load): when, by whom
//!   (`actor` is the token's name or `seed`; `token_id` the token, kept as a plain number so
//!   revoking or deleting a token never rewrites history), which operation, the reason given,
//!   the revision it reverts, if it is a revert, and the sources (documents) it added or removed
//!   with their stored texts (`sources`, JSON): a source is not a record, but a story brings
//!   one, and undoing the story takes it away.
//! - `revision_change`: one row per record the revision changed, with the record's rows before
//!   and after as JSON (`seeds::revision` says what a snapshot holds), null for "did not exist".
//!   `record_id` has no foreign key: the history of a deleted record outlives the record.
//!   `(record_id, revision_id)` is the index `history(id)` reads, newest first.
//! - `record.version`: raised by one whenever a revision changes the record, for optimistic
//!   concurrency (an edit names the version it read; a stale one is a conflict). SQLite adds a
//!   column to an existing table only with a constant default, which `1` is.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("revision")
                    .if_not_exists()
                    .col(big_integer("revision_id").auto_increment().primary_key())
                    .col(text("at"))
                    .col(text("actor"))
                    .col(big_integer_null("token_id"))
                    .col(text("operation"))
                    .col(text_null("reason"))
                    .col(big_integer_null("reverts"))
                    .col(text_null("sources"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("revision_change")
                    .if_not_exists()
                    .col(big_integer("revision_id"))
                    .col(big_integer("record_id"))
                    .col(text("kind"))
                    .col(text("key"))
                    .col(text_null("before"))
                    .col(text_null("after"))
                    .primary_key(Index::create().col("revision_id").col("record_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_revision_change_revision_id")
                            .from("revision_change", "revision_id")
                            .to("revision", "revision_id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_revision_change_record_id")
                    .table("revision_change")
                    .col("record_id")
                    .col("revision_id")
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE record ADD COLUMN version BIGINT NOT NULL DEFAULT 1")
            .await?;
        Ok(())
    }
}
