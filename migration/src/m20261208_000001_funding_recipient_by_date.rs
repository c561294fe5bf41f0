//! An organization can be funded directly (a ministry funding a library), not only through a
//! project, programme or event: `Organization.fundingsReceived` lists the fundings whose
//! recipient it is, earliest first, undated last, like `fundingsGiven`.
//!
//! No column changes: `funding.recipient_id` has referenced `record` from the start, and an
//! organization is a record. What a new list needs is the page-order index that reads its page
//! as one index range (see `m20261203_000001_page_order_indexes`): the recipient, then the keys
//! of the by-date ordering, rendered from `entities::order::page_order` as the store's list reads it. The by-key index
//! on `recipient_id` stays: a project's, programme's or event's `fundings` is paged in the order
//! recorded, and that answer must not change.
//!
//! No `recipient_kind` column either (as `participation.target_kind` is for activities): a
//! funding's recipient is found by id in the organization or the activity tables, one batched
//! statement per page either way, and no measurement has asked for more.

use entities::order::page_order;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&page_order::FUNDING_BY_RECIPIENT_BY_DATE.create_sql())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_the_one_this_migration_created_when_it_was_written() {
        assert_eq!(
            page_order::FUNDING_BY_RECIPIENT_BY_DATE.create_sql(),
            "CREATE INDEX IF NOT EXISTS ix_funding_recipient_id_by_date ON funding \
             (recipient_id, (COALESCE(year_from, 99999)), (COALESCE(start_date, '')), funding_id)"
        );
    }
}
