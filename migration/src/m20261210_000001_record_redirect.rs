//! Where a merged record went (issue 25, `mergeOrganizations`): the removed record's id and key
//! (slug) keep resolving, to the record it was merged into.
//!
//! Choices worth knowing before changing this file:
//! - One row per removed record, keyed by its old `record_id`; `key` (its old slug) is unique, as
//!   slugs are. `target_id` is the record that now answers for both.
//! - The rows belong to the target (`ON DELETE CASCADE` from `target_id`): a revision's snapshot of
//!   the kept record carries them, so undoing a merge takes them away with everything else, and
//!   merging the kept record on into a third moves them along (no chains to follow at read time).
//! - A lookup reads `record` first and this table only when nothing has the id or slug: a slug
//!   given to a new record later wins over the redirect.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Alias::new("record_redirect");
        manager
            .create_table(
                Table::create()
                    .table(table.clone())
                    .if_not_exists()
                    .col(big_integer("record_id").primary_key())
                    .col(text("kind"))
                    .col(text("key"))
                    .col(big_integer("target_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_record_redirect_target_id")
                            .from(table.clone(), Alias::new("target_id"))
                            .to(Alias::new("record"), Alias::new("record_id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column, unique) in [
            ("ux_record_redirect_key", "key", true),
            ("ix_record_redirect_target_id", "target_id", false),
        ] {
            let mut index = Index::create();
            index
                .name(name)
                .table(table.clone())
                .col(Alias::new(column))
                .if_not_exists();
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }
}
