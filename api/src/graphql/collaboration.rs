//! Collaboration: who works with whom, computed from participations (shared projects, events
//! and programmes) by the algorithms in [`crate::graph`].
//!
//! The SQL here only gathers memberships — (organization, activity, years) — with the filters a
//! coordinator asks for; weights, centrality and paths are plain Rust over those rows, run on a
//! blocking thread when the graph is large.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::futures_util::StreamExt;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Condition, Expr, ExprTrait, Query, SelectStatement, WithClause,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, StreamTrait};

use super::connection::{Conn, Total, from_page};
use super::executor::lean::{Lean, lean_objects};
use super::id::{NodeType, decode_as};
use super::object::organization::YearRange;
use super::object::value::{OrganizationKind, Role};
use super::object::{Activity, Organization};
use crate::store::error::StoreError;
use crate::store::loader::{ChildCount, Children, LoadError, Loaders, Sql};
use crate::store::order::{child, spec};
use crate::store::page::{Cursor, PageArgs, SortValue, page_in_memory};
use crate::store::sql::id_in;
use entities::collaboration;
use graph::{self, CollaborationGraph, ItemRef, Membership, NetworkOptions};

/// Filters of the collaborators of one organization.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CollaboratorFilter {
    /// Only shared items where the collaborator (not this organization) had one of these roles.
    pub roles: Option<Vec<Role>>,
    /// Only shared items active in these years, by the participation's dates or else the item's
    /// (undated items drop out).
    pub period: Option<YearRange>,
    /// Only collaborators of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Only collaborators located in these countries (ISO 3166-1 alpha-2 codes such as `PL`;
    /// lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`); those
    /// without a known country drop out.
    pub countries: Option<Vec<String>>,
}

impl CollaboratorFilter {
    /// Whether the filter keeps every shared item and every collaborator.
    fn is_empty(&self) -> bool {
        self.roles.is_none()
            && self.period.is_none()
            && self.kinds.is_none()
            && self.countries.is_none()
    }
}

/// A membership row with what filters need.
#[derive(Clone, Debug)]
struct Row {
    membership: Membership,
    role: entities::Role,
    kind: entities::OrganizationKind,
    country: Option<String>,
}

/// Selects memberships ([`seeds::ties::memberships_select`]) with the participation's role and
/// the organization's kind and country, all in one statement.
fn memberships_select() -> SelectStatement {
    let mut select = seeds::ties::memberships_select();
    select
        .expr_as(Expr::cust("p.role"), Alias::new("role"))
        .expr_as(Expr::cust("o.kind"), Alias::new("organization_kind"))
        .expr_as(Expr::cust("pl.country_code"), Alias::new("country_code"));
    join_organizations(&mut select, true);
    select
}

/// The memberships a network is drawn from, with only the joins its filter needs.
///
/// A network shows no years, so the activities' own tables (for their years and programmes) are
/// joined only for a `period` or `programmes` filter, and the organizations and places only for
/// `countries` or `kinds`: a row is five columns instead of eight, and a country at size L reads
/// in about half the time.
fn network_select(filter: &NetworkFilter) -> SelectStatement {
    let mut select = if filter.period.is_some() || filter.programmes.is_some() {
        seeds::ties::memberships_select()
    } else {
        seeds::ties::undated_memberships_select()
    };
    if filter.countries.is_some() || filter.kinds.is_some() {
        join_organizations(&mut select, filter.countries.is_some());
    }
    select
}

/// Joins the members' organizations (`o`) and, with `places`, their places (`pl`).
fn join_organizations(select: &mut SelectStatement, places: bool) {
    select.join_as(
        sea_orm::JoinType::InnerJoin,
        Alias::new("organization"),
        Alias::new("o"),
        Expr::cust("o.organization_id = p.organization_id"),
    );
    if places {
        select.join_as(
            sea_orm::JoinType::LeftJoin,
            Alias::new("place"),
            Alias::new("pl"),
            Expr::cust("pl.place_id = o.place_id"),
        );
    }
}

