//! The context of activities: `Place`, `Person`, `Topic` (SDGs and themes), `TargetGroup`.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{
    audience, classification, event, organization, person, place, position, project, target_group,
    topic,
};

use super::activity::{Event, Project};
use super::provenance::Record;
use super::value::{PlaceKind, TopicKind};
use super::{
    Citation, Organization, PageInput, Position, by_id, by_ids, child, child_connection,
    child_page, spec,
};
use crate::graphql::connection::{Conn, from_loaded};
use crate::graphql::id::{NodeType, encode};

/// A country, region, city or address.
#[derive(Clone)]
pub struct Place(pub Arc<place::Model>);

impl Place {
    pub async fn load_opt(
        ctx: &Context<'_>,
        id: Option<i64>,
    ) -> async_graphql::Result<Option<Place>> {
        let Some(id) = id else { return Ok(None) };
        Ok(by_id::<place::Entity>(ctx, id).await?.map(Place))
    }
}

/// A country, region, city or address.
#[Object]
impl Place {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Place, self.0.place_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// What kind of place it is: a country, region, city, address…
    async fn kind(&self) -> PlaceKind {
        self.0.kind.into()
    }
    /// The name in the local language as the source writes it, with diacritics.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// BCP 47 language tag of `name`.
    async fn name_lang(&self) -> &str {
        &self.0.name_lang
    }
    /// English name, where known.
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }
    /// ISO 3166-1 alpha-2 code (`PL`, `MD`, `UA`) of the country the place is in, taken from the
    /// enclosing place when not stated; null when unknown.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }
    /// WGS 84 latitude, where known.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// WGS 84 longitude, where known.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// The place this one lies in (a city's region); null at the top.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Place>> {
        Place::load_opt(ctx, self.0.parent_id).await
    }
    /// Places directly within this one, by name.
    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Place>> {
        let spec = spec(&child::PLACE_CHILDREN, Vec::new());
        child_connection::<place::Entity, _>(
            ctx,
            self.0.place_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Place(m.clone()),
        )
        .await
    }
    /// Organizations located here (not in places within it), by name.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Organization>> {
        let spec = spec(&child::ORGANIZATIONS_OF_PLACE, Vec::new());
        child_connection::<organization::Entity, _>(
            ctx,
            self.0.place_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Organization::from_model(m.clone()),
        )
        .await
    }
    /// Projects located here (not in places within it), earliest first, undated last.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Project>> {
        let spec = spec(&child::PROJECTS_OF_PLACE, Vec::new());
        child_connection::<project::Entity, _>(
            ctx,
            self.0.place_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Project(m.clone()),
        )
        .await
    }
    /// Events held here (not in places within it), earliest first, undated last.
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Event>> {
        let spec = spec(&child::EVENTS_OF_PLACE, Vec::new());
        child_connection::<event::Entity, _>(
            ctx,
            self.0.place_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Event(m.clone()),
        )
        .await
    }
    /// Where the facts about this place come from, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        Citation::of(
            ctx,
            self.0.place_id,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}

/// A person named by the sources.
#[derive(Clone)]
pub struct Person(pub Arc<person::Model>);

/// A person named by the sources.
#[Object]
impl Person {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Person, self.0.person_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The name as the source writes it, with diacritics.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// BCP 47 language tag of `name`.
    async fn name_lang(&self) -> &str {
        &self.0.name_lang
    }
    /// Who the person is, written by the curators (a role as of the source's date).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Their roles at organizations, in the order recorded.
    async fn positions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Position>> {
        let spec = spec(&child::POSITIONS_OF_PERSON, Vec::new());
        child_connection::<position::Entity, _>(
            ctx,
            self.0.person_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Position(m.clone()),
        )
        .await
    }
    /// Where the facts about this person come from, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        Citation::of(
            ctx,
            self.0.person_id,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}

/// A UN Sustainable Development Goal or a theme (digital inclusion, climate…).
#[derive(Clone)]
pub struct Topic(pub Arc<topic::Model>);

