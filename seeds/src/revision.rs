//! History: every change to the graph is a revision, with the records it changed before and after.
//!
//! A record's **snapshot** is every row that belongs to it, read generically from the tables as
//! JSON objects keyed by table name: `record` (kind and key), its own table's row (`organization`,
//! `participation`, …) and `library` for a library, and the rows it owns (`alias`,
//! `identifier`, `citation`, the search index rows `search_term` and `search_word`, and the
//! `record_redirect` rows of records merged into it). Being read from the tables rather than
//! written by hand per kind, a snapshot cannot miss a column a later migration adds, and the
//! same code restores any kind ([`apply`]).
//!
//! Two snapshots are compared after [`normalize`]: without the derived search rows, without the
//! surrogate ids the loader hands out afresh on every load (an alias rewritten unchanged has a new
//! `alias_id`), and with the rows of a table in a fixed order. So a load that rewrites a record
//! with what it already held records no change and raises no version.
//!
//! A revision is written in the transaction of the change it describes: a change and its history
//! commit or roll back together.

use std::collections::{BTreeSet, HashMap};

use entities::kinds::RecordKind;
use entities::{citation, graph_version, revision, revision_change, source};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, FromQueryResult, JsonValue, QueryFilter, QueryOrder, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde_json::{Map, Value};

/// Ids per `IN (…)` list: well under both databases' bind parameter limits.
const BATCH: usize = 500;

/// Who makes a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// A token's name, or [`Author::SEED`].
    pub actor: String,
    /// The token, when the change came through the API.
    pub token_id: Option<i64>,
}

impl Author {
    /// The actor of `libgraph seed` loads.
    pub const SEED: &'static str = "seed";

    /// `libgraph seed`.
    pub fn seed() -> Self {
        Author {
            actor: Self::SEED.to_owned(),
            token_id: None,
        }
    }
}

/// A record's rows, by table (see the module's documentation).
pub type Snapshot = Map<String, Value>;

/// One record as a revision changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub record_id: i64,
    pub kind: RecordKind,
    pub key: String,
    /// `None`: the record did not exist before.
    pub before: Option<Snapshot>,
    /// `None`: the record no longer exists.
    pub after: Option<Snapshot>,
}

/// The table holding a record's own row, and its key column (the record's id).
pub fn own_table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Organization => "organization",
        RecordKind::Place => "place",
        RecordKind::Programme => "programme",
        RecordKind::Project => "project",
        RecordKind::Event => "event",
        RecordKind::Outcome => "outcome",
        RecordKind::Person => "person",
        RecordKind::Topic => "topic",
        RecordKind::TargetGroup => "target_group",
        RecordKind::Participation => "participation",
        RecordKind::Funding => "funding",
        RecordKind::OrganizationRelation => "organization_relation",
        RecordKind::Position => "position",
        RecordKind::Classification => "classification",
        RecordKind::Audience => "audience",
    }
}

/// The tables keyed by the record's id: its own, and `library` for an organization.
fn keyed_tables(kind: RecordKind) -> Vec<(&'static str, String)> {
    let table = own_table(kind);
    let mut tables = vec![(table, format!("{table}_id"))];
    if kind == RecordKind::Organization {
        tables.push(("library", "organization_id".to_owned()));
    }
    tables
}

/// The rows a record owns: table, the column naming the record, the table's surrogate key.
/// Aliases come before citations: a citation may point at an alias.
const OWNED: &[(&str, &str, Option<&str>)] = &[
    ("alias", "record_id", Some("alias_id")),
    ("identifier", "organization_id", Some("identifier_id")),
    ("citation", "record_id", Some("citation_id")),
    ("search_term", "record_id", Some("search_term_id")),
    ("search_word", "record_id", None),
    // Where merged records went: owned by the record they went to (`crate::merge`).
    ("record_redirect", "target_id", None),
];

/// Owned tables derived from the others by the loader: restored with the record, never compared
/// or shown.
pub const DERIVED: &[&str] = &["search_term", "search_word"];

/// The order in which records are written when several are restored at once: what others point
/// at first. Deletions go the other way.
pub fn write_rank(kind: RecordKind) -> u8 {
    match kind {
        RecordKind::Place => 0,
        RecordKind::Person | RecordKind::Topic | RecordKind::TargetGroup => 1,
        RecordKind::Organization => 2,
        RecordKind::Programme => 3,
        RecordKind::Project => 4,
        RecordKind::Event => 5,
        RecordKind::Outcome => 6,
        _ => 7,
    }
}