/// Reads a membership statement's rows, streamed, each turned into a `T` as it arrives (or
/// dropped, for `None`): a country's network reads tens of thousands of memberships, and holding
/// them all as driver rows first raised the server's peak memory by about 70 MB at size M.
///
/// Refuses with `TOO_BROAD` once more than `max` rows have come.
async fn fetch<T>(
    db: &DatabaseConnection,
    select: &SelectStatement,
    max: usize,
    mut each: impl FnMut(&sea_orm::QueryResult) -> Result<Option<T>, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut rows = Vec::new();
    let mut seen = 0usize;
    let mut stream = std::pin::pin!(db.stream(select).await?);
    while let Some(r) = stream.next().await {
        if seen == max {
            return Err(StoreError::TooBroad {
                field: "filter".into(),
                reason: format!(
                    "it keeps more than {max} activity memberships to compute from; narrow it \
                     (countries, kinds, programmes, topics, period)"
                ),
            });
        }
        seen += 1;
        if let Some(row) = each(&r?)? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Reads [`memberships_select`] rows with what the collaborator filters need.
async fn fetch_rows(
    db: &DatabaseConnection,
    select: &SelectStatement,
    max: usize,
) -> Result<Vec<Row>, StoreError> {
    fetch(db, select, max, |r| {
        let Some(membership) = seeds::ties::membership(r)? else {
            return Ok(None);
        };
        let role = entities::Role::parse(&r.try_get::<String>("", "role")?)
            .unwrap_or(entities::Role::Partner);
        let organization_kind =
            entities::OrganizationKind::parse(&r.try_get::<String>("", "organization_kind")?)
                .unwrap_or(entities::OrganizationKind::Ngo);
        Ok(Some(Row {
            membership,
            role,
            kind: organization_kind,
            country: r.try_get("", "country_code")?,
        }))
    })
    .await
}

fn overlaps(m: &Membership, period: &YearRange) -> bool {
    let from = m.year_from.or(m.year_to);
    let to = m.year_to.or(m.year_from);
    match (from, to) {
        (Some(f), Some(t)) => {
            period.from.is_none_or(|p| t >= p) && period.to.is_none_or(|p| f <= p)
        }
        // Undated memberships are kept only when no period is asked for.
        _ => period.from.is_none() && period.to.is_none(),
    }
}

/// Key of the collaborators loader: the organization and the filter, hashed by its debug form.
#[derive(Clone, Debug)]
pub struct CollaboratorsKey {
    pub organization: i64,
    filter: CollaboratorFilter,
    fingerprint: String,
}

impl CollaboratorsKey {
    fn new(organization: i64, filter: CollaboratorFilter) -> Self {
        let fingerprint = format!("{filter:?}");
        CollaboratorsKey {
            organization,
            filter,
            fingerprint,
        }
    }
}

impl PartialEq for CollaboratorsKey {
    fn eq(&self, other: &Self) -> bool {
        self.organization == other.organization && self.fingerprint == other.fingerprint
    }
}
impl Eq for CollaboratorsKey {}
impl std::hash::Hash for CollaboratorsKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.organization.hash(state);
        self.fingerprint.hash(state);
    }
}

impl Loader<CollaboratorsKey> for Sql {
    type Value = Arc<Vec<graph::Collaboration>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CollaboratorsKey],
    ) -> Result<HashMap<CollaboratorsKey, Self::Value>, Self::Error> {
        // One statement: every membership of every activity any of the organizations is in.
        let organizations: BTreeSet<i64> = keys.iter().map(|k| k.organization).collect();
        let mut select = memberships_select();
        select.cond_where(
            Expr::cust("p.target_id").in_subquery(
                Query::select()
                    .column(Alias::new("target_id"))
                    .from(Alias::new("participation"))
                    .and_where(id_in(
                        self.db().get_database_backend(),
                        "organization_id",
                        &organizations.iter().copied().collect::<Vec<_>>(),
                    ))
                    .to_owned(),
            ),
        );
        let rows = fetch_rows(self.db(), &select, self.max_memberships()).await?;
        let mut found = HashMap::with_capacity(keys.len());
        for key in keys {
            found.insert(
                key.clone(),
                Arc::new(filtered_collaborators(&rows, key.organization, &key.filter)),
            );
        }
        Ok(found)
    }
}

/// The collaborators of `of` under `filter`. Weights always count every member of a shared item
/// (1/(members − 1)), whatever the filter keeps: filters choose which collaborators and which
/// shared items to show, they do not change how strong a tie is.
fn filtered_collaborators(
    rows: &[Row],
    of: i64,
    filter: &CollaboratorFilter,
) -> Vec<graph::Collaboration> {
    let roles: Option<Vec<entities::Role>> = filter
        .roles
        .as_ref()
        .map(|r| r.iter().map(|&r| r.into()).collect());
    let kinds: Option<Vec<entities::OrganizationKind>> = filter
        .kinds
        .as_ref()
        .map(|k| k.iter().map(|&k| k.into()).collect());
    let own_items: BTreeSet<ItemRef> = rows
        .iter()
        .filter(|r| r.membership.organization == of)
        .filter(|r| {
            filter
                .period
                .as_ref()
                .is_none_or(|p| overlaps(&r.membership, p))
        })
        .map(|r| r.membership.item)
        .collect();
    let in_items: Vec<&Row> = rows
        .iter()
        .filter(|r| own_items.contains(&r.membership.item))
        .collect();
    let memberships: Vec<Membership> = in_items.iter().map(|r| r.membership).collect();
    // Each organization's kind and country, from its first row (they are the same on all).
    let mut first_rows: HashMap<i64, &Row> = HashMap::new();
    for r in &in_items {
        first_rows.entry(r.membership.organization).or_insert(r);
    }
    // (organization, item) pairs where the organization had one of the wanted roles.
    let with_role: Option<std::collections::HashSet<(i64, ItemRef)>> =
        roles.as_ref().map(|roles| {
            in_items
                .iter()
                .filter(|r| roles.contains(&r.role))
                .map(|r| (r.membership.organization, r.membership.item))
                .collect()
        });
    let wanted = |org: i64| {
        first_rows.get(&org).is_some_and(|r| {
            kinds.as_ref().is_none_or(|kinds| kinds.contains(&r.kind))
                && filter
                    .countries
                    .as_ref()
                    .is_none_or(|c| r.country.as_ref().is_some_and(|rc| c.contains(rc)))
        })
    };
    let sizes: HashMap<ItemRef, usize> = {
        let mut members: HashMap<ItemRef, BTreeSet<i64>> = HashMap::new();
        for m in &memberships {
            members.entry(m.item).or_default().insert(m.organization);
        }
        members
            .into_iter()
            .map(|(item, orgs)| (item, orgs.len()))
            .collect()
    };
    let mut result: Vec<graph::Collaboration> = graph::collaborators(&memberships, of)
        .into_iter()
        .filter(|c| wanted(c.organization))
        .filter_map(|mut c| {
            if let Some(with_role) = &with_role {
                c.shared
                    .retain(|item| with_role.contains(&(c.organization, *item)));
                if c.shared.is_empty() {
                    return None;
                }
                c.weight = graph::rounded(
                    c.shared
                        .iter()
                        .map(|item| graph::item_share(sizes.get(item).copied().unwrap_or(2)))
                        .sum(),
                );
            }
            Some(c)
        })
        .collect();
    result.sort_by(graph::strongest_first);
    result
}

