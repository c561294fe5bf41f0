//! Collaboration reads: the memberships collaboration is computed from, with the filters a
//! coordinator asks for; what two organizations share; networks, computed and kept per graph
//! version; paths over the stored ties.
//!
//! The SQL here only gathers memberships — (organization, activity, years) — and ties; weights,
//! centrality and paths are plain Rust over those rows in the `graph` crate, run on a blocking
//! thread when the graph is large.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use futures_util::StreamExt;
use graph::{CollaborationGraph, ItemRef, Membership, Period};
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Condition, Expr, ExprTrait, Query, SelectStatement, WithClause,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, StreamTrait};

use super::error::{StoreError, StoreResult};
use super::loader::{LoadError, Sql};
use super::sql::id_in;

/// Which collaborators of one organization count, in the store's terms.
#[derive(Clone, Debug, Default)]
pub struct CollaboratorFilter {
    /// Only shared items where the collaborator (not this organization) had one of these roles.
    pub roles: Option<Vec<entities::Role>>,
    /// Only shared items active in these years.
    pub period: Option<Period>,
    /// Only collaborators of these kinds.
    pub kinds: Option<Vec<entities::OrganizationKind>>,
    /// Only collaborators located in these countries (ISO 3166-1 alpha-2 codes, checked).
    pub countries: Option<Vec<String>>,
}

impl CollaboratorFilter {
    /// Whether the filter keeps every shared item and every collaborator: then the stored ties
    /// answer.
    pub fn is_empty(&self) -> bool {
        self.roles.is_none()
            && self.period.is_none()
            && self.kinds.is_none()
            && self.countries.is_none()
    }
}

/// What part of the graph a network covers, in the store's terms.
#[derive(Clone, Debug, Default)]
pub struct NetworkFilter {
    /// Only organizations located in these countries (ISO 3166-1 alpha-2 codes, checked).
    pub countries: Option<Vec<String>>,
    /// Only organizations of these kinds.
    pub kinds: Option<Vec<entities::OrganizationKind>>,
    /// Only activities in these programmes (slugs), their sub-programmes, and the projects and
    /// events directly under them.
    pub programmes: Option<Vec<String>>,
    /// Only activities classified under these topics (slugs).
    pub topics: Option<Vec<String>>,
    /// Only activities active in these years.
    pub period: Option<Period>,
}

/// A membership row with what filters need.
pub type Row = graph::Participation<entities::Role, entities::OrganizationKind>;

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

/// Key of the collaborators loader: the organization and the filter, hashed by its debug form.
#[derive(Clone, Debug)]
pub struct CollaboratorsKey {
    pub organization: i64,
    filter: CollaboratorFilter,
    fingerprint: String,
}

impl CollaboratorsKey {
    pub fn new(organization: i64, filter: CollaboratorFilter) -> Self {
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

/// The collaborators of `of` under `filter` ([`graph::filtered_collaborators`]).
fn filtered_collaborators(
    rows: &[Row],
    of: i64,
    filter: &CollaboratorFilter,
) -> Vec<graph::Collaboration> {
    let filter = graph::CollaboratorFilter {
        roles: filter.roles.as_deref(),
        period: filter.period,
        kinds: filter.kinds.as_deref(),
        countries: filter.countries.as_deref(),
    };
    graph::filtered_collaborators(rows, of, &filter)
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

/// A network as computed, shared with [`NetworkCache`].
pub struct ComputedNetwork {
    pub network: graph::Network,
    /// Organizations in the filtered graph before `limit` kept the strongest.
    pub total_nodes: usize,
}

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

/// The network of the memberships `filter` keeps, its `limit` strongest organizations: the one
/// kept in `cache` while the graph's version is the one it was computed at, else computed (and
/// kept). Refuses with `TOO_BROAD` a filter that keeps more than `max_memberships`.
pub async fn network(
    db: &DatabaseConnection,
    cache: &NetworkCache,
    filter: &NetworkFilter,
    limit: usize,
    max_memberships: usize,
) -> StoreResult<Arc<ComputedNetwork>> {
    let key = format!("{filter:?} {limit}");
    let version = graph_version(db).await?;
    if let Some(network) = version.and_then(|v| cache.get(&key, v)) {
        return Ok(network);
    }
    let network = Arc::new(compute_network(db, filter, limit, max_memberships).await?);
    if let Some(version) = version {
        cache.put(key, version, network.clone());
    }
    Ok(network)
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
        let mut drawn = graph::strongest_network(&memberships, limit);
        drawn.network.reweigh(|item| sizes.get(&item.id).copied());
        ComputedNetwork {
            network: drawn.network,
            total_nodes: drawn.total_nodes,
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
        all = all.add(Expr::cust("o.kind").is_in(kinds.iter().map(|k| k.as_str())));
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

/// The organization with this slug, if any.
pub async fn organization_by_slug(db: &DatabaseConnection, slug: &str) -> StoreResult<Option<i64>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(entities::organization::Entity::find()
        .filter(entities::organization::Column::Slug.eq(slug))
        .one(db)
        .await?
        .map(|m| m.organization_id))
}

/// The shortest chain of stored ties from `from` to `to`, at most `max_hops` long, as the
/// organizations on it; of equally short chains, the one through the earliest-recorded
/// organizations. Breadth-first, one statement per level, then the deterministic shortest path
/// over what was reached.
pub async fn route(
    db: &DatabaseConnection,
    from: i64,
    to: i64,
    max_hops: usize,
) -> StoreResult<Option<Vec<i64>>> {
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
        CollaborationGraph::from_pairs(&pairs).route(from, to, max_hops)
    })
    .await
    .map_err(|_| StoreError::Internal)?;
    Ok(route)
}
