//! DataLoaders: every relation field goes through one of these, so the number of SQL statements
//! of a query grows with its depth, not with the number of parents.
//!
//! Loaders are built per request ([`Loaders::new`]) so their caches never serve one client's
//! data to another or outlive a write. Keys carry the field's arguments (filters, page), and a
//! batch groups keys with equal arguments into one statement.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use futures_util::StreamExt;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityName, EntityTrait, IdenStatic, Iterable,
    PrimaryKeyToColumn, StreamTrait,
};

use entities::kinds::RecordKind;

use crate::store::error::{StoreError, StoreResult};
use crate::store::page::{
    Ordering, Page, PageArgs, ParentColumn, TextOrder, fetch_page, fetch_pages, page_statement,
    pages_statement,
};
use crate::store::row::{Cell, Decode, Decoder, SharedColumns, TableColumns, select_columns};
use crate::store::sql::Period;
use crate::store::sql::{ColumnName, id_in};

/// The SQL side of every loader.
pub struct Sql {
    db: DatabaseConnection,
    /// The most activity memberships one collaboration computation may read (the API's
    /// `Limits::max_memberships`).
    max_memberships: usize,
    /// How the database orders text: where a batch of child pages is put in order.
    text_order: TextOrder,
}

/// The loaders of one request.
pub type Loaders = DataLoader<Sql>;

impl Sql {
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn max_memberships(&self) -> usize {
        self.max_memberships
    }
}

/// Builds the loaders for one request.
///
/// A batch has no size limit (async-graphql's default cuts it at 1,000 keys, which made the
/// statements of a query grow with its page sizes): every key list goes to the database as one
/// parameter ([`id_in`]), and the query cost limit bounds how many keys one request can make.
/// `spawner` runs the fetches: the GraphQL executor runs them in the request's own task.
pub fn loaders<S>(
    db: DatabaseConnection,
    max_memberships: usize,
    text_order: TextOrder,
    spawner: S,
) -> Loaders
where
    S: Fn(std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>>) + Send + Sync + 'static,
{
    // No delay: the fetches are only polled once the query has registered every key it can
    // (see `batch`), so waiting longer would only add latency to every level.
    DataLoader::new(
        Sql {
            db,
            max_memberships,
            text_order,
        },
        spawner,
    )
    .max_batch_size(usize::MAX)
    .delay(std::time::Duration::ZERO)
}

/// Loader errors reach clients through the API's codes.
#[derive(Clone, Debug)]
pub struct LoadError(pub Arc<StoreError>);

impl From<StoreError> for LoadError {
    fn from(error: StoreError) -> Self {
        LoadError(Arc::new(error))
    }
}

impl From<sea_orm::DbErr> for LoadError {
    fn from(error: sea_orm::DbErr) -> Self {
        LoadError(Arc::new(StoreError::from(error)))
    }
}

/// Ids a loader key asks for, hashed once. A page loads the rows its objects refer to as one
/// key (the lean executor's `LeanObject::prefetch`): the loader handles, and hashes several times,
/// every key it is given: with a key per row that was 7 % of the nested benchmark query's
/// instructions.
#[derive(Clone, Debug)]
pub struct Ids {
    ids: Arc<[i64]>,
    hash: u64,
}

impl Ids {
    pub fn new(ids: &[i64]) -> Self {
        let mut hasher = std::hash::DefaultHasher::new();
        ids.hash(&mut hasher);
        Ids {
            ids: ids.into(),
            hash: hasher.finish(),
        }
    }

    /// The rows found for these ids, in their order: `None` where an id found nothing.
    fn pick<V: Clone>(&self, found: &HashMap<i64, V>) -> Arc<[Option<V>]> {
        self.ids.iter().map(|id| found.get(id).cloned()).collect()
    }
}

