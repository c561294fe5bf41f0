//! `TargetGroup`: a group of people activities serve.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{audience, target_group};

use super::{Citation, PageInput, Record, by_ids, child, child_page, spec};

use crate::graphql::connection::{Conn, from_loaded};
use crate::graphql::id::{NodeType, encode};

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
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.target_group_id).await
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