/// Reads the snapshots of `ids`; an id with no record is left out.
pub async fn snapshot<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Snapshot>, DbErr> {
    let mut snaps: HashMap<i64, Snapshot> = HashMap::with_capacity(ids.len());
    let mut kinds: HashMap<RecordKind, Vec<i64>> = HashMap::new();
    for row in select_rows(conn, "record", "record_id", ids).await? {
        let (Some(id), Some(kind)) = (
            row.get("record_id").and_then(Value::as_i64),
            row.get("kind")
                .and_then(Value::as_str)
                .and_then(RecordKind::parse),
        ) else {
            continue;
        };
        let mut record = Map::new();
        record.insert("kind".into(), kind.as_str().into());
        record.insert("key".into(), row.get("key").cloned().unwrap_or(Value::Null));
        let mut snap = Snapshot::new();
        snap.insert("record".into(), Value::Object(record));
        snaps.insert(id, snap);
        kinds.entry(kind).or_default().push(id);
    }
    for (kind, ids) in &kinds {
        for (table, key) in keyed_tables(*kind) {
            for row in select_rows(conn, table, &key, ids).await? {
                if let Some(id) = row.get(&key).and_then(Value::as_i64)
                    && let Some(snap) = snaps.get_mut(&id)
                {
                    snap.insert(table.into(), Value::Object(row));
                }
            }
        }
    }
    let present: Vec<i64> = snaps.keys().copied().collect();
    for (table, column, _) in OWNED {
        for row in select_rows(conn, table, column, &present).await? {
            if let Some(id) = row.get(*column).and_then(Value::as_i64)
                && let Some(snap) = snaps.get_mut(&id)
            {
                let rows = snap
                    .entry((*table).to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(rows) = rows {
                    rows.push(Value::Object(row));
                }
            }
        }
    }
    Ok(snaps)
}

/// `SELECT * FROM table WHERE column IN (ids)`, as JSON objects, in batches.
async fn select_rows<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    column: &str,
    ids: &[i64],
) -> Result<Vec<Map<String, Value>>, DbErr> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(BATCH) {
        let mut select = Query::select();
        select
            .column(Asterisk)
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new(column)).is_in(chunk.iter().copied()));
        let statement = conn.get_database_backend().build(&select);
        for row in JsonValue::find_by_statement(statement).all(conn).await? {
            if let Value::Object(row) = row {
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// A snapshot as compared and shown: no derived rows, no surrogate ids, a citation of an alias
/// naming the alias, each table's rows in a fixed order.
pub fn normalize(snap: &Snapshot) -> Snapshot {
    let alias_names: HashMap<i64, Value> = snap
        .get("alias")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a.get("alias_id")?.as_i64()?, a.get("name")?.clone())))
        .collect();
    let mut out = Snapshot::new();
    for (table, value) in snap {
        if DERIVED.contains(&table.as_str()) {
            continue;
        }
        let mut value = value.clone();
        fifteen_digits(&mut value);
        let value = &value;
        let Some((_, _, surrogate)) = OWNED.iter().find(|(t, _, _)| t == table) else {
            out.insert(table.clone(), value.clone());
            continue;
        };
        let mut rows: Vec<Value> = value
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                let mut row = row.as_object().cloned().unwrap_or_default();
                if let Some(key) = surrogate {
                    row.remove(*key);
                }
                if let Some(alias) = row.remove("alias_id")
                    && table == "citation"
                {
                    let name = alias
                        .as_i64()
                        .and_then(|id| alias_names.get(&id).cloned())
                        .unwrap_or(Value::Null);
                    row.insert("alias".into(), name);
                }
                Value::Object(row)
            })
            .collect();
        rows.sort_by_cached_key(Value::to_string);
        out.insert(table.clone(), Value::Array(rows));
    }
    out
}

/// Rounds every fractional number to 15 significant digits. A snapshot read back from its
/// stored text is not always the number that was written: serde_json's default parsing of a
/// 17-digit float may be one unit in the last place off (50.259700775146484 came back as
/// 50.25970077514648), so a place matched in the gazetteer looked changed on every reload.
/// Fifteen digits are more than any stored value means (a coordinate to 10^-13 degrees).
fn fifteen_digits(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64()
                && let Ok(rounded) = format!("{x:.14e}").parse::<f64>()
                && let Some(rounded) = serde_json::Number::from_f64(rounded)
            {
                *n = rounded;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fifteen_digits),
        Value::Object(fields) => fields.values_mut().for_each(fifteen_digits),
        _ => {}
    }
}