impl PartialEq for Ids {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && (Arc::ptr_eq(&self.ids, &other.ids) || self.ids == other.ids)
    }
}
impl Eq for Ids {}
impl Hash for Ids {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Every id the keys of a batch ask for, each once.
fn all_ids<'a>(keys: impl Iterator<Item = &'a Ids>) -> Vec<i64> {
    let mut ids: Vec<i64> = keys.flat_map(|key| key.ids.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Rows of `E` by primary key, in the order of the ids (one id, or a page's).
pub struct ById<E>(pub Ids, PhantomData<fn() -> E>);

impl<E> ById<E> {
    pub fn new(ids: &[i64]) -> Self {
        ById(Ids::new(ids), PhantomData)
    }
}

impl<E> Clone for ById<E> {
    fn clone(&self) -> Self {
        ById(self.0.clone(), PhantomData)
    }
}
impl<E> PartialEq for ById<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for ById<E> {}
impl<E> Hash for ById<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl<E> Loader<ById<E>> for Sql
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Clone + Send + Sync + 'static,
{
    type Value = Arc<[Option<Arc<E::Model>>]>;
    type Error = LoadError;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, Self::Value>, Self::Error> {
        let Some(pk) = E::PrimaryKey::iter().next().map(|k| k.into_column()) else {
            return Ok(HashMap::new());
        };
        let ids = all_ids(keys.iter().map(|key| &key.0));
        let table = E::default().table_name();
        let mut select = Query::select();
        select.from(E::default()).cond_where(id_in(
            self.db.get_database_backend(),
            Expr::col(pk),
            &ids,
        ));
        select_columns::<E::Model>(&mut select, table);
        // Streamed: each row becomes a model as it arrives (as in [`crate::store::page::fetch_pages`]).
        let _turn = crate::store::share::turn().await;
        let mut rows = std::pin::pin!(self.db.stream(&select).await?);
        let mut found = HashMap::with_capacity(ids.len());
        let mut decoder = Decoder::<E::Model>::default();
        while let Some(row) = rows.next().await {
            let model = decoder.decode(&row?, 0)?;
            if let sea_orm::Value::BigInt(Some(id)) = sea_orm::ModelTrait::get(&model, pk) {
                found.insert(id, Arc::new(model));
            }
        }
        Ok(keys
            .iter()
            .map(|key| (key.clone(), key.0.pick(&found)))
            .collect())
    }
}

/// Projects, programmes or events by record id, in the order of the ids (one id, or a page's):
/// one statement for the three types, so a field whose value is an activity costs one
/// statement per level of a query, not one for the record kinds plus one per type.
///
/// Where the caller knows an id's record kind (a participation records its target's), the id
/// is looked for in its own table only; an id of unknown kind is looked for in all three.
/// Keys compare by their ids alone: a kind is a fact about its id, so two keys with the same
/// ids have the same answer whatever they know of the kinds.
#[derive(Clone, Debug)]
pub struct ActivityById {
    ids: Ids,
    /// One per id, where known.
    kinds: Option<Arc<[Option<RecordKind>]>>,
}

impl ActivityById {
    /// Ids of unknown kind.
    pub fn new(ids: &[i64]) -> Self {
        ActivityById {
            ids: Ids::new(ids),
            kinds: None,
        }
    }

    /// Ids with their kinds (one per id; `None` where unknown).
    pub fn with_kinds(ids: &[i64], kinds: &[Option<RecordKind>]) -> Self {
        debug_assert_eq!(ids.len(), kinds.len());
        ActivityById {
            ids: Ids::new(ids),
            kinds: Some(kinds.into()),
        }
    }

    /// How many ids the key asks for.
    pub fn len(&self) -> usize {
        self.ids.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.ids.is_empty()
    }

    /// The activity tables (`project`, `programme`, `event`, in that order) id `i` may be in.
    fn tables(&self, i: usize) -> [bool; 3] {
        match self
            .kinds
            .as_ref()
            .and_then(|kinds| kinds.get(i).copied().flatten())
        {
            None => [true; 3],
            Some(RecordKind::Project) => [true, false, false],
            Some(RecordKind::Programme) => [false, true, false],
            Some(RecordKind::Event) => [false, false, true],
            Some(_) => [false; 3],
        }
    }
}

impl PartialEq for ActivityById {
    fn eq(&self, other: &Self) -> bool {
        self.ids == other.ids
    }
}
impl Eq for ActivityById {}
impl Hash for ActivityById {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ids.hash(state)
    }
}

/// What an [`ActivityById`] finds.
#[derive(Clone, Debug)]
pub enum ActivityRow {
    Project(Arc<entities::project::Model>),
    Programme(Arc<entities::programme::Model>),
    Event(Arc<entities::event::Model>),
}

impl Loader<ActivityById> for Sql {
    type Value = Arc<[Option<ActivityRow>]>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivityById],
    ) -> Result<HashMap<ActivityById, Self::Value>, Self::Error> {
        use entities::{event, programme, project};
        // The ids each table is asked for.
        let mut lists: [Vec<i64>; 3] = Default::default();
        for key in keys {
            for (i, &id) in key.ids.ids.iter().enumerate() {
                for (list, asked) in lists.iter_mut().zip(key.tables(i)) {
                    if asked {
                        list.push(id);
                    }
                }
            }
        }
        for list in &mut lists {
            list.sort_unstable();
            list.dedup();
        }
        let backend = self.db.get_database_backend();
        // One branch per table, each finding its rows through its own primary key, so the
        // work grows with the ids asked for. A join from `record` let PostgreSQL hash the whole
        // project and event tables instead (6.8 ms against 3.5 ms for 1,040 ids at size M).
        // The branches share column slots of each type ([`SharedColumns`]), so a row reads by
        // position whichever table it comes from; the second column says which. With every
        // table's columns side by side a row carried 50 columns, 33 of them NULL.
        let shared = SharedColumns::new(vec![
            TableColumns::of::<project::Entity>()?,
            TableColumns::of::<programme::Entity>()?,
            TableColumns::of::<event::Entity>()?,
        ]);
        let branch = |own: usize| -> SelectStatement {
            let (table, key) = [
                (
                    project::Entity.table_name(),
                    project::Column::ProjectId.as_str(),
                ),
                (
                    programme::Entity.table_name(),
                    programme::Column::ProgrammeId.as_str(),
                ),
                (event::Entity.table_name(), event::Column::EventId.as_str()),
            ][own];
            let mut select = Query::select();
            select
                .expr(Expr::cust(format!("{table}.{key}")))
                .expr(Expr::cust(own.to_string()))
                .from(Alias::new(table))
                .cond_where(id_in(
                    backend,
                    Expr::cust(format!("{table}.{key}")),
                    &lists[own],
                ));
            shared.select(&mut select, own);
            select
        };
        let mut select = branch(0);
        select
            .union(UnionType::All, branch(1))
            .union(UnionType::All, branch(2));
        let [project_at, programme_at, event_at] = [0, 1, 2].map(|own| shared.positions(own, 2));
        let mut found = HashMap::with_capacity(lists.iter().map(Vec::len).sum());
        let _turn = crate::store::share::turn().await;
        let mut rows = std::pin::pin!(self.db.stream(&select).await?);
        let mut projects = Decoder::<project::Model>::default();
        let mut programmes = Decoder::<programme::Model>::default();
        let mut events = Decoder::<event::Model>::default();
        while let Some(row) = rows.next().await {
            let row = row?;
            // The first two columns are every branch's: checked on the first row, whichever.
            let trusted = projects.trusted() || programmes.trusted() || events.trusted();
            let id = i64::take(&row, 0, trusted)?;
            let branch = i32::take(&row, 1, trusted)?;
            let activity = match branch {
                0 => ActivityRow::Project(Arc::new(projects.decode_from(&row, &project_at)?)),
                1 => ActivityRow::Programme(Arc::new(programmes.decode_from(&row, &programme_at)?)),
                _ => ActivityRow::Event(Arc::new(events.decode_from(&row, &event_at)?)),
            };
            found.insert(id, activity);
        }
        Ok(keys
            .iter()
            .map(|key| (key.clone(), key.ids.pick(&found)))
            .collect())
    }
}

