//! Collaboration as the schema serves it: collaborators, networks and connection paths. What they
//! are computed from is read by [`crate::store::collaboration`], and computed by the `graph`
//! crate's algorithms.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use sea_orm::DatabaseConnection;

use super::connection::{Conn, Total, from_page};
use super::executor::lean::{Lean, lean_objects};
use super::id::{NodeType, decode_as};
use super::input::{CollaboratorFilter, NetworkFilter};
use super::object::{Activity, Organization};
use crate::store::collaboration::{
    self, CollaboratorsKey, ComputedNetwork, NetworkCache, SharedItems,
};
use crate::store::error::StoreError;
use crate::store::loader::{ChildCount, Children, Loaders};
use crate::store::order::{child, spec};
use crate::store::page::{Cursor, PageArgs, SortValue, page_in_memory};
use graph::{self, ItemRef};

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

    fn stored(tie: &Arc<entities::collaboration::Model>) -> Self {
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
        filter.countries = Some(crate::store::country::checked(
            "filter.countries",
            countries,
        )?);
    }
    let filter = filter.to_store();
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
            .load_one(Children::<entities::collaboration::Entity>::new(
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

lean_objects!(NetworkNode, NetworkEdge, Collaborator);

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

/// The organizations a network keeps when its request does not say.
pub const DEFAULT_NETWORK_NODES: i32 = 200;

/// Resolves `collaborationNetwork`.
pub async fn network(
    ctx: &Context<'_>,
    mut filter: NetworkFilter,
    limit: i32,
) -> async_graphql::Result<Network> {
    if let Some(countries) = &filter.countries {
        filter.countries = Some(crate::store::country::checked(
            "filter.countries",
            countries,
        )?);
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
    let max_memberships = ctx
        .data_opt::<super::Limits>()
        .copied()
        .unwrap_or_default()
        .max_memberships;
    let network = collaboration::network(
        db,
        cache,
        &filter.to_store(),
        limit as usize,
        max_memberships,
    )
    .await?;
    Ok(Network(network))
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

/// The organization named by a global ID or a slug (of an organization merged into another: that
/// other), or `None` when it names none. The two cannot
/// be confused: slugs are lowercase, and every global ID of an organization starts with the base64
/// of "Org", `T3Jn`.
async fn organization_ref(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    field: &str,
    id: &ID,
) -> async_graphql::Result<Option<i64>> {
    if seeds::validate::is_slug(id.as_str()) {
        Ok(collaboration::organization_by_slug(db, id.as_str()).await?)
    } else {
        let row = decode_as(field, id, NodeType::Organization)?;
        if Organization::load(ctx, row).await?.is_some() {
            return Ok(Some(row));
        }
        Ok(crate::store::redirect::targets(db, &[row])
            .await?
            .get(&row)
            .copied())
    }
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
    // Both ends at once (by global ID they are one batch of the organization loader), and both
    // to the end: with `try_join!` the first end to fail cancelled the other, so with two unknown
    // slugs the error named whichever lookup lost the race, and the statements run depended on
    // timing too. An error of `from` comes before one of `to`; two unknown ends are one error.
    let (found_from, found_to) = futures_util::join!(
        organization_ref(ctx, db, "from", &from),
        organization_ref(ctx, db, "to", &to)
    );
    let not_found = |what: String| Err(StoreError::not_found(what).into());
    let (from, to) = match (found_from?, found_to?) {
        (Some(from), Some(to)) => (from, to),
        (None, None) => {
            return not_found(format!(
                "organizations `from` ({}) and `to` ({})",
                from.as_str(),
                to.as_str()
            ));
        }
        (None, Some(_)) => return not_found(format!("organization `from` ({})", from.as_str())),
        (Some(_), None) => return not_found(format!("organization `to` ({})", to.as_str())),
    };
    let route = collaboration::route(db, from, to, max_hops as usize).await?;
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
