//! The `Organization` interface and its implementors `Library` and `PartnerOrganization`.
//!
//! Both implementors share every organization field; `organization_object!` writes those
//! resolvers once and expands them into each type, so the two cannot drift apart: that is why the
//! two types share this file.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};
use entities::{
    funding, identifier, library, organization, organization_relation, participation, position,
};

use super::value::{
    Alias, Identifier, LibraryType, OrganizationKind, OrganizationRelationKind, Role,
};
use super::{
    BOUNDED_LIST, Citation, Funder, Funding, OrganizationRelation, Outcome, PageInput,
    Participation, Place, Position, Topic, aliases, by_id, by_ids, by_ids_with, child,
    child_connection, child_page, loaders, spec,
};

use crate::graphql::collaboration::CollaboratorConnection;
use crate::graphql::connection::{Conn, from_loaded};
use crate::graphql::executor::lean::Lean;
use crate::graphql::id::{NodeType, encode};
use crate::graphql::input::CollaboratorFilter;
use crate::graphql::input::{RelationDirection, YearRange, participation_filters};
use crate::store::loader::{Filter, FilterValue};
use crate::store::loader::{LoadError, Loaders};

/// Any organization: a library, an NGO, a public authority, a network, an informal group, a crowd.
// clippy reads the repeated `ty = …` of the field list as duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface, Clone)]
#[graphql(
    field(name = "id", ty = "ID", desc = "Opaque global ID."),
    field(
        name = "slug",
        ty = "&str",
        desc = "Stable, human-readable key (`poltava-library-9`), unique across all types: what `organization(slug:)` and filters take."
    ),
    field(
        name = "kind",
        ty = "OrganizationKind",
        desc = "What kind of actor it is; `LIBRARY` exactly when this is a `Library`."
    ),
    field(
        name = "name",
        ty = "&str",
        desc = "The name as the source writes it, with diacritics."
    ),
    field(
        name = "name_lang",
        ty = "&str",
        desc = "BCP 47 language tag of `name`."
    ),
    field(
        name = "name_en",
        ty = "Option<&str>",
        desc = "English name, where known (the same as `name` when the source is in English)."
    ),
    field(
        name = "description",
        ty = "Option<&str>",
        desc = "A short description in English, written by the curators from the sources."
    ),
    field(
        name = "website",
        ty = "Option<&str>",
        desc = "Website URL, where the source gives one."
    ),
    field(
        name = "email",
        ty = "Option<&str>",
        desc = "Contact email address, where the source gives one."
    ),
    field(
        name = "phone",
        ty = "Option<&str>",
        desc = "Phone number as the source writes it (not normalised), where it gives one."
    ),
    field(
        name = "aliases",
        ty = "Vec<Alias>",
        desc = "Other names (acronyms, names in other languages), in the order recorded; at most 100."
    ),
    field(
        name = "place",
        ty = "Option<Place>",
        desc = "Where the organization is located (a city or an address); null when unknown."
    ),
    field(
        name = "identifiers",
        ty = "Vec<Identifier>",
        desc = "IDs in external registers (ISIL, Wikidata, KRS…), in the order recorded; at most 100."
    ),
    field(
        name = "participations",
        ty = "Conn<Participation>",
        desc = "The projects, programmes and events it takes part in, each with its role; earliest first by the participation's own dates, undated last. `roles` keeps those roles; `activeIn` keeps participations whose own dates overlap the years (undated ones never match).",
        arg(
            name = "roles",
            ty = "Option<Vec<Role>>",
            desc = "Keeps the participations in these roles; all when null."
        ),
        arg(
            name = "active_in",
            ty = "Option<YearRange>",
            desc = "Keeps the participations whose own dates overlap these years; undated ones never match."
        ),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "fundings_given",
        ty = "Conn<Funding>",
        desc = "The fundings it gives (where it is the funder), earliest first, undated last; the same list as `asFunder.fundings`.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "fundings_received",
        ty = "Conn<Funding>",
        desc = "The fundings it receives directly (where it is the recipient, as a ministry funds a library), earliest first, undated last; fundings of the projects, programmes and events it takes part in are theirs (`Project.fundings`).",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "relations",
        ty = "Conn<OrganizationRelation>",
        desc = "Membership, succession, renaming and other ties to other organizations, in the order recorded. `direction` (default `BOTH`) says which end this organization must be; `kinds` keeps those kinds.",
        arg(
            name = "direction",
            ty = "Option<RelationDirection>",
            desc = "Which end of the relation this organization must be; `BOTH` when null."
        ),
        arg(
            name = "kinds",
            ty = "Option<Vec<OrganizationRelationKind>>",
            desc = "Keeps the relations of these kinds; all when null."
        ),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "positions",
        ty = "Conn<Position>",
        desc = "People and their roles here, in the order recorded.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "outcomes",
        ty = "Conn<Outcome>",
        desc = "Results attributed to the organization itself (not to its projects), in the order recorded.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "topics",
        ty = "Conn<Topic>",
        desc = "Topics and SDGs the organization itself is classified under (not its projects), in the order recorded.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "collaborators",
        ty = "CollaboratorConnection",
        desc = "Organizations it shares projects, events or programmes with (through participations), strongest ties first. `filter` narrows the shared items and the collaborators; forward paging only (`first`, `after`).",
        arg(
            name = "filter",
            ty = "Option<CollaboratorFilter>",
            desc = "Narrows the shared activities (by role, period) and the collaborators (by kind, country); none when null."
        ),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>")
    ),
    field(
        name = "as_funder",
        ty = "Option<Funder>",
        desc = "The organization as a funder, with its totals; null if it funds nothing."
    ),
    field(
        name = "citations",
        ty = "Conn<Citation>",
        desc = "Citations supporting this organization's own record (its participations and relations have their own), in the order recorded.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "version",
        ty = "i64",
        desc = "The record's version, raised by one by every change to it: an edit names the version it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale."
    )
)]
pub enum Organization {
    Library(Library),
    PartnerOrganization(PartnerOrganization),
}