/// A filter condition that can be part of a loader key (hashable, comparable). Columns are
/// named by the entities' columns ([`Filter::is_in`], [`Filter::is_null`], …).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Filter {
    /// `column = value`
    Eq(ColumnName, FilterValue),
    /// `column IN (values)`
    In(ColumnName, Vec<FilterValue>),
    /// `column IS NULL`
    IsNull(ColumnName),
    /// The row's period (`period`, of its table) overlaps `[from, to]`.
    YearsOverlap {
        period: &'static Period,
        from: Option<i32>,
        to: Option<i32>,
    },
    /// `a <> b`: two columns of the row differ.
    Differs(ColumnName, ColumnName),
}

impl Filter {
    /// `column = value`.
    pub fn eq(column: impl IdenStatic, value: FilterValue) -> Self {
        Filter::Eq(ColumnName::of(column), value)
    }

    /// `column IN (values)`.
    pub fn is_in(column: impl IdenStatic, values: Vec<FilterValue>) -> Self {
        Filter::In(ColumnName::of(column), values)
    }

    /// `column IS NULL`.
    pub fn is_null(column: impl IdenStatic) -> Self {
        Filter::IsNull(ColumnName::of(column))
    }

    /// The row's period overlaps `[from, to]`: `period` is its table's
    /// ([`crate::store::order::period`]).
    pub fn years_overlap(period: &'static Period, from: Option<i32>, to: Option<i32>) -> Self {
        Filter::YearsOverlap { period, from, to }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FilterValue {
    Int(i64),
    Text(String),
}

impl From<FilterValue> for sea_orm::Value {
    fn from(value: FilterValue) -> Self {
        match value {
            FilterValue::Int(i) => i.into(),
            FilterValue::Text(s) => s.into(),
        }
    }
}

/// The SQL condition of a set of filters (all must hold).
pub fn condition(filters: &[Filter]) -> Condition {
    let mut all = Condition::all();
    for filter in filters {
        all = all.add(match filter {
            Filter::Eq(column, value) => Expr::col(*column).eq(sea_orm::Value::from(value.clone())),
            Filter::In(column, values) => {
                Expr::col(*column).is_in(values.iter().cloned().map(sea_orm::Value::from))
            }
            Filter::IsNull(column) => Expr::col(*column).is_null(),
            Filter::YearsOverlap { period, from, to } => period.overlaps(*from, *to).into(),
            Filter::Differs(a, b) => Expr::col(*a).ne(Expr::col(*b)),
        });
    }
    all
}

/// Which rows of a child table belong to a parent: the table, the column naming the parent,
/// extra filters and the ordering of the page. Made from one of the child lists of
/// [`crate::store::order::child`] ([`crate::store::order::spec`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildSpec {
    pub table: &'static str,
    pub parent_column: ParentColumn,
    pub filters: Vec<Filter>,
    pub ordering: Ordering,
}

impl ChildSpec {
    /// The rows of one parent: its filters, and the parent.
    pub fn of_parent(&self, parent: i64) -> Condition {
        condition(&self.filters).add(self.parent_column.of(parent))
    }

