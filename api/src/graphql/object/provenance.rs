//! Provenance: `Source` documents, the `Citation`s that tie each record to a quote in one, and
//! the `Record` union (anything a citation can support).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, Object, Union};
use entities::{
    RecordKind, alias, audience, citation, classification, event, funding, organization,
    organization_relation, outcome, participation, person, place, position, programme, project,
    record, source, source_text, target_group, topic,
};

use super::activity::{Event, Outcome, Programme, Project};
use super::organization::{Library, PartnerOrganization};
use super::value::{Alias, CitationBasis, PartialDate};
use super::{
    Funding, Organization, OrganizationRelation, PageInput, Participation, Person, Place, Position,
    TargetGroup, Topic, by_id, by_ids, child, child_connection, spec,
};
use crate::graphql::connection::Conn;
use crate::graphql::executor::lean::Lean;
use crate::graphql::id::{NodeType, encode};

/// A document facts are cited from.
#[derive(Clone)]
pub struct Source(pub Arc<source::Model>);

/// A document facts are cited from.
#[Object]
impl Source {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Source, self.0.source_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The document's title, verbatim.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Where it was published (URL); null when unknown.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// The organization that published it; null when unknown.
    async fn publisher(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        let Some(id) = self.0.publisher_id else {
            return Ok(None);
        };
        Organization::load(ctx, id).await
    }
    /// BCP 47 language tag of the document.
    async fn language(&self) -> &str {
        &self.0.language
    }
    /// When it was published, as precisely as known; null when undated.
    async fn published(&self) -> Option<PartialDate> {
        PartialDate::from_edtf(self.0.published.as_deref())
    }
    /// Where the stored copy of its text came from: a path relative to the seed file that declares the source (the curated copies are in the repository's `seeds/documents/`, such as `../documents/frsi-what-we-do.txt`); null when no copy is stored. The text itself is `text`.
    async fn document(&self) -> Option<&str> {
        self.0.document.as_deref()
    }
    /// The document's stored text, verbatim: every quote citing this source stands in it, so a quote can be read in its context. Also served as plain text at `/sources/{slug}.txt`. Null when no copy is stored.
    async fn text(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(by_id::<source_text::Entity>(ctx, self.0.source_id)
            .await?
            .map(|t| t.text.clone()))
    }
    /// What the document is, written by the curators.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Every citation quoting this source, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        let spec = spec(&child::CITATIONS_OF_SOURCE, Vec::new());
        child_connection::<citation::Entity, _>(
            ctx,
            self.0.source_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Citation(m.clone()),
        )
        .await
    }
}

/// One quote from a source supporting one record: where a fact comes from.
#[derive(Clone)]
pub struct Citation(pub Arc<citation::Model>);

impl Citation {
    /// The citations of a record itself; those of its aliases are the aliases' own.
    pub async fn of(
        ctx: &Context<'_>,
        record: i64,
        page: PageInput,
    ) -> async_graphql::Result<Conn<Citation>> {
        let spec = spec(&child::CITATIONS_OF_RECORD, Vec::new());
        child_connection::<citation::Entity, _>(ctx, record, spec, page, |m| Citation(m.clone()))
            .await
    }
}

/// One quote from a source supporting one record: where a fact comes from.
#[Object]
impl Citation {
    /// The document quoted (null only if its record is missing).
    async fn source(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Source>> {
        Ok(by_id::<source::Entity>(ctx, self.0.source_id)
            .await?
            .map(Source))
    }
    /// The passage, verbatim in the source's language.
    async fn quote(&self) -> &str {
        &self.0.quote
    }
    /// Whether the quote states the fact or the fact was inferred from it.
    async fn basis(&self) -> CitationBasis {
        self.0.basis.into()
    }
    /// For inferred facts: how they follow from the quote; null for stated ones.
    async fn reasoning(&self) -> Option<&str> {
        self.0.reasoning.as_deref()
    }
    /// The alias of `record` this citation supports; null when it supports the record itself.
    async fn alias(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Alias>> {
        let Some(alias_id) = self.0.alias_id else {
            return Ok(None);
        };
        Ok(by_id::<alias::Entity>(ctx, alias_id).await?.map(|a| Alias {
            alias_id: a.alias_id,
            name: a.name.clone(),
            lang: a.lang.clone(),
        }))
    }
    /// The record this citation supports: an entity or a relation (null only if it is missing); for a citation of an alias, the entity it names.
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Record>> {
        Ok(Record::load_many(ctx, &[self.0.record_id])
            .await?
            .pop()
            .flatten())
    }
}

#[ComplexObject]
impl Alias {
    /// Where this name comes from: the quote that states it, or (basis `INFERRED`, with the reasoning) the quote it is inferred from; in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        let spec = spec(&child::CITATIONS_OF_ALIAS, Vec::new());
        child_connection::<citation::Entity, _>(
            ctx,
            self.alias_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Citation(m.clone()),
        )
        .await
    }
}

/// A record is about a topic.
#[derive(Clone)]
pub struct Classification(pub Arc<classification::Model>);

/// A record is about a topic.
#[Object]
impl Classification {
    /// The record classified: a project, programme, event, organization… (null only if it is
    /// missing).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Record>> {
        Ok(Record::load_many(ctx, &[self.0.subject_id])
            .await?
            .pop()
            .flatten())
    }
    /// The topic or SDG it is about (null only if it is missing).
    async fn topic(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Topic>> {
        Ok(by_id::<topic::Entity>(ctx, self.0.topic_id)
            .await?
            .map(Topic))
    }
}

/// A record serves a target group.
#[derive(Clone)]
pub struct Audience(pub Arc<audience::Model>);

/// A record serves a target group.
#[Object]
impl Audience {
    /// The record that serves the group: a project, programme, event… (null only if it is missing).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Record>> {
        Ok(Record::load_many(ctx, &[self.0.subject_id])
            .await?
            .pop()
            .flatten())
    }
    /// The group of people it serves (null only if it is missing).
    async fn target_group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TargetGroup>> {
        Ok(by_id::<target_group::Entity>(ctx, self.0.target_group_id)
            .await?
            .map(TargetGroup))
    }
}

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
