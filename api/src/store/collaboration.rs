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
use entities::{
    classification, collaboration, event, organization, participation, place, programme, project,
    record, topic,
};
use futures_util::StreamExt;
use graph::{CollaborationGraph, ItemRef, Membership, Period};
use sea_orm::sea_query::{
    CommonTableExpression, Condition, Expr, ExprTrait, Func, Iden, Query, SelectStatement,
    WithClause, WithQuery,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DeriveIden, IdenStatic, JoinType, StreamTrait,
};
use seeds::ties::alias::{EV, O, P, PJ, PL, Q, R};
use seeds::ties::{years_from, years_to};

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
        .expr_as(P.col(participation::Column::Role), FilterColumn::Role)
        .expr_as(
            O.col(organization::Column::Kind),
            FilterColumn::OrganizationKind,
        )
        .expr_as(
            PL.col(place::Column::CountryCode),
            FilterColumn::CountryCode,
        );
    join_organizations(&mut select, true);
    select
}

/// The columns [`memberships_select`] adds to a membership's, as [`fetch_rows`] reads them.
#[derive(Clone, Copy, Debug, DeriveIden)]
enum FilterColumn {
    Role,
    OrganizationKind,
    CountryCode,
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
        JoinType::InnerJoin,
        O.table(),
        O,
        O.col(organization::Column::OrganizationId)
            .eq(P.col(participation::Column::OrganizationId)),
    );
    if places {
        select.join_as(
            JoinType::LeftJoin,
            PL.table(),
            PL,
            PL.col(place::Column::PlaceId)
                .eq(O.col(organization::Column::PlaceId)),
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
    let _turn = crate::store::share::turn().await;
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
        let role = entities::Role::parse(&r.try_get::<String>("", FilterColumn::Role.unquoted())?)
            .unwrap_or(entities::Role::Partner);
        let organization_kind = entities::OrganizationKind::parse(
            &r.try_get::<String>("", FilterColumn::OrganizationKind.unquoted())?,
        )
        .unwrap_or(entities::OrganizationKind::Ngo);
        Ok(Some(Row {
            membership,
            role,
            kind: organization_kind,
            country: r.try_get("", FilterColumn::CountryCode.unquoted())?,
        }))
    })
    .await
}

