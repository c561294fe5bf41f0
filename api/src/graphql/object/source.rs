//! `Source`: a document facts are cited from, with its stored text.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{citation, source, source_text};

use super::value::PartialDate;
use super::{Citation, Organization, PageInput, by_id, child, child_connection, spec};

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
