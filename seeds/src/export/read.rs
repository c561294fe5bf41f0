//! Reading one source's file out of the snapshot: its citations, the records they cite, the home
//! of each cited entity, and the rows, aliases, identifiers and keys the file needs. Every read is
//! bounded by what the one source cites, in `IN (…)` lists of [`BATCH`].

use std::collections::{BTreeMap, HashMap, HashSet};

use entities::kinds::{CitationBasis, RecordKind};
use entities::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::build::{Builder, Keys};
use super::{BATCH, ExportError};
use crate::document::Document;

/// Quotes of one record (or one alias) from one source that share their basis and reasoning:
/// what one seed-file entry (`quote` + `inferred`) holds.
pub(super) struct Group {
    pub basis: CitationBasis,
    pub reasoning: Option<String>,
    pub quotes: Vec<String>,
}

/// What one source says of one record, in the order it was entered.
#[derive(Default)]
pub(super) struct Cites {
    pub own: Vec<Group>,
    /// By alias id.
    pub aliases: BTreeMap<i64, Vec<Group>>,
}

fn add(groups: &mut Vec<Group>, c: citation::Model) {
    match groups
        .iter_mut()
        .find(|g| g.basis == c.basis && g.reasoning == c.reasoning)
    {
        Some(group) => group.quotes.push(c.quote),
        None => groups.push(Group {
            basis: c.basis,
            reasoning: c.reasoning,
            quotes: vec![c.quote],
        }),
    }
}

/// Whether records of `kind` have a slug (and so a home file) rather than a derived key.
pub(super) fn is_entity(kind: RecordKind) -> bool {
    !matches!(
        kind,
        RecordKind::Participation
            | RecordKind::Funding
            | RecordKind::OrganizationRelation
            | RecordKind::Position
            | RecordKind::Classification
            | RecordKind::Audience
    )
}

/// Refuses a database holding a record or an alias that no source cites: no file could declare
/// it (every record and alias in a seed file needs a quote), and an export without it would
/// lose it. An anti-join (`NOT EXISTS`), which both databases run as one pass over the index.
pub(super) async fn refuse_uncited(txn: &DatabaseTransaction) -> Result<(), ExportError> {
    let uncited: Vec<String> = record::Entity::find()
        .select_only()
        .column(record::Column::Key)
        .filter(Expr::not_exists(
            Query::select()
                .expr(Expr::val(1))
                .from(citation::Entity)
                .and_where(
                    Expr::col((citation::Entity, citation::Column::RecordId))
                        .equals((record::Entity, record::Column::RecordId)),
                )
                .to_owned(),
        ))
        .order_by_asc(record::Column::Key)
        .limit(6)
        .into_tuple()
        .all(txn)
        .await?;
    if !uncited.is_empty() {
        return Err(ExportError::Inexpressible {
            record: listed(&uncited),
            reason: "no source cites it, and a seed file declares a record only with a quote"
                .into(),
        });
    }
    let uncited: Vec<(i64, String)> = alias::Entity::find()
        .select_only()
        .column(alias::Column::RecordId)
        .column(alias::Column::Name)
        .filter(Expr::not_exists(
            Query::select()
                .expr(Expr::val(1))
                .from(citation::Entity)
                .and_where(
                    Expr::col((citation::Entity, citation::Column::AliasId))
                        .equals((alias::Entity, alias::Column::AliasId)),
                )
                .to_owned(),
        ))
        .order_by_asc(alias::Column::AliasId)
        .limit(6)
        .into_tuple()
        .all(txn)
        .await?;
    if !uncited.is_empty() {
        let keys = keys(txn, uncited.iter().map(|(id, _)| *id)).await?;
        let named: Vec<String> = uncited
            .iter()
            .map(|(id, name)| {
                let key = keys.get(id).map_or("?", |(_, key)| key.as_str());
                format!("alias \"{name}\" of \"{key}\"")
            })
            .collect();
        return Err(ExportError::Inexpressible {
            record: listed(&named),
            reason: "no source cites it, and a seed file declares an alias only with a quote"
                .into(),
        });
    }
    Ok(())
}