/// An organization that shares projects, events or programmes with another.
pub struct Collaborator {
    /// The organization whose collaborator this is.
    of: i64,
    partner: i64,
    shared_count: usize,
    weight: f64,
    first_year: Option<i32>,
    last_year: Option<i32>,
    /// The shared items, when the tie was computed with them (a filter chooses which count);
    /// `None` for a stored tie, whose items are loaded only if a client asks for them.
    shared: Option<Vec<ItemRef>>,
}

impl Collaborator {
    fn computed(of: i64, c: graph::Collaboration) -> Self {
        Collaborator {
            of,
            partner: c.organization,
            shared_count: c.shared.len(),
            weight: c.weight,
            first_year: c.first_year,
            last_year: c.last_year,
            shared: Some(c.shared),
        }
    }

    fn stored(tie: &Arc<collaboration::Model>) -> Self {
        Collaborator {
            of: tie.organization_id,
            partner: tie.partner_id,
            shared_count: usize::try_from(tie.shared_count).unwrap_or(0),
            weight: tie.weight,
            first_year: tie.first_year,
            last_year: tie.last_year,
            shared: None,
        }
    }
}

/// An organization that shares projects, events or programmes with another.
#[Object]
impl Collaborator {
    /// The collaborating organization (null only if its record is missing).
    async fn organization(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.partner).await
    }
    /// How many projects, events and programmes they share.
    async fn shared_count(&self) -> usize {
        self.shared_count
    }
    /// Tie strength: each shared item adds 1/(its number of organizations − 1), so a two-partner
    /// project counts more than a 40-member campaign (Newman's collaboration weight); rounded to
    /// four decimals (two thirds is 0.6667), and ordered by that rounded value.
    async fn weight(&self) -> f64 {
        self.weight
    }
    /// The earliest year either organization was involved in a shared item (the participation's
    /// dates, else the item's); null when none is dated.
    async fn first_year(&self) -> Option<i32> {
        self.first_year
    }
    /// The latest year either organization was involved in a shared item; null when none is dated.
    async fn last_year(&self) -> Option<i32> {
        self.last_year
    }
    /// The shared projects, events and programmes: projects first, then events, then programmes,
    /// each in the order recorded; at most `first` (0–100, default 20).
    async fn shared(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many activities to return: 0 to 100.")] first: i32,
    ) -> async_graphql::Result<Vec<Activity>> {
        match &self.shared {
            Some(items) => activities(ctx, items, first).await,
            None => shared_activities(ctx, self.of, self.partner, first).await,
        }
    }
}

