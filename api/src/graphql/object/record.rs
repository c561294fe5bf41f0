//! `Record`: the union of everything a source can support, and loading records of any kind by id.

use std::collections::HashMap;

use async_graphql::{Context, Union};
use entities::{
    RecordKind, audience, classification, event, funding, organization, organization_relation,
    outcome, participation, person, place, position, programme, project, record, target_group,
    topic,
};

use super::{
    Audience, Classification, Event, Funding, Library, Organization, OrganizationRelation, Outcome,
    Participation, PartnerOrganization, Person, Place, Position, Programme, Project, TargetGroup,
    Topic, by_ids,
};

/// Anything a source can support: every entity and every relation.
#[derive(Union, Clone)]
pub enum Record {
    Library(Library),
    PartnerOrganization(PartnerOrganization),
    Place(Place),
    Programme(Programme),
    Project(Project),
    Event(Event),
    Outcome(Outcome),
    Person(Person),
    Topic(Topic),
    TargetGroup(TargetGroup),
    Participation(Participation),
    Funding(Funding),
    OrganizationRelation(OrganizationRelation),
    Position(Position),
    Classification(Classification),
    Audience(Audience),
}

impl Record {
    /// The records behind record ids, in order, whatever their types: one statement for the
    /// kinds, then one per type present.
    pub async fn load_many(
        ctx: &Context<'_>,
        ids: &[i64],
    ) -> async_graphql::Result<Vec<Option<Record>>> {
        let kinds = by_ids::<record::Entity>(ctx, ids).await?;
        let mut by_kind: HashMap<RecordKind, Vec<i64>> = HashMap::new();
        for (id, kind) in ids.iter().zip(&kinds) {
            if let Some(kind) = kind {
                by_kind.entry(kind.kind).or_default().push(*id);
            }
        }
        let mut found: HashMap<i64, Record> = HashMap::new();
        for (kind, ids) in by_kind {
            macro_rules! load {
                ($entity:ty, $wrap:expr) => {
                    for model in by_ids::<$entity>(ctx, &ids).await?.into_iter().flatten() {
                        let record: Record = $wrap(model.clone());
                        found.insert(record_id(&record), record);
                    }
                };
            }
            match kind {
                RecordKind::Organization => {
                    load!(
                        organization::Entity,
                        |m| match Organization::from_model(m) {
                            Organization::Library(l) => Record::Library(l),
                            Organization::PartnerOrganization(p) => Record::PartnerOrganization(p),
                        }
                    )
                }
                RecordKind::Place => load!(place::Entity, |m| Record::Place(Place(m))),
                RecordKind::Programme => {
                    load!(programme::Entity, |m| Record::Programme(Programme(m)))
                }
                RecordKind::Project => load!(project::Entity, |m| Record::Project(Project(m))),
                RecordKind::Event => load!(event::Entity, |m| Record::Event(Event(m))),
                RecordKind::Outcome => load!(outcome::Entity, |m| Record::Outcome(Outcome(m))),
                RecordKind::Person => load!(person::Entity, |m| Record::Person(Person(m))),
                RecordKind::Topic => load!(topic::Entity, |m| Record::Topic(Topic(m))),
                RecordKind::TargetGroup => load!(target_group::Entity, |m| Record::TargetGroup(
                    TargetGroup(m)
                )),
                RecordKind::Participation => {
                    load!(participation::Entity, |m| Record::Participation(
                        Participation::new(m)
                    ))
                }
                RecordKind::Funding => load!(funding::Entity, |m| Record::Funding(Funding(m))),
                RecordKind::OrganizationRelation => {
                    load!(organization_relation::Entity, |m| {
                        Record::OrganizationRelation(OrganizationRelation(m))
                    })
                }
                RecordKind::Position => load!(position::Entity, |m| Record::Position(Position(m))),
                RecordKind::Classification => {
                    load!(classification::Entity, |m| Record::Classification(
                        Classification(m)
                    ))
                }
                RecordKind::Audience => load!(audience::Entity, |m| Record::Audience(Audience(m))),
            }
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }
}

/// The record id of a loaded record.
fn record_id(record: &Record) -> i64 {
    match record {
        Record::Library(x) => x.0.organization_id,
        Record::PartnerOrganization(x) => x.0.organization_id,
        Record::Place(x) => x.0.place_id,
        Record::Programme(x) => x.0.programme_id,
        Record::Project(x) => x.0.project_id,
        Record::Event(x) => x.0.event_id,
        Record::Outcome(x) => x.0.outcome_id,
        Record::Person(x) => x.0.person_id,
        Record::Topic(x) => x.0.topic_id,
        Record::TargetGroup(x) => x.0.target_group_id,
        Record::Participation(x) => x.0.participation_id,
        Record::Funding(x) => x.0.funding_id,
        Record::OrganizationRelation(x) => x.0.organization_relation_id,
        Record::Position(x) => x.0.position_id,
        Record::Classification(x) => x.0.classification_id,
        Record::Audience(x) => x.0.audience_id,
    }
}