/// At most five names, and "…" when there are more.
fn listed(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(5)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 5 {
        text.push_str(", …");
    }
    text
}

/// The file of `source`: the records it is the home of, in full; a `[[citation]]` for every
/// other entity it cites; every relation it cites, restated.
pub(super) async fn document(
    txn: &DatabaseTransaction,
    source: &source::Model,
    rank: &HashMap<i64, usize>,
) -> Result<Document, ExportError> {
    // What the source says, record by record.
    let mut cited: HashMap<i64, Cites> = HashMap::new();
    for c in citation::Entity::find()
        .filter(citation::Column::SourceId.eq(source.source_id))
        .order_by_asc(citation::Column::CitationId)
        .all(txn)
        .await?
    {
        let cites = cited.entry(c.record_id).or_default();
        match c.alias_id {
            None => add(&mut cites.own, c),
            Some(alias) => add(cites.aliases.entry(alias).or_default(), c),
        }
    }
    let records = keys(txn, cited.keys().copied()).await?;

    // The entities among them, their aliases, and which of them this file declares.
    let entities: Vec<i64> = records
        .iter()
        .filter(|(_, (kind, _))| is_entity(*kind))
        .map(|(id, _)| *id)
        .collect();
    let mut aliases: HashMap<i64, Vec<alias::Model>> = HashMap::new();
    for chunk in entities.chunks(BATCH) {
        for a in alias::Entity::find()
            .filter(alias::Column::RecordId.is_in(chunk.iter().copied()))
            .order_by_asc(alias::Column::AliasId)
            .all(txn)
            .await?
        {
            aliases.entry(a.record_id).or_default().push(a);
        }
    }
    let homes = homes(txn, &entities, &aliases, rank, &records).await?;
    let declared: HashSet<i64> = homes
        .iter()
        .filter(|(_, home)| **home == source.source_id)
        .map(|(id, _)| *id)
        .collect();

    // The rows of what the file states in full.
    let mut wanted: BTreeMap<RecordKind, Vec<i64>> = BTreeMap::new();
    for (id, (kind, _)) in &records {
        if !is_entity(*kind) || declared.contains(id) {
            wanted.entry(*kind).or_default().push(*id);
        }
    }
    let rows = Rows::fetch(txn, &wanted).await?;

    // The keys of every record those rows name.
    let mut keys_of: HashMap<i64, String> = records
        .iter()
        .map(|(id, (_, key))| (*id, key.clone()))
        .collect();
    let missing: Vec<i64> = rows
        .references()
        .chain(source.publisher_id)
        .filter(|id| !keys_of.contains_key(id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    keys_of.extend(
        keys(txn, missing)
            .await?
            .into_iter()
            .map(|(id, (_, key))| (id, key)),
    );
    let keys = Keys(keys_of);

    let text = source_text::Entity::find_by_id(source.source_id)
        .one(txn)
        .await?
        .map(|t| t.text);
    let mut builder = Builder::new(source, text, &keys, &rows, &aliases)?;
    let mut order: Vec<(&str, RecordKind, i64)> = records
        .iter()
        .map(|(id, (kind, key))| (key.as_str(), *kind, *id))
        .collect();
    order.sort_unstable();
    for (key, kind, id) in order {
        let cites = cited.remove(&id).unwrap_or_default();
        builder.record(key, kind, id, cites, declared.contains(&id))?;
    }
    Ok(builder.finish())
}

/// `record id → (kind, key)` of `ids`.
async fn keys(
    txn: &DatabaseTransaction,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, (RecordKind, String)>, DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        for r in record::Entity::find()
            .filter(record::Column::RecordId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            found.insert(r.record_id, (r.kind, r.key));
        }
    }
    Ok(found)
}

/// The home source of each of `entities` (see the module doc): of the sources citing the entity
/// itself and each of its aliases, the first by slug.
async fn homes(
    txn: &DatabaseTransaction,
    entities: &[i64],
    aliases: &HashMap<i64, Vec<alias::Model>>,
    rank: &HashMap<i64, usize>,
    records: &HashMap<i64, (RecordKind, String)>,
) -> Result<HashMap<i64, i64>, ExportError> {
    // (entity, source) → (cites the entity itself, aliases it cites)
    let mut seen: HashMap<(i64, i64), (bool, HashSet<i64>)> = HashMap::new();
    for chunk in entities.chunks(BATCH) {
        let rows: Vec<(i64, i64, Option<i64>)> = citation::Entity::find()
            .select_only()
            .column(citation::Column::RecordId)
            .column(citation::Column::SourceId)
            .column(citation::Column::AliasId)
            .filter(citation::Column::RecordId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        for (record, source, alias) in rows {
            let entry = seen.entry((record, source)).or_default();
            match alias {
                None => entry.0 = true,
                Some(alias) => {
                    entry.1.insert(alias);
                }
            }
        }
    }
    let mut homes: HashMap<i64, (usize, i64)> = HashMap::new();
    for ((record, source), (itself, cited_aliases)) in seen {
        let all_aliases = aliases.get(&record).map_or(0, Vec::len);
        let Some(&rank) = rank.get(&source) else {
            continue;
        };
        if itself && cited_aliases.len() == all_aliases {
            let home = homes.entry(record).or_insert((rank, source));
            if rank < home.0 {
                *home = (rank, source);
            }
        }
    }
    if let Some(homeless) = entities.iter().find(|id| !homes.contains_key(id)) {
        let (kind, key) = &records[homeless];
        return Err(ExportError::Inexpressible {
            record: format!("{kind} \"{key}\""),
            reason: "no one source cites both the record itself and every one of its aliases, \
                     and a seed file declares an alias only with its entity and a quote from \
                     the same source"
                .into(),
        });
    }
    Ok(homes
        .into_iter()
        .map(|(record, (_, source))| (record, source))
        .collect())
}

/// The rows of the records one file states in full, by record id.
#[derive(Default)]
pub(super) struct Rows {
    pub organizations: HashMap<i64, organization::Model>,
    pub libraries: HashMap<i64, library::Model>,
    /// By organization, in the order they were entered.
    pub identifiers: HashMap<i64, Vec<identifier::Model>>,
    pub places: HashMap<i64, place::Model>,
    pub programmes: HashMap<i64, programme::Model>,
    pub projects: HashMap<i64, project::Model>,
    pub events: HashMap<i64, event::Model>,
    pub outcomes: HashMap<i64, outcome::Model>,
    pub people: HashMap<i64, person::Model>,
    pub topics: HashMap<i64, topic::Model>,
    pub target_groups: HashMap<i64, target_group::Model>,
    pub fundings: HashMap<i64, funding::Model>,
    pub participations: HashMap<i64, participation::Model>,
    pub relations: HashMap<i64, organization_relation::Model>,
    pub positions: HashMap<i64, position::Model>,
    pub classifications: HashMap<i64, classification::Model>,
    pub audiences: HashMap<i64, audience::Model>,
}

/// The rows of `E` whose `column` is one of `ids`, by `id(row)`.
async fn fetch<E: EntityTrait>(
    txn: &DatabaseTransaction,
    column: E::Column,
    ids: &[i64],
    id: fn(&E::Model) -> i64,
) -> Result<HashMap<i64, E::Model>, DbErr> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        for row in E::find()
            .filter(column.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            rows.insert(id(&row), row);
        }
    }
    Ok(rows)
}

