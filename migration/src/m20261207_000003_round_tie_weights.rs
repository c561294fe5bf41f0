//! Collaboration weights are rounded to four decimals where they are computed (`graph::rounded`),
//! so that a tie summed to `0.7499999999999999` neither sorts below a `0.75` nor shows its float
//! error to clients. The stored ties of a database loaded before hold the unrounded sums, with
//! sort keys from them: they are removed here, and `libgraph::store::migrate` computes them again
//! in Rust right after the migrations (as for a database loaded before the table existed), since
//! rounding in SQL could differ from Rust's in the last place.
//!
//! The graph version is raised too, so an instance that kept a network computed before lets it go.

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
            .exec_stmt(
                Query::delete()
                    .from_table(Alias::new("collaboration"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Alias::new("graph_version"))
                    .value(
                        Alias::new("version"),
                        Expr::col(Alias::new("version")).add(1),
                    )
                    .to_owned(),
            )
            .await
    }
}
