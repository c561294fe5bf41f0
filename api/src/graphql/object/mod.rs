//! GraphQL object types, one per file. Each wraps a sea-orm model (`From<Model>`); related fields
//! load through the request's [`crate::store::loader::Loaders`], never with a query of their own.
//! Sibling types reach each other through the re-exports below, so no file imports another.
//!
//! - [`organization`]: the `Organization` interface and its implementors `Library` and
//!   `PartnerOrganization`, written once by one macro; [`funder`]: an organization as a funder.
//! - [`activity`]: the `Activity` union and `Programme`, `Project`, `Event`, written once by one
//!   macro; [`outcome`]: `Outcome` and what it is a result of.
//! - Relations: [`participation`], [`funding`], [`organization_relation`], [`position`].
//! - Context: [`place`], [`person`], [`topic`], [`target_group`].
//! - Provenance: [`source`], [`citation`], [`alias`], [`classification`], [`audience`], and
//!   [`record`], the union of everything a source can support.
//! - [`value`]: small value types and enums (`PartialDate`, `Period`, `Money`, `Alias`, kinds).

pub mod activity;
pub mod alias;
pub mod audience;
pub mod citation;
pub mod classification;
pub mod funder;
pub mod funding;
pub mod organization;
pub mod organization_relation;
pub mod outcome;
pub mod participation;
pub mod person;
pub mod place;
pub mod position;
pub mod record;
pub mod source;
pub mod target_group;
pub mod topic;
pub mod value;

use std::sync::Arc;

use async_graphql::Context;
use sea_orm::EntityTrait;

use super::connection::{Conn, Total, from_page};
use crate::store::loader::{ById, ChildCount, ChildSpecOf, Children, LoadError, Loaders};
use crate::store::page::{Page, PageArgs};
use crate::store::row::Decode;

pub use activity::{Activity, Event, Programme, Project};
pub use alias::aliases;
pub use audience::Audience;
pub use citation::Citation;
pub use classification::Classification;
pub use funder::Funder;
pub use funding::Funding;
pub use organization::{Library, Organization, PartnerOrganization};
pub use organization_relation::OrganizationRelation;
pub use outcome::{Outcome, OutcomeSubject};
pub use participation::Participation;
pub use person::Person;
pub use place::Place;
pub use position::Position;
pub use record::Record;
pub use source::Source;
pub use target_group::TargetGroup;
pub use topic::Topic;

pub use crate::store::order::{by_date, by_key, by_name, child, spec};

use super::executor::lean::{lean_abstract, lean_objects};

// The types that connections hold, or that relations return through `Lean`.
lean_objects!(
    Audience,
    Citation,
    Classification,
    Event,
    Funder,
    Funding,
    Library,
    OrganizationRelation,
    Outcome,
    PartnerOrganization,
    Person,
    Place,
    Position,
    Programme,
    Project,
    Source,
    TargetGroup,
    Topic,
);
lean_abstract!(Organization {
    Library,
    PartnerOrganization
});
lean_abstract!(Activity {
    Project,
    Programme,
    Event
});
lean_abstract!(Record {
    Library,
    PartnerOrganization,
    Place,
    Programme,
    Project,
    Event,
    Outcome,
    Person,
    Topic,
    TargetGroup,
    Participation,
    Funding,
    OrganizationRelation,
    Position,
    Classification,
    Audience,
});

/// The most rows a list without paging (aliases, identifiers) returns.
pub const BOUNDED_LIST: u64 = 100;

/// The request's loaders.
pub fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// A row by primary key, through the loader.
pub async fn by_id<E>(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Arc<E::Model>>>
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Clone + Send + Sync + 'static,
{
    let found = Box::pin(loaders(ctx)?.load_one(ById::<E>::new(&[id]))).await?;
    Ok(found.and_then(|rows| rows.first().cloned().flatten()))
}

/// Rows by primary key, in the order asked, through the loader.
pub async fn by_ids<E>(
    ctx: &Context<'_>,
    ids: &[i64],
) -> async_graphql::Result<Vec<Option<Arc<E::Model>>>>
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Clone + Send + Sync + 'static,
{
    Ok(by_ids_with::<E>(loaders(ctx)?, ids).await?)
}

/// [`by_ids`] through the given loaders.
pub async fn by_ids_with<E>(
    loaders: &Loaders,
    ids: &[i64],
) -> Result<Vec<Option<Arc<E::Model>>>, LoadError>
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Clone + Send + Sync + 'static,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = loaders.load_one(ById::<E>::new(ids)).await?;
    Ok(found.map_or_else(|| vec![None; ids.len()], |rows| rows.to_vec()))
}

/// Relay arguments of a connection field.
#[derive(Clone, Debug, Default)]
pub struct PageInput {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageInput {
    pub fn args(self) -> async_graphql::Result<PageArgs> {
        Ok(PageArgs::new(
            self.first,
            self.after,
            self.last,
            self.before,
        )?)
    }
}

/// One page of children of `parent`, and the total behind it.
pub async fn child_page<E>(
    ctx: &Context<'_>,
    parent: i64,
    spec: ChildSpecOf<E>,
    page: PageInput,
) -> async_graphql::Result<(Arc<Page<E::Model>>, Total)>
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Send + Sync + 'static,
{
    let total = Total::Children(ChildCount {
        parent,
        table: spec.table,
        parent_column: spec.parent_column,
        filters: spec.filters.clone(),
    });
    let key = Children::<E>::new(parent, spec, page.args()?);
    let found = Box::pin(loaders(ctx)?.load_one(key)).await?;
    Ok((found.unwrap_or_default(), total))
}

/// A connection of children wrapped one-to-one into nodes.
pub async fn child_connection<E, N>(
    ctx: &Context<'_>,
    parent: i64,
    spec: ChildSpecOf<E>,
    page: PageInput,
    node: impl FnMut(&Arc<E::Model>) -> N,
) -> async_graphql::Result<Conn<N>>
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Send + Sync + 'static,
    N: crate::graphql::executor::lean::LeanObject,
{
    let (page, total) = child_page::<E>(ctx, parent, spec, page).await?;
    Ok(from_page(&page, total, node))
}