impl Rows {
    async fn fetch(
        txn: &DatabaseTransaction,
        wanted: &BTreeMap<RecordKind, Vec<i64>>,
    ) -> Result<Rows, DbErr> {
        let mut rows = Rows::default();
        for (kind, ids) in wanted {
            // The rows of one table, by its key column.
            macro_rules! table {
                ($table:ident, $column:ident, $id:ident) => {
                    fetch::<$table::Entity>(txn, $table::Column::$column, ids, |r| r.$id).await?
                };
            }
            match kind {
                RecordKind::Organization => {
                    rows.organizations = fetch::<organization::Entity>(
                        txn,
                        organization::Column::OrganizationId,
                        ids,
                        |r| r.organization_id,
                    )
                    .await?;
                    rows.libraries =
                        fetch::<library::Entity>(txn, library::Column::OrganizationId, ids, |r| {
                            r.organization_id
                        })
                        .await?;
                    for chunk in ids.chunks(BATCH) {
                        for i in identifier::Entity::find()
                            .filter(identifier::Column::OrganizationId.is_in(chunk.iter().copied()))
                            .order_by_asc(identifier::Column::IdentifierId)
                            .all(txn)
                            .await?
                        {
                            rows.identifiers
                                .entry(i.organization_id)
                                .or_default()
                                .push(i);
                        }
                    }
                }
                RecordKind::Place => rows.places = table!(place, PlaceId, place_id),
                RecordKind::Programme => {
                    rows.programmes = table!(programme, ProgrammeId, programme_id)
                }
                RecordKind::Project => rows.projects = table!(project, ProjectId, project_id),
                RecordKind::Event => rows.events = table!(event, EventId, event_id),
                RecordKind::Outcome => rows.outcomes = table!(outcome, OutcomeId, outcome_id),
                RecordKind::Person => rows.people = table!(person, PersonId, person_id),
                RecordKind::Topic => rows.topics = table!(topic, TopicId, topic_id),
                RecordKind::TargetGroup => {
                    rows.target_groups = table!(target_group, TargetGroupId, target_group_id)
                }
                RecordKind::Funding => rows.fundings = table!(funding, FundingId, funding_id),
                RecordKind::Participation => {
                    rows.participations = table!(participation, ParticipationId, participation_id)
                }
                RecordKind::OrganizationRelation => {
                    rows.relations = table!(
                        organization_relation,
                        OrganizationRelationId,
                        organization_relation_id
                    )
                }
                RecordKind::Position => rows.positions = table!(position, PositionId, position_id),
                RecordKind::Classification => {
                    rows.classifications =
                        table!(classification, ClassificationId, classification_id)
                }
                RecordKind::Audience => rows.audiences = table!(audience, AudienceId, audience_id),
            }
        }
        Ok(rows)
    }