/// The records whose snapshots differ between `before` and `after`.
pub fn diff(before: &HashMap<i64, Snapshot>, after: &HashMap<i64, Snapshot>) -> Vec<Change> {
    let ids: BTreeSet<i64> = before.keys().chain(after.keys()).copied().collect();
    let mut changes = Vec::new();
    for id in ids {
        let (b, a) = (before.get(&id), after.get(&id));
        if let (Some(b), Some(a)) = (b, a)
            && normalize(b) == normalize(a)
        {
            continue;
        }
        let Some((kind, key)) = a.or(b).and_then(identity) else {
            continue;
        };
        changes.push(Change {
            record_id: id,
            kind,
            key,
            before: b.cloned(),
            after: a.cloned(),
        });
    }
    changes
}

/// A snapshot's record kind and key.
pub fn identity(snap: &Snapshot) -> Option<(RecordKind, String)> {
    let record = snap.get("record")?;
    Some((
        RecordKind::parse(record.get("kind")?.as_str()?)?,
        record.get("key")?.as_str()?.to_owned(),
    ))
}

/// The sources a revision added and removed: each a `source` row and its `source_text` row, if
/// it has a stored text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceChanges {
    pub added: Vec<Snapshot>,
    pub removed: Vec<Snapshot>,
}

impl SourceChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn to_json(&self) -> Value {
        let list = |l: &[Snapshot]| Value::Array(l.iter().cloned().map(Value::Object).collect());
        serde_json::json!({ "added": list(&self.added), "removed": list(&self.removed) })
    }

    fn from_json(text: &str) -> Result<Self, DbErr> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| DbErr::Custom(format!("a revision's sources: {e}")))?;
        let list = |name: &str| -> Vec<Snapshot> {
            value
                .get(name)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_object().cloned())
                .collect()
        };
        Ok(SourceChanges {
            added: list("added"),
            removed: list("removed"),
        })
    }
}

/// The rows of the sources `ids`, each with its stored text, as [`SourceChanges`] keeps them.
pub async fn source_rows<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<Snapshot>, DbErr> {
    let texts: HashMap<i64, Map<String, Value>> =
        select_rows(conn, "source_text", "source_id", ids)
            .await?
            .into_iter()
            .filter_map(|row| Some((row.get("source_id")?.as_i64()?, row)))
            .collect();
    let mut rows = Vec::new();
    for row in select_rows(conn, "source", "source_id", ids).await? {
        let mut snap = Snapshot::new();
        if let Some(text) = row
            .get("source_id")
            .and_then(Value::as_i64)
            .and_then(|id| texts.get(&id))
        {
            snap.insert("source_text".into(), Value::Object(text.clone()));
        }
        snap.insert("source".into(), Value::Object(row));
        rows.push(snap);
    }
    rows.sort_by_key(|s| s["source"].get("source_id").and_then(Value::as_i64));
    Ok(rows)
}

