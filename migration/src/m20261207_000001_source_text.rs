//! The stored text of a source document, served by the API (`Source.text` and
//! `GET /sources/{slug}.txt`) so that anyone can read a quote in its context.
//!
//! The text lives in the database rather than only in the binary because a `seed --dir` user
//! ships documents of their own, and every instance over one PostgreSQL database must serve
//! them; the curated texts are loaded the same way. It is a table of its own, one row per
//! source, rather than a column of `source`: a source row is read for every citation's
//! `source { title url }`, and a document runs to kilobytes (the curated ones 2.3-6.6 KB, a
//! report far more) that those reads must not carry.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("source_text"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("source_id"))
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alias::new("text")).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_source_text_source_id")
                            .from(Alias::new("source_text"), Alias::new("source_id"))
                            .to(Alias::new("source"), Alias::new("source_id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }
}