/// Loads activities in order, at most `first` (0..=100).
async fn activities(
    ctx: &Context<'_>,
    items: &[ItemRef],
    first: i32,
) -> async_graphql::Result<Vec<Activity>> {
    if !(0..=100).contains(&first) {
        return Err(StoreError::invalid(
            "first",
            format!("must be between 0 and 100, got {first}"),
        )
        .into());
    }
    let ids: Vec<i64> = items
        .iter()
        .take(first as usize)
        .map(|item| item.id)
        .collect();
    Ok(Activity::load_many(ctx, &ids)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The activities two organizations share, in item order, at most `first` (0..=100).
async fn shared_activities(
    ctx: &Context<'_>,
    organization: i64,
    partner: i64,
    first: i32,
) -> async_graphql::Result<Vec<Activity>> {
    let items = ctx
        .data::<Loaders>()?
        .load_one(SharedItems {
            organization,
            partner,
        })
        .await?
        .unwrap_or_default();
    activities(ctx, &items, first).await
}

/// The projects, events and programmes two organizations both take part in: what a stored tie
/// (or a hop of a path) does not carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SharedItems {
    pub organization: i64,
    pub partner: i64,
}

impl Loader<SharedItems> for Sql {
    type Value = Arc<Vec<ItemRef>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SharedItems],
    ) -> Result<HashMap<SharedItems, Self::Value>, Self::Error> {
        // One statement for the batch: the activities each organization shares with a partner
        // of the batch, matched on the participation index alone (`organization_id`,
        // `target_id`), and only then joined to `record` for their kind. Joining `record` to
        // every participation of both sides first cost a lookup per participation: 51 ms on
        // PostgreSQL for one hop through a hub at 200,000 organizations, 2.6 s for a hub's 100
        // strongest partners. The CTE is materialized so SQLite cannot move the `record` join
        // back in front.
        let backend = self.db().get_database_backend();
        let organizations: Vec<i64> = keys
            .iter()
            .map(|k| k.organization)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let partners: Vec<i64> = keys
            .iter()
            .map(|k| k.partner)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let pairs = Query::select()
            .expr_as(
                Expr::cust("p.organization_id"),
                Alias::new("organization_id"),
            )
            .expr_as(Expr::cust("q.organization_id"), Alias::new("partner_id"))
            .expr_as(Expr::cust("p.target_id"), Alias::new("target_id"))
            .from_as(Alias::new("participation"), Alias::new("p"))
            .join_as(
                sea_orm::JoinType::InnerJoin,
                Alias::new("participation"),
                Alias::new("q"),
                Condition::all()
                    .add(id_in(backend, "q.organization_id", &partners))
                    .add(Expr::cust("q.target_id = p.target_id")),
            )
            .cond_where(id_in(backend, "p.organization_id", &organizations))
            .and_where(Expr::cust("q.organization_id <> p.organization_id"))
            .to_owned();
        let mut shared_pairs = CommonTableExpression::from_select(pairs);
        shared_pairs
            .table_name(Alias::new("shared_pair"))
            .materialized(true);
        let select = Query::select()
            .expr_as(
                Expr::cust("s.organization_id"),
                Alias::new("organization_id"),
            )
            .expr_as(Expr::cust("s.partner_id"), Alias::new("partner_id"))
            .expr_as(Expr::cust("s.target_id"), Alias::new("target_id"))
            .expr_as(Expr::cust("r.kind"), Alias::new("target_kind"))
            .from_as(Alias::new("shared_pair"), Alias::new("s"))
            .join_as(
                sea_orm::JoinType::InnerJoin,
                Alias::new("record"),
                Alias::new("r"),
                Expr::cust("r.record_id = s.target_id"),
            )
            .to_owned()
            .with(WithClause::new().cte(shared_pairs).to_owned());
        let wanted: std::collections::HashSet<SharedItems> = keys.iter().copied().collect();
        let mut shared: HashMap<SharedItems, BTreeSet<ItemRef>> = HashMap::new();
        let mut rows = std::pin::pin!(self.db().stream(&select).await?);
        while let Some(row) = rows.next().await {
            let row = row?;
            let Some(kind) = seeds::ties::item_kind(&row.try_get::<String>("", "target_kind")?)
            else {
                continue;
            };
            let key = SharedItems {
                organization: row.try_get("", "organization_id")?,
                partner: row.try_get("", "partner_id")?,
            };
            if wanted.contains(&key) {
                shared.entry(key).or_default().insert(ItemRef {
                    kind,
                    id: row.try_get("", "target_id")?,
                });
            }
        }
        Ok(keys
            .iter()
            .map(|&key| {
                let items = shared.remove(&key).unwrap_or_default();
                (key, Arc::new(items.into_iter().collect()))
            })
            .collect())
    }
}

/// The collaborators of an organization, strongest first.
pub type CollaboratorConnection = Conn<Collaborator>;

/// Resolves `Organization.collaborators`.
///
/// Without a filter, the page is read from the stored ties (`collaboration`: the loader keeps
/// them); a filter changes which items and collaborators count, so those are computed from the
/// memberships of the organization's items. Both give the same ties in the same order with the
/// same cursors.
pub async fn collaborators(
    ctx: &Context<'_>,
    organization: i64,
    mut filter: CollaboratorFilter,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<CollaboratorConnection> {
    let args = PageArgs::new(first, after, None, None)?;
    if let Some(countries) = &filter.countries {
        filter.countries = Some(super::country::checked("filter.countries", countries)?);
    }
    let loaders = ctx.data::<Loaders>()?;
    if filter.is_empty() {
        // Stored strongest first ([`seeds::ties::sort_key`]), then by partner id.
        let spec = spec(&child::TIES, Vec::new());
        let total = Total::Children(ChildCount {
            parent: organization,
            table: spec.table,
            parent_column: spec.parent_column,
            filters: Vec::new(),
        });
        let page = loaders
            .load_one(Children::<collaboration::Entity>::new(
                organization,
                spec,
                args,
            ))
            .await?
            .unwrap_or_default();
        return Ok(from_page(&page, total, Collaborator::stored));
    }
    let all = loaders
        .load_one(CollaboratorsKey::new(organization, filter))
        .await?
        .unwrap_or_default();
    let mut rows: Vec<(Cursor, graph::Collaboration)> = all
        .iter()
        .map(|c| {
            (
                Cursor(
                    vec![
                        SortValue::Int(seeds::ties::sort_key(c.weight)),
                        SortValue::Int(c.organization),
                    ]
                    .into(),
                ),
                c.clone(),
            )
        })
        .collect();
    // The stored ties' order: equal (rounded) weights fall back to the partner id.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, total) = page_in_memory(rows, &args)?;
    Ok(from_page(&page, Total::Known(total), |c| {
        Collaborator::computed(organization, c.as_ref().clone())
    }))
}

/// What part of the graph a network covers.
#[derive(InputObject, Clone, Debug, Default)]
pub struct NetworkFilter {
    /// Only organizations located in these countries (ISO 3166-1 alpha-2 codes such as `PL`;
    /// lowercase is read as uppercase, anything but two letters is `BAD_USER_INPUT`).
    pub countries: Option<Vec<String>>,
    /// Only organizations of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Only activities in these programmes (slugs): the programmes, their sub-programmes, and the
    /// projects and events directly under them.
    pub programmes: Option<Vec<String>>,
    /// Only activities classified under these topics (slugs such as `sdg-4`).
    pub topics: Option<Vec<String>>,
    /// Only activities active in these years, by the participation's dates or else the activity's
    /// (undated ones drop out).
    pub period: Option<YearRange>,
}

/// A node of a collaboration network: the network's node at `index`, read in place.
pub struct NetworkNode {
    network: Arc<ComputedNetwork>,
    index: usize,
}

impl NetworkNode {
    fn node(&self) -> &graph::NetworkNode {
        &self.network.network.nodes[self.index]
    }
}

/// A node of a collaboration network.
#[Object]
impl NetworkNode {
    /// The organization (null only if its record is missing).
    async fn organization(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.node().organization).await
    }
    /// Number of distinct collaborators within this network.
    async fn degree(&self) -> usize {
        self.node().degree
    }
    /// Sum of the weights of its ties within this network, rounded to four decimals; `limit` keeps
    /// the organizations where it is highest.
    async fn weighted_degree(&self) -> f64 {
        self.node().weighted_degree
    }
    /// Normalised betweenness centrality (0–1) within this network: the share of shortest paths
    /// between other organizations that pass through it (1 for the hub of a star); rounded to four
    /// decimals.
    async fn betweenness(&self) -> f64 {
        self.node().betweenness
    }
}

