//! A version number of the whole graph, raised by every load in its transaction.
//!
//! Answers that read much of the graph (a country's collaboration network reads every membership
//! of its organizations and computes betweenness: 1.7 s at 200,000 organizations) are kept by
//! each API instance with the version they were computed at, and reused while that version is
//! current. Reading one row per request is what makes that correct across any number of
//! instances over one PostgreSQL database: a load commits its rows and the new version together.
//!
//! The table holds exactly one row, `graph_version_id = 1`, created here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("graph_version"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("graph_version_id"))
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("version"))
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        let mut row = Query::insert();
        row.into_table(Alias::new("graph_version"))
            .columns([Alias::new("graph_version_id"), Alias::new("version")])
            .values([1.into(), 0.into()])
            .map_err(|e| DbErr::Custom(format!("the graph_version row: {e}")))?;
        manager.exec_stmt(row).await
    }
}