/// Writes a revision and its changes, and raises the version of every record it changed that
/// existed before and still does. Returns the revision's id.
pub async fn write_revision<C: ConnectionTrait>(
    conn: &C,
    author: &Author,
    operation: &str,
    reason: Option<&str>,
    reverts: Option<i64>,
    changes: &[Change],
    sources: &SourceChanges,
) -> Result<i64, DbErr> {
    let revision_id = begin_revision(conn, author, operation, reason).await?;
    let mut update = revision::Entity::update_many()
        .filter(revision::Column::RevisionId.eq(revision_id))
        .col_expr(revision::Column::Reverts, Expr::value(reverts));
    if !sources.is_empty() {
        update = update.col_expr(
            revision::Column::Sources,
            Expr::value(sources.to_json().to_string()),
        );
    }
    update.exec(conn).await?;
    let json = |s: &Option<Snapshot>| s.as_ref().map(|s| Value::Object(s.clone()).to_string());
    let rows: Vec<revision_change::ActiveModel> = changes
        .iter()
        .map(|c| revision_change::ActiveModel {
            revision_id: Set(revision_id),
            record_id: Set(c.record_id),
            kind: Set(c.kind.as_str().to_owned()),
            key: Set(c.key.clone()),
            before: Set(json(&c.before)),
            after: Set(json(&c.after)),
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        revision_change::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    // A record created keeps version 1; one changed goes up by one.
    let live: Vec<i64> = changes
        .iter()
        .filter(|c| c.before.is_some() && c.after.is_some())
        .map(|c| c.record_id)
        .collect();
    for chunk in live.chunks(BATCH) {
        let mut update = Query::update();
        update
            .table(Alias::new("record"))
            .value(
                Alias::new("version"),
                Expr::col(Alias::new("version")).add(1),
            )
            .and_where(Expr::col(Alias::new("record_id")).is_in(chunk.iter().copied()));
        conn.execute(&update).await?;
    }
    Ok(revision_id)
}

/// Starts a revision whose changes are recorded as a load goes ([`record_before`],
/// [`record_after`]), so that no more than `BATCH` (500) snapshots are ever held at once: a generated
/// size-L load writes over a million records, whose snapshots would not fit in memory together.
pub async fn begin_revision<C: ConnectionTrait>(
    conn: &C,
    author: &Author,
    operation: &str,
    reason: Option<&str>,
) -> Result<i64, DbErr> {
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(revision::Entity::insert(revision::ActiveModel {
        at: Set(at),
        actor: Set(author.actor.clone()),
        token_id: Set(author.token_id),
        operation: Set(operation.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id)
}

/// Records the snapshots of `ids` as they are before a change, batch by batch.
pub async fn record_before<C: ConnectionTrait>(
    conn: &C,
    revision_id: i64,
    ids: &[i64],
) -> Result<(), DbErr> {
    for chunk in ids.chunks(BATCH) {
        let snaps = snapshot(conn, chunk).await?;
        let rows: Vec<revision_change::ActiveModel> = snaps
            .iter()
            .filter_map(|(id, snap)| {
                let (kind, key) = identity(snap)?;
                Some(revision_change::ActiveModel {
                    revision_id: Set(revision_id),
                    record_id: Set(*id),
                    kind: Set(kind.as_str().to_owned()),
                    key: Set(key),
                    before: Set(Some(Value::Object(snap.clone()).to_string())),
                    after: Set(None),
                })
            })
            .collect();
        if !rows.is_empty() {
            revision_change::Entity::insert_many(rows)
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

/// The snapshot of `id` that [`record_before`] recorded in `revision_id`.
pub async fn recorded_before<C: ConnectionTrait>(
    conn: &C,
    revision_id: i64,
    id: i64,
) -> Result<Option<Snapshot>, DbErr> {
    let row = revision_change::Entity::find_by_id((revision_id, id))
        .one(conn)
        .await?;
    row.and_then(|r| r.before)
        .map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| DbErr::Custom(format!("revision {revision_id}: {e}")))
        })
        .transpose()
}

/// What [`record_after`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    pub created: usize,
    pub updated: usize,
    /// The changes, when there are at most `keep` of them (a story's, for its caller); empty
    /// for a larger load, whose changes are in the revision only.
    pub changes: Vec<Change>,
}

/// Finishes a revision begun with [`begin_revision`]: compares each of `ids` as it is now with
/// what [`record_before`] recorded, keeps the rows of the records that changed (with their
/// snapshot after) and drops the others, batch by batch. Raises the version of every record
/// that existed and changed. A revision that changed nothing (and added no source) is removed.
pub async fn record_after<C: ConnectionTrait>(
    conn: &C,
    revision_id: i64,
    ids: &[i64],
    sources: &SourceChanges,
    keep: usize,
) -> Result<(Option<i64>, Recorded), DbErr> {
    let mut recorded = Recorded::default();
    let mut changes = Vec::new();
    for chunk in ids.chunks(BATCH) {
        let after = snapshot(conn, chunk).await?;
        let mut before: HashMap<i64, Snapshot> = HashMap::new();
        for row in revision_change::Entity::find()
            .filter(revision_change::Column::RevisionId.eq(revision_id))
            .filter(revision_change::Column::RecordId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            if let Some(text) = row.before {
                let snap = serde_json::from_str(&text)
                    .map_err(|e| DbErr::Custom(format!("revision {revision_id}: {e}")))?;
                before.insert(row.record_id, snap);
            }
        }
        let found = diff(&before, &after);
        let changed: BTreeSet<i64> = found.iter().map(|c| c.record_id).collect();
        let unchanged: Vec<i64> = before
            .keys()
            .filter(|id| !changed.contains(id))
            .copied()
            .collect();
        if !unchanged.is_empty() {
            revision_change::Entity::delete_many()
                .filter(revision_change::Column::RevisionId.eq(revision_id))
                .filter(revision_change::Column::RecordId.is_in(unchanged))
                .exec(conn)
                .await?;
        }
        let mut created = Vec::new();
        for change in found {
            let after = change
                .after
                .as_ref()
                .map(|s| Value::Object(s.clone()).to_string());
            if change.before.is_some() {
                recorded.updated += 1;
                revision_change::Entity::update_many()
                    .col_expr(revision_change::Column::After, Expr::value(after))
                    .filter(revision_change::Column::RevisionId.eq(revision_id))
                    .filter(revision_change::Column::RecordId.eq(change.record_id))
                    .exec(conn)
                    .await?;
            } else {
                recorded.created += 1;
                created.push(revision_change::ActiveModel {
                    revision_id: Set(revision_id),
                    record_id: Set(change.record_id),
                    kind: Set(change.kind.as_str().to_owned()),
                    key: Set(change.key.clone()),
                    before: Set(None),
                    after: Set(after),
                });
            }
            if changes.len() <= keep {
                changes.push(change);
            }
        }
        if !created.is_empty() {
            revision_change::Entity::insert_many(created)
                .exec_without_returning(conn)
                .await?;
        }
    }
    if changes.len() > keep {
        changes.clear();
    }
    recorded.changes = changes;
    if recorded.created + recorded.updated == 0 && sources.is_empty() {
        revision::Entity::delete_by_id(revision_id)
            .exec(conn)
            .await?;
        return Ok((None, recorded));
    }
    if !sources.is_empty() {
        revision::Entity::update_many()
            .col_expr(
                revision::Column::Sources,
                Expr::value(sources.to_json().to_string()),
            )
            .filter(revision::Column::RevisionId.eq(revision_id))
            .exec(conn)
            .await?;
    }
    // A record created keeps version 1; one changed goes up by one.
    let mut changed = Query::select();
    changed
        .column(Alias::new("record_id"))
        .from(Alias::new("revision_change"))
        .and_where(Expr::col(Alias::new("revision_id")).eq(revision_id))
        .and_where(Expr::col(Alias::new("before")).is_not_null())
        .and_where(Expr::col(Alias::new("after")).is_not_null());
    let mut update = Query::update();
    update
        .table(Alias::new("record"))
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("record_id")).in_subquery(changed));
    conn.execute(&update).await?;
    Ok((Some(revision_id), recorded))
}

/// Makes the record `id` what `target` says (`None`: it does not exist), given what it is now.
/// The caller orders several records by [`write_rank`] (deleting dependents first, writing what
/// they point at first), rebuilds the collaboration ties of the organizations involved
/// ([`organizations_in`]) and records the revision.
pub async fn apply<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    current: Option<&Snapshot>,
    target: Option<&Snapshot>,
) -> Result<(), DbErr> {
    let Some(target) = target else {
        // Ties point at organizations without cascading (they are rebuilt by the caller).
        for column in ["organization_id", "partner_id"] {
            let mut delete = Query::delete();
            delete
                .from_table(Alias::new("collaboration"))
                .and_where(Expr::col(Alias::new(column)).eq(id));
            conn.execute(&delete).await?;
        }
        // Everything the record owns goes with it (`ON DELETE CASCADE`); a record that another
        // still points at is kept by its foreign key, and the error reaches the caller.
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new("record"))
            .and_where(Expr::col(Alias::new("record_id")).eq(id));
        conn.execute(&delete).await?;
        return Ok(());
    };
    let (kind, key) = identity(target)
        .ok_or_else(|| DbErr::Custom(format!("the snapshot of record {id} names no kind")))?;
    if current.is_none() {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("record"))
            .columns([
                Alias::new("record_id"),
                Alias::new("kind"),
                Alias::new("key"),
            ])
            .values_panic([id.into(), kind.as_str().into(), key.clone().into()]);
        conn.execute(&insert).await?;
    } else {
        let mut update = Query::update();
        update
            .table(Alias::new("record"))
            .value(Alias::new("key"), key.clone())
            .and_where(Expr::col(Alias::new("record_id")).eq(id));
        conn.execute(&update).await?;
    }
    for (table, column) in keyed_tables(kind) {
        match target.get(table).and_then(Value::as_object) {
            Some(row) => upsert_row(conn, table, &column, row).await?,
            None if current.is_some_and(|c| c.contains_key(table)) => {
                let mut delete = Query::delete();
                delete
                    .from_table(Alias::new(table))
                    .and_where(Expr::col(Alias::new(column.as_str())).eq(id));
                conn.execute(&delete).await?;
            }
            None => {}
        }
    }
    // Owned rows are replaced; their surrogate ids are handed out afresh (an old id may have been
    // reused since), so a citation of an alias is pointed at the alias's new id by name.
    let mut alias_ids: HashMap<i64, i64> = HashMap::new();
    for (table, column, surrogate) in OWNED {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(*table))
            .and_where(Expr::col(Alias::new(*column)).eq(id));
        conn.execute(&delete).await?;
        let rows = target.get(*table).and_then(Value::as_array);
        for row in rows.into_iter().flatten().filter_map(Value::as_object) {
            let mut row = row.clone();
            let old_id = surrogate
                .and_then(|key| row.remove(key))
                .and_then(|v| v.as_i64());
            if *table == "citation"
                && let Some(alias) = row.get("alias_id").and_then(Value::as_i64)
            {
                row.insert(
                    "alias_id".into(),
                    alias_ids
                        .get(&alias)
                        .copied()
                        .map_or(Value::Null, Value::from),
                );
            }
            insert_row(conn, table, &row).await?;
            if *table == "alias"
                && let (Some(old), Some(name)) = (old_id, row.get("name").and_then(Value::as_str))
            {
                let mut select = Query::select();
                select
                    .column(Alias::new("alias_id"))
                    .from(Alias::new("alias"))
                    .and_where(Expr::col(Alias::new("record_id")).eq(id))
                    .and_where(Expr::col(Alias::new("name")).eq(name));
                if let Some(found) = conn.query_one(&select).await? {
                    alias_ids.insert(old, found.try_get_by_index::<i64>(0)?);
                }
            }
        }
    }
    Ok(())
}