    /// The ids of every record these rows refer to.
    fn references(&self) -> impl Iterator<Item = i64> + '_ {
        let organizations = self.organizations.values().flat_map(|o| o.place_id);
        let libraries = self.libraries.values().flat_map(|l| l.parent_library_id);
        let places = self.places.values().flat_map(|p| p.parent_id);
        let programmes = self.programmes.values().flat_map(|p| p.parent_id);
        let projects = self
            .projects
            .values()
            .flat_map(|p| [p.programme_id, p.place_id].into_iter().flatten());
        let events = self.events.values().flat_map(|e| {
            [e.place_id, e.project_id, e.programme_id, e.part_of_id]
                .into_iter()
                .flatten()
        });
        let outcomes = self.outcomes.values().map(|o| o.subject_id);
        let fundings = self.fundings.values().flat_map(|f| {
            [
                Some(f.funder_id),
                Some(f.recipient_id),
                f.programme_id,
                f.intermediary_id,
            ]
            .into_iter()
            .flatten()
        });
        let participations = self
            .participations
            .values()
            .flat_map(|p| [p.organization_id, p.target_id]);
        let relations = self
            .relations
            .values()
            .flat_map(|r| [r.subject_id, r.object_id]);
        let positions = self
            .positions
            .values()
            .flat_map(|p| [p.person_id, p.organization_id]);
        let classifications = self
            .classifications
            .values()
            .flat_map(|c| [c.subject_id, c.topic_id]);
        let audiences = self
            .audiences
            .values()
            .flat_map(|a| [a.subject_id, a.target_group_id]);
        organizations
            .chain(libraries)
            .chain(places)
            .chain(programmes)
            .chain(projects)
            .chain(events)
            .chain(outcomes)
            .chain(fundings)
            .chain(participations)
            .chain(relations)
            .chain(positions)
            .chain(classifications)
            .chain(audiences)
    }
}
