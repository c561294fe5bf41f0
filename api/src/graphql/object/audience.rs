//! `Audience`: a record serves a target group.

use std::sync::Arc;

use async_graphql::{Context, Object};
use entities::{audience, target_group};

use super::{Record, TargetGroup, by_id};

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