/// The organizations whose collaboration ties a change to these snapshots can move: the
/// organizations themselves and the organizations of participations.
pub fn organizations_in<'a>(snaps: impl IntoIterator<Item = &'a Snapshot>) -> BTreeSet<i64> {
    let mut organizations = BTreeSet::new();
    for snap in snaps {
        if let Some(id) = snap
            .get("organization")
            .and_then(|o| o.get("organization_id"))
            .and_then(Value::as_i64)
        {
            organizations.insert(id);
        }
        if let Some(id) = snap
            .get("participation")
            .and_then(|p| p.get("organization_id"))
            .and_then(Value::as_i64)
        {
            organizations.insert(id);
        }
    }
    organizations
}

/// A JSON value as a SQL expression. Nulls are written as the keyword, not a bound parameter:
/// PostgreSQL types a bound null by its Rust type (text), and refuses text in a bigint column.
fn sql_value(value: &Value) -> Expr {
    match value {
        Value::Null => Expr::cust("NULL"),
        Value::Bool(b) => Expr::val(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Expr::val(i),
            None => Expr::val(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Expr::val(s.clone()),
        other => Expr::val(other.to_string()),
    }
}

async fn insert_row<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    row: &Map<String, Value>,
) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table))
        .columns(row.keys().map(|k| Alias::new(k.as_str())))
        .values_panic(row.values().map(sql_value));
    conn.execute(&insert).await?;
    Ok(())
}

