//! Writes a checked [`Dataset`] in one transaction, upserting by natural key.
//!
//! Order matters because foreign keys are checked per statement: `record` rows first (they give
//! every entity and relation its id), then entity tables parent-first, then relations, then
//! provenance. Upserts (`INSERT … ON CONFLICT … DO UPDATE`) make a second load of the same data
//! change nothing and an edited file update its rows in place. Aliases and identifiers of the
//! loaded entities, and the citations this load's sources give for its records, are replaced
//! wholesale: the load is the authority on what its sources say. The collaboration ties of every
//! organization in a loaded activity are recomputed ([`crate::ties`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use entities::kinds::RecordKind;
use entities::text::{fold, word_scores};
use entities::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, IntoActiveModel, Iterable, QueryFilter, QuerySelect, TransactionTrait,
};

use crate::gazetteer;
use crate::revision::{self as history, Author, Change};
use crate::validate::*;

/// Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const BATCH: usize = 500;

/// What a load did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub sources: usize,
    /// Records by kind, as loaded.
    pub records: BTreeMap<RecordKind, usize>,
    /// Records that did not exist before this load.
    pub created: usize,
    pub citations: usize,
    pub aliases: usize,
    pub identifiers: usize,
    /// Collaboration ties recomputed (both directions of a pair count).
    pub ties: u64,
}

/// Why a load wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The input is wrong; every problem found is listed.
    #[error("{} problem(s) in the input:\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    /// A record the edit read has changed since (or is gone): nothing was written.
    #[error("{} was at version {expected} when read and is {} now: read it again", .key.as_deref().map_or_else(|| format!("record {}", .record), |k| format!("\"{k}\"")), .current.map_or_else(|| "gone".to_owned(), |v| format!("at version {v}")))]
    Stale {
        record: i64,
        key: Option<String>,
        expected: i64,
        current: Option<i64>,
    },
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// Validates `dataset` against the database and writes it, all in one transaction, as a
/// revision by `author` (see [`write_as`]).
pub async fn write(db: &DatabaseConnection, dataset: &Dataset) -> Result<LoadReport, LoadError> {
    Ok(write_as(db, dataset, &Author::seed(), Author::SEED, None)
        .await?
        .report)
}

/// What a load changed, as recorded in its revision.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub report: LoadReport,
    /// The revision, when anything changed (a load that changes nothing records none).
    pub revision: Option<i64>,
    /// Records the load created, and records that existed and changed.
    pub created: usize,
    pub updated: usize,
    /// Every record the load changed, when it changed at most a thousand (a story); empty for
    /// a larger load, whose changes are in its revision only.
    pub changes: Vec<Change>,
    /// Records a seed load left as they were because they were edited through the API since they
    /// were last loaded: `(kind, key, the revision that edited them)`.
    pub conflicts: Vec<(RecordKind, String, i64)>,
}

/// Validates `dataset` against the database and writes it in one transaction with its revision:
/// `operation` by `author`, for `reason`. A seed load (`author` is [`Author::seed`]) never
/// overwrites a record edited through the API since its last load: the record is put back as
/// the API left it and reported in [`Written::conflicts`].
pub async fn write_as(
    db: &DatabaseConnection,
    dataset: &Dataset,
    author: &Author,
    operation: &str,
    reason: Option<&str>,
) -> Result<Written, LoadError> {
    let txn = history::begin_write(db).await?;
    let written = write_as_in(&txn, dataset, author, operation, reason, &[]).await?;
    txn.commit().await?;
    Ok(written)
}

