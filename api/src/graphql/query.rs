//! The root `Query`: lookups by ID or slug, filtered and ordered lists, search, collaboration,
//! statistics; and, about the caller, `viewer` and (for admins) `tokens`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};
use entities::{
    event, organization, outcome, person, place, programme, project, source, target_group, topic,
};
use sea_orm::sea_query::Condition;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::collaboration::{self, ConnectionPath, Network};
use super::connection::{Conn, Total, from_page};
use super::edit;
use super::id::{self, NodeType};
use super::input::{
    ActivityFilter, ActivityOrder, NetworkFilter, OrganizationFilter, OrganizationOrder,
};
use super::limits::{self, ServerLimits};
use super::object::*;
use super::search::{self, SearchHit, SearchType};
use super::statistics::Statistics;
use super::token;
use crate::store::error::StoreError;
use crate::store::filter::{self, Activities};
use crate::store::page::{Ordering, PageArgs, count, fetch_page};

/// The most IDs `nodes` takes at once.
pub const MAX_NODES: usize = 100;

/// Anything with a global ID (Relay's `Node`).
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
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
    Source(Source),
}

/// A root list: one page and a total counted only when asked for.
async fn root_page<E, N>(
    ctx: &Context<'_>,
    condition: Condition,
    ordering: Ordering,
    page: PageInput,
    node: impl FnMut(&Arc<E::Model>) -> N,
) -> async_graphql::Result<Conn<N>>
where
    E: EntityTrait,
    E::Model: crate::store::row::Decode + Send + Sync,
    N: crate::graphql::executor::lean::LeanObject,
{
    let db = ctx.data::<DatabaseConnection>()?.clone();
    let args: PageArgs = page.args()?;
    let found = fetch_page::<E, _>(&db, condition.clone(), &ordering, &args).await?;
    let total = Total::Deferred(Arc::new(move || {
        let db = db.clone();
        let condition = condition.clone();
        Box::pin(async move { count::<E>(&db, condition).await })
    }));
    Ok(from_page(&found, total, node))
}

/// The entry points of the graph.
pub struct QueryRoot;