impl Topic {
    /// The topics a record is classified under.
    pub async fn of(
        ctx: &Context<'_>,
        subject: i64,
        page: PageInput,
    ) -> async_graphql::Result<Conn<Topic>> {
        let spec = spec(&child::CLASSIFICATIONS_OF_SUBJECT, Vec::new());
        let (page, total) = child_page::<classification::Entity>(ctx, subject, spec, page).await?;
        let ids: Vec<i64> = page.rows.iter().map(|r| r.model.topic_id).collect();
        let nodes = by_ids::<topic::Entity>(ctx, &ids)
            .await?
            .into_iter()
            .map(|m| m.map(Topic))
            .collect();
        Ok(from_loaded(&page, total, nodes))
    }
}

/// A UN Sustainable Development Goal or a theme (digital inclusion, climate…).
#[Object]
impl Topic {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Topic, self.0.topic_id)
    }
    /// Stable, human-readable key (`sdg-4`, `digital-inclusion`), unique across all types: what the
    /// `topics` filters take.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Whether it is an SDG or a theme.
    async fn kind(&self) -> TopicKind {
        self.0.kind.into()
    }
    /// The goal's number as text, for SDGs (`"4"`); null for themes.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    /// The name as the source writes it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// BCP 47 language tag of `name`.
    async fn name_lang(&self) -> &str {
        &self.0.name_lang
    }
    /// English name, where known (the same as `name` when the source is in English).
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }
    /// What the topic covers: for an SDG the goal's official wording, for a theme the curators'
    /// definition.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Everything classified under this topic (projects, programmes, events, organizations…), in
    /// the order recorded.
    async fn subjects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Record>> {
        let spec = spec(&child::CLASSIFICATIONS_OF_TOPIC, Vec::new());
        let (page, total) = child_page::<classification::Entity>(
            ctx,
            self.0.topic_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        let ids: Vec<i64> = page.rows.iter().map(|r| r.model.subject_id).collect();
        let nodes = Record::load_many(ctx, &ids).await?;
        Ok(from_loaded(&page, total, nodes))
    }
    /// Where the topic is defined or named, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        Citation::of(
            ctx,
            self.0.topic_id,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}

/// A group of people a project or programme serves (children and families, job seekers…).
#[derive(Clone)]
pub struct TargetGroup(pub Arc<target_group::Model>);

impl TargetGroup {
    /// The target groups a record serves.
    pub async fn of(
        ctx: &Context<'_>,
        subject: i64,
        page: PageInput,
    ) -> async_graphql::Result<Conn<TargetGroup>> {
        let spec = spec(&child::AUDIENCES_OF_SUBJECT, Vec::new());
        let (page, total) = child_page::<audience::Entity>(ctx, subject, spec, page).await?;
        let ids: Vec<i64> = page.rows.iter().map(|r| r.model.target_group_id).collect();
        let nodes = by_ids::<target_group::Entity>(ctx, &ids)
            .await?
            .into_iter()
            .map(|m| m.map(TargetGroup))
            .collect();
        Ok(from_loaded(&page, total, nodes))
    }
}

/// A group of people a project or programme serves (children and families, job seekers…).
#[Object]
impl TargetGroup {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::TargetGroup, self.0.target_group_id)
    }
    /// Stable, human-readable key, unique across all types.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The name as the source writes it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// BCP 47 language tag of `name`.
    async fn name_lang(&self) -> &str {
        &self.0.name_lang
    }
    /// English name, where known (the same as `name` when the source is in English).
    async fn name_en(&self) -> Option<&str> {
        self.0.name_en.as_deref()
    }
    /// Who belongs to the group, written by the curators.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Everything that serves this group (projects, programmes, events…), in the order recorded.
    async fn served_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Record>> {
        let spec = spec(&child::AUDIENCES_OF_TARGET_GROUP, Vec::new());
        let (page, total) = child_page::<audience::Entity>(
            ctx,
            self.0.target_group_id,
            spec,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await?;
        let ids: Vec<i64> = page.rows.iter().map(|r| r.model.subject_id).collect();
        let nodes = Record::load_many(ctx, &ids).await?;
        Ok(from_loaded(&page, total, nodes))
    }
    /// Where the group is named, in the order recorded.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Citation>> {
        Citation::of(
            ctx,
            self.0.target_group_id,
            PageInput {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }
}