/// [`write_as`] inside the caller's transaction.
pub async fn write_as_in(
    txn: &DatabaseTransaction,
    dataset: &Dataset,
    author: &Author,
    operation: &str,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Written, LoadError> {
    hold_versions(txn, expected).await?;
    let mut keys = mentioned(dataset);
    keys.extend(dataset.citations.iter().map(|c| c.record.as_str()));
    keys.sort_unstable();
    keys.dedup();
    let merged = crate::merge::merged_away(txn, &keys).await?;
    if !merged.is_empty() {
        return Err(LoadError::Invalid(
            merged
                .into_iter()
                .map(|(key, target, revision)| Problem {
                    file: "the load".into(),
                    record: format!("\"{key}\""),
                    field: None,
                    message: format!(
                        "was merged into \"{target}\"{}: name \"{target}\" instead, or revert \
                         the merge",
                        revision.map_or_else(String::new, |r| format!(" (revision {r})"))
                    ),
                })
                .collect(),
        ));
    }
    let deleted = crate::delete::deleted_through_api(txn, &keys).await?;
    if !deleted.is_empty() {
        return Err(LoadError::Invalid(
            deleted
                .into_iter()
                .map(|(key, revision)| Problem {
                    file: "the load".into(),
                    record: format!("\"{key}\""),
                    field: None,
                    message: format!(
                        "was deleted through the API (revision {revision}): restore it (the \
                         `restore` mutation, or `revert` of that revision), or leave it out"
                    ),
                })
                .collect(),
        ));
    }
    let ids = |found: HashMap<String, (i64, RecordKind)>| -> Vec<i64> {
        let mut ids: Vec<i64> = found.into_values().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids
    };
    let existing = ids(find_records(txn, &keys).await?);
    let revision_id = history::begin_revision(txn, author, operation, reason).await?;
    history::record_before(txn, revision_id, &existing).await?;
    let conflicts = if author.token_id.is_none() {
        edited_through_api(txn, &existing, revision_id).await?
    } else {
        Vec::new()
    };
    let slugs: Vec<&str> = dataset.sources.iter().map(|s| s.slug.as_str()).collect();
    let sources_before = source_ids(txn, &slugs).await?;
    let report = write_in(txn, dataset).await?;
    let added: Vec<i64> = source_ids(txn, &slugs)
        .await?
        .into_iter()
        .filter(|id| !sources_before.contains(id))
        .collect();
    let sources = history::SourceChanges {
        added: history::source_rows(txn, &added).await?,
        removed: Vec::new(),
    };
    let mut reported = Vec::new();
    if !conflicts.is_empty() {
        let mut kept = Vec::new();
        for (id, by) in &conflicts {
            if let Some(snap) = history::recorded_before(txn, revision_id, *id).await? {
                kept.push((*id, snap, *by));
            }
        }
        kept.sort_by_key(|(_, snap, _)| {
            history::identity(snap).map(|(k, _)| history::write_rank(k))
        });
        let now =
            history::snapshot(txn, &kept.iter().map(|(id, _, _)| *id).collect::<Vec<_>>()).await?;
        for (id, snap, by) in &kept {
            history::apply(txn, *id, now.get(id), Some(snap)).await?;
            if let Some((kind, key)) = history::identity(snap) {
                reported.push((kind, key, *by));
            }
        }
        history::rebuild_ties(txn, kept.iter().map(|(_, s, _)| s).chain(now.values())).await?;
    }
    let all = ids(find_records(txn, &keys).await?);
    let (revision, recorded) =
        history::record_after(txn, revision_id, &all, &sources, KEPT_CHANGES).await?;
    Ok(Written {
        report,
        revision,
        created: recorded.created,
        updated: recorded.updated,
        changes: recorded.changes,
        conflicts: reported,
    })
}

/// Refuses with [`LoadError::Stale`] unless each record of `expected` (`(record id, version)`)
/// is still at that version. Each is checked by an update that matches only that version: on
/// PostgreSQL it locks the row, so of two edits that read the same version the second waits for
/// the first to commit, then finds the version raised and is refused.
pub(crate) async fn hold_versions(
    txn: &DatabaseTransaction,
    expected: &[(i64, i64)],
) -> Result<(), LoadError> {
    for &(id, version) in expected {
        let held = record::Entity::update_many()
            .col_expr(record::Column::Version, Expr::col(record::Column::Version))
            .filter(record::Column::RecordId.eq(id))
            .filter(record::Column::Version.eq(version))
            .exec(txn)
            .await?
            .rows_affected;
        if held == 0 {
            let current = record::Entity::find_by_id(id).one(txn).await?;
            return Err(LoadError::Stale {
                record: id,
                key: current.as_ref().map(|r| r.key.clone()),
                expected: version,
                current: current.map(|r| r.version),
            });
        }
    }
    Ok(())
}

/// The most changes a load hands back to its caller ([`Written::changes`]): a story's, not a
/// bulk load's, which stay in the revision.
const KEPT_CHANGES: usize = 1_000;

/// The ids of the sources with these slugs.
async fn source_ids(txn: &DatabaseTransaction, slugs: &[&str]) -> Result<Vec<i64>, DbErr> {
    let mut ids = Vec::new();
    for chunk in slugs.chunks(BATCH) {
        ids.extend(
            source::Entity::find()
                .select_only()
                .column(source::Column::SourceId)
                .filter(source::Column::Slug.is_in(chunk.iter().copied()))
                .into_tuple::<i64>()
                .all(txn)
                .await?,
        );
    }
    Ok(ids)
}

/// The records among `ids` whose latest revision before `current` came through the API (a
/// token), with that revision.
async fn edited_through_api(
    txn: &DatabaseTransaction,
    ids: &[i64],
    current: i64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut latest: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let rows = revision_change::Entity::find()
            .select_only()
            .column(revision_change::Column::RecordId)
            .column(revision_change::Column::RevisionId)
            .filter(revision_change::Column::RecordId.is_in(chunk.iter().copied()))
            .filter(revision_change::Column::RevisionId.ne(current))
            .into_tuple::<(i64, i64)>()
            .all(txn)
            .await?;
        for (record, rev) in rows {
            let entry = latest.entry(record).or_insert(rev);
            *entry = Ord::max(*entry, rev);
        }
    }
    let revisions: Vec<i64> = latest
        .values()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut by_api: HashSet<i64> = HashSet::new();
    for chunk in revisions.chunks(BATCH) {
        by_api.extend(
            revision::Entity::find()
                .select_only()
                .column(revision::Column::RevisionId)
                .filter(revision::Column::RevisionId.is_in(chunk.iter().copied()))
                .filter(revision::Column::TokenId.is_not_null())
                .into_tuple::<i64>()
                .all(txn)
                .await?,
        );
    }
    let latest: HashMap<i64, (i64, bool)> = latest
        .into_iter()
        .map(|(record, rev)| (record, (rev, by_api.contains(&rev))))
        .collect();
    let mut edited: Vec<(i64, i64)> = latest
        .into_iter()
        .filter(|(_, (_, by_api))| *by_api)
        .map(|(record, (rev, _))| (record, rev))
        .collect();
    edited.sort_unstable();
    Ok(edited)
}