/// The entry points of the graph. Lists are Relay connections: page with `first`/`after` or
/// `last`/`before` (20 items by default, at most 100); cursors are opaque.
#[Object(name = "Query")]
impl QueryRoot {
    /// Anything by its global ID; null when nothing has that ID, an error (`BAD_USER_INPUT`) when
    /// it is not an ID this API issued.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID, as the `id` field of any object gives it.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        Ok(load_nodes(ctx, &[id], "id").await?.pop().flatten())
    }

    /// Several things by global ID, in the order asked (null where nothing has that ID); at most
    /// 100.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs, as the `id` field of any object gives them; at most 100.")]
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(StoreError::invalid(
                "ids",
                format!("at most {MAX_NODES} IDs, got {}", ids.len()),
            )
            .into());
        }
        load_nodes(ctx, &ids, "ids").await
    }

    /// An organization (a library or any other) by slug; null when none has it. The slug of an
    /// organization merged into another (`mergeOrganizations`) gives that other.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's slug, such as `biblioteka-krakow`.")] slug: String,
    ) -> async_graphql::Result<Option<Organization>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(crate::store::redirect::organization_by_slug(db, &slug)
            .await?
            .map(|m| Organization::from_model(Arc::new(m))))
    }

    /// Organizations of every kind, libraries included, matching `filter`; by name unless `orderBy`
    /// says otherwise.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Keeps the organizations that match every condition given; all when null."
        )]
        filter: Option<OrganizationFilter>,
        #[graphql(desc = "How the list is ordered; by name from A to Z (`NAME`) when null.")]
        order_by: Option<OrganizationOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Organization>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let condition =
            filter::organizations(db, &filter.unwrap_or_default().to_store(false)).await?;
        root_page::<organization::Entity, _>(
            ctx,
            condition,
            order_by.unwrap_or_default().ordering(),
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

    /// Libraries only (organizations of kind `LIBRARY`), matching `filter`; by name unless
    /// `orderBy` says otherwise.
    async fn libraries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Keeps the libraries that match every condition given; all when null.")]
        filter: Option<OrganizationFilter>,
        #[graphql(desc = "How the list is ordered; by name from A to Z (`NAME`) when null.")]
        order_by: Option<OrganizationOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Library>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let condition =
            filter::organizations(db, &filter.unwrap_or_default().to_store(true)).await?;
        root_page::<organization::Entity, _>(
            ctx,
            condition,
            order_by.unwrap_or_default().ordering(),
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Library(m.clone()),
        )
        .await
    }

    /// Organizations that fund at least one project, programme, event or organization, as funders;
    /// by name.
    async fn funders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Funder>> {
        root_page::<organization::Entity, _>(
            ctx,
            filter::funders(),
            *by_name::ORGANIZATION,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Funder(m.clone()),
        )
        .await
    }

    /// A programme (or fund, priority, intervention direction) by slug; null when none has it.
    async fn programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme's slug.")] slug: String,
    ) -> async_graphql::Result<Option<Programme>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found =
            filter::by_slug::<programme::Entity>(db, programme::Column::Slug, &slug).await?;
        Ok(found.map(|m| Programme(Arc::new(m))))
    }

    /// Programmes, priorities, intervention directions and funds at every level of nesting,
    /// matching `filter`; by name unless `orderBy` says otherwise.
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Keeps the programmes that match every condition given; all when null.")]
        filter: Option<ActivityFilter>,
        #[graphql(desc = "How the list is ordered; by name from A to Z (`NAME`) when null.")]
        order_by: Option<ActivityOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Programme>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let condition = filter::activities(
            db,
            Activities::Programmes,
            &filter.unwrap_or_default().to_store(),
        )
        .await?;
        let ordering = order_by
            .unwrap_or_default()
            .ordering(Activities::Programmes);
        root_page::<programme::Entity, _>(
            ctx,
            condition,
            ordering,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Programme(m.clone()),
        )
        .await
    }

    /// A project by slug; null when none has it.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's slug.")] slug: String,
    ) -> async_graphql::Result<Option<Project>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = filter::by_slug::<project::Entity>(db, project::Column::Slug, &slug).await?;
        Ok(found.map(|m| Project(Arc::new(m))))
    }

    /// Projects matching `filter`; by name unless `orderBy` says otherwise.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Keeps the projects that match every condition given; all when null.")]
        filter: Option<ActivityFilter>,
        #[graphql(desc = "How the list is ordered; by name from A to Z (`NAME`) when null.")]
        order_by: Option<ActivityOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Project>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let condition = filter::activities(
            db,
            Activities::Projects,
            &filter.unwrap_or_default().to_store(),
        )
        .await?;
        let ordering = order_by.unwrap_or_default().ordering(Activities::Projects);
        root_page::<project::Entity, _>(
            ctx,
            condition,
            ordering,
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

    /// An event by slug; null when none has it.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's slug.")] slug: String,
    ) -> async_graphql::Result<Option<Event>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = filter::by_slug::<event::Entity>(db, event::Column::Slug, &slug).await?;
        Ok(found.map(|m| Event(Arc::new(m))))
    }

    /// Events (conferences, trainings, study visits, fairs, campaigns…) matching `filter`; by name
    /// unless `orderBy` says otherwise.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Keeps the events that match every condition given; all when null.")]
        filter: Option<ActivityFilter>,
        #[graphql(desc = "How the list is ordered; by name from A to Z (`NAME`) when null.")]
        order_by: Option<ActivityOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Event>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let condition = filter::activities(
            db,
            Activities::Events,
            &filter.unwrap_or_default().to_store(),
        )
        .await?;
        let ordering = order_by.unwrap_or_default().ordering(Activities::Events);
        root_page::<event::Entity, _>(
            ctx,
            condition,
            ordering,
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

    /// Every outcome, in the order recorded.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Outcome>> {
        root_page::<outcome::Entity, _>(
            ctx,
            Condition::all(),
            *by_key::OUTCOME,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Outcome(m.clone()),
        )
        .await
    }

    /// Places, by name; `countries` keeps those in the given countries (ISO 3166-1 alpha-2 codes
    /// such as `PL`; lowercase is read as uppercase, anything but two letters is
    /// `BAD_USER_INPUT`).
    async fn places(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Keeps the places in these countries (ISO 3166-1 alpha-2 codes such as `PL`, `RO`, `MD`, `UA`); all when null."
        )]
        countries: Option<Vec<String>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Place>> {
        let condition = match countries {
            Some(countries) => filter::places_in_countries("countries", &countries)?,
            None => Condition::all(),
        };
        root_page::<place::Entity, _>(
            ctx,
            condition,
            *by_name::PLACE,
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

    /// People named by the sources, by name.
    async fn people(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Person>> {
        root_page::<person::Entity, _>(
            ctx,
            Condition::all(),
            *by_name::PERSON,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Person(m.clone()),
        )
        .await
    }

    /// SDGs and themes, by name (not by SDG number); `sdgOnly: true` keeps the 17 goals.
    async fn topics(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "`true` keeps the 17 UN Sustainable Development Goals; otherwise goals and themes."
        )]
        sdg_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Topic>> {
        let condition = if sdg_only == Some(true) {
            filter::sdg_topics()
        } else {
            Condition::all()
        };
        root_page::<topic::Entity, _>(
            ctx,
            condition,
            *by_name::TOPIC,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Topic(m.clone()),
        )
        .await
    }

    /// Groups of people that projects and programmes serve, by name.
    async fn target_groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<TargetGroup>> {
        root_page::<target_group::Entity, _>(
            ctx,
            Condition::all(),
            *by_name::TARGET_GROUP,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| TargetGroup(m.clone()),
        )
        .await
    }

    /// The source documents facts are cited from, in the order recorded.
    async fn sources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Conn<Source>> {
        root_page::<source::Entity, _>(
            ctx,
            Condition::all(),
            *by_key::SOURCE,
            PageInput {
                first,
                after,
                last,
                before,
            },
            |m| Source(m.clone()),
        )
        .await
    }

    /// Searches names, English names, aliases and descriptions, case- and diacritic-insensitive
    /// ("balti" finds Bălți); every word of `text` (at most 200 characters) must start a word of the
    /// same name, alias or description ("olsz" finds Olszówka); a text of one word of five letters
    /// or more also finds its inflections, words that end otherwise ("Mediateka" finds Mediateki
    /// and Mediatece), ranked below the word as typed. `types` limits the kinds of record
    /// (all when null). Best matches first, then by record; a page holds `first` hits (0–100,
    /// default 20) after the cursor `after`, forward only, and the list ends at the 1,000th hit.
    /// `totalCount` is the number of hits counted up to 1,000: a text that matches more records
    /// says 1,000 (see the README for how it is counted).
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The words to look for, at most 200 characters; case and diacritics do not matter."
        )]
        text: String,
        #[graphql(
            desc = "The kinds of record to search, such as `LIBRARY` or `PROJECT`; all when null."
        )]
        types: Option<Vec<SearchType>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<SearchHit>> {
        search::search(ctx, &text, types, first, after).await
    }

    /// The collaboration network of a part of the graph, computed from participations:
    /// organizations with their degree and betweenness, and weighted ties with the shared
    /// activities as evidence. `limit` (1–1000, default 200) keeps the organizations with the
    /// strongest ties. A filter that keeps more than 150,000 activity memberships (a whole large
    /// graph) is refused with `TOO_BROAD`: narrow it by country, kind, programme, topic or period.
    async fn collaboration_network(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The part of the graph: the organizations and activities the filter keeps; the whole graph when null."
        )]
        filter: Option<NetworkFilter>,
        #[graphql(
            default_with = "collaboration::DEFAULT_NETWORK_NODES",
            desc = "How many organizations to keep, those with the strongest ties first: 1 to 1000."
        )]
        limit: i32,
    ) -> async_graphql::Result<Network> {
        collaboration::network(ctx, filter.unwrap_or_default(), limit).await
    }

    /// How two organizations are connected through shared projects, events and programmes: the
    /// shortest chain of collaborations, hop by hop (`maxHops` 1–6, default 4). `from` and `to`
    /// take a global ID or a slug; an unknown organization is an error (`NOT_FOUND`).
    async fn connection_path(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization the path starts from: its global ID or its slug.")] from: ID,
        #[graphql(desc = "The organization the path leads to: its global ID or its slug.")] to: ID,
        #[graphql(
            default = 4,
            desc = "The longest path to look for, in collaborations: 1 to 6."
        )]
        max_hops: i32,
    ) -> async_graphql::Result<ConnectionPath> {
        collaboration::connection_path(ctx, from, to, max_hops).await
    }

    /// Counts and totals for dashboards, each computed only when selected.
    async fn statistics(&self) -> Statistics {
        Statistics
    }

    /// The history of one record, newest first: every revision that changed it, who made it
    /// and when, with the record before and after. Kept after the record is deleted.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's global ID, as its `id` field gives it.")] id: ID,
        #[graphql(default = 20, desc = "How many revisions, at most 100.")] first: i32,
        #[graphql(
            desc = "Only revisions older than this number: the next page after the last \
                          revision of this one."
        )]
        before: Option<i64>,
    ) -> async_graphql::Result<Vec<edit::Revision>> {
        edit::history(ctx, &id, first, before).await
    }

    /// Every change to the graph, newest first: the feed coordinators watch.
    async fn recent_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many revisions, at most 100.")] first: i32,
        #[graphql(
            desc = "Only revisions older than this number: the next page after the last \
                          revision of this one."
        )]
        before: Option<i64>,
    ) -> async_graphql::Result<Vec<edit::Revision>> {
        edit::recent(ctx, first, before).await
    }

    /// One revision by its number.
    async fn revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's number, as `Revision.number` gives it.")] number: i64,
    ) -> async_graphql::Result<Option<edit::Revision>> {
        edit::one(ctx, number).await
    }

    /// What one request may ask of this server: the cost, size and time limits a query is held
    /// to, and the price of the fields that compute more than they return.
    async fn limits(&self, ctx: &Context<'_>) -> ServerLimits {
        limits::limits(ctx)
    }

    /// Who the request's token belongs to (its name, role and expiry): null when the request sends
    /// no `Authorization` header, an error (`UNAUTHENTICATED`) when the token it sends does not
    /// work. Reading needs no token; writing does.
    #[graphql(cache_control(private, no_cache))]
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<token::Viewer>> {
        token::viewer(ctx).await
    }

    /// Every token that may write through the API, newest first, with who made it and whether it
    /// works; never a token's text (admins only).
    #[graphql(cache_control(private, no_cache))]
    async fn tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<token::ApiToken>> {
        token::tokens(ctx).await
    }
}

