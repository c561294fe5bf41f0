//! The root `Query`: lookups by ID or slug, filtered and ordered lists, search, collaboration,
//! statistics.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};
use entities::text::fold;
use entities::{
    classification, event, funding, organization, outcome, participation, person, place, programme,
    project, source, target_group, topic,
};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use super::collaboration::{self, ConnectionPath, Network};
use super::connection::{Conn, Total, from_page};
use super::country;
use super::id::{self, NodeType};
use super::input::{
    ActivityFilter, ActivityOrder, NetworkFilter, OrganizationFilter, OrganizationOrder,
};
use super::object::value::Role;
use super::object::*;
use super::search::{self, SearchHit, SearchType};
use super::statistics::Statistics;
use crate::store::error::StoreError;
use crate::store::order::{latest_first, name_descending, period};
use crate::store::page::{Ordering, PageArgs, fetch_page};
use crate::store::sql::ColumnName;
use crate::store::sql::Period;

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

/// `column` of the rows of its table matching `condition`.
fn subquery<C: ColumnTrait>(column: C, condition: Condition) -> SelectStatement {
    Query::select()
        .column(column)
        .from(C::EntityName::default())
        .cond_where(condition)
        .to_owned()
}

/// The ids (`id`) of the rows whose `slug` is one of `slugs`.
fn ids_of_slugs<C: ColumnTrait>(id: C, slug: C, slugs: &[String]) -> SelectStatement {
    subquery(
        id,
        Condition::all().add(Expr::col(slug).is_in(slugs.iter().cloned())),
    )
}

/// Records in whose folded search texts every word of `text` starts a word.
fn text_condition(key: ColumnName, text: &str) -> async_graphql::Result<Condition> {
    let folded = fold(text);
    if folded.is_empty() || text.chars().count() > crate::store::search::MAX_SEARCH_LENGTH {
        return Err(StoreError::invalid(
            "filter.text",
            format!(
                "must contain letters or digits, at most {} characters",
                crate::store::search::MAX_SEARCH_LENGTH
            ),
        )
        .into());
    }
    let mut all = Condition::all();
    for token in folded.split(' ') {
        all = all.add(Expr::col(key).in_subquery(crate::store::search::records_with_word(token)));
    }
    Ok(all)
}

fn role_values(roles: &[Role]) -> Vec<&'static str> {
    roles
        .iter()
        .map(|&r| entities::Role::from(r).as_str())
        .collect()
}

/// Activities (record ids) of the given topics.
fn activities_with_topics(topics: &[String]) -> SelectStatement {
    subquery(
        classification::Column::SubjectId,
        Condition::all().add(
            Expr::col(classification::Column::TopicId).in_subquery(ids_of_slugs(
                topic::Column::TopicId,
                topic::Column::Slug,
                topics,
            )),
        ),
    )
}

/// Activities (record ids) funded by the given funders. The organizations they fund directly
/// come along too, but an organization's id is no activity's nor a participation's target, so
/// the filters that compare with it keep meaning funded activities.
fn activities_funded_by(funders: &[String]) -> SelectStatement {
    subquery(
        funding::Column::RecipientId,
        Condition::all().add(
            Expr::col(funding::Column::FunderId).in_subquery(ids_of_slugs(
                organization::Column::OrganizationId,
                organization::Column::Slug,
                funders,
            )),
        ),
    )
}

/// Activities (record ids) in the programmes: the programmes themselves and their projects and events.
fn activities_in_programmes(programmes: &[i64]) -> Condition {
    let target = || Expr::col(participation::Column::TargetId);
    Condition::any()
        .add(target().is_in(programmes.iter().copied()))
        .add(
            target().in_subquery(subquery(
                project::Column::ProjectId,
                Condition::all()
                    .add(Expr::col(project::Column::ProgrammeId).is_in(programmes.iter().copied())),
            )),
        )
        .add(
            target().in_subquery(subquery(
                event::Column::EventId,
                Condition::all()
                    .add(Expr::col(event::Column::ProgrammeId).is_in(programmes.iter().copied())),
            )),
        )
}