    /// The statement a batch of `parents` is read with, as the [`Children`] loader reads it: a
    /// plain page for one parent, a page per parent in one statement for several.
    pub fn statement<E>(
        &self,
        backend: DbBackend,
        parents: &[i64],
        args: &PageArgs,
        text_order: TextOrder,
    ) -> StoreResult<SelectStatement>
    where
        E: EntityTrait,
        E::Model: Decode,
    {
        match parents {
            [parent] => page_statement::<E>(self.of_parent(*parent), &self.ordering, args),
            _ => pages_statement::<E>(
                backend,
                self.parent_column,
                parents,
                condition(&self.filters),
                &self.ordering,
                args,
                text_order,
            ),
        }
    }
}

/// A [`ChildSpec`] of `E`'s rows, as [`crate::store::order::spec`] makes it from a child list of
/// `E`'s table: the [`Children`] key it becomes reads with `E`, so a list read with another
/// entity (another table's columns) does not compile.
#[derive(Clone, Debug)]
pub struct ChildSpecOf<E> {
    spec: ChildSpec,
    _entity: PhantomData<fn() -> E>,
}

impl<E> ChildSpecOf<E> {
    pub(crate) fn new(spec: ChildSpec) -> Self {
        ChildSpecOf {
            spec,
            _entity: PhantomData,
        }
    }
}

impl<E> std::ops::Deref for ChildSpecOf<E> {
    type Target = ChildSpec;