async fn load_nodes(
    ctx: &Context<'_>,
    ids: &[ID],
    field: &str,
) -> async_graphql::Result<Vec<Option<Node>>> {
    let decoded: Vec<(NodeType, i64)> = ids
        .iter()
        .map(|id| id::decode(field, id))
        .collect::<Result<_, _>>()?;
    let sources: Vec<i64> = decoded
        .iter()
        .filter(|(t, _)| *t == NodeType::Source)
        .map(|(_, id)| *id)
        .collect();
    // Organizations and activities are read straight from their tables (the ID names the type,
    // so no statement is needed to find the record kind); everything else through `record`.
    let direct = |t: NodeType| {
        matches!(
            t,
            NodeType::Source
                | NodeType::Organization
                | NodeType::Project
                | NodeType::Programme
                | NodeType::Event
        )
    };
    let of = |wanted: &[NodeType]| -> Vec<i64> {
        decoded
            .iter()
            .filter(|(t, _)| wanted.contains(t))
            .map(|(_, id)| *id)
            .collect()
    };
    let records: Vec<i64> = decoded
        .iter()
        .filter(|(t, _)| !direct(*t))
        .map(|(_, id)| *id)
        .collect();
    let organizations = of(&[NodeType::Organization]);
    let activities = of(&[NodeType::Project, NodeType::Programme, NodeType::Event]);
    let mut loaded_records = Record::load_many(ctx, &records).await?.into_iter();
    let mut loaded_sources = by_ids::<source::Entity>(ctx, &sources).await?.into_iter();
    let mut found_organizations = Organization::load_many(ctx, &organizations).await?;
    // An organization merged into another answers with that other: one statement for the
    // redirects, only when an organization is missing.
    let missing: Vec<i64> = organizations
        .iter()
        .zip(&found_organizations)
        .filter(|(_, found)| found.is_none())
        .map(|(id, _)| *id)
        .collect();
    if !missing.is_empty() {
        let db = ctx.data::<DatabaseConnection>()?;
        let targets = crate::store::redirect::targets(db, &missing).await?;
        let wanted: Vec<i64> = missing
            .iter()
            .filter_map(|id| targets.get(id))
            .copied()
            .collect();
        let mut merged: HashMap<i64, Organization> = HashMap::new();
        for (target, found) in wanted
            .iter()
            .zip(Organization::load_many(ctx, &wanted).await?)
        {
            if let Some(found) = found {
                merged.insert(*target, found);
            }
        }
        for (id, found) in organizations.iter().zip(found_organizations.iter_mut()) {
            if found.is_none() {
                *found = targets.get(id).and_then(|t| merged.get(t)).cloned();
            }
        }
    }
    let mut loaded_organizations = found_organizations.into_iter();
    let mut loaded_activities = Activity::load_many(ctx, &activities).await?.into_iter();
    let mut out = Vec::with_capacity(decoded.len());
    for (ty, _) in decoded {
        match ty {
            NodeType::Source => {
                out.push(
                    loaded_sources
                        .next()
                        .flatten()
                        .map(|m| Node::Source(Source(m))),
                );
                continue;
            }
            NodeType::Organization => {
                out.push(loaded_organizations.next().flatten().map(|o| match o {
                    Organization::Library(x) => Node::Library(x),
                    Organization::PartnerOrganization(x) => Node::PartnerOrganization(x),
                }));
                continue;
            }
            NodeType::Project | NodeType::Programme | NodeType::Event => {
                // An ID of one type must not open a record of another.
                out.push(
                    loaded_activities
                        .next()
                        .flatten()
                        .and_then(|a| match (ty, a) {
                            (NodeType::Project, Activity::Project(x)) => Some(Node::Project(x)),
                            (NodeType::Programme, Activity::Programme(x)) => {
                                Some(Node::Programme(x))
                            }
                            (NodeType::Event, Activity::Event(x)) => Some(Node::Event(x)),
                            _ => None,
                        }),
                );
                continue;
            }
            _ => {}
        }
        let record = loaded_records.next().flatten();
        out.push(record.and_then(|r| match (ty, r) {
            (NodeType::Place, Record::Place(x)) => Some(Node::Place(x)),
            (NodeType::Outcome, Record::Outcome(x)) => Some(Node::Outcome(x)),
            (NodeType::Person, Record::Person(x)) => Some(Node::Person(x)),
            (NodeType::Topic, Record::Topic(x)) => Some(Node::Topic(x)),
            (NodeType::TargetGroup, Record::TargetGroup(x)) => Some(Node::TargetGroup(x)),
            (NodeType::Participation, Record::Participation(x)) => Some(Node::Participation(x)),
            (NodeType::Funding, Record::Funding(x)) => Some(Node::Funding(x)),
            (NodeType::OrganizationRelation, Record::OrganizationRelation(x)) => {
                Some(Node::OrganizationRelation(x))
            }
            (NodeType::Position, Record::Position(x)) => Some(Node::Position(x)),
            _ => None,
        }));
    }
    Ok(out)
}
