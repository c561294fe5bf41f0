//! Writing through the API: stories recorded, organizations merged, revisions reverted, and the
//! history they leave.
//!
//! Every write goes through the seeds crate: a story through the seed loader (`seeds::load_as`,
//! the same validation and the same writer as `libgraph seed`), a merge through `seeds::merge`,
//! a revert through `seeds::revision`; one transaction per mutation, and a revision in that
//! transaction. Nothing here writes a row itself.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entities::{revision, revision_change};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use seeds::revision::{Author, RevertError, Reverted};
use seeds::{Document, Problem, Written};

use crate::store::error::{StoreError, StoreResult};
use crate::store::loader::{LoadError, Sql};

/// Why a write changed nothing, as the client is told.
#[derive(Clone, Debug)]
pub enum EditError {
    /// The input breaks a rule: every problem, naming its record and field.
    Invalid(Vec<Problem>),
    /// The write conflicts with the graph as it is now (`CONFLICT`).
    Conflict { field: String, message: String },
    /// Something names nothing (`NOT_FOUND`).
    NotFound { field: String, message: String },
    /// The database failed: no user error.
    Store(StoreError),
}

impl From<sea_orm::DbErr> for EditError {
    fn from(error: sea_orm::DbErr) -> Self {
        EditError::Store(error.into())
    }
}

impl From<seeds::LoadError> for EditError {
    fn from(error: seeds::LoadError) -> Self {
        match error {
            seeds::LoadError::Invalid(problems) => EditError::Invalid(problems),
            seeds::LoadError::Database(e) => e.into(),
            stale @ seeds::LoadError::Stale { .. } => EditError::Conflict {
                field: "expectedVersions".into(),
                message: stale.to_string(),
            },
        }
    }
}

/// One writer at a time per process, queued in the process rather than in the database.
///
/// SQLite has one write lock. With `BEGIN IMMEDIATE` a writer that finds it taken waits in the
/// busy handler while holding a pool connection, so 64 concurrent writers on a pool of 10 held
/// every connection and readers timed out waiting for one. PostgreSQL writers wait for each other
/// on the advisory lock that `seeds::revision::begin_write` takes (one write at a time across
/// instances), and they too waited there holding a pool connection: 64 concurrent writers on a
/// loaded machine left the other writers and the readers without a connection for longer than
/// the pool's acquire timeout (`DATABASE_UNAVAILABLE`). Queued here, a waiting writer holds
/// nothing, and no throughput is lost, as writes ran one at a time already. (Other processes
/// writing the same database, such as `libgraph seed` or another instance, still meet the busy
/// timeout or the advisory lock.)
static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `write` with the write turn of the process: after the writers queued before it.
async fn write_turn<T, F, Fut>(write: F) -> Result<T, EditError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, EditError>>,
{
    let _turn = WRITER.lock().await;
    write().await
}

/// The largest story text taken: a seed file of the curated set is under 40 KB, and the HTTP
/// layer takes bodies of up to a megabyte; a larger story is several stories.
pub const MAX_STORY_BYTES: usize = 256 * 1024;