    fn deref(&self) -> &ChildSpec {
        &self.spec
    }
}

/// One page of children of one parent.
pub struct Children<E> {
    pub parent: i64,
    pub spec: Arc<ChildSpec>,
    pub args: PageArgs,
    /// `spec` and `args` hashed once: the loader hashes a key several times, and a nested
    /// query makes thousands of these keys with the same spec (its filters and ordering).
    shape_hash: u64,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Children<E> {
    pub fn new(parent: i64, spec: ChildSpecOf<E>, args: PageArgs) -> Self {
        let spec = spec.spec;
        let mut hasher = std::hash::DefaultHasher::new();
        spec.hash(&mut hasher);
        args.hash(&mut hasher);
        Children {
            parent,
            spec: Arc::new(spec),
            args,
            shape_hash: hasher.finish(),
            _entity: PhantomData,
        }
    }
}

impl<E> Children<E> {
    /// Whether `other` asks for the same page of some parent's children.
    fn same_shape(&self, other: &Self) -> bool {
        self.shape_hash == other.shape_hash
            && (Arc::ptr_eq(&self.spec, &other.spec) || self.spec == other.spec)
            && self.args == other.args
    }
}

impl<E> Clone for Children<E> {
    fn clone(&self) -> Self {
        Children {
            parent: self.parent,
            spec: self.spec.clone(),
            args: self.args.clone(),
            shape_hash: self.shape_hash,
            _entity: PhantomData,
        }
    }
}
impl<E> PartialEq for Children<E> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.same_shape(other)
    }
}
impl<E> Eq for Children<E> {}
impl<E> Hash for Children<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.shape_hash.hash(state);
    }
}

impl<E> Loader<Children<E>> for Sql
where
    E: EntityTrait + Send + Sync,
    E::Model: Decode + Send + Sync + 'static,
{
    type Value = Arc<Page<E::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[Children<E>],
    ) -> Result<HashMap<Children<E>, Self::Value>, Self::Error> {
        // One statement per distinct (spec, page arguments), answered with the callers' own
        // keys: a key made again for every parent would copy and hash its spec each time.
        // A batch almost always holds one shape, so a list beats hashing every key's spec again.
        let mut groups: Vec<Vec<&Children<E>>> = Vec::new();
        for key in keys {
            match groups.iter_mut().find(|group| group[0].same_shape(key)) {
                Some(group) => group.push(key),
                None => groups.push(vec![key]),
            }
        }
        let mut found = HashMap::with_capacity(keys.len());
        for group in groups {
            let (spec, args) = (&*group[0].spec, &group[0].args);
            let parents: Vec<i64> = group.iter().map(|key| key.parent).collect();
            // The statements of `ChildSpec::statement`, which the plan tests examine.
            let pages = if let [parent] = parents[..] {
                // One parent: a plain `LIMIT`, which stops reading at the end of the page, where
                // a window over the parent's rows would number all of them first (a hub's ties
                // run to the tens of thousands).
                let filter = spec.of_parent(parent);
                let page = fetch_page::<E, _>(&self.db, filter, &spec.ordering, args).await?;
                vec![(parent, page)]
            } else {
                fetch_pages::<E, _>(
                    &self.db,
                    spec.parent_column,
                    &parents,
                    condition(&spec.filters),
                    &spec.ordering,
                    args,
                    self.text_order,
                )
                .await?
            };
            let mut pages: HashMap<i64, Page<E::Model>> = pages.into_iter().collect();
            for key in group {
                let page = pages.remove(&key.parent).unwrap_or_else(|| Page {
                    args: args.clone(),
                    ..Page::default()
                });
                found.insert(key.clone(), Arc::new(page));
            }
        }
        Ok(found)
    }
}

/// How many children a parent has under a spec's filters (`totalCount`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildCount {
    pub parent: i64,
    pub table: &'static str,
    pub parent_column: ParentColumn,
    pub filters: Vec<Filter>,
}

/// `parent`, `n`: how many rows of `table` under `filters` each of `parents` has in `column`.
fn count_by(
    backend: DbBackend,
    table: &'static str,
    column: ColumnName,
    parents: &[i64],
    filters: &[Filter],
) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust(column.as_str()), Alias::new("parent"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(table))
        .cond_where(id_in(backend, Expr::cust(column.as_str()), parents))
        .cond_where(condition(filters))
        .group_by_col(column)
        .to_owned()
}

