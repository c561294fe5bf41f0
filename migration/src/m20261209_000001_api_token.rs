//! Who may write through the API: one row per bearer token (issue 25, "Who may write").
//!
//! Choices worth knowing before changing this file:
//! - The token's text is never stored, only `token_hash`, its SHA-256 in lowercase hex. Tokens are
//!   256 random bits, so a fast hash is enough (nothing to guess, and no dictionary to try); a
//!   stolen copy of this table lets no one write. A presented token is found by its hash through
//!   the unique index, never by scanning or comparing text.
//! - `name` is unique: it is how people tell tokens apart (`libgraph token revoke NAME`) and what
//!   the history of edits will name as their author.
//! - `role` is text, as every vocabulary of the schema (`editor`, `admin`; see
//!   `entities::TokenRole`): a new role is a code change, not a migration.
//! - Times are `timestamptz` on PostgreSQL (text on SQLite, written by one code path in UTC, to
//!   the second). A token is never deleted, only revoked (`revoked_at`), so that the edits it
//!   made keep an author.
//! - `created_by` is the admin token that created it (`SET NULL`, as every optional reference),
//!   null for one made by `libgraph token create`, which is where the first admin's comes from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Alias::new("api_token");
        manager
            .create_table(
                Table::create()
                    .table(table.clone())
                    .if_not_exists()
                    .col(big_pk_auto("api_token_id"))
                    .col(text("name"))
                    .col(text("role"))
                    .col(text("token_hash"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_token_created_by")
                            .from(table.clone(), Alias::new("created_by"))
                            .to(table.clone(), Alias::new("api_token_id"))
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column, unique) in [
            ("ux_api_token_name", "name", true),
            ("ux_api_token_token_hash", "token_hash", true),
            ("ix_api_token_created_by", "created_by", false),
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