/// Every membership, with what the collaborator filters need, of every activity any of
/// `organizations` is in.
fn collaborators_select(backend: DbBackend, organizations: &[i64]) -> SelectStatement {
    let mut select = memberships_select();
    select.cond_where(
        P.col(participation::Column::TargetId).in_subquery(
            Query::select()
                .column(participation::Column::TargetId)
                .from(participation::Entity)
                .and_where(id_in(
                    backend,
                    Expr::col(participation::Column::OrganizationId),
                    organizations,
                ))
                .to_owned(),
        ),
    );
    select
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
        let organizations: Vec<i64> = keys
            .iter()
            .map(|k| k.organization)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let select = collaborators_select(self.db().get_database_backend(), &organizations);
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
        // One statement for the batch ([`shared_items_select`]).
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
        let select = shared_items_select(backend, &organizations, &partners);
        let wanted: std::collections::HashSet<SharedItems> = keys.iter().copied().collect();
        let mut shared: HashMap<SharedItems, BTreeSet<ItemRef>> = HashMap::new();
        let _turn = crate::store::share::turn().await;
        let mut rows = std::pin::pin!(self.db().stream(&select).await?);
        while let Some(row) = rows.next().await {
            let row = row?;
            let Some(kind) = seeds::ties::item_kind(
                &row.try_get::<String>("", SharedPair::TargetKind.unquoted())?,
            ) else {
                continue;
            };
            let key = SharedItems {
                organization: row.try_get("", SharedPair::OrganizationId.unquoted())?,
                partner: row.try_get("", SharedPair::PartnerId.unquoted())?,
            };
            if wanted.contains(&key) {
                shared.entry(key).or_default().insert(ItemRef {
                    kind,
                    id: row.try_get("", SharedPair::TargetId.unquoted())?,
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

/// `organization_id`, `partner_id`, `target_id`, `target_kind`: the activities each of
/// `organizations` shares with one of `partners`.
///
/// The activities are matched on the participation index alone (`organization_id`,
/// `target_id`), and only then joined to `record` for their kind. Joining `record` to every
/// participation of both sides first cost a lookup per participation: 51 ms on PostgreSQL for
/// one hop through a hub at 200,000 organizations, 2.6 s for a hub's 100 strongest partners. The
/// CTE is materialized so SQLite cannot move the `record` join back in front.
fn shared_items_select(backend: DbBackend, organizations: &[i64], partners: &[i64]) -> WithQuery {
    let pairs = Query::select()
        .expr_as(
            P.col(participation::Column::OrganizationId),
            SharedPair::OrganizationId,
        )
        .expr_as(
            Q.col(participation::Column::OrganizationId),
            SharedPair::PartnerId,
        )
        .expr_as(P.col(participation::Column::TargetId), SharedPair::TargetId)
        .from_as(P.table(), P)
        .join_as(
            JoinType::InnerJoin,
            Q.table(),
            Q,
            Condition::all()
                .add(id_in(
                    backend,
                    Q.col(participation::Column::OrganizationId),
                    partners,
                ))
                .add(
                    Q.col(participation::Column::TargetId)
                        .eq(P.col(participation::Column::TargetId)),
                ),
        )
        .cond_where(id_in(
            backend,
            P.col(participation::Column::OrganizationId),
            organizations,
        ))
        .and_where(
            Q.col(participation::Column::OrganizationId)
                .ne(P.col(participation::Column::OrganizationId)),
        )
        .to_owned();
    let mut shared_pairs = CommonTableExpression::from_select(pairs);
    shared_pairs
        .table_name(SharedPair::Table)
        .materialized(true);
    let s = |column: SharedPair| Expr::col((SharedPair::Alias, column));
    Query::select()
        .expr_as(s(SharedPair::OrganizationId), SharedPair::OrganizationId)
        .expr_as(s(SharedPair::PartnerId), SharedPair::PartnerId)
        .expr_as(s(SharedPair::TargetId), SharedPair::TargetId)
        .expr_as(R.col(record::Column::Kind), SharedPair::TargetKind)
        .from_as(SharedPair::Table, SharedPair::Alias)
        .join_as(
            JoinType::InnerJoin,
            R.table(),
            R,
            R.col(record::Column::RecordId).eq(s(SharedPair::TargetId)),
        )
        .to_owned()
        .with(WithClause::new().cte(shared_pairs).to_owned())
}

/// The pairs of [`shared_items_select`]: a CTE `shared_pair`, read as `s`, of the columns its
/// rows have (and the kind of their activity).
#[derive(Clone, Copy, Debug, DeriveIden)]
enum SharedPair {
    Table,
    #[sea_orm(iden = "s")]
    Alias,
    OrganizationId,
    PartnerId,
    TargetId,
    TargetKind,
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
    /// The most bytes all kept networks may hold together (`--network-cache-mb`).
    capacity: usize,
}

struct CachedNetwork {
    key: String,
    version: i64,
    network: Arc<ComputedNetwork>,
    /// What the entry holds in memory, for the bound on all of them.
    bytes: usize,
}

impl NetworkCache {
    /// A cache of at most `capacity` bytes of networks.
    pub fn new(capacity: usize) -> Self {
        NetworkCache {
            entries: std::sync::Mutex::new(std::collections::VecDeque::new()),
            capacity,
        }
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<ComputedNetwork>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|e| e.key == key && e.version == version)
            .map(|e| e.network.clone())
    }

    /// Keeps `network`, dropping entries of older versions and then the oldest entries until
    /// everything fits the bound. A network larger than the whole bound is not kept.
    fn put(&self, key: String, version: i64, network: Arc<ComputedNetwork>) {
        let bytes = network_bytes(&network.network) + key.len();
        if bytes > self.capacity {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|e| e.version >= version && e.key != key);
        entries.push_back(CachedNetwork {
            key,
            version,
            network,
            bytes,
        });
        let mut held: usize = entries.iter().map(|e| e.bytes).sum();
        while held > self.capacity {
            match entries.pop_front() {
                Some(dropped) => held -= dropped.bytes,
                None => break,
            }
        }
    }

    /// The bytes the kept networks hold.
    pub fn bytes(&self) -> usize {
        self.entries
            .lock()
            .map(|entries| entries.iter().map(|e| e.bytes).sum())
            .unwrap_or(0)
    }
}

/// The heap a network holds: its vectors as allocated. Nodes and edges hold no other heap than
/// these, so this is the whole of it, give or take the allocator's rounding.
fn network_bytes(network: &graph::Network) -> usize {
    use std::mem::size_of;
    network.nodes.capacity() * size_of::<graph::NetworkNode>()
        + network.edges.capacity() * size_of::<graph::NetworkEdge>()
        + network
            .edges
            .iter()
            .map(|e| e.shared.capacity() * size_of::<graph::ItemRef>())
            .sum::<usize>()
}

/// The current version of the graph; `None` when the database has no version row (then nothing
/// is kept).
async fn graph_version(db: &DatabaseConnection) -> Result<Option<i64>, StoreError> {
    use sea_orm::EntityTrait;
    let _turn = crate::store::share::turn().await;
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
    let select = member_counts_select(db.get_database_backend(), items);
    let mut sizes = HashMap::with_capacity(items.len());
    let _turn = crate::store::share::turn().await;
    for row in db.query_all(&select).await? {
        let members: i64 = row.try_get("", Members.unquoted())?;
        sizes.insert(
            row.try_get::<i64>("", participation::Column::TargetId.as_str())?,
            usize::try_from(members).unwrap_or(0),
        );
    }
    Ok(sizes)
}

/// `target_id`, `members`: how many distinct organizations take part in each of `items`.
fn member_counts_select(backend: DbBackend, items: &[i64]) -> SelectStatement {
    Query::select()
        .column(participation::Column::TargetId)
        .expr_as(
            Func::count_distinct(Expr::col(participation::Column::OrganizationId)),
            Members,
        )
        .from(participation::Entity)
        .cond_where(id_in(
            backend,
            Expr::col(participation::Column::TargetId),
            items,
        ))
        .group_by_col(participation::Column::TargetId)
        .to_owned()
}

/// The count of [`member_counts_select`].
#[derive(Clone, Copy, Debug, DeriveIden)]
struct Members;

/// The condition of [`network_select`] for `filter`, with the programmes its `programmes` name
/// read from the database ([`programme_tree`]).
async fn network_condition(
    db: &DatabaseConnection,
    filter: &NetworkFilter,
) -> Result<Condition, StoreError> {
    let programmes = match &filter.programmes {
        Some(slugs) => Some(programme_tree(db, slugs).await?),
        None => None,
    };
    Ok(network_condition_of(filter, programmes.as_ref()))
}

/// The condition of [`network_select`] for `filter`; `programmes` are the ids of the programmes
/// `filter.programmes` names and their descendants.
fn network_condition_of(filter: &NetworkFilter, programmes: Option<&BTreeSet<i64>>) -> Condition {
    let mut all = Condition::all();
    if let Some(countries) = &filter.countries {
        all = all.add(
            PL.col(place::Column::CountryCode)
                .is_in(countries.iter().cloned()),
        );
    }
    if let Some(kinds) = &filter.kinds {
        all = all.add(
            O.col(organization::Column::Kind)
                .is_in(kinds.iter().map(|k| k.as_str())),
        );
    }
    if let Some(period) = &filter.period {
        // A membership's period as [`seeds::ties::memberships_select`] dates it, an open end
        // read as the other end.
        if let Some(from) = period.from {
            all = all.add(Func::coalesce(years_to().into_iter().chain(years_from())).gte(from));
        }
        if let Some(to) = period.to {
            all = all.add(Func::coalesce(years_from().into_iter().chain(years_to())).lte(to));
        }
    }
    if let Some(programmes) = programmes {
        let ids: Vec<i64> = programmes.iter().copied().collect();
        all = all.add(
            Condition::any()
                .add(
                    P.col(participation::Column::TargetId)
                        .is_in(ids.iter().copied()),
                )
                .add(
                    PJ.col(project::Column::ProgrammeId)
                        .is_in(ids.iter().copied()),
                )
                .add(
                    EV.col(event::Column::ProgrammeId)
                        .is_in(ids.iter().copied()),
                ),
        );
    }
    if let Some(topics) = &filter.topics {
        all = all.add(
            P.col(participation::Column::TargetId).in_subquery(
                Query::select()
                    .column(classification::Column::SubjectId)
                    .from(classification::Entity)
                    .and_where(
                        Expr::col(classification::Column::TopicId).in_subquery(
                            Query::select()
                                .column(topic::Column::TopicId)
                                .from(topic::Entity)
                                .and_where(
                                    Expr::col(topic::Column::Slug).is_in(topics.iter().cloned()),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        );
    }
    all
}

/// The programmes named by slug and all their descendants.
pub async fn programme_tree(
    db: &DatabaseConnection,
    slugs: &[String],
) -> Result<BTreeSet<i64>, StoreError> {
    use programme::Column;
    let select = Query::select()
        .columns([Column::ProgrammeId, Column::ParentId, Column::Slug])
        .from(programme::Entity)
        .to_owned();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut selected = BTreeSet::new();
    let _turn = crate::store::share::turn().await;
    for row in db.query_all(&select).await? {
        let id: i64 = row.try_get("", Column::ProgrammeId.as_str())?;
        let parent: Option<i64> = row.try_get("", Column::ParentId.as_str())?;
        let slug: String = row.try_get("", Column::Slug.as_str())?;
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

/// The organization with this slug, if any; for the slug of an organization merged into
/// another, that other (one statement: [`crate::store::redirect::organization_by_slug`]).
pub async fn organization_by_slug(db: &DatabaseConnection, slug: &str) -> StoreResult<Option<i64>> {
    Ok(crate::store::redirect::organization_by_slug(db, slug)
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
            .columns([
                collaboration::Column::OrganizationId,
                collaboration::Column::PartnerId,
            ])
            .from(collaboration::Entity)
            .cond_where(id_in(
                db.get_database_backend(),
                Expr::col(collaboration::Column::OrganizationId),
                &frontiers[side],
            ))
            .to_owned();
        let mut next = Vec::new();
        let _turn = crate::store::share::turn().await;
        for row in db.query_all(&select).await? {
            let organization: i64 =
                row.try_get("", collaboration::Column::OrganizationId.as_str())?;
            let partner: i64 = row.try_get("", collaboration::Column::PartnerId.as_str())?;
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

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, QueryStatementWriter, SqliteQueryBuilder};

    use super::*;

    /// A network of `edges` ties, each sharing 10 items.
    fn computed(edges: usize) -> Arc<ComputedNetwork> {
        let shared = vec![
            ItemRef {
                kind: graph::ItemKind::Project,
                id: 1
            };
            10
        ];
        let edges = (0..edges)
            .map(|i| graph::NetworkEdge {
                source: i as i64,
                target: i as i64 + 1,
                weight: 1.0,
                shared: shared.clone(),
            })
            .collect();
        Arc::new(ComputedNetwork {
            network: graph::Network {
                nodes: Vec::new(),
                edges,
            },
            total_nodes: 0,
        })
    }

    #[test]
    fn kept_networks_stay_within_their_bytes_oldest_dropped_first() {
        let one = network_bytes(&computed(1_000).network);
        // Edges and their shared items are what a network holds.
        assert!(
            one >= 1_000 * (10 * std::mem::size_of::<ItemRef>()),
            "{one}"
        );
        let cache = NetworkCache::new(3 * one + 100);
        for key in ["a", "b", "c", "d"] {
            cache.put(key.to_owned(), 1, computed(1_000));
        }
        assert!(cache.bytes() <= 3 * one + 100, "{}", cache.bytes());
        assert!(cache.get("a", 1).is_none(), "the oldest is dropped");
        assert!(cache.get("d", 1).is_some() && cache.get("b", 1).is_some());
        // A network larger than the whole cache is not kept, and drops nothing.
        cache.put("huge".to_owned(), 1, computed(4_000));
        assert!(cache.get("huge", 1).is_none());
        assert!(cache.get("b", 1).is_some());
        // A newer graph drops the networks of older ones.
        cache.put("e".to_owned(), 2, computed(1));
        assert!(cache.get("b", 1).is_none() && cache.get("e", 2).is_some());
    }

    /// The SQL and the bound values of `statement` on PostgreSQL and on SQLite (a statement with
    /// an id list is built for one store: only that store's is its SQL).
    fn both(statement: &impl QueryStatementWriter) -> [(String, Vec<sea_orm::Value>); 2] {
        let (pg, pg_values) = statement.build(PostgresQueryBuilder);
        let (lite, lite_values) = statement.build(SqliteQueryBuilder);
        [(pg, pg_values.0), (lite, lite_values.0)]
    }

    /// A network's statement for `filter`, with `programmes` as the programme tree it names.
    fn network(filter: &NetworkFilter, programmes: &[i64]) -> SelectStatement {
        let tree: BTreeSet<i64> = programmes.iter().copied().collect();
        let mut select = network_select(filter);
        select.cond_where(network_condition_of(
            filter,
            filter.programmes.as_ref().map(|_| &tree),
        ));
        select
    }

    /// [`seeds::ties::memberships_select`] or its undated form, as both stores get it (the same
    /// text: it binds nothing), pinned in the seeds crate.
    fn base(dated: bool) -> String {
        let select = if dated {
            seeds::ties::memberships_select()
        } else {
            seeds::ties::undated_memberships_select()
        };
        select.to_string(PostgresQueryBuilder)
    }

    /// PostgreSQL's SQL with SQLite's placeholders: `$1` is `?` (up to `$12`).
    fn unnumbered(sql: &str) -> String {
        (1..=12)
            .rev()
            .fold(sql.to_owned(), |sql, i| sql.replace(&format!("${i}"), "?"))
    }

    const JOIN_ORGANIZATIONS: &str =
        r#"INNER JOIN "organization" AS "o" ON "o"."organization_id" = "p"."organization_id""#;
    const JOIN_PLACES: &str = r#"LEFT JOIN "place" AS "pl" ON "pl"."place_id" = "o"."place_id""#;

    #[test]
    fn a_network_of_every_filter_is_one_pinned_statement() {
        let filter = NetworkFilter {
            countries: Some(vec!["PL".into(), "RO".into()]),
            kinds: Some(vec![entities::OrganizationKind::Library]),
            programmes: Some(vec!["novateca".into()]),
            topics: Some(vec!["sdg-4".into()]),
            period: Some(Period {
                from: Some(2015),
                to: Some(2018),
            }),
        };
        let condition = concat!(
            r#""pl"."country_code" IN ($1, $2) AND "o"."kind" IN ($3)"#,
            r#" AND COALESCE("p"."year_to", "pj"."year_to", "pr"."year_to", "ev"."year_to", "#,
            r#""p"."year_from", "pj"."year_from", "pr"."year_from", "ev"."year_from") >= $4"#,
            r#" AND COALESCE("p"."year_from", "pj"."year_from", "pr"."year_from", "ev"."year_from", "#,
            r#""p"."year_to", "pj"."year_to", "pr"."year_to", "ev"."year_to") <= $5"#,
            r#" AND ("p"."target_id" IN ($6, $7) OR "pj"."programme_id" IN ($8, $9)"#,
            r#" OR "ev"."programme_id" IN ($10, $11))"#,
            r#" AND "p"."target_id" IN (SELECT "subject_id" FROM "classification""#,
            r#" WHERE "topic_id" IN (SELECT "topic_id" FROM "topic" WHERE "slug" IN ($12)))"#,
        );
        let statement = format!(
            "{} {JOIN_ORGANIZATIONS} {JOIN_PLACES} WHERE {condition}",
            base(true)
        );
        let [(pg, pg_values), (lite, lite_values)] = both(&network(&filter, &[7, 8]));
        assert_eq!(pg, statement);
        assert_eq!(lite, unnumbered(&statement));
        // Countries, kinds, the period, the programme tree at each of its three columns, topics.
        let mut values: Vec<sea_orm::Value> = vec!["PL".into(), "RO".into(), "library".into()];
        values.extend([2015, 2018].map(sea_orm::Value::from));
        values.extend([7i64, 8, 7, 8, 7, 8].map(sea_orm::Value::from));
        values.push("sdg-4".into());
        assert_eq!(pg_values, values);
        assert_eq!(lite_values, values);
    }

    #[test]
    fn a_network_joins_only_what_its_filter_reads() {
        let [(pg, _), (lite, _)] = both(&network(&NetworkFilter::default(), &[]));
        assert_eq!(pg, format!("{} WHERE TRUE", base(false)));
        assert_eq!(lite, pg);

        let kinds = NetworkFilter {
            kinds: Some(vec![entities::OrganizationKind::Ngo]),
            ..Default::default()
        };
        let [(pg, _), (lite, _)] = both(&network(&kinds, &[]));
        let statement = format!(
            r#"{} {JOIN_ORGANIZATIONS} WHERE "o"."kind" IN ($1)"#,
            base(false)
        );
        assert_eq!(pg, statement);
        assert_eq!(lite, unnumbered(&statement));

        let from = NetworkFilter {
            period: Some(Period {
                from: Some(2015),
                to: None,
            }),
            ..Default::default()
        };
        let [(pg, _), (lite, _)] = both(&network(&from, &[]));
        let statement = format!(
            concat!(
                r#"{} WHERE COALESCE("p"."year_to", "pj"."year_to", "pr"."year_to", "ev"."year_to", "#,
                r#""p"."year_from", "pj"."year_from", "pr"."year_from", "ev"."year_from") >= $1"#,
            ),
            base(true),
        );
        assert_eq!(pg, statement);
        assert_eq!(lite, unnumbered(&statement));
    }

    #[test]
    fn collaborators_read_the_memberships_of_the_organizations_items() {
        let dated = base(true);
        let (columns, joins) = dated.split_once(" FROM ").unwrap_or_default();
        let statement = |ids: &str| {
            format!(
                concat!(
                    r#"{}, "p"."role" AS "role", "o"."kind" AS "organization_kind", "#,
                    r#""pl"."country_code" AS "country_code" FROM {} {} {}"#,
                    r#" WHERE "p"."target_id" IN (SELECT "target_id" FROM "participation" WHERE {})"#,
                ),
                columns, joins, JOIN_ORGANIZATIONS, JOIN_PLACES, ids
            )
        };
        let [(pg, pg_values), _] = both(&collaborators_select(DbBackend::Postgres, &[1, 2]));
        assert_eq!(
            pg,
            statement(r#""organization_id" = ANY(ARRAY(SELECT unnest(CAST($1 AS BIGINT[]))))"#)
        );
        assert_eq!(pg_values, vec!["{1,2}".into()]);
        let [_, (lite, lite_values)] = both(&collaborators_select(DbBackend::Sqlite, &[1, 2]));
        assert_eq!(
            lite,
            statement(r#""organization_id" IN (SELECT value FROM json_each(?))"#)
        );
        assert_eq!(lite_values, vec!["[1,2]".into()]);
    }

    #[test]
    fn shared_items_and_member_counts_are_pinned() {
        let shared = |organizations: &str, partners: &str| {
            format!(
                concat!(
                    r#"WITH "shared_pair" ("organization_id", "partner_id", "target_id") AS  MATERIALIZED "#,
                    r#"(SELECT "p"."organization_id" AS "organization_id", "q"."organization_id" AS "partner_id", "#,
                    r#""p"."target_id" AS "target_id" FROM "participation" AS "p""#,
                    r#" INNER JOIN "participation" AS "q" ON ({}) AND "q"."target_id" = "p"."target_id""#,
                    r#" WHERE ({}) AND "q"."organization_id" <> "p"."organization_id")"#,
                    r#" SELECT "s"."organization_id" AS "organization_id", "s"."partner_id" AS "partner_id", "#,
                    r#""s"."target_id" AS "target_id", "r"."kind" AS "target_kind" FROM "shared_pair" AS "s""#,
                    r#" INNER JOIN "record" AS "r" ON "r"."record_id" = "s"."target_id""#,
                ),
                partners, organizations
            )
        };
        let [(pg, pg_values), _] = both(&shared_items_select(DbBackend::Postgres, &[1, 2], &[3]));
        assert_eq!(
            pg,
            shared(
                r#""p"."organization_id" = ANY(ARRAY(SELECT unnest(CAST($2 AS BIGINT[]))))"#,
                r#""q"."organization_id" = ANY(ARRAY(SELECT unnest(CAST($1 AS BIGINT[]))))"#,
            )
        );
        assert_eq!(pg_values, vec!["{3}".into(), "{1,2}".into()]);
        let [_, (lite, lite_values)] = both(&shared_items_select(DbBackend::Sqlite, &[1, 2], &[3]));
        assert_eq!(
            lite,
            shared(
                r#""p"."organization_id" IN (SELECT value FROM json_each(?))"#,
                r#""q"."organization_id" IN (SELECT value FROM json_each(?))"#,
            )
        );
        assert_eq!(lite_values, vec!["[3]".into(), "[1,2]".into()]);

        let counts = |items: &str| {
            format!(
                r#"SELECT "target_id", COUNT(DISTINCT "organization_id") AS "members" FROM "participation" WHERE {items} GROUP BY "target_id""#
            )
        };
        let [(pg, _), _] = both(&member_counts_select(DbBackend::Postgres, &[5, 6]));
        assert_eq!(
            pg,
            counts(r#""target_id" = ANY(ARRAY(SELECT unnest(CAST($1 AS BIGINT[]))))"#)
        );
        let [_, (lite, _)] = both(&member_counts_select(DbBackend::Sqlite, &[5, 6]));
        assert_eq!(
            lite,
            counts(r#""target_id" IN (SELECT value FROM json_each(?))"#)
        );
    }
}