/// A weighted tie of a network, with its evidence: the network's edge at `index`, read in place.
pub struct NetworkEdge {
    network: Arc<ComputedNetwork>,
    index: usize,
}

impl NetworkEdge {
    fn edge(&self) -> &graph::NetworkEdge {
        &self.network.network.edges[self.index]
    }
}

lean_objects!(NetworkNode, NetworkEdge);

/// A weighted tie of a network, with its evidence.
#[Object]
impl NetworkEdge {
    /// One end of the tie, the one recorded first; ties have no direction (null only if its record
    /// is missing).
    async fn source(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.edge().source).await
    }
    /// The other end of the tie (null only if its record is missing).
    async fn target(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.edge().target).await
    }
    /// Global ID of the source organization (handy for drawing without loading it).
    async fn source_id(&self) -> ID {
        super::id::encode(NodeType::Organization, self.edge().source)
    }
    /// Global ID of the target organization.
    async fn target_id(&self) -> ID {
        super::id::encode(NodeType::Organization, self.edge().target)
    }
    /// Tie strength: each shared item adds 1/(its number of organizations − 1), rounded to four
    /// decimals, as in `Collaborator.weight`.
    async fn weight(&self) -> f64 {
        self.edge().weight
    }
    /// How many projects, events and programmes the two share.
    async fn shared_count(&self) -> usize {
        self.edge().shared.len()
    }
    /// The shared projects, events and programmes: projects first, then events, then programmes,
    /// each in the order recorded; at most `first` (0–100, default 20).
    async fn shared(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many activities to return: 0 to 100.")] first: i32,
    ) -> async_graphql::Result<Vec<Activity>> {
        activities(ctx, &self.edge().shared, first).await
    }
}

/// A collaboration network: what a frontend needs to draw it.
pub struct Network(Arc<ComputedNetwork>);

/// A network as computed, shared with [`NetworkCache`].
pub struct ComputedNetwork {
    network: graph::Network,
    /// Organizations in the filtered graph before `limit` kept the strongest.
    total_nodes: usize,
}

/// A collaboration network: what a frontend needs to draw it.
#[Object]
impl Network {
    /// The organizations, in the order recorded, including those without a tie in this network.
    async fn nodes(&self) -> Vec<Lean<NetworkNode>> {
        (0..self.0.network.nodes.len())
            .map(|index| {
                Lean(NetworkNode {
                    network: self.0.clone(),
                    index,
                })
            })
            .collect()
    }
    /// The ties between them, each pair once, ordered by `source` then `target` in the order
    /// recorded.
    async fn edges(&self) -> Vec<Lean<NetworkEdge>> {
        (0..self.0.network.edges.len())
            .map(|index| {
                Lean(NetworkEdge {
                    network: self.0.clone(),
                    index,
                })
            })
            .collect()
    }
    /// How many organizations the filter matched (more than `nodes` when `limit` cut it).
    async fn total_nodes(&self) -> usize {
        self.0.total_nodes
    }
    /// Whether `limit` dropped organizations; if so, degrees, weights and betweenness are those of
    /// the kept organizations among themselves.
    async fn truncated(&self) -> bool {
        self.0.total_nodes > self.0.network.nodes.len()
    }
}

/// The largest network a request may ask for: betweenness is O(nodes × edges).
pub const MAX_NETWORK_NODES: i32 = 1000;