/// Records one story: a document in the seed format (TOML, as in `seeds/FORMAT.md`), with the
/// text of its source document if the caller has it (quotes are then checked against it), as
/// long as each record of `expected` (`(record id, version)`) is still at that version.
pub async fn record_story(
    db: &DatabaseConnection,
    document: &str,
    source_text: Option<&str>,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Written, EditError> {
    if document.len() > MAX_STORY_BYTES {
        return Err(EditError::Invalid(vec![Problem {
            file: "document".into(),
            record: "document".into(),
            field: None,
            message: format!(
                "{} bytes; a story takes at most {MAX_STORY_BYTES}: record it as several",
                document.len()
            ),
        }]));
    }
    let mut story: Document =
        seeds::parse("document", document).map_err(|p| EditError::Invalid(vec![p]))?;
    story.source.text = source_text.map(str::to_owned);
    if story.source.document.is_some() && source_text.is_none() {
        return Err(EditError::Invalid(vec![Problem {
            file: "document".into(),
            record: "source".into(),
            field: Some("document".into()),
            message: "names a file the server cannot read: leave it out and pass the document's \
                      text as `sourceText`"
                .into(),
        }]));
    }
    let documents = [("document".to_owned(), story)];
    write_turn(|| async {
        Ok(seeds::load_expecting(db, &documents, author, "recordStory", reason, expected).await?)
    })
    .await
}

/// Undoes revision `number` as a new revision.
pub async fn revert(
    db: &DatabaseConnection,
    number: i64,
    author: &Author,
    reason: Option<&str>,
) -> Result<Reverted, EditError> {
    write_turn(|| async {
        seeds::revision::revert(db, number, author, reason)
            .await
            .map_err(|e| match e {
                RevertError::NotFound(_) => EditError::NotFound {
                    field: "revision".into(),
                    message: e.to_string(),
                },
                RevertError::AlreadyReverted { .. }
                | RevertError::ChangedSince { .. }
                | RevertError::Referenced { .. } => EditError::Conflict {
                    field: "revision".into(),
                    message: e.to_string(),
                },
                RevertError::Database(e) => e.into(),
            })
    })
    .await
}

/// Brings back the record `record` that a revision removed, by undoing that revision (the
/// latest that removed it) as [`revert`] does, with everything else it changed: a record
/// removed as part of a change comes back only with the change undone.
pub async fn restore(
    db: &DatabaseConnection,
    record: i64,
    author: &Author,
    reason: Option<&str>,
) -> Result<Reverted, EditError> {
    if entities::record::Entity::find_by_id(record)
        .one(db)
        .await?
        .is_some()
    {
        return Err(EditError::Conflict {
            field: "id".into(),
            message: "the record exists: there is nothing to restore".into(),
        });
    }
    let removed = revision_change::Entity::find()
        .filter(revision_change::Column::RecordId.eq(record))
        .filter(revision_change::Column::Before.is_not_null())
        .filter(revision_change::Column::After.is_null())
        .order_by_desc(revision_change::Column::RevisionId)
        .one(db)
        .await?;
    let Some(removed) = removed else {
        return Err(EditError::NotFound {
            field: "id".into(),
            message: "no revision removed a record with this ID".into(),
        });
    };
    revert(db, removed.revision_id, author, reason).await
}

/// Merges organization `remove` into `keep` (record ids) as one revision: see `seeds::merge` for
/// what moves where, and how a renamed body is modelled.
pub async fn merge_organizations(
    db: &DatabaseConnection,
    keep: i64,
    remove: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<seeds::merge::Merged, EditError> {
    write_turn(|| async {
        Ok(seeds::merge::merge_organizations(db, keep, remove, author, reason, expected).await?)
    })
    .await
}

/// Deletes record `record` and what cannot outlive it (its relations) as one revision, kept in
/// the history: see `seeds::delete` for what goes, what stays, and how `restore` brings it back.
pub async fn delete_record(
    db: &DatabaseConnection,
    record: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<seeds::delete::Deleted, EditError> {
    write_turn(|| async {
        if entities::record::Entity::find_by_id(record)
            .one(db)
            .await?
            .is_none()
        {
            return Err(EditError::NotFound {
                field: "id".into(),
                message: "no record has this ID (deleted already, or merged into another)".into(),
            });
        }
        Ok(seeds::delete::delete_record(db, record, author, reason, expected).await?)
    })
    .await
}

/// An organization as an edit names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// A live organization: its id.
    Live(i64),
    /// An organization merged into another: that other's slug.
    Merged(String),
    /// Nothing has that id or slug.
    Unknown,
}

/// The organization with record id `id` or slug `slug`, not following merges (an edit must
/// name a record that exists, and is told where a merged one went).
pub async fn organization(
    db: &DatabaseConnection,
    id: Option<i64>,
    slug: Option<&str>,
) -> StoreResult<Named> {
    use entities::{organization, record, record_redirect};
    let mut select = organization::Entity::find();
    let mut redirect = record_redirect::Entity::find();
    if let Some(id) = id {
        select = select.filter(organization::Column::OrganizationId.eq(id));
        redirect = redirect.filter(record_redirect::Column::RecordId.eq(id));
    }
    if let Some(slug) = slug {
        select = select.filter(organization::Column::Slug.eq(slug));
        redirect = redirect.filter(record_redirect::Column::Key.eq(slug));
    }
    if let Some(found) = select.one(db).await? {
        return Ok(Named::Live(found.organization_id));
    }
    let Some(redirect) = redirect.one(db).await? else {
        return Ok(Named::Unknown);
    };
    Ok(record::Entity::find_by_id(redirect.target_id)
        .one(db)
        .await?
        .map_or(Named::Unknown, |target| Named::Merged(target.key)))
}

/// A revision and the records it changed.
#[derive(Clone, Debug)]
pub struct RevisionRow {
    pub revision: revision::Model,
    /// The revision that undid this one, if one did.
    pub reverted_by: Option<i64>,
}

/// Revisions newest first: those that changed `record` (every revision when `None`), older than
/// revision `before` when given, at most `first`.
pub async fn revisions(
    db: &DatabaseConnection,
    record: Option<i64>,
    before: Option<i64>,
    first: u64,
) -> StoreResult<Vec<RevisionRow>> {
    let _turn = crate::store::share::turn().await;
    let mut select = revision::Entity::find().order_by_desc(revision::Column::RevisionId);
    if let Some(before) = before {
        select = select.filter(revision::Column::RevisionId.lt(before));
    }
    if let Some(record) = record {
        let mut numbers = revision_change::Entity::find()
            .select_only()
            .column(revision_change::Column::RevisionId)
            .filter(revision_change::Column::RecordId.eq(record))
            .order_by_desc(revision_change::Column::RevisionId)
            .limit(first);
        if let Some(before) = before {
            numbers = numbers.filter(revision_change::Column::RevisionId.lt(before));
        }
        let numbers: Vec<i64> = numbers.into_tuple().all(db).await?;
        select = select.filter(revision::Column::RevisionId.is_in(numbers));
    }
    let rows = select.limit(first).all(db).await?;
    let numbers: Vec<i64> = rows.iter().map(|r| r.revision_id).collect();
    let reverts: Vec<(i64, Option<i64>)> = revision::Entity::find()
        .select_only()
        .column(revision::Column::RevisionId)
        .column(revision::Column::Reverts)
        .filter(revision::Column::Reverts.is_in(numbers))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|revision| RevisionRow {
            reverted_by: reverts
                .iter()
                .find(|(_, of)| *of == Some(revision.revision_id))
                .map(|(by, _)| *by),
            revision,
        })
        .collect())
}