/// Checks `dataset` against the database (references to existing records, slugs taken by
/// another kind) without writing anything.
pub async fn check(db: &DatabaseConnection, dataset: &Dataset) -> Result<(), LoadError> {
    let txn = db.begin().await?;
    let result = check_in(&txn, dataset).await.map(|_| ());
    txn.rollback().await?;
    result
}

/// Every key the load mentions: existing rows must be of the same kind, external references
/// must exist. Returns the records that exist already.
async fn check_in(
    txn: &DatabaseTransaction,
    dataset: &Dataset,
) -> Result<HashMap<String, (i64, RecordKind)>, LoadError> {
    let existing = find_records(txn, &mentioned(dataset)).await?;
    let mut problems = Vec::new();
    for record in &dataset.records {
        if let Some((_, kind)) = existing.get(&record.key)
            && *kind != record.row.kind()
        {
            problems.push(Problem {
                file: String::new(),
                record: format!("{} \"{}\"", record.row.kind(), record.key),
                field: Some("slug".into()),
                message: format!("the database already has a {kind} with this slug"),
            });
        }
    }
    for r in &dataset.external {
        match existing.get(&r.key) {
            Some((_, kind)) if r.expected.contains(kind) => {}
            Some((_, kind)) => problems.push(Problem {
                file: r.file.clone(),
                record: r.record.clone(),
                field: Some(r.field.into()),
                message: format!("\"{}\" is a {kind}, which this field does not take", r.key),
            }),
            None => problems.push(Problem {
                file: r.file.clone(),
                record: r.record.clone(),
                field: Some(r.field.into()),
                message: format!(
                    "unknown slug \"{}\": no file declares it and the database does not have it",
                    r.key
                ),
            }),
        }
    }
    if problems.is_empty() {
        Ok(existing)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

fn mentioned(dataset: &Dataset) -> Vec<&str> {
    let mut keys: Vec<&str> = dataset.records.iter().map(|r| r.key.as_str()).collect();
    keys.extend(dataset.external.iter().map(|r| r.key.as_str()));
    keys
}

async fn write_in(txn: &DatabaseTransaction, dataset: &Dataset) -> Result<LoadReport, LoadError> {
    // 1. Nothing is written unless the load fits what the database holds.
    let existing = check_in(txn, dataset).await?;
    let wanted = mentioned(dataset);

    // 2. Record rows, then their ids.
    let new: Vec<record::ActiveModel> = dataset
        .records
        .iter()
        .filter(|r| !existing.contains_key(&r.key))
        .map(|r| record::ActiveModel {
            kind: Set(r.row.kind()),
            key: Set(r.key.clone()),
            ..Default::default()
        })
        .collect();
    let created = new.len();
    for chunk in chunks(new) {
        record::Entity::insert_many(chunk)
            .on_conflict_do_nothing_on([record::Column::Key])
            .exec_without_returning(txn)
            .await?;
    }
    let ids: HashMap<String, (i64, RecordKind)> = find_records(txn, &wanted).await?;
    let record = |key: &str| -> Result<(i64, RecordKind), DbErr> {
        ids.get(key)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("record \"{key}\" vanished during the load")))
    };
    let id = |key: &str| -> Result<i64, DbErr> { Ok(record(key)?.0) };
    let opt =
        |key: &Option<String>| -> Result<Option<i64>, DbErr> { key.as_deref().map(id).transpose() };

    // 3. Entities and relations, table by table in dependency order.
    let mut places = Vec::new();
    // The places of this load, and the gazetteer citations of those it matched:
    // `(record, quote, reasoning)` (`crate::gazetteer`).
    let mut loaded_places = Vec::new();
    let mut gazetteer_citations: Vec<(i64, String, String)> = Vec::new();
    let mut organizations = Vec::new();
    let mut libraries = Vec::new();
    let mut programmes = Vec::new();
    let mut projects = Vec::new();
    let mut events = Vec::new();
    let mut outcomes = Vec::new();
    let mut people = Vec::new();
    let mut topics = Vec::new();
    let mut groups = Vec::new();
    let mut fundings = Vec::new();
    let mut participations = Vec::new();
    let mut relations = Vec::new();
    let mut positions = Vec::new();
    let mut classifications = Vec::new();
    let mut audiences = Vec::new();
    let mut aliases = Vec::new();
    let mut identifiers = Vec::new();
    let mut entity_ids = Vec::new();
    let mut terms = Vec::new();
    let mut words = Vec::new();
    let mut report = LoadReport {
        sources: dataset.sources.len(),
        created,
        ..Default::default()
    };

    for r in &dataset.records {
        let rid = id(&r.key)?;
        *report.records.entry(r.row.kind()).or_default() += 1;
        match &r.row {
            Row::Place(p) => {
                let located = gazetteer::locate(&gazetteer::Query {
                    kind: p.kind,
                    name: &p.names.name,
                    name_en: p.names.name_en.as_deref(),
                    country_code: p.country_code.as_deref(),
                    latitude: p.latitude,
                    longitude: p.longitude,
                });
                loaded_places.push(rid);
                if let (GeoMatch::Matched, Some(quote), Some(note)) =
                    (located.geo_match, &located.quote, &located.note)
                {
                    gazetteer_citations.push((rid, quote.clone(), note.clone()));
                }
                places.push(place::ActiveModel {
                    place_id: Set(rid),
                    slug: Set(r.key.clone()),
                    kind: Set(p.kind),
                    name: Set(p.names.name.clone()),
                    name_lang: Set(p.names.name_lang.clone()),
                    name_en: Set(p.names.name_en.clone()),
                    sort_key: Set(fold(&p.names.name)),
                    country_code: Set(p.country_code.clone()),
                    parent_id: Set(opt(&p.parent)?),
                    latitude: Set(located.latitude),
                    longitude: Set(located.longitude),
                    geo_match: Set(located.geo_match),
                    geo_note: Set(located.note),
                })
            }
            Row::Organization(o) => {
                organizations.push(organization::ActiveModel {
                    organization_id: Set(rid),
                    slug: Set(r.key.clone()),
                    kind: Set(o.kind),
                    name: Set(o.names.name.clone()),
                    name_lang: Set(o.names.name_lang.clone()),
                    name_en: Set(o.names.name_en.clone()),
                    sort_key: Set(fold(&o.names.name)),
                    description: Set(o.description.clone()),
                    website: Set(o.website.clone()),
                    email: Set(o.email.clone()),
                    phone: Set(o.phone.clone()),
                    place_id: Set(opt(&o.place)?),
                });
                if let Some(l) = &o.library {
                    libraries.push(library::ActiveModel {
                        organization_id: Set(rid),
                        library_type: Set(l.library_type),
                        address: Set(l.address.clone()),
                        opening_hours: Set(l.opening_hours.clone()),
                        parent_library_id: Set(opt(&l.parent)?),
                    });
                }
                for (scheme, value) in &r.identifiers {
                    identifiers.push(identifier::ActiveModel {
                        organization_id: Set(rid),
                        scheme: Set(*scheme),
                        value: Set(value.clone()),
                        ..Default::default()
                    });
                }
            }
            Row::Programme(p) => programmes.push(programme::ActiveModel {
                programme_id: Set(rid),
                slug: Set(r.key.clone()),
                kind: Set(p.kind),
                name: Set(p.names.name.clone()),
                name_lang: Set(p.names.name_lang.clone()),
                name_en: Set(p.names.name_en.clone()),
                sort_key: Set(fold(&p.names.name)),
                code: Set(p.code.clone()),
                description: Set(p.description.clone()),
                parent_id: Set(opt(&p.parent)?),
                start_date: Set(p.period.start.clone()),
                end_date: Set(p.period.end.clone()),
                date_note: Set(p.period.date_note.clone()),
                year_from: Set(p.period.year_from),
                year_to: Set(p.period.year_to),
            }),
            Row::Project(p) => projects.push(project::ActiveModel {
                project_id: Set(rid),
                slug: Set(r.key.clone()),
                name: Set(p.names.name.clone()),
                name_lang: Set(p.names.name_lang.clone()),
                name_en: Set(p.names.name_en.clone()),
                sort_key: Set(fold(&p.names.name)),
                description: Set(p.description.clone()),
                why: Set(p.why.clone()),
                what: Set(p.what.clone()),
                programme_id: Set(opt(&p.programme)?),
                place_id: Set(opt(&p.place)?),
                start_date: Set(p.period.start.clone()),
                end_date: Set(p.period.end.clone()),
                date_note: Set(p.period.date_note.clone()),
                year_from: Set(p.period.year_from),
                year_to: Set(p.period.year_to),
            }),
            Row::Event(e) => events.push(event::ActiveModel {
                event_id: Set(rid),
                slug: Set(r.key.clone()),
                kind: Set(e.kind),
                name: Set(e.names.name.clone()),
                name_lang: Set(e.names.name_lang.clone()),
                name_en: Set(e.names.name_en.clone()),
                sort_key: Set(fold(&e.names.name)),
                description: Set(e.description.clone()),
                start_date: Set(e.period.start.clone()),
                end_date: Set(e.period.end.clone()),
                date_note: Set(e.period.date_note.clone()),
                year_from: Set(e.period.year_from),
                year_to: Set(e.period.year_to),
                recurrence: Set(e.recurrence.clone()),
                place_id: Set(opt(&e.place)?),
                project_id: Set(opt(&e.project)?),
                programme_id: Set(opt(&e.programme)?),
                part_of_id: Set(opt(&e.part_of)?),
            }),
            Row::Outcome(o) => outcomes.push(outcome::ActiveModel {
                outcome_id: Set(rid),
                slug: Set(r.key.clone()),
                subject_id: Set(id(&o.subject)?),
                description: Set(o.description.clone()),
                description_lang: Set(o.description_lang.clone()),
                description_en: Set(o.description_en.clone()),
                indicator: Set(o.indicator.clone()),
                value: Set(o.value),
                value_qualifier: Set(o.value_qualifier),
                unit: Set(o.unit.clone()),
                baseline: Set(o.baseline),
                target: Set(o.target),
                start_date: Set(o.period.start.clone()),
                end_date: Set(o.period.end.clone()),
                year_from: Set(o.period.year_from),
                year_to: Set(o.period.year_to),
            }),
            Row::Person(p) => people.push(person::ActiveModel {
                person_id: Set(rid),
                slug: Set(r.key.clone()),
                name: Set(p.name.clone()),
                name_lang: Set(p.name_lang.clone()),
                sort_key: Set(fold(&p.name)),
                description: Set(p.description.clone()),
            }),
            Row::Topic(t) => topics.push(topic::ActiveModel {
                topic_id: Set(rid),
                slug: Set(r.key.clone()),
                kind: Set(t.kind),
                code: Set(t.code.clone()),
                name: Set(t.names.name.clone()),
                name_lang: Set(t.names.name_lang.clone()),
                name_en: Set(t.names.name_en.clone()),
                sort_key: Set(fold(&t.names.name)),
                description: Set(t.description.clone()),
            }),
            Row::TargetGroup(g) => groups.push(target_group::ActiveModel {
                target_group_id: Set(rid),
                slug: Set(r.key.clone()),
                name: Set(g.names.name.clone()),
                name_lang: Set(g.names.name_lang.clone()),
                name_en: Set(g.names.name_en.clone()),
                sort_key: Set(fold(&g.names.name)),
                description: Set(g.description.clone()),
            }),
            Row::Funding(f) => fundings.push(funding::ActiveModel {
                funding_id: Set(rid),
                funder_id: Set(id(&f.funder)?),
                recipient_id: Set(id(&f.recipient)?),
                programme_id: Set(opt(&f.programme)?),
                intermediary_id: Set(opt(&f.intermediary)?),
                instrument: Set(f.instrument),
                amount_minor: Set(f.amount_minor),
                currency: Set(f.currency.clone()),
                start_date: Set(f.period.start.clone()),
                end_date: Set(f.period.end.clone()),
                date_note: Set(f.period.date_note.clone()),
                year_from: Set(f.period.year_from),
                year_to: Set(f.period.year_to),
                description: Set(f.description.clone()),
            }),
            Row::Participation(p) => {
                let (target_id, target_kind) = record(&p.target)?;
                participations.push(participation::ActiveModel {
                    participation_id: Set(rid),
                    organization_id: Set(id(&p.organization)?),
                    target_id: Set(target_id),
                    target_kind: Set(Some(target_kind)),
                    role: Set(p.role),
                    start_date: Set(p.period.start.clone()),
                    end_date: Set(p.period.end.clone()),
                    date_note: Set(p.period.date_note.clone()),
                    year_from: Set(p.period.year_from),
                    year_to: Set(p.period.year_to),
                    description: Set(p.description.clone()),
                });
            }
            Row::Relation(x) => relations.push(organization_relation::ActiveModel {
                organization_relation_id: Set(rid),
                subject_id: Set(id(&x.subject)?),
                kind: Set(x.kind),
                object_id: Set(id(&x.object)?),
                start_date: Set(x.period.start.clone()),
                end_date: Set(x.period.end.clone()),
                date_note: Set(x.period.date_note.clone()),
                year_from: Set(x.period.year_from),
                year_to: Set(x.period.year_to),
                description: Set(x.description.clone()),
            }),
            Row::Position(p) => positions.push(position::ActiveModel {
                position_id: Set(rid),
                person_id: Set(id(&p.person)?),
                organization_id: Set(id(&p.organization)?),
                title: Set(p.title.clone()),
                title_lang: Set(p.title_lang.clone()),
                start_date: Set(p.period.start.clone()),
                end_date: Set(p.period.end.clone()),
                year_from: Set(p.period.year_from),
                year_to: Set(p.period.year_to),
            }),
            Row::Classification(c) => classifications.push(classification::ActiveModel {
                classification_id: Set(rid),
                subject_id: Set(id(&c.subject)?),
                topic_id: Set(id(&c.topic)?),
            }),
            Row::Audience(a) => audiences.push(audience::ActiveModel {
                audience_id: Set(rid),
                subject_id: Set(id(&a.subject)?),
                target_group_id: Set(id(&a.target_group)?),
            }),
        }
        if !is_relation(r.row.kind()) {
            entity_ids.push(rid);
            let class = match &r.row {
                Row::Organization(o) if o.library.is_some() => Class::Library,
                Row::Organization(_) => Class::Organization,
                _ => Class::Other,
            };
            index(
                rid,
                r.row.kind(),
                class,
                &searchable(r),
                &mut words,
                &mut terms,
            );
        }
        for (name, lang) in &r.aliases {
            aliases.push(alias::ActiveModel {
                record_id: Set(rid),
                name: Set(name.clone()),
                lang: Set(lang.clone()),
                ..Default::default()
            });
        }
    }

    upsert(txn, places).await?;
    upsert(txn, organizations).await?;
    upsert(txn, libraries).await?;
    upsert(txn, programmes).await?;
    upsert(txn, projects).await?;
    upsert(txn, events).await?;
    upsert(txn, people).await?;
    upsert(txn, topics).await?;
    upsert(txn, groups).await?;
    upsert(txn, outcomes).await?;
    upsert(txn, fundings).await?;
    // The ties to recompute: those of every organization in an activity this load writes or
    // writes a participation in. A participation's key names its organization and activity, so a
    // load adds participations or updates their role and dates, and never moves one away from an
    // organization: the members after the load are all the organizations whose ties can change.
    let mut activities: BTreeSet<i64> = BTreeSet::new();
    for r in &dataset.records {
        match &r.row {
            Row::Programme(_) | Row::Project(_) | Row::Event(_) => {
                activities.insert(id(&r.key)?);
            }
            Row::Participation(p) => {
                activities.insert(id(&p.target)?);
            }
            _ => {}
        }
    }
    upsert(txn, participations).await?;
    upsert(txn, relations).await?;
    upsert(txn, positions).await?;
    upsert(txn, classifications).await?;
    upsert(txn, audiences).await?;

    let activities: Vec<i64> = activities.into_iter().collect();
    report.ties = if activities.len() <= crate::ties::MAX_ACTIVITIES_PAIRWISE {
        // A story's few activities: only the pairs of their members move.
        crate::ties::rebuild_among(txn, &activities).await?
    } else {
        let mut tied: BTreeSet<i64> = BTreeSet::new();
        for chunk in activities.chunks(BATCH) {
            let members: Vec<i64> = participation::Entity::find()
                .select_only()
                .column(participation::Column::OrganizationId)
                .distinct()
                .filter(participation::Column::TargetId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            tied.extend(members);
        }
        crate::ties::rebuild(txn, &tied.into_iter().collect::<Vec<_>>()).await?
    };

    // 4. Sources (after organizations: a source may name its publisher).
    let sources: Vec<source::ActiveModel> = dataset
        .sources
        .iter()
        .map(|s| {
            Ok(source::ActiveModel {
                slug: Set(s.slug.clone()),
                title: Set(s.title.clone()),
                url: Set(s.url.clone()),
                publisher_id: Set(opt(&s.publisher)?),
                language: Set(s.language.clone()),
                published: Set(s.published.clone()),
                document: Set(s.document.clone()),
                description: Set(s.description.clone()),
                ..Default::default()
            })
        })
        .collect::<Result<_, DbErr>>()?;
    let update: Vec<source::Column> = source::Column::iter()
        .filter(|c| !matches!(c, source::Column::SourceId | source::Column::Slug))
        .collect();
    for chunk in chunks(sources) {
        source::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(source::Column::Slug)
                    .update_columns(update.clone())
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    let source_slugs: Vec<&str> = dataset.sources.iter().map(|s| s.slug.as_str()).collect();
    let mut source_ids = HashMap::new();
    for chunk in source_slugs.chunks(BATCH) {
        for s in source::Entity::find()
            .filter(source::Column::Slug.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            source_ids.insert(s.slug, s.source_id);
        }
    }

    // The stored texts of this load's sources: replaced (a source whose file names no copy any
    // more has none).
    let loaded_sources: Vec<i64> = source_ids.values().copied().collect();
    for chunk in loaded_sources.chunks(BATCH) {
        source_text::Entity::delete_many()
            .filter(source_text::Column::SourceId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    let texts: Vec<source_text::ActiveModel> = dataset
        .sources
        .iter()
        .filter_map(|s| Some((source_ids.get(&s.slug)?, s.text.as_ref()?)))
        .map(|(id, text)| source_text::ActiveModel {
            source_id: Set(*id),
            text: Set(text.clone()),
        })
        .collect();
    insert(txn, texts).await?;

    // 5. Aliases, identifiers and search texts of the loaded entities: replaced.
    for chunk in entity_ids.chunks(BATCH) {
        search_term::Entity::delete_many()
            .filter(search_term::Column::RecordId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        search_word::Entity::delete_many()
            .filter(search_word::Column::RecordId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        alias::Entity::delete_many()
            .filter(alias::Column::RecordId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        identifier::Entity::delete_many()
            .filter(identifier::Column::OrganizationId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    report.aliases = aliases.len();
    report.identifiers = identifiers.len();
    insert(txn, aliases).await?;
    // The new aliases' ids, for the citations that support them.
    let mut alias_ids: HashMap<(i64, String), i64> = HashMap::new();
    for chunk in entity_ids.chunks(BATCH) {
        for a in alias::Entity::find()
            .filter(alias::Column::RecordId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            alias_ids.insert((a.record_id, a.name), a.alias_id);
        }
    }
    insert(txn, identifiers).await?;
    insert(txn, terms).await?;
    write_words(txn, words).await?;

    // 6. Citations that this load's sources give for this load's records: replaced.
    let touched: HashSet<&str> = dataset
        .citations
        .iter()
        .map(|c| c.record.as_str())
        .collect();
    let touched: Vec<i64> = touched.into_iter().map(id).collect::<Result<_, _>>()?;
    for chunk in touched.chunks(BATCH) {
        citation::Entity::delete_many()
            .filter(citation::Column::RecordId.is_in(chunk.iter().copied()))
            .filter(citation::Column::SourceId.is_in(loaded_sources.iter().copied()))
            .exec(txn)
            .await?;
    }
    let citations: Vec<citation::ActiveModel> = dataset
        .citations
        .iter()
        .map(|c| {
            let source_id = source_ids.get(&c.source).copied().ok_or_else(|| {
                DbErr::Custom(format!("source \"{}\" vanished during the load", c.source))
            })?;
            let record_id = id(&c.record)?;
            let alias_id = match &c.alias {
                None => None,
                Some(name) => Some(
                    alias_ids
                        .get(&(record_id, name.clone()))
                        .copied()
                        .ok_or_else(|| {
                            DbErr::Custom(format!(
                                "alias \"{name}\" of \"{}\" vanished during the load",
                                c.record
                            ))
                        })?,
                ),
            };
            Ok(citation::ActiveModel {
                record_id: Set(record_id),
                alias_id: Set(alias_id),
                source_id: Set(source_id),
                quote: Set(c.quote.clone()),
                basis: Set(c.basis),
                reasoning: Set(c.reasoning.clone()),
                ..Default::default()
            })
        })
        .collect::<Result<_, DbErr>>()?;
    report.citations = citations.len();
    insert(txn, citations).await?;
    report.citations += cite_gazetteer(txn, &loaded_places, gazetteer_citations).await?;

    // 7. A new version of the graph, committed with its rows: API instances drop what they
    //    computed from the old one.
    graph_version::Entity::update_many()
        .col_expr(
            graph_version::Column::Version,
            Expr::col(graph_version::Column::Version).add(1),
        )
        .exec(txn)
        .await?;
    Ok(report)
}

/// The search rows of one entity from its weighted texts: its `search_term` rows and its words.
fn index(
    rid: i64,
    kind: RecordKind,
    class: Class,
    texts: &[(i32, &str)],
    words: &mut Vec<PendingWord>,
    terms: &mut Vec<search_term::ActiveModel>,
) {
    let texts: Vec<(i32, String)> = texts
        .iter()
        .map(|(weight, text)| (*weight, fold(text)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    words.extend(
        word_scores(texts.iter().map(|(weight, text)| (*weight, text.as_str())))
            .into_iter()
            .map(|(word, score)| PendingWord {
                record_id: rid,
                kind,
                class,
                word: word.to_owned(),
                sort_key: -score.prefix,
                exact_key: score.exact.map(|e| -e),
            }),
    );
    terms.extend(
        texts
            .into_iter()
            .map(|(weight, text)| search_term::ActiveModel {
                record_id: Set(rid),
                kind: Set(kind),
                weight: Set(weight),
                text: Set(text),
                ..Default::default()
            }),
    );
}

/// Rewrites the search rows of the organizations `ids` from what they hold now (name, English
/// name, description, aliases), with the weights a load gives them ([`searchable`]): for an
/// edit that changes them outside a load (`crate::merge`).
pub(crate) async fn reindex_organizations(
    txn: &DatabaseTransaction,
    ids: &[i64],
) -> Result<(), DbErr> {
    let mut words = Vec::new();
    let mut terms = Vec::new();
    for chunk in ids.chunks(BATCH) {
        search_term::Entity::delete_many()
            .filter(search_term::Column::RecordId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        search_word::Entity::delete_many()
            .filter(search_word::Column::RecordId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for a in alias::Entity::find()
            .filter(alias::Column::RecordId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            aliases.entry(a.record_id).or_default().push(a.name);
        }
        for o in organization::Entity::find()
            .filter(organization::Column::OrganizationId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            let mut texts = Vec::new();
            named(
                &mut texts,
                &o.name,
                o.name_en.as_deref(),
                o.description.as_deref(),
            );
            let own = aliases.remove(&o.organization_id).unwrap_or_default();
            texts.extend(own.iter().map(|name| (2, name.as_str())));
            index(
                o.organization_id,
                RecordKind::Organization,
                Class::Organization,
                &texts,
                &mut words,
                &mut terms,
            );
        }
    }
    insert(txn, terms).await?;
    write_words(txn, words).await
}

/// An entity's names and description as searched: 3 for the name, 2 for the English name, 1
/// for the description.
fn named<'a>(
    texts: &mut Vec<(i32, &'a str)>,
    name: &'a str,
    name_en: Option<&'a str>,
    description: Option<&'a str>,
) {
    texts.push((3, name));
    texts.extend(name_en.map(|n| (2, n)));
    texts.extend(description.map(|d| (1, d)));
}

/// Replaces the gazetteer's citations of the loaded places with those of this load's matches,
/// writing the gazetteer's source row on the first match. The source is not one of the load's:
/// no seed file declares it, and an export leaves it out (its coordinates are derived again
/// when the exported files load). Returns how many citations it wrote.
async fn cite_gazetteer(
    txn: &DatabaseTransaction,
    places: &[i64],
    matched: Vec<(i64, String, String)>,
) -> Result<usize, DbErr> {
    let find = || {
        source::Entity::find()
            .select_only()
            .column(source::Column::SourceId)
            .filter(source::Column::Slug.eq(gazetteer::SOURCE_SLUG))
            .into_tuple::<i64>()
            .one(txn)
    };
    if !matched.is_empty() {
        let row = source::ActiveModel {
            slug: Set(gazetteer::SOURCE_SLUG.to_owned()),
            title: Set(gazetteer::SOURCE_TITLE.to_owned()),
            url: Set(Some(gazetteer::SOURCE_URL.to_owned())),
            publisher_id: Set(None),
            language: Set("en".to_owned()),
            published: Set(None),
            document: Set(None),
            description: Set(Some(gazetteer::SOURCE_DESCRIPTION.to_owned())),
            ..Default::default()
        };
        let update: Vec<source::Column> = source::Column::iter()
            .filter(|c| !matches!(c, source::Column::SourceId | source::Column::Slug))
            .collect();
        source::Entity::insert(row)
            .on_conflict(
                OnConflict::column(source::Column::Slug)
                    .update_columns(update)
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    let Some(source_id) = find().await? else {
        return Ok(0);
    };
    for chunk in places.chunks(BATCH) {
        citation::Entity::delete_many()
            .filter(citation::Column::RecordId.is_in(chunk.iter().copied()))
            .filter(citation::Column::SourceId.eq(source_id))
            .exec(txn)
            .await?;
    }
    let written = matched.len();
    let rows: Vec<citation::ActiveModel> = matched
        .into_iter()
        .map(|(record_id, quote, reasoning)| citation::ActiveModel {
            record_id: Set(record_id),
            alias_id: Set(None),
            source_id: Set(source_id),
            quote: Set(quote),
            basis: Set(CitationBasis::Inferred),
            reasoning: Set(Some(reasoning)),
            ..Default::default()
        })
        .collect();
    insert(txn, rows).await?;
    Ok(written)
}

/// The texts search matches for an entity, with their weights: 3 for the name, 2 for English
/// names and aliases, 1 for descriptions.
fn searchable(r: &RecordRow) -> Vec<(i32, &str)> {
    fn named_row<'a>(
        texts: &mut Vec<(i32, &'a str)>,
        names: &'a Names,
        description: Option<&'a String>,
    ) {
        named(
            texts,
            &names.name,
            names.name_en.as_deref(),
            description.map(String::as_str),
        );
    }
    let mut texts: Vec<(i32, &str)> = Vec::new();
    match &r.row {
        Row::Organization(o) => named_row(&mut texts, &o.names, o.description.as_ref()),
        Row::Place(p) => named_row(&mut texts, &p.names, None),
        Row::Programme(p) => named_row(&mut texts, &p.names, p.description.as_ref()),
        Row::Project(p) => named_row(&mut texts, &p.names, p.description.as_ref()),
        Row::Event(e) => named_row(&mut texts, &e.names, e.description.as_ref()),
        Row::Topic(t) => named_row(&mut texts, &t.names, t.description.as_ref()),
        Row::TargetGroup(g) => named_row(&mut texts, &g.names, g.description.as_ref()),
        Row::Person(p) => {
            texts.push((3, &p.name));
            texts.extend(p.description.as_deref().map(|d| (1, d)));
        }
        Row::Outcome(o) => {
            texts.push((2, &o.description));
            texts.extend(o.description_en.as_deref().map(|d| (2, d)));
            texts.extend(o.indicator.as_deref().map(|d| (1, d)));
        }
        _ => {}
    }
    texts.extend(r.aliases.iter().map(|(name, _)| (2, name.as_str())));
    texts
}

/// Whether records of this kind are relations (they have no aliases).
fn is_relation(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Participation
            | RecordKind::Funding
            | RecordKind::OrganizationRelation
            | RecordKind::Position
            | RecordKind::Classification
            | RecordKind::Audience
    )
}

/// Whether a loaded entity is an organization, and then whether its row says it is a library.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Library,
    /// An organization loaded without library details: a library all the same if an earlier load
    /// gave it some.
    Organization,
    Other,
}

/// A `search_word` row before its record's class is settled.
struct PendingWord {
    record_id: i64,
    kind: RecordKind,
    class: Class,
    word: String,
    sort_key: i32,
    exact_key: Option<i32>,
}

/// Writes the loaded entities' search words and the word forms they add to `search_pair`.
async fn write_words(txn: &DatabaseTransaction, words: Vec<PendingWord>) -> Result<(), DbErr> {
    let unsettled: BTreeSet<i64> = words
        .iter()
        .filter(|w| w.class == Class::Organization)
        .map(|w| w.record_id)
        .collect();
    let unsettled: Vec<i64> = unsettled.into_iter().collect();
    let mut libraries = HashSet::new();
    for chunk in unsettled.chunks(BATCH) {
        libraries.extend(
            library::Entity::find()
                .select_only()
                .column(library::Column::OrganizationId)
                .filter(library::Column::OrganizationId.is_in(chunk.iter().copied()))
                .into_tuple::<i64>()
                .all(txn)
                .await?,
        );
    }
    let mut pairs = BTreeSet::new();
    let rows: Vec<search_word::ActiveModel> = words
        .into_iter()
        .map(|w| {
            let class = match w.class {
                Class::Library => "library",
                Class::Organization if libraries.contains(&w.record_id) => "library",
                _ => w.kind.as_str(),
            };
            pairs.insert((w.word.clone(), class));
            search_word::ActiveModel {
                word: Set(w.word),
                class: Set(class.to_owned()),
                sort_key: Set(w.sort_key),
                record_id: Set(w.record_id),
                exact_key: Set(w.exact_key),
            }
        })
        .collect();
    insert(txn, rows).await?;
    let pairs: Vec<search_pair::ActiveModel> = pairs
        .into_iter()
        .map(|(word, class)| search_pair::ActiveModel {
            word: Set(word),
            class: Set(class.to_owned()),
        })
        .collect();
    for chunk in chunks(pairs) {
        search_pair::Entity::insert_many(chunk)
            .on_conflict_do_nothing_on([search_pair::Column::Word, search_pair::Column::Class])
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// `key → (record id, kind)` for the keys that exist.
async fn find_records(
    txn: &DatabaseTransaction,
    keys: &[&str],
) -> Result<HashMap<String, (i64, RecordKind)>, DbErr> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH) {
        for r in record::Entity::find()
            .filter(record::Column::Key.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            found.insert(r.key, (r.record_id, r.kind));
        }
    }
    Ok(found)
}

/// Inserts or updates rows by primary key (the first column of every entity table).
async fn upsert<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut columns = <A::Entity as EntityTrait>::Column::iter();
    let Some(key) = columns.next() else {
        return Ok(());
    };
    let rest: Vec<_> = columns.collect();
    let on_conflict = if rest.is_empty() {
        OnConflict::column(key).do_nothing().to_owned()
    } else {
        OnConflict::column(key).update_columns(rest).to_owned()
    };
    for chunk in chunks(rows) {
        <A::Entity as EntityTrait>::insert_many(chunk)
            .on_conflict(on_conflict.clone())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Plain batched inserts.
async fn insert<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    for chunk in chunks(rows) {
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

fn chunks<T>(rows: Vec<T>) -> impl Iterator<Item = Vec<T>> {
    let mut rows = rows.into_iter().peekable();
    std::iter::from_fn(move || {
        rows.peek()?;
        Some(rows.by_ref().take(BATCH).collect())
    })
}