/// Networks an instance computed, kept with the graph version they were computed at
/// ([`entities::graph_version`]) and reused while it is current.
///
/// A country's network reads every membership of its organizations and computes betweenness:
/// about 100 ms at 20,000 organizations and 0.4–0.6 s at 200,000, for an answer that only changes
/// when a load writes. Every load raises the version in its own transaction, and a request reads
/// it (one primary-key row) before using a kept answer, so no instance serves a network of an
/// older graph, however many run over one PostgreSQL database.
pub struct NetworkCache {
    entries: std::sync::Mutex<std::collections::VecDeque<CachedNetwork>>,
}

struct CachedNetwork {
    key: String,
    version: i64,
    network: Arc<ComputedNetwork>,
    /// Nodes, edges and shared items: what the entry holds, for the bound on all of them.
    size: usize,
}

/// The most nodes, edges and shared items all kept networks may hold together: a few hundred
/// megabytes at the very most, tens in practice (a 1,000-node network with its edges is about
/// 10,000 of these).
const CACHED_NETWORK_ITEMS: usize = 2_000_000;

impl Default for NetworkCache {
    fn default() -> Self {
        NetworkCache {
            entries: std::sync::Mutex::new(std::collections::VecDeque::new()),
        }
    }
}

impl NetworkCache {
    fn get(&self, key: &str, version: i64) -> Option<Arc<ComputedNetwork>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|e| e.key == key && e.version == version)
            .map(|e| e.network.clone())
    }

    /// Keeps `network`, dropping entries of older versions and then the oldest entries until
    /// everything fits the bound.
    fn put(&self, key: String, version: i64, network: Arc<ComputedNetwork>) {
        let size = network.network.nodes.len()
            + network
                .network
                .edges
                .iter()
                .map(|e| 1 + e.shared.len())
                .sum::<usize>();
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|e| e.version >= version && e.key != key);
        entries.push_back(CachedNetwork {
            key,
            version,
            network,
            size,
        });
        while entries.iter().map(|e| e.size).sum::<usize>() > CACHED_NETWORK_ITEMS {
            entries.pop_front();
        }
    }
}

/// The current version of the graph; `None` when the database has no version row (then nothing
/// is kept).
async fn graph_version(db: &DatabaseConnection) -> Result<Option<i64>, StoreError> {
    use sea_orm::EntityTrait;
    Ok(entities::graph_version::Entity::find_by_id(1)
        .one(db)
        .await?
        .map(|row| row.version))
}

/// Resolves `collaborationNetwork`.
pub async fn network(
    ctx: &Context<'_>,
    mut filter: NetworkFilter,
    limit: i32,
) -> async_graphql::Result<Network> {
    if let Some(countries) = &filter.countries {
        filter.countries = Some(super::country::checked("filter.countries", countries)?);
    }
    if !(1..=MAX_NETWORK_NODES).contains(&limit) {
        return Err(StoreError::invalid(
            "limit",
            format!("must be between 1 and {MAX_NETWORK_NODES}, got {limit}"),
        )
        .into());
    }
    let db = ctx.data::<DatabaseConnection>()?;
    let cache = ctx.data::<NetworkCache>()?;
    let key = format!("{filter:?} {limit}");
    let version = graph_version(db).await?;
    if let Some(network) = version.and_then(|v| cache.get(&key, v)) {
        return Ok(Network(network));
    }
    let max_memberships = ctx
        .data_opt::<super::Limits>()
        .copied()
        .unwrap_or_default()
        .max_memberships;
    let network = Arc::new(compute_network(db, &filter, limit as usize, max_memberships).await?);
    if let Some(version) = version {
        cache.put(key, version, network.clone());
    }
    Ok(Network(network))
}

/// Computes a network from the memberships the filter keeps.
async fn compute_network(
    db: &DatabaseConnection,
    filter: &NetworkFilter,
    limit: usize,
    max_memberships: usize,
) -> Result<ComputedNetwork, StoreError> {
    let mut select = network_select(filter);
    select.cond_where(network_condition(db, filter).await?);
    let memberships: Vec<Membership> = fetch(db, &select, max_memberships, |r| {
        Ok(seeds::ties::membership(r)?)
    })
    .await?;
    // Tie weights count every member of a shared item (1/(members − 1)), also the ones the
    // filter leaves out of the drawing, so a tie weighs the same in every view of the graph: one
    // statement counts the members of every item drawn. (Counting in the membership statement,
    // a subquery per row, took 1.9 s instead of 0.7 s for a country at size L on PostgreSQL.)
    let items: BTreeSet<i64> = memberships.iter().map(|m| m.item.id).collect();
    let sizes = member_counts(db, &items.iter().copied().collect::<Vec<_>>()).await?;
    let computed = tokio::task::spawn_blocking(move || {
        let drawn = CollaborationGraph::build(&memberships);
        let total_nodes = drawn.node_count();
        let mut network = if total_nodes <= limit {
            drawn.network(NetworkOptions { betweenness: true })
        } else {
            // Keep the `limit` organizations with the strongest ties, then measure that subgraph.
            let mut nodes = drawn.network(NetworkOptions { betweenness: false }).nodes;
            nodes.sort_by(|a, b| {
                b.weighted_degree
                    .total_cmp(&a.weighted_degree)
                    .then(a.organization.cmp(&b.organization))
            });
            let keep: BTreeSet<i64> = nodes.iter().take(limit).map(|n| n.organization).collect();
            let kept: Vec<Membership> = memberships
                .iter()
                .copied()
                .filter(|m| keep.contains(&m.organization))
                .collect();
            graph::network_with_options(&kept, NetworkOptions { betweenness: true })
        };
        let mut weighted: HashMap<i64, f64> = HashMap::new();
        for edge in &mut network.edges {
            // Summed in the order of `shared` (by item), as the graph sums a pair's weight.
            let weight: f64 = edge
                .shared
                .iter()
                .map(|item| graph::item_share(sizes.get(&item.id).copied().unwrap_or(2)))
                .sum();
            *weighted.entry(edge.source).or_default() += weight;
            *weighted.entry(edge.target).or_default() += weight;
            // Rounded once summed, as the graph rounds every weight (`graph::rounded`).
            edge.weight = graph::rounded(weight);
        }
        for node in &mut network.nodes {
            node.weighted_degree =
                graph::rounded(weighted.get(&node.organization).copied().unwrap_or(0.0));
        }
        ComputedNetwork {
            network,
            total_nodes,
        }
    })
    .await
    .map_err(|_| StoreError::Internal)?;
    Ok(computed)
}

