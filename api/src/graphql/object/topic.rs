//! `Topic`: an SDG or a theme, and the records classified under it.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{classification, topic};

use super::value::TopicKind;
use super::{Citation, PageInput, Record, by_ids, child, child_page, spec};

use crate::graphql::connection::{Conn, from_loaded};
use crate::graphql::id::{NodeType, encode};

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
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.topic_id).await
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
