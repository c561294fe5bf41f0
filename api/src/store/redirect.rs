//! Merged records' old ids and slugs: where they resolve now (`record_redirect`, written by
//! `seeds::merge`). A lookup by slug reads the redirect in the statement that looks for the live
//! record; a lookup by id reads it only when an organization was not found, in one statement for
//! all of those.

use std::collections::HashMap;

use entities::{organization, record_redirect};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, QueryFilter, QueryOrder,
};

use crate::store::error::StoreResult;

/// The records that the records `ids`, merged away, now resolve to (an id with no redirect is
/// left out).
pub async fn targets(db: &DatabaseConnection, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let _turn = crate::store::share::turn().await;
    Ok(record_redirect::Entity::find()
        .filter(record_redirect::Column::RecordId.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.record_id, r.target_id))
        .collect())
}

/// The organization whose slug is `slug` or, when none is, the one the organization that had it
/// was merged into: one statement either way (the live slug wins, when a new record took a merged
/// one's old slug).
pub async fn organization_by_slug(
    db: &DatabaseConnection,
    slug: &str,
) -> StoreResult<Option<organization::Model>> {
    let merged_into = Query::select()
        .column(record_redirect::Column::TargetId)
        .from(record_redirect::Entity)
        .and_where(Expr::col(record_redirect::Column::Key).eq(slug))
        .to_owned();
    let _turn = crate::store::share::turn().await;
    Ok(organization::Entity::find()
        .filter(
            Condition::any()
                .add(organization::Column::Slug.eq(slug))
                .add(organization::Column::OrganizationId.in_subquery(merged_into)),
        )
        .order_by(Expr::col(organization::Column::Slug).eq(slug), Order::Desc)
        .one(db)
        .await?)
}