/// How many distinct organizations take part in each of `items`.
async fn member_counts(
    db: &DatabaseConnection,
    items: &[i64],
) -> Result<HashMap<i64, usize>, StoreError> {
    let select = Query::select()
        .column(Alias::new("target_id"))
        .expr_as(
            Expr::cust("COUNT(DISTINCT organization_id)"),
            Alias::new("members"),
        )
        .from(Alias::new("participation"))
        .cond_where(id_in(db.get_database_backend(), "target_id", items))
        .group_by_col(Alias::new("target_id"))
        .to_owned();
    let mut sizes = HashMap::with_capacity(items.len());
    for row in db.query_all(&select).await? {
        let members: i64 = row.try_get("", "members")?;
        sizes.insert(
            row.try_get::<i64>("", "target_id")?,
            usize::try_from(members).unwrap_or(0),
        );
    }
    Ok(sizes)
}

async fn network_condition(
    db: &DatabaseConnection,
    filter: &NetworkFilter,
) -> Result<Condition, StoreError> {
    let mut all = Condition::all();
    if let Some(countries) = &filter.countries {
        all = all.add(Expr::cust("pl.country_code").is_in(countries.iter().cloned()));
    }
    if let Some(kinds) = &filter.kinds {
        all = all.add(
            Expr::cust("o.kind").is_in(
                kinds
                    .iter()
                    .map(|&k| entities::OrganizationKind::from(k).as_str()),
            ),
        );
    }
    if let Some(period) = &filter.period {
        if let Some(from) = period.from {
            all = all.add(Expr::cust("COALESCE(p.year_to, pj.year_to, pr.year_to, ev.year_to, p.year_from, pj.year_from, pr.year_from, ev.year_from)").gte(from));
        }
        if let Some(to) = period.to {
            all = all.add(Expr::cust("COALESCE(p.year_from, pj.year_from, pr.year_from, ev.year_from, p.year_to, pj.year_to, pr.year_to, ev.year_to)").lte(to));
        }
    }
    if let Some(slugs) = &filter.programmes {
        let programmes = programme_tree(db, slugs).await?;
        let ids: Vec<i64> = programmes.into_iter().collect();
        all = all.add(
            Condition::any()
                .add(Expr::cust("p.target_id").is_in(ids.iter().copied()))
                .add(Expr::cust("pj.programme_id").is_in(ids.iter().copied()))
                .add(Expr::cust("ev.programme_id").is_in(ids.iter().copied())),
        );
    }
    if let Some(topics) = &filter.topics {
        all = all.add(
            Expr::cust("p.target_id").in_subquery(
                Query::select()
                    .column(Alias::new("subject_id"))
                    .from(Alias::new("classification"))
                    .and_where(
                        Expr::col(Alias::new("topic_id")).in_subquery(
                            Query::select()
                                .column(Alias::new("topic_id"))
                                .from(Alias::new("topic"))
                                .and_where(
                                    Expr::col(Alias::new("slug")).is_in(topics.iter().cloned()),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        );
    }
    Ok(all)
}

/// The programmes named by slug and all their descendants.
pub async fn programme_tree(
    db: &DatabaseConnection,
    slugs: &[String],
) -> Result<BTreeSet<i64>, StoreError> {
    let select = Query::select()
        .column(Alias::new("programme_id"))
        .column(Alias::new("parent_id"))
        .column(Alias::new("slug"))
        .from(Alias::new("programme"))
        .to_owned();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut selected = BTreeSet::new();
    for row in db.query_all(&select).await? {
        let id: i64 = row.try_get("", "programme_id")?;
        let parent: Option<i64> = row.try_get("", "parent_id")?;
        let slug: String = row.try_get("", "slug")?;
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(id);
        }
        if slugs.contains(&slug) {
            selected.insert(id);
        }
    }
    let mut stack: Vec<i64> = selected.iter().copied().collect();
    while let Some(id) = stack.pop() {
        for &child in children.get(&id).map(Vec::as_slice).unwrap_or_default() {
            if selected.insert(child) {
                stack.push(child);
            }
        }
    }
    Ok(selected)
}

/// One step of a connection path: two organizations and what they share.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Hop {
    /// Global ID of the organization this hop leaves.
    pub from_id: ID,
    /// Global ID of the organization this hop reaches.
    pub to_id: ID,
    #[graphql(skip)]
    pub from: i64,
    #[graphql(skip)]
    pub to: i64,
}

#[async_graphql::ComplexObject]
impl Hop {
    /// The organization this hop leaves (null only if its record is missing).
    async fn from(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.from).await
    }
    /// The organization this hop reaches (null only if its record is missing).
    async fn to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lean<Organization>>> {
        Organization::load(ctx, self.to).await
    }
    /// The projects, events and programmes both took part in: projects first, then events, then
    /// programmes, each in the order recorded; at most `first` (0–100, default 20).
    async fn via(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many activities to return: 0 to 100.")] first: i32,
    ) -> async_graphql::Result<Vec<Activity>> {
        shared_activities(ctx, self.from, self.to, first).await
    }
}

/// How two organizations are connected.
#[derive(SimpleObject)]
pub struct ConnectionPath {
    /// Whether a chain of at most `maxHops` collaborations links the two.
    pub connected: bool,
    /// Number of hops: 0 when `from` and `to` are the same organization, null when not connected.
    pub length: Option<i32>,
    /// The hops, in order from `from` to `to`; empty when not connected or the same organization.
    /// Of equally short chains, the one through the earliest-recorded organizations is chosen.
    pub hops: Vec<Hop>,
}

/// An organization named by global ID or by slug. The two cannot be confused: slugs are lowercase,
/// and every global ID of an organization starts with the base64 of "Org", `T3Jn`.
async fn organization_ref(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    field: &str,
    id: &ID,
) -> async_graphql::Result<i64> {
    let row = if seeds::validate::is_slug(id.as_str()) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entities::organization::Entity::find()
            .filter(entities::organization::Column::Slug.eq(id.as_str()))
            .one(db)
            .await
            .map_err(StoreError::from)?
            .map(|m| m.organization_id)
    } else {
        let row = decode_as(field, id, NodeType::Organization)?;
        Organization::load(ctx, row).await?.map(|_| row)
    };
    row.ok_or_else(|| {
        StoreError::not_found(format!("organization `{field}` ({})", id.as_str())).into()
    })
}