impl Organization {
    /// The right implementor for a row.
    pub fn from_model(model: Arc<organization::Model>) -> Self {
        if model.kind == entities::OrganizationKind::Library {
            Organization::Library(Library(model))
        } else {
            Organization::PartnerOrganization(PartnerOrganization(model))
        }
    }

    /// Loads an organization by row id.
    /// Wrapped in [`Lean`], as every field that returns an organization gives it.
    pub async fn load(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Lean<Self>>> {
        Ok(by_id::<organization::Entity>(ctx, id)
            .await?
            .map(|model| Lean(Organization::from_model(model))))
    }

    /// Loads organizations by row id, in order.
    pub async fn load_many(
        ctx: &Context<'_>,
        ids: &[i64],
    ) -> async_graphql::Result<Vec<Option<Self>>> {
        Ok(Self::load_many_with(loaders(ctx)?, ids).await?)
    }

    /// [`Organization::load_many`] through the given loaders.
    pub async fn load_many_with(
        loaders: &Loaders,
        ids: &[i64],
    ) -> Result<Vec<Option<Self>>, LoadError> {
        Ok(by_ids_with::<organization::Entity>(loaders, ids)
            .await?
            .into_iter()
            .map(|m| m.map(Organization::from_model))
            .collect())
    }
}

/// A library: an organization with library details.
#[derive(Clone)]
pub struct Library(pub Arc<organization::Model>);

/// An organization that is not a library: NGOs, foundations, public authorities, networks,
/// associations, informal groups, crowds, businesses, international bodies.
#[derive(Clone)]
pub struct PartnerOrganization(pub Arc<organization::Model>);

macro_rules! organization_object {
    ($(#[$meta:meta])* $ty:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[Object]
        impl $ty {
            /// Opaque global ID.
            pub async fn id(&self) -> ID {
                encode(NodeType::Organization, self.0.organization_id)
            }
            /// Stable, human-readable key (`poltava-library-9`), unique across all types: what
            /// `organization(slug:)` and filters take.
            pub async fn slug(&self) -> &str {
                &self.0.slug
            }
            /// What kind of actor it is; `LIBRARY` exactly when this is a `Library`.
            pub async fn kind(&self) -> OrganizationKind {
                self.0.kind.into()
            }
            /// The name as the source writes it, with diacritics.
            pub async fn name(&self) -> &str {
                &self.0.name
            }
            /// BCP 47 language tag of `name`.
            pub async fn name_lang(&self) -> &str {
                &self.0.name_lang
            }
            /// English name, where known (the same as `name` when the source is in English).
            pub async fn name_en(&self) -> Option<&str> {
                self.0.name_en.as_deref()
            }
            /// A short description in English, written by the curators from the sources.
            pub async fn description(&self) -> Option<&str> {
                self.0.description.as_deref()
            }
            /// Website URL, where the source gives one.
            pub async fn website(&self) -> Option<&str> {
                self.0.website.as_deref()
            }
            /// Contact email address, where the source gives one.
            pub async fn email(&self) -> Option<&str> {
                self.0.email.as_deref()
            }
            /// Phone number as the source writes it (not normalised), where it gives one.
            pub async fn phone(&self) -> Option<&str> {
                self.0.phone.as_deref()
            }
            /// Other names (acronyms, names in other languages), in the order recorded; at most
            /// 100.
            pub async fn aliases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Alias>> {
                aliases(ctx, self.0.organization_id).await
            }
            /// Where the organization is located (a city or an address); null when unknown.
            pub async fn place(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Place>> {
                Place::load_opt(ctx, self.0.place_id).await
            }
            /// IDs in external registers (ISIL, Wikidata, KRS…), in the order recorded; at most
            /// 100.
            pub async fn identifiers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Identifier>> {
                identifiers(ctx, self.0.organization_id).await
            }
            /// The projects, programmes and events it takes part in, each with its role; earliest
            /// first by the participation's own dates, undated last. `roles` keeps those roles;
            /// `activeIn` keeps participations whose own dates overlap the years (undated ones
            /// never match).
            pub async fn participations(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Keeps the participations in these roles; all when null.")] roles: Option<Vec<Role>>,
                #[graphql(desc = "Keeps the participations whose own dates overlap these years; undated ones never match.")] active_in: Option<YearRange>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Participation>> {
                participations(ctx, self.0.organization_id, roles, active_in, PageInput { first, after, last, before }).await
            }
            /// The fundings it gives (where it is the funder), earliest first, undated last; the
            /// same list as `asFunder.fundings`.
            pub async fn fundings_given(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Funding>> {
                let spec = spec(&child::FUNDINGS_GIVEN, Vec::new());
                child_connection::<funding::Entity, _>(ctx, self.0.organization_id, spec, PageInput { first, after, last, before }, |m| Funding(m.clone())).await
            }
            /// The fundings it receives directly (where it is the recipient, as a ministry funds a
            /// library), earliest first, undated last; fundings of the projects, programmes and
            /// events it takes part in are theirs (`Project.fundings`).
            pub async fn fundings_received(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Funding>> {
                // Read from `ix_funding_recipient_id_by_date`; an activity's `fundings` reads the
                // same column in the order recorded.
                let spec = spec(&child::FUNDINGS_OF_ORGANIZATION, Vec::new());
                child_connection::<funding::Entity, _>(ctx, self.0.organization_id, spec, PageInput { first, after, last, before }, |m| Funding(m.clone())).await
            }
            /// Membership, succession, renaming and other ties to other organizations, in the order
            /// recorded. `direction` (default `BOTH`) says which end this organization must be;
            /// `kinds` keeps those kinds.
            pub async fn relations(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Which end of the relation this organization must be; `BOTH` when null.")] direction: Option<RelationDirection>,
                #[graphql(desc = "Keeps the relations of these kinds; all when null.")] kinds: Option<Vec<OrganizationRelationKind>>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<OrganizationRelation>> {
                relations(ctx, self.0.organization_id, direction.unwrap_or_default(), kinds, PageInput { first, after, last, before }).await
            }
            /// People and their roles here, in the order recorded.
            pub async fn positions(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Position>> {
                let spec = spec(&child::POSITIONS_OF_ORGANIZATION, Vec::new());
                child_connection::<position::Entity, _>(ctx, self.0.organization_id, spec, PageInput { first, after, last, before }, |m| Position(m.clone())).await
            }
            /// Results attributed to the organization itself (not to its projects), in the order
            /// recorded.
            pub async fn outcomes(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Outcome>> {
                Outcome::of(ctx, self.0.organization_id, PageInput { first, after, last, before }).await
            }
            /// Topics and SDGs the organization itself is classified under (not its projects), in
            /// the order recorded.
            pub async fn topics(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Topic>> {
                Topic::of(ctx, self.0.organization_id, PageInput { first, after, last, before }).await
            }
            /// Organizations it shares projects, events or programmes with (through
            /// participations), strongest ties first. `filter` narrows the shared items and the
            /// collaborators; forward paging only (`first`, `after`). With a filter, the shared
            /// items' memberships are read, at most 150,000 for the organizations of one page
            /// (`TOO_BROAD` beyond).
            pub async fn collaborators(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Narrows the shared activities (by role, period) and the collaborators (by kind, country); none when null.")] filter: Option<CollaboratorFilter>,
                first: Option<i32>,
                after: Option<String>,
            ) -> async_graphql::Result<CollaboratorConnection> {
                crate::graphql::collaboration::collaborators(ctx, self.0.organization_id, filter.unwrap_or_default(), first, after).await
            }
            /// The organization as a funder, with its totals; null if it funds nothing.
            pub async fn as_funder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Funder>> {
                Funder::of(ctx, self.0.clone()).await
            }
            /// The record's version, raised by one by every change to it: an edit names the version
            /// it read (`recordStory(expectedVersions:)`) and is refused with `CONFLICT` if it is stale.
            pub async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
                crate::graphql::edit::version(ctx, self.0.organization_id).await
            }
            /// Citations supporting this organization's own record (its participations and
            /// relations have their own), in the order recorded.
            pub async fn citations(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Conn<Citation>> {
                Citation::of(ctx, self.0.organization_id, PageInput { first, after, last, before }).await
            }
            $($extra)*
        }
    };
}

organization_object! {
    /// A library: an organization with library details.
    Library {
        /// The administrative type (municipal, communal, regional…); null when the source does not
        /// say.
        pub async fn library_type(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LibraryType>> {
            Ok(self.details(ctx).await?.and_then(|d| d.library_type).map(Into::into))
        }
        /// Postal address as the source writes it, free text; null when not given.
        pub async fn address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
            Ok(self.details(ctx).await?.and_then(|d| d.address.clone()))
        }
        /// Opening hours as the source writes them, free text; null when not given.
        pub async fn opening_hours(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
            Ok(self.details(ctx).await?.and_then(|d| d.opening_hours.clone()))
        }
        /// The library this one is a branch of; null for a main library or when not stated.
        pub async fn parent_library(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Library>> {
            let Some(parent) = self.details(ctx).await?.and_then(|d| d.parent_library_id) else { return Ok(None) };
            Ok(by_id::<organization::Entity>(ctx, parent).await?.map(Library))
        }
        /// Its branches (libraries whose `parentLibrary` is this one), in the order recorded.
        pub async fn branches(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> async_graphql::Result<Conn<Library>> {
            let spec = spec(&child::BRANCHES, Vec::new());
            let (page, total) = child_page::<library::Entity>(ctx, self.0.organization_id, spec, PageInput { first, after, last, before }).await?;
            let ids: Vec<i64> = page.rows.iter().map(|r| r.model.organization_id).collect();
            let nodes = by_ids::<organization::Entity>(ctx, &ids).await?.into_iter().map(|m| m.map(Library)).collect();
            Ok(from_loaded(&page, total, nodes))
        }
    }
}

organization_object! {
    /// An organization that is not a library: NGOs, foundations, public authorities, networks,
    /// associations, informal groups, crowds, businesses, international bodies.
    PartnerOrganization {}
}

impl Library {
    async fn details(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Arc<library::Model>>> {
        by_id::<library::Entity>(ctx, self.0.organization_id).await
    }
}

async fn identifiers(
    ctx: &Context<'_>,
    organization: i64,
) -> async_graphql::Result<Vec<Identifier>> {
    let spec = spec(&child::IDENTIFIERS, Vec::new());
    let (page, _) = child_page::<identifier::Entity>(
        ctx,
        organization,
        spec,
        PageInput {
            first: Some(BOUNDED_LIST as i32),
            ..Default::default()
        },
    )
    .await?;
    Ok(page
        .rows
        .iter()
        .map(|r| Identifier {
            scheme: r.model.scheme.into(),
            value: r.model.value.clone(),
        })
        .collect())
}

async fn participations(
    ctx: &Context<'_>,
    organization: i64,
    roles: Option<Vec<Role>>,
    active_in: Option<YearRange>,
    page: PageInput,
) -> async_graphql::Result<Conn<Participation>> {
    let spec = spec(
        &child::PARTICIPATIONS_OF_ORGANIZATION,
        participation_filters(roles, active_in),
    );
    child_connection::<participation::Entity, _>(ctx, organization, spec, page, |m| {
        Participation::new(m.clone())
    })
    .await
}

async fn relations(
    ctx: &Context<'_>,
    organization: i64,
    direction: RelationDirection,
    kinds: Option<Vec<OrganizationRelationKind>>,
    page: PageInput,
) -> async_graphql::Result<Conn<OrganizationRelation>> {
    let mut filters = Vec::new();
    if let Some(kinds) = kinds {
        filters.push(Filter::is_in(
            organization_relation::Column::Kind,
            kinds
                .into_iter()
                .map(|k| {
                    FilterValue::Text(
                        entities::OrganizationRelationKind::from(k)
                            .as_str()
                            .to_owned(),
                    )
                })
                .collect(),
        ));
    }
    let list = match direction {
        RelationDirection::Outgoing => &child::RELATIONS_AS_SUBJECT,
        RelationDirection::Incoming => &child::RELATIONS_AS_OBJECT,
        RelationDirection::Both => &child::RELATIONS,
    };
    let spec = spec(list, filters);
    child_connection::<organization_relation::Entity, _>(ctx, organization, spec, page, |m| {
        OrganizationRelation(m.clone())
    })
    .await
}