/// Organizations located in `countries`: their `place_id` is one of those countries' places.
fn places_in(countries: Vec<String>) -> SelectStatement {
    subquery(
        place::Column::PlaceId,
        Condition::all().add(Expr::col(place::Column::CountryCode).is_in(countries)),
    )
}

async fn organization_condition(
    db: &DatabaseConnection,
    filter: &OrganizationFilter,
    libraries: bool,
) -> async_graphql::Result<Condition> {
    let key = ColumnName::of(organization::Column::OrganizationId);
    let mut all = Condition::all();
    if libraries {
        all = all.add(
            Expr::col(organization::Column::Kind).eq(entities::OrganizationKind::Library.as_str()),
        );
    }
    if let Some(kinds) = &filter.kinds {
        all = all.add(
            Expr::col(organization::Column::Kind).is_in(
                kinds
                    .iter()
                    .map(|&k| entities::OrganizationKind::from(k).as_str()),
            ),
        );
    }
    if let Some(countries) = &filter.countries {
        let countries = country::checked("filter.countries", countries)?;
        all = all.add(Expr::col(organization::Column::PlaceId).in_subquery(places_in(countries)));
    }
    // Participation-based filters all constrain the same participations.
    let mut taking_part = Condition::all();
    let mut any_participation_filter = false;
    if let Some(roles) = &filter.roles {
        taking_part =
            taking_part.add(Expr::col(participation::Column::Role).is_in(role_values(roles)));
        any_participation_filter = true;
    }
    if let Some(range) = &filter.active_in {
        taking_part = taking_part.add(period::PARTICIPATION.overlaps(range.from, range.to));
        any_participation_filter = true;
    }
    if let Some(slugs) = &filter.programmes {
        let ids: Vec<i64> = crate::store::collaboration::programme_tree(db, slugs)
            .await?
            .into_iter()
            .collect();
        taking_part = taking_part.add(activities_in_programmes(&ids));
        any_participation_filter = true;
    }
    if let Some(funders) = &filter.funders {
        taking_part = taking_part.add(
            Expr::col(participation::Column::TargetId).in_subquery(activities_funded_by(funders)),
        );
        any_participation_filter = true;
    }
    if any_participation_filter {
        all = all.add(
            Expr::col(key)
                .in_subquery(subquery(participation::Column::OrganizationId, taking_part)),
        );
    }
    if let Some(topics) = &filter.topics {
        all = all.add(
            Condition::any()
                .add(Expr::col(key).in_subquery(activities_with_topics(topics)))
                .add(
                    Expr::col(key).in_subquery(subquery(
                        participation::Column::OrganizationId,
                        Condition::all().add(
                            Expr::col(participation::Column::TargetId)
                                .in_subquery(activities_with_topics(topics)),
                        ),
                    )),
                ),
        );
    }
    if let Some(text) = &filter.text {
        all = all.add(text_condition(key, text)?);
    }
    Ok(all)
}

/// The columns of an activity table that its root list's filters read.
struct ActivityTable {
    /// Its id.
    key: ColumnName,
    /// The programme it runs under (a programme's own id: a programme is in its own tree).
    programme: ColumnName,
    /// Where it takes place; a programme has no place.
    place: Option<ColumnName>,
    /// Its kind, where `eventKinds` applies.
    event_kind: Option<ColumnName>,
    /// Its kind, where `programmeKinds` applies.
    programme_kind: Option<ColumnName>,
    period: &'static Period,
}

impl ActivityTable {
    fn programmes() -> Self {
        ActivityTable {
            key: ColumnName::of(programme::Column::ProgrammeId),
            programme: ColumnName::of(programme::Column::ProgrammeId),
            place: None,
            event_kind: None,
            programme_kind: Some(ColumnName::of(programme::Column::Kind)),
            period: &period::PROGRAMME,
        }
    }

