//! Where a place's coordinates come from (`seeds::gazetteer`): `geo_match` says whether a
//! document states them, the gazetteer matched the place, or why it has none, and `geo_note`
//! says why in words, so that the API can tell a place the map cannot draw from one nobody
//! looked up. Every load sets both; rows loaded before this migration are marked from what they
//! hold (coordinates present: stated, as every load so far took them from a document) until the
//! next load looks them up.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("place"))
                    .add_column(
                        ColumnDef::new(Alias::new("geo_match"))
                            .text()
                            .not_null()
                            .default("not_found"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("place"))
                    .add_column(ColumnDef::new(Alias::new("geo_note")).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE place SET geo_match = 'stated' \
                 WHERE latitude IS NOT NULL OR longitude IS NOT NULL",
            )
            .await?;
        Ok(())
    }
}
