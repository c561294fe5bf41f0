//! Merged records' old ids and slugs: where they resolve now (`record_redirect`, written by
//! `seeds::merge`). Read only when a lookup by id or slug found nothing, so a lookup that finds
//! its record pays no statement for this.

use std::collections::HashMap;

use entities::record_redirect;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

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

/// The record that the record whose slug was `key`, merged away, now resolves to.
pub async fn target_of_key(db: &DatabaseConnection, key: &str) -> StoreResult<Option<i64>> {
    let _turn = crate::store::share::turn().await;
    Ok(record_redirect::Entity::find()
        .filter(record_redirect::Column::Key.eq(key))
        .one(db)
        .await?
        .map(|r| r.target_id))
}