    fn projects() -> Self {
        ActivityTable {
            key: ColumnName::of(project::Column::ProjectId),
            programme: ColumnName::of(project::Column::ProgrammeId),
            place: Some(ColumnName::of(project::Column::PlaceId)),
            event_kind: None,
            programme_kind: None,
            period: &period::PROJECT,
        }
    }

    fn events() -> Self {
        ActivityTable {
            key: ColumnName::of(event::Column::EventId),
            programme: ColumnName::of(event::Column::ProgrammeId),
            place: Some(ColumnName::of(event::Column::PlaceId)),
            event_kind: Some(ColumnName::of(event::Column::Kind)),
            programme_kind: None,
            period: &period::EVENT,
        }
    }
}

async fn activity_condition(
    db: &DatabaseConnection,
    table: ActivityTable,
    filter: &ActivityFilter,
) -> async_graphql::Result<Condition> {
    let key = table.key;
    let mut all = Condition::all();
    if let Some(kinds) = &filter.event_kinds {
        let Some(kind) = table.event_kind else {
            return Err(StoreError::invalid("filter.eventKinds", "only applies to events").into());
        };
        all = all.add(
            Expr::col(kind).is_in(kinds.iter().map(|&k| entities::EventKind::from(k).as_str())),
        );
    }
    if let Some(kinds) = &filter.programme_kinds {
        let Some(kind) = table.programme_kind else {
            return Err(
                StoreError::invalid("filter.programmeKinds", "only applies to programmes").into(),
            );
        };
        all = all.add(
            Expr::col(kind).is_in(
                kinds
                    .iter()
                    .map(|&k| entities::ProgrammeKind::from(k).as_str()),
            ),
        );
    }
    if let Some(range) = &filter.active_in {
        all = all.add(table.period.overlaps(range.from, range.to));
    }
    if let Some(slugs) = &filter.programmes {
        let ids: Vec<i64> = crate::store::collaboration::programme_tree(db, slugs)
            .await?
            .into_iter()
            .collect();
        all = all.add(Expr::col(table.programme).is_in(ids));
    }
    if let Some(funders) = &filter.funders {
        all = all.add(Expr::col(key).in_subquery(activities_funded_by(funders)));
    }
    if let Some(topics) = &filter.topics {
        all = all.add(Expr::col(key).in_subquery(activities_with_topics(topics)));
    }
    let mut taking_part = Condition::all();
    let mut any_participation_filter = false;
    if let Some(slugs) = &filter.organizations {
        taking_part = taking_part.add(
            Expr::col(participation::Column::OrganizationId).in_subquery(ids_of_slugs(
                organization::Column::OrganizationId,
                organization::Column::Slug,
                slugs,
            )),
        );
        any_participation_filter = true;
    }
    if let Some(roles) = &filter.roles {
        taking_part =
            taking_part.add(Expr::col(participation::Column::Role).is_in(role_values(roles)));
        any_participation_filter = true;
    }
    if any_participation_filter {
        all = all.add(
            Expr::col(key).in_subquery(subquery(participation::Column::TargetId, taking_part)),
        );
    }
    if let Some(countries) = &filter.countries {
        let countries = country::checked("filter.countries", countries)?;
        let in_country = places_in(countries);
        let organizations_there = subquery(
            organization::Column::OrganizationId,
            Condition::all()
                .add(Expr::col(organization::Column::PlaceId).in_subquery(in_country.clone())),
        );
        let mut any = Condition::any().add(Expr::col(key).in_subquery(subquery(
            participation::Column::TargetId,
            Condition::all().add(
                Expr::col(participation::Column::OrganizationId).in_subquery(organizations_there),
            ),
        )));
        if let Some(place) = table.place {
            any = any.add(Expr::col(place).in_subquery(in_country));
        }
        all = all.add(any);
    }
    if let Some(text) = &filter.text {
        all = all.add(text_condition(key, text)?);
    }
    Ok(all)
}