async fn upsert_row<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    key: &str,
    row: &Map<String, Value>,
) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    let others: Vec<Alias> = row
        .keys()
        .filter(|k| k.as_str() != key)
        .map(|k| Alias::new(k.as_str()))
        .collect();
    insert
        .into_table(Alias::new(table))
        .columns(row.keys().map(|k| Alias::new(k.as_str())))
        .values_panic(row.values().map(sql_value));
    if others.is_empty() {
        insert.on_conflict(OnConflict::column(Alias::new(key)).do_nothing().to_owned());
    } else {
        insert.on_conflict(
            OnConflict::column(Alias::new(key))
                .update_columns(others)
                .to_owned(),
        );
    }
    conn.execute(&insert).await?;
    Ok(())
}

/// Finishes the revision of an edit begun with [`begin_revision`] (a merge, a deletion): raises
/// the graph's version and records each of `ids` after ([`record_after`], the first 1,000
/// changes kept for the caller). An edit that changed nothing is an error: `what` names it.
pub async fn finish_edit<C: ConnectionTrait>(
    conn: &C,
    revision_id: i64,
    ids: &[i64],
    what: &str,
) -> Result<(i64, Recorded), DbErr> {
    bump_graph_version(conn).await?;
    let (revision, recorded) =
        record_after(conn, revision_id, ids, &SourceChanges::default(), 1_000).await?;
    let revision = revision
        .ok_or_else(|| DbErr::Custom(format!("{what} changed nothing: the revision was empty")))?;
    Ok((revision, recorded))
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`IMMEDIATE`): a deferred transaction that reads first and then writes cannot wait for a
/// concurrent writer (SQLite answers "database is locked" at once, whatever the busy timeout),
/// while an immediate one waits its turn at `BEGIN`. PostgreSQL ignores the option.
///
/// On PostgreSQL it takes a transaction-scoped advisory lock ([`WRITE_LOCK`]): one write at a
/// time across every instance over the database. Two stories with an organization in common
/// (a library in both) rebuilt its collaboration ties in parallel, each deleting the ties the
/// other could not yet see and inserting its own: 64 concurrent writers got duplicate-key
/// failures. Reads never wait for it.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
            .await?;
    }
    Ok(txn)
}