/// One revision by number.
pub async fn revision(db: &DatabaseConnection, number: i64) -> StoreResult<Option<RevisionRow>> {
    Ok(revisions(db, None, Some(number + 1), 1)
        .await?
        .into_iter()
        .find(|r| r.revision.revision_id == number))
}

/// A record's version: a loader key, so a page of records reads its versions in one statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordVersion(pub i64);

impl Loader<RecordVersion> for Sql {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[RecordVersion]) -> Result<HashMap<RecordVersion, i64>, LoadError> {
        let _turn = crate::store::share::turn().await;
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows: Vec<(i64, i64)> = entities::record::Entity::find()
            .select_only()
            .column(entities::record::Column::RecordId)
            .column(entities::record::Column::Version)
            .filter(crate::store::sql::id_in(
                self.db().get_database_backend(),
                Expr::col(entities::record::Column::RecordId),
                &ids,
            ))
            .into_tuple()
            .all(self.db())
            .await
            .map_err(|e| LoadError::from(StoreError::from(e)))?;
        Ok(rows
            .into_iter()
            .map(|(id, version)| (RecordVersion(id), version))
            .collect())
    }
}

/// The records one revision changed, in record order, at most `first`: a loader key, so a
/// list of revisions reads all their changes in one statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RevisionChanges {
    pub revision: i64,
    pub first: u64,
}

/// A revision's first changes, and how many it has in all.
pub type ChangesPage = Arc<(Vec<revision_change::Model>, u64)>;

impl Loader<RevisionChanges> for Sql {
    type Value = ChangesPage;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RevisionChanges],
    ) -> Result<HashMap<RevisionChanges, ChangesPage>, LoadError> {
        let mut found = HashMap::new();
        let mut by_first: HashMap<u64, Vec<i64>> = HashMap::new();
        for key in keys {
            by_first.entry(key.first).or_default().push(key.revision);
        }
        for (first, revisions) in by_first {
            let _turn = crate::store::share::turn().await;
            // One statement for every revision asked: each one's first rows by a window over
            // its key range of the primary key, and its count from the same window. The ids
            // are integers, written into the statement.
            let ids = revisions
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT revision_id, record_id, kind, key, before, after, total FROM (
                     SELECT c.*, ROW_NUMBER() OVER (PARTITION BY revision_id ORDER BY record_id) AS n,
                            COUNT(*) OVER (PARTITION BY revision_id) AS total
                     FROM revision_change c WHERE revision_id IN ({ids})
                 ) numbered WHERE n <= {wanted} ORDER BY revision_id, record_id",
                // One row even when none is asked for: it carries the count.
                wanted = first.max(1)
            );
            let backend = self.db().get_database_backend();
            let rows = self
                .db()
                .query_all_raw(Statement::from_string(backend, sql))
                .await
                .map_err(|e| LoadError::from(StoreError::from(e)))?;
            let mut pages: HashMap<i64, (Vec<revision_change::Model>, u64)> =
                revisions.iter().map(|r| (*r, (Vec::new(), 0))).collect();
            for row in rows {
                let change = revision_change::Model::from_query_result(&row, "")
                    .map_err(|e| LoadError::from(StoreError::from(e)))?;
                let total: i64 = row
                    .try_get("", "total")
                    .map_err(|e| LoadError::from(StoreError::from(e)))?;
                let page = pages.entry(change.revision_id).or_default();
                page.1 = u64::try_from(total).unwrap_or(0);
                if (page.0.len() as u64) < first {
                    page.0.push(change);
                }
            }
            for (revision, page) in pages {
                found.insert(RevisionChanges { revision, first }, Arc::new(page));
            }
        }
        Ok(found)
    }
}