/// The ordering `order` asks for, among an activity table's orderings.
fn activity_ordering(
    order: ActivityOrder,
    by_name: &Ordering,
    by_date: &Ordering,
    latest_first: &Ordering,
) -> Ordering {
    match order {
        ActivityOrder::Name => *by_name,
        ActivityOrder::Date => *by_date,
        ActivityOrder::DateDesc => *latest_first,
    }
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
        Box::pin(async move { Ok(E::find().filter(condition).count(&db).await?) })
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

    /// An organization (a library or any other) by slug; null when none has it.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's slug, such as `biblioteka-krakow`.")] slug: String,
    ) -> async_graphql::Result<Option<Organization>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = organization::Entity::find()
            .filter(organization::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(StoreError::from)?;
        Ok(found.map(|m| Organization::from_model(Arc::new(m))))
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
        let condition = organization_condition(db, &filter.unwrap_or_default(), false).await?;
        root_page::<organization::Entity, _>(
            ctx,
            condition,
            organization_order(order_by),
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
        let condition = organization_condition(db, &filter.unwrap_or_default(), true).await?;
        root_page::<organization::Entity, _>(
            ctx,
            condition,
            organization_order(order_by),
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
        let condition = Condition::all().add(
            Expr::col(organization::Column::OrganizationId)
                .in_subquery(subquery(funding::Column::FunderId, Condition::all())),
        );
        root_page::<organization::Entity, _>(
            ctx,
            condition,
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
        Ok(programme::Entity::find()
            .filter(programme::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(StoreError::from)?
            .map(|m| Programme(Arc::new(m))))
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
        let condition =
            activity_condition(db, ActivityTable::programmes(), &filter.unwrap_or_default())
                .await?;
        let ordering = activity_ordering(
            order_by.unwrap_or_default(),
            &by_name::PROGRAMME,
            &by_date::PROGRAMME,
            &latest_first::PROGRAMME,
        );
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
        Ok(project::Entity::find()
            .filter(project::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(StoreError::from)?
            .map(|m| Project(Arc::new(m))))
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
        let condition =
            activity_condition(db, ActivityTable::projects(), &filter.unwrap_or_default()).await?;
        let ordering = activity_ordering(
            order_by.unwrap_or_default(),
            &by_name::PROJECT,
            &by_date::PROJECT,
            &latest_first::PROJECT,
        );
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
        Ok(event::Entity::find()
            .filter(event::Column::Slug.eq(slug))
            .one(db)
            .await
            .map_err(StoreError::from)?
            .map(|m| Event(Arc::new(m))))
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
        let condition =
            activity_condition(db, ActivityTable::events(), &filter.unwrap_or_default()).await?;
        let ordering = activity_ordering(
            order_by.unwrap_or_default(),
            &by_name::EVENT,
            &by_date::EVENT,
            &latest_first::EVENT,
        );
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
        let mut condition = Condition::all();
        if let Some(countries) = countries {
            let countries = country::checked("countries", &countries)?;
            condition = condition.add(Expr::col(place::Column::CountryCode).is_in(countries));
        }
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
        let mut condition = Condition::all();
        if sdg_only == Some(true) {
            condition =
                condition.add(Expr::col(topic::Column::Kind).eq(entities::TopicKind::Sdg.as_str()));
        }
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
            default = 200,
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
}

fn organization_order(order: Option<OrganizationOrder>) -> Ordering {
    match order.unwrap_or_default() {
        OrganizationOrder::Name => *by_name::ORGANIZATION,
        OrganizationOrder::NameDesc => *name_descending::ORGANIZATION,
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
    let mut loaded_organizations = Organization::load_many(ctx, &organizations)
        .await?
        .into_iter();
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