/// The key of the advisory lock every write transaction on PostgreSQL holds ("lg" in ASCII,
/// then 1): chosen not to collide with another application's keys on a shared database.
pub const WRITE_LOCK: i64 = 0x6c67_0001;

/// Raises the version of the whole graph, so API instances drop the answers they keep.
pub async fn bump_graph_version<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    graph_version::Entity::update_many()
        .col_expr(
            graph_version::Column::Version,
            Expr::col(graph_version::Column::Version).add(1),
        )
        .exec(conn)
        .await?;
    Ok(())
}

/// Rebuilds the collaboration ties a change to these snapshots can move: those of every
/// organization in an activity whose participations changed, and of the organizations changed.
pub async fn rebuild_ties<'a, C: ConnectionTrait>(
    conn: &C,
    snaps: impl IntoIterator<Item = &'a Snapshot>,
) -> Result<(), DbErr> {
    let snaps: Vec<&Snapshot> = snaps.into_iter().collect();
    let mut organizations = organizations_in(snaps.iter().copied());
    let activities: Vec<i64> = snaps
        .iter()
        .filter_map(|s| s.get("participation")?.get("target_id")?.as_i64())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in activities.chunks(BATCH) {
        let mut select = Query::select();
        select
            .distinct()
            .column(Alias::new("organization_id"))
            .from(Alias::new("participation"))
            .and_where(Expr::col(Alias::new("target_id")).is_in(chunk.iter().copied()));
        for row in conn.query_all(&select).await? {
            organizations.insert(row.try_get_by_index::<i64>(0)?);
        }
    }
    crate::ties::rebuild(conn, &organizations.into_iter().collect::<Vec<_>>()).await?;
    Ok(())
}

/// Why a revert changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error("there is no revision {0}")]
    NotFound(i64),
    #[error("revision {revision} was already reverted, by revision {by}")]
    AlreadyReverted { revision: i64, by: i64 },
    /// A record the revision changed was changed again since: undo the later change first.
    #[error(
        "{kind} \"{key}\" has changed since revision {revision} (by revision {later}): revert that one first"
    )]
    ChangedSince {
        revision: i64,
        kind: RecordKind,
        key: String,
        later: i64,
    },
    /// Undoing would delete a record that a later change made something else point at.
    #[error(
        "{kind} \"{key}\" cannot be removed again: records added since revision {revision} refer to it"
    )]
    Referenced {
        revision: i64,
        kind: RecordKind,
        key: String,
    },
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// What a revert did.
#[derive(Clone, Debug, PartialEq)]
pub struct Reverted {
    /// The new revision, which records the undoing.
    pub revision: i64,
    pub changes: Vec<Change>,
}

/// Undoes revision `revision_id` as a new revision by `author`: every record it changed is put
/// back as it was before (a record it created is removed, one it removed comes back with its
/// citations, aliases and identifiers). Refused, changing nothing, when a record has been
/// changed again since, or the revision was already reverted; a revert can itself be reverted.
pub async fn revert(
    db: &DatabaseConnection,
    revision_id: i64,
    author: &Author,
    reason: Option<&str>,
) -> Result<Reverted, RevertError> {
    let txn = begin_write(db).await?;
    let reverted = revert_in(&txn, revision_id, author, reason).await?;
    txn.commit().await?;
    Ok(reverted)
}