/// The most hops a path search may take.
pub const MAX_HOPS: i32 = 6;

/// Resolves `connectionPath`: breadth-first over the stored ties, one statement per level, then
/// the deterministic shortest path over what was reached.
pub async fn connection_path(
    ctx: &Context<'_>,
    from: ID,
    to: ID,
    max_hops: i32,
) -> async_graphql::Result<ConnectionPath> {
    if !(1..=MAX_HOPS).contains(&max_hops) {
        return Err(StoreError::invalid(
            "maxHops",
            format!("must be between 1 and {MAX_HOPS}, got {max_hops}"),
        )
        .into());
    }
    let db = ctx.data::<DatabaseConnection>()?;
    // Both ends at once: by global ID they are one batch of the organization loader.
    let (from, to) = async_graphql::futures_util::try_join!(
        organization_ref(ctx, db, "from", &from),
        organization_ref(ctx, db, "to", &to)
    )?;
    // Breadth-first from both ends at once, one statement per step, each step widening the side
    // whose frontier is smaller. Hubs (ministries, national programmes) join a frontier within a
    // hop or two, and widening a frontier of hubs reads most of the graph: meeting in the middle
    // reads far fewer ties than walking all the way from one end.
    let mut reached: [BTreeSet<i64>; 2] = [BTreeSet::from([from]), BTreeSet::from([to])];
    let mut frontiers: [Vec<i64>; 2] = [vec![from], vec![to]];
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    for _ in 0..max_hops {
        if !reached[0].is_disjoint(&reached[1]) {
            break;
        }
        let side = usize::from(frontiers[1].len() < frontiers[0].len());
        if frontiers[side].is_empty() {
            break;
        }
        let select = Query::select()
            .column(Alias::new("organization_id"))
            .column(Alias::new("partner_id"))
            .from(Alias::new("collaboration"))
            .cond_where(id_in(
                db.get_database_backend(),
                "organization_id",
                &frontiers[side],
            ))
            .to_owned();
        let mut next = Vec::new();
        for row in db.query_all(&select).await? {
            let organization: i64 = row.try_get("", "organization_id")?;
            let partner: i64 = row.try_get("", "partner_id")?;
            if reached[side].insert(partner) {
                next.push(partner);
            }
            pairs.push((organization, partner));
        }
        frontiers[side] = next;
    }
    let route = tokio::task::spawn_blocking(move || {
        CollaborationGraph::from_pairs(&pairs).route(from, to, max_hops as usize)
    })
    .await
    .map_err(|_| StoreError::Internal)?;
    Ok(match route {
        Some(route) => ConnectionPath {
            connected: true,
            length: Some(route.len() as i32 - 1),
            hops: route
                .windows(2)
                .map(|pair| Hop {
                    from_id: super::id::encode(NodeType::Organization, pair[0]),
                    to_id: super::id::encode(NodeType::Organization, pair[1]),
                    from: pair[0],
                    to: pair[1],
                })
                .collect(),
        },
        None => ConnectionPath {
            connected: false,
            length: None,
            hops: Vec::new(),
        },
    })
}
