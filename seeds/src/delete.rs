//! Deleting a record (`deleteRecord`), kept in the history so that `restore` brings it back.
//!
//! **What goes with it.** A relation cannot outlive what it relates: deleting an organization
//! deletes its participations, fundings given and received, relations to other organizations,
//! positions and outcomes; deleting a project deletes the participations in it and the fundings
//! it received; deleting a topic deletes its classifications. These are the records that point
//! at the deleted one through a required reference ([`REQUIRED`]), and the records that point at
//! those, and so on. Everything a record owns goes with it (names, identifiers, citations,
//! search rows). A record that only mentions the deleted one through an optional reference (a
//! project's place, an event's programme, a library's parent library: [`OPTIONAL`]) stays, with
//! the reference cleared. All of it is one revision, with every record before: `restore` (or
//! `revert` of that revision) puts back each record and each cleared reference as it was.
//!
//! **Why not a `deleted` flag.** A flag on every row would have every query, loader, count,
//! search, statistic, export and tie of the API filter on it, and one that forgot would show
//! what was deleted. The history already holds every row of a record (a snapshot, see
//! [`crate::revision`]), and restoring a snapshot is what `revert` does: so a deleted record
//! leaves the tables, is kept in its revision, and comes back from there.
//!
//! **What a load does with it.** A seed file or a story that names a record deleted through the
//! API is refused ([`deleted_through_api`]), as one naming a merged record is: a later
//! `libgraph seed` of the file the record came from must not bring it back unnoticed.

use std::collections::{BTreeSet, HashMap};

use entities::kinds::RecordKind;
use entities::{record, revision, revision_change};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect,
};

use crate::revision::{self as history, Author, Change};
use crate::validate::Problem;
use crate::write::LoadError;

/// Ids per `IN (…)` list.
const BATCH: usize = 500;

/// The operation name a deletion's revision carries.
pub const OPERATION: &str = "deleteRecord";

/// The most records one deletion removes: a hub's thousands of participations are a deletion
/// to make in steps (its relations first), not one revision whose undoing rewrites them all.
pub const MAX_REMOVED: usize = 5_000;

/// Required references to a record (`NO ACTION` in the schema): table, the record id of the
/// row, the column. A row pointing at a deleted record is deleted with it.
pub const REQUIRED: &[(&str, &str, &str)] = &[
    ("participation", "participation_id", "organization_id"),
    ("participation", "participation_id", "target_id"),
    ("funding", "funding_id", "funder_id"),
    ("funding", "funding_id", "recipient_id"),
    (
        "organization_relation",
        "organization_relation_id",
        "subject_id",
    ),
    (
        "organization_relation",
        "organization_relation_id",
        "object_id",
    ),
    ("position", "position_id", "person_id"),
    ("position", "position_id", "organization_id"),
    ("classification", "classification_id", "subject_id"),
    ("classification", "classification_id", "topic_id"),
    ("audience", "audience_id", "subject_id"),
    ("audience", "audience_id", "target_group_id"),
    ("outcome", "outcome_id", "subject_id"),
];

/// Optional references to a record (`SET NULL`): a row pointing at a deleted record stays, with
/// the reference cleared by the database, and is recorded as changed.
pub const OPTIONAL: &[(&str, &str, &str)] = &[
    ("place", "place_id", "parent_id"),
    ("organization", "organization_id", "place_id"),
    ("library", "organization_id", "parent_library_id"),
    ("programme", "programme_id", "parent_id"),
    ("project", "project_id", "programme_id"),
    ("project", "project_id", "place_id"),
    ("event", "event_id", "place_id"),
    ("event", "event_id", "project_id"),
    ("event", "event_id", "programme_id"),
    ("event", "event_id", "part_of_id"),
    ("funding", "funding_id", "programme_id"),
    ("funding", "funding_id", "intermediary_id"),
];

/// Derived rows that point at an organization (`NO ACTION`): its collaboration ties, both ways,
/// deleted before it and rebuilt for its partners.
pub const TIES: &[(&str, &str)] = &[
    ("collaboration", "organization_id"),
    ("collaboration", "partner_id"),
];

