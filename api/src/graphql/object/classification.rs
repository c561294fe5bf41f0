//! `Classification`: a record is about a topic.

use std::sync::Arc;

use async_graphql::{Context, Object};
use entities::{classification, topic};

use super::{Record, Topic, by_id};

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
