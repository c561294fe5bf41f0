//! `Place`: a country, region, city or address.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use entities::{event, organization, place, project};

use super::value::{GeoMatch, PlaceKind};
use super::{
    Citation, Event, Organization, PageInput, Project, by_id, child, child_connection, spec,
};

use crate::graphql::connection::Conn;
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
    /// WGS 84 latitude, where known: stated by a document or matched in the gazetteer
    /// (`geoMatch` says which; a matched one is cited to the gazetteer in `citations`).
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// WGS 84 longitude, where known (see `latitude`).
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// Where `latitude` and `longitude` come from, or why they are null.
    async fn geo_match(&self) -> GeoMatch {
        self.0.geo_match.into()
    }
    /// Why the place is located so, or not at all, in words: the GeoNames place it was matched
    /// to, the candidates that made it ambiguous, or the names that matched nothing. Null when a
    /// document states the coordinates.
    async fn geo_note(&self) -> Option<&str> {
        self.0.geo_note.as_deref()
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
    /// The record's version, raised by one by every change to it: an edit names the version
    /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        crate::graphql::edit::version(ctx, self.0.place_id).await
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