/// What a deletion did.
#[derive(Clone, Debug, PartialEq)]
pub struct Deleted {
    pub revision: i64,
    /// The records deleted: the one named and those that could not outlive it.
    pub removed: usize,
    /// Records that stay with a reference to a deleted one cleared.
    pub detached: usize,
    /// Every record changed, as the revision holds it (at most 1,000 here).
    pub changes: Vec<Change>,
}

fn problem(record: String, message: String) -> LoadError {
    LoadError::Invalid(vec![Problem {
        file: OPERATION.into(),
        record,
        field: Some("id".into()),
        message,
    }])
}

/// Deletes record `id` and what cannot outlive it, as one revision by `author`; refused with
/// [`LoadError::Stale`] unless each of `expected` is still at its version, and with
/// [`LoadError::Invalid`] (nothing written) when there is no such record or it cannot go.
pub async fn delete_record(
    db: &DatabaseConnection,
    id: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Deleted, LoadError> {
    let txn = history::begin_write(db).await?;
    let deleted = delete_in(&txn, id, author, reason, expected).await?;
    txn.commit().await?;
    Ok(deleted)
}

async fn delete_in(
    txn: &DatabaseTransaction,
    id: i64,
    author: &Author,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Deleted, LoadError> {
    crate::write::hold_versions(txn, expected).await?;
    let Some(rec) = record::Entity::find_by_id(id).one(txn).await? else {
        return Err(problem(String::new(), format!("no record has id {id}")));
    };
    let named = format!("{} \"{}\"", rec.kind.as_str(), rec.key);
    if rec.kind == RecordKind::Organization {
        let mut select = Query::select();
        select
            .column(Alias::new("slug"))
            .from(Alias::new("source"))
            .and_where(Expr::col(Alias::new("publisher_id")).eq(id))
            .limit(1);
        if let Some(row) = txn.query_one(&select).await? {
            let source: String = row.try_get_by_index(0)?;
            return Err(problem(
                named,
                format!(
                    "published the source \"{source}\", and sources are not deleted through the \
                     API: the facts it supports would lose their provenance"
                ),
            ));
        }
    }

    // What cannot outlive it: level by level, until nothing more points at what goes.
    let mut removed: BTreeSet<i64> = BTreeSet::from([id]);
    let mut frontier = vec![id];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for chunk in frontier.chunks(BATCH) {
            for found in pointing_at(txn, REQUIRED, chunk).await? {
                if removed.insert(found) {
                    next.push(found);
                }
            }
        }
        if removed.len() > MAX_REMOVED {
            return Err(problem(
                named,
                format!(
                    "would delete more than {MAX_REMOVED} records with it (its participations, \
                     fundings and relations, and theirs): delete those in smaller steps first"
                ),
            ));
        }
        frontier = next;
    }
    let removed: Vec<i64> = removed.into_iter().collect();
    let mut detached: BTreeSet<i64> = BTreeSet::new();
    for chunk in removed.chunks(BATCH) {
        detached.extend(pointing_at(txn, OPTIONAL, chunk).await?);
    }
    for id in &removed {
        detached.remove(id);
    }
    let mut affected: Vec<i64> = removed.iter().chain(&detached).copied().collect();
    affected.sort_unstable();

    let revision_id = history::begin_revision(txn, author, OPERATION, reason).await?;
    history::record_before(txn, revision_id, &affected).await?;
    // The participations and organizations whose ties move, read before they go.
    let mut tie_snaps = Vec::new();
    for chunk in removed.chunks(BATCH) {
        tie_snaps.extend(
            history::snapshot(txn, chunk)
                .await?
                .into_values()
                .filter(|s| s.contains_key("participation") || s.contains_key("organization")),
        );
    }
    let organizations: Vec<i64> = history::organizations_in(&tie_snaps)
        .into_iter()
        .filter(|o| removed.binary_search(o).is_ok())
        .collect();
    for chunk in organizations.chunks(BATCH) {
        for (table, column) in TIES {
            let mut delete = Query::delete();
            delete
                .from_table(Alias::new(*table))
                .and_where(Expr::col(Alias::new(*column)).is_in(chunk.iter().copied()));
            txn.execute(&delete).await?;
        }
    }
    // One statement: the references among the records deleted (`NO ACTION`) are checked at its
    // end, when all of them are gone, whatever order the database deletes them in.
    // `MAX_REMOVED` bound parameters are well under both databases' limits (32,766 and 65,535).
    record::Entity::delete_many()
        .filter(record::Column::RecordId.is_in(removed.iter().copied()))
        .exec(txn)
        .await?;
    history::rebuild_ties(txn, &tie_snaps).await?;
    let (revision, recorded) =
        history::finish_edit(txn, revision_id, &affected, "a deletion").await?;
    Ok(Deleted {
        revision,
        removed: removed.len(),
        detached: detached.len(),
        changes: recorded.changes,
    })
}

/// The records whose rows point at any of `ids` through one of `references`.
async fn pointing_at<C: ConnectionTrait>(
    conn: &C,
    references: &[(&str, &str, &str)],
    ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    let mut found = Vec::new();
    for (table, key, column) in references {
        let mut select = Query::select();
        select
            .column(Alias::new(*key))
            .from(Alias::new(*table))
            .and_where(Expr::col(Alias::new(*column)).is_in(ids.iter().copied()));
        for row in conn.query_all(&select).await? {
            found.push(row.try_get_by_index::<i64>(0)?);
        }
    }
    Ok(found)
}

/// The keys among `keys` (sorted) of records deleted through the API and not brought back, each
/// with the revision that deleted it. One statement when nothing was ever deleted through the
/// API, so a load of a graph without deletions pays one small read for this check.
pub async fn deleted_through_api<C: ConnectionTrait>(
    conn: &C,
    keys: &[&str],
) -> Result<Vec<(String, i64)>, DbErr> {
    let deletions: Vec<i64> = revision::Entity::find()
        .select_only()
        .column(revision::Column::RevisionId)
        .filter(revision::Column::Operation.eq(OPERATION))
        .into_tuple::<i64>()
        .all(conn)
        .await?;
    if deletions.is_empty() {
        return Ok(Vec::new());
    }
    // The records those revisions deleted: few, as every one was a coordinator's decision. Of
    // each deletion, the records of the first kinds to be written (the organization, not the
    // participations that went with it): a file naming those names the record itself too.
    let mut gone: Vec<(String, String, i64, i64)> = Vec::new();
    for chunk in deletions.chunks(BATCH) {
        gone.extend(
            revision_change::Entity::find()
                .select_only()
                .column(revision_change::Column::Key)
                .column(revision_change::Column::Kind)
                .column(revision_change::Column::RecordId)
                .column(revision_change::Column::RevisionId)
                .filter(revision_change::Column::RevisionId.is_in(chunk.iter().copied()))
                .filter(revision_change::Column::After.is_null())
                .into_tuple::<(String, String, i64, i64)>()
                .all(conn)
                .await?,
        );
    }
    let rank = |kind: &str| RecordKind::parse(kind).map_or(u8::MAX, history::write_rank);
    let mut first_rank: HashMap<i64, u8> = HashMap::new();
    for (_, kind, _, revision_id) in &gone {
        let r = first_rank.entry(*revision_id).or_insert(u8::MAX);
        *r = Ord::min(*r, rank(kind));
    }
    // The latest deletion of a key first.
    gone.sort_by_key(|(_, _, _, revision_id)| std::cmp::Reverse(*revision_id));
    let mut found: Vec<(String, i64)> = Vec::new();
    for (key, kind, record_id, revision_id) in gone {
        if rank(&kind) != first_rank[&revision_id]
            || keys.binary_search(&key.as_str()).is_err()
            || found.iter().any(|(k, _)| *k == key)
        {
            continue;
        }
        let back = record::Entity::find()
            .filter(record::Column::Key.eq(key.clone()))
            .one(conn)
            .await?
            .is_some()
            || record::Entity::find_by_id(record_id)
                .one(conn)
                .await?
                .is_some();
        if !back {
            found.push((key, revision_id));
        }
    }
    Ok(found)
}
