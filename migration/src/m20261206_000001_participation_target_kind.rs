//! A participation records the kind of the record it is a participation in (`project`,
//! `programme` or `event`), copied from `record.kind`.
//!
//! A page of participations looks its activities up by id, one branch per activity table in one
//! statement. Without the kind, every id went to all three tables: at size M the heavy
//! benchmark query's fourth level sent its 1,705 ids to each, and the programme table, too
//! small for its index, compared each of its rows with the whole list (1.7 ms of a 6.4 ms
//! statement). With the kind, an id goes to its own table only: 4.2 ms against 6.1 ms for that
//! statement (pgbench, generic plans).
//!
//! A record's kind never changes (a load refuses a record whose slug the database has as
//! another kind), so the copy cannot go stale. It is nullable because SQLite adds a column to
//! an existing table only with a default; rows written before this migration are filled here,
//! and the loader writes it with every participation. A participation without it is looked up
//! in all three tables, as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("participation"))
                    .add_column(ColumnDef::new(Alias::new("target_kind")).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE participation SET target_kind = \
                 (SELECT kind FROM record WHERE record.record_id = participation.target_id)",
            )
            .await?;
        Ok(())
    }
}