async fn revert_in(
    txn: &DatabaseTransaction,
    revision_id: i64,
    author: &Author,
    reason: Option<&str>,
) -> Result<Reverted, RevertError> {
    let Some(reverted) = revision::Entity::find_by_id(revision_id).one(txn).await? else {
        return Err(RevertError::NotFound(revision_id));
    };
    let sources = match &reverted.sources {
        Some(text) => SourceChanges::from_json(text)?,
        None => SourceChanges::default(),
    };
    if let Some(by) = revision::Entity::find()
        .filter(revision::Column::Reverts.eq(revision_id))
        .one(txn)
        .await?
    {
        return Err(RevertError::AlreadyReverted {
            revision: revision_id,
            by: by.revision_id,
        });
    }
    let parse = |text: &Option<String>| -> Result<Option<Snapshot>, DbErr> {
        text.as_deref()
            .map(|t| {
                serde_json::from_str::<Snapshot>(t)
                    .map_err(|e| DbErr::Custom(format!("revision {revision_id}: {e}")))
            })
            .transpose()
    };
    let mut changes = Vec::new();
    for row in revision_change::Entity::find()
        .filter(revision_change::Column::RevisionId.eq(revision_id))
        .all(txn)
        .await?
    {
        let kind = RecordKind::parse(&row.kind)
            .ok_or_else(|| DbErr::Custom(format!("revision {revision_id}: kind {}", row.kind)))?;
        changes.push(Change {
            record_id: row.record_id,
            kind,
            key: row.key.clone(),
            before: parse(&row.before)?,
            after: parse(&row.after)?,
        });
    }
    let ids: Vec<i64> = changes.iter().map(|c| c.record_id).collect();
    let current = snapshot(txn, &ids).await?;
    for change in &changes {
        let now = current.get(&change.record_id).map(normalize);
        if now != change.after.as_ref().map(normalize) {
            let later = revision_change::Entity::find()
                .filter(revision_change::Column::RecordId.eq(change.record_id))
                .filter(revision_change::Column::RevisionId.gt(revision_id))
                .order_by_desc(revision_change::Column::RevisionId)
                .one(txn)
                .await?
                .map_or(revision_id, |c| c.revision_id);
            return Err(RevertError::ChangedSince {
                revision: revision_id,
                kind: change.kind,
                key: change.key.clone(),
                later,
            });
        }
    }
    // Sources the revision removed come back first: restored citations point at them.
    for source in &sources.removed {
        for table in ["source", "source_text"] {
            if let Some(row) = source.get(table).and_then(Value::as_object) {
                insert_row(txn, table, row).await?;
            }
        }
    }
    // Removals first, dependents before what they point at; then writes, what is pointed at
    // before what points at it.
    let mut removals: Vec<&Change> = changes.iter().filter(|c| c.before.is_none()).collect();
    removals.sort_by_key(|c| std::cmp::Reverse(write_rank(c.kind)));
    let mut writes: Vec<&Change> = changes.iter().filter(|c| c.before.is_some()).collect();
    writes.sort_by_key(|c| write_rank(c.kind));
    for change in removals.into_iter().chain(writes) {
        let result = apply(
            txn,
            change.record_id,
            current.get(&change.record_id),
            change.before.as_ref(),
        )
        .await;
        match result {
            Err(e) if matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) => {
                return Err(RevertError::Referenced {
                    revision: revision_id,
                    kind: change.kind,
                    key: change.key.clone(),
                });
            }
            other => other?,
        }
    }
    // Sources the revision added go, once no citation is left pointing at them.
    let mut removed = Vec::new();
    for source in &sources.added {
        let Some(id) = source["source"].get("source_id").and_then(Value::as_i64) else {
            continue;
        };
        let cited = citation::Entity::find()
            .filter(citation::Column::SourceId.eq(id))
            .one(txn)
            .await?
            .is_some();
        if !cited {
            removed.extend(source_rows(txn, &[id]).await?);
            source::Entity::delete_by_id(id).exec(txn).await?;
        }
    }
    let restored = snapshot(txn, &ids).await?;
    rebuild_ties(txn, current.values().chain(restored.values())).await?;
    bump_graph_version(txn).await?;
    let undone = diff(&current, &restored);
    let revision = write_revision(
        txn,
        author,
        "revert",
        reason,
        Some(revision_id),
        &undone,
        &SourceChanges {
            added: sources.removed,
            removed,
        },
    )
    .await?;
    Ok(Reverted {
        revision,
        changes: undone,
    })
}