impl Loader<ChildCount> for Sql {
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[ChildCount]) -> Result<HashMap<ChildCount, u64>, Self::Error> {
        let mut groups: HashMap<(&'static str, ParentColumn, Vec<Filter>), Vec<i64>> =
            HashMap::new();
        for key in keys {
            groups
                .entry((key.table, key.parent_column, key.filters.clone()))
                .or_default()
                .push(key.parent);
        }
        let backend = self.db.get_database_backend();
        let mut found = HashMap::with_capacity(keys.len());
        for ((table, parent_column, filters), parents) in groups {
            let select = match parent_column {
                ParentColumn::One(column) => count_by(backend, table, column, &parents, &filters),
                // Each end counted through its own index; a row whose two ends are the same
                // parent is counted at its first end only, as its page lists it once.
                ParentColumn::Either(a, b) => {
                    let mut second = filters.clone();
                    second.push(Filter::Differs(a, b));
                    let mut union = Query::select();
                    union
                        .column(Alias::new("parent"))
                        .expr_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), Alias::new("n"))
                        .from_subquery(
                            count_by(backend, table, a, &parents, &filters)
                                .union(
                                    UnionType::All,
                                    count_by(backend, table, b, &parents, &second),
                                )
                                .to_owned(),
                            Alias::new("ends"),
                        )
                        .group_by_col(Alias::new("parent"));
                    union
                }
            };
            let mut counts: HashMap<i64, u64> = HashMap::new();
            let _turn = crate::store::share::turn().await;
            for row in self.db.query_all(&select).await? {
                let parent: i64 = row.try_get("", "parent")?;
                let n: i64 = row.try_get("", "n")?;
                counts.insert(parent, u64::try_from(n).unwrap_or(0));
            }
            for parent in parents {
                let n = counts.get(&parent).copied().unwrap_or(0);
                found.insert(
                    ChildCount {
                        parent,
                        table,
                        parent_column,
                        filters: filters.clone(),
                    },
                    n,
                );
            }
        }
        Ok(found)
    }
}

/// Funded amounts of a funder, summed per currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FundingTotals(pub i64);

impl Loader<FundingTotals> for Sql {
    type Value = Arc<Vec<(String, i64)>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[FundingTotals],
    ) -> Result<HashMap<FundingTotals, Self::Value>, Self::Error> {
        use entities::funding::{Column, Entity};
        /// The sum, as the statement has always written it.
        static TOTAL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("CAST(SUM({}) AS BIGINT)", Column::AmountMinor.as_str())
        });
        let funders: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut select = Query::select();
        select
            .column(Column::FunderId)
            .column(Column::Currency)
            .expr_as(Expr::cust(TOTAL.as_str()), Alias::new("total"))
            .from(Entity)
            .cond_where(id_in(
                self.db.get_database_backend(),
                Expr::cust(Column::FunderId.as_str()),
                &funders,
            ))
            .cond_where(Expr::col(Column::AmountMinor).is_not_null())
            .cond_where(Expr::col(Column::Currency).is_not_null())
            .group_by_col(Column::FunderId)
            .group_by_col(Column::Currency)
            .order_by(Column::Currency, sea_orm::sea_query::Order::Asc);
        let mut totals: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
        let _turn = crate::store::share::turn().await;
        for row in self.db.query_all(&select).await? {
            let funder: i64 = row.try_get("", Column::FunderId.as_str())?;
            let currency: String = row.try_get("", Column::Currency.as_str())?;
            // PostgreSQL sums BIGINT into NUMERIC; the CAST keeps both stores at BIGINT.
            let total: i64 = row.try_get("", "total")?;
            totals.entry(funder).or_default().push((currency, total));
        }
        Ok(funders
            .into_iter()
            .map(|f| {
                (
                    FundingTotals(f),
                    Arc::new(totals.remove(&f).unwrap_or_default()),
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    #[test]
    fn an_id_list_is_one_parameter_on_both_stores() {
        let select = |backend| {
            Query::select()
                .column(Alias::new("a"))
                .from(Alias::new("t"))
                .and_where(Expr::col(Alias::new("b")).eq(7))
                .cond_where(id_in(backend, Expr::cust("a"), &[1, 2, 3]))
                .to_owned()
        };
        let (pg, pg_values) = select(DbBackend::Postgres).build(PostgresQueryBuilder);
        let (lite, lite_values) = select(DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert_eq!(
            pg,
            r#"SELECT "a" FROM "t" WHERE "b" = $1 AND (a = ANY(ARRAY(SELECT unnest(CAST($2 AS BIGINT[])))))"#
        );
        assert_eq!(pg_values.0[1], sea_orm::Value::from("{1,2,3}"));
        assert_eq!(
            lite,
            r#"SELECT "a" FROM "t" WHERE "b" = ? AND (a IN (SELECT value FROM json_each(?)))"#
        );
        assert_eq!(lite_values.0[1], sea_orm::Value::from("[1,2,3]"));
    }
}
