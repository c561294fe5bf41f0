//! Pagination: validated Relay arguments, opaque keyset cursors, and the SQL that fetches one
//! page per parent for a whole batch of parents at once.
//!
//! Pages are keyset pages: a cursor holds the sort values and the id of its row, and the next page
//! starts strictly after them, so inserting or deleting rows never shifts a client's position.
//! Every ordering ends with the primary key, which makes it total. Sort expressions never yield
//! NULL (the loader stores folded `sort_key`s; optional years are wrapped in COALESCE), because
//! keyset comparisons with NULL are neither true nor false.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
    SimpleExpr,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    PaginatorTrait, PrimaryKeyToColumn, QueryFilter, StreamTrait,
};
use serde::{Deserialize, Serialize};

use entities::order::SortExpr;

use crate::store::error::{StoreError, StoreResult};
use crate::store::row::{Cell, Decode, Decoder, select_columns};
use crate::store::sql::ColumnName;

/// The largest `first`/`last` a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// A sort value in a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

impl From<SortValue> for SimpleExpr {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Int(i) => Expr::val(i),
            SortValue::Text(s) => Expr::val(s),
        }
    }
}

/// A position in an ordered list: the sort values of a row, its id last. Shared, as every edge
/// built from a loader's cached page holds its row's cursor.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor(pub Arc<[SortValue]>);

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(&*self.0).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(field: &str, text: &str) -> StoreResult<Cursor> {
        let bad = || StoreError::invalid(field, "not a cursor returned by this API");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let values: Vec<SortValue> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        Ok(Cursor(values.into()))
    }
}

/// Edges hold their cursors as values and encode them only when a client selects `cursor`.
/// Which way a page reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `first` rows after `after`.
    Forward,
    /// `last` rows before `before`.
    Backward,
}

/// Checked Relay pagination arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub direction: Direction,
    pub limit: u64,
    pub cursor: Option<Cursor>,
}

impl PageArgs {
    /// Checks `first`/`after`/`last`/`before`: at most one direction, sizes within 0..=100.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> StoreResult<Self> {
        let size = |field: &str, n: i32| {
            if (0..=MAX_PAGE_SIZE).contains(&n) {
                Ok(n as u64)
            } else {
                Err(StoreError::invalid(
                    field,
                    format!("must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
                ))
            }
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(StoreError::invalid(
                "last",
                "give `first` or `last`, not both",
            )),
            (_, Some(n)) => {
                if after.is_some() {
                    return Err(StoreError::invalid(
                        "after",
                        "`after` goes with `first`; use `before` with `last`",
                    ));
                }
                Ok(PageArgs {
                    direction: Direction::Backward,
                    limit: size("last", n)?,
                    cursor: before.map(|c| Cursor::decode("before", &c)).transpose()?,
                })
            }
            (first, None) => {
                if before.is_some() {
                    return Err(StoreError::invalid(
                        "before",
                        "`before` goes with `last`; use `after` with `first`",
                    ));
                }
                Ok(PageArgs {
                    direction: Direction::Forward,
                    limit: size("first", first.unwrap_or(DEFAULT_PAGE_SIZE))?,
                    cursor: after.map(|c| Cursor::decode("after", &c)).transpose()?,
                })
            }
        }
    }

    /// The first page of `limit` rows.
    pub fn first(limit: u64) -> Self {
        PageArgs {
            direction: Direction::Forward,
            limit,
            cursor: None,
        }
    }
}

/// The column, or the two columns, that name a child row's parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParentColumn {
    /// One column: a participation's `organization_id`.
    One(ColumnName),
    /// Either of two columns: an organization relation is a child of its subject and of its
    /// object, so an organization's relations in both directions are one list, each relation
    /// once (also one whose two ends are the same organization), paged and counted in SQL.
    Either(ColumnName, ColumnName),
}

impl ParentColumn {
    /// `column`.
    pub fn one(column: impl IdenStatic) -> Self {
        ParentColumn::One(ColumnName::of(column))
    }

    /// `a` or `b`.
    pub fn either<C: IdenStatic>(a: C, b: C) -> Self {
        ParentColumn::Either(ColumnName::of(a), ColumnName::of(b))
    }

    /// The column or columns.
    pub fn columns(&self) -> impl Iterator<Item = ColumnName> {
        let (first, second) = match *self {
            ParentColumn::One(column) => (column, None),
            ParentColumn::Either(a, b) => (a, Some(b)),
        };
        std::iter::once(first).chain(second)
    }

    /// SQL: the row is a child of `parent`, an SQL expression (an outer row's column).
    fn is(&self, parent: &str) -> String {
        match self {
            ParentColumn::One(column) => format!("{column} = {parent}"),
            ParentColumn::Either(a, b) => format!("({a} = {parent} OR {b} = {parent})"),
        }
    }

    /// The condition that the row is a child of `parent`.
    pub fn of(&self, parent: i64) -> Condition {
        match *self {
            ParentColumn::One(column) => Condition::all().add(Expr::col(column).eq(parent)),
            ParentColumn::Either(a, b) => Condition::any()
                .add(Expr::col(a).eq(parent))
                .add(Expr::col(b).eq(parent)),
        }
    }
}

/// A total ordering: SQL expressions over the row's columns, the primary key last (in a child
/// list, a column that is unique among one parent's rows, such as a tie's partner).
///
/// Orderings are built once, from the definitions of `entities::order` (the ones the page-order
/// indexes are built from), as the statics of [`crate::store::order`]; their SQL is never
/// client input. A key's SQL is `'static`, so a statement written with it copies no text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ordering {
    keys: &'static [SortKey],
}

/// How the store orders text, which says where a batch of pages can be put in order.
///
/// [`fetch_pages`] reads one page per parent in one statement. Ordering the whole result by
/// parent and sort keys cost PostgreSQL a sort of every row it returned (1.6–3 ms of a 5–8 ms
/// statement for the 2,519 participations of the heavy benchmark query's last level, most of it
/// comparing text under the database's collation). Where the store compares text as bytes, as
/// Rust does, each parent's page is put in order here instead, which costs next to nothing as
/// each page comes sorted from its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOrder {
    /// Byte order: SQLite's default collation, and PostgreSQL's `C`, `POSIX` and `C.UTF-8`
    /// (code point order, which UTF-8 bytes keep).
    Bytes,
    /// A collation of its own: pages are put in order by the database.
    Collated,
}

impl TextOrder {
    /// The text order of `db`'s database: asked once, when the server starts. Any doubt (a
    /// locale provider other than libc, an error) leaves the ordering to the database.
    pub async fn of<C: ConnectionTrait>(db: &C) -> TextOrder {
        if db.get_database_backend() != DbBackend::Postgres {
            return TextOrder::Bytes;
        }
        // `datlocprovider` is PostgreSQL 15's; on an older server the query fails, and the
        // database orders.
        let sql = "SELECT datcollate, datlocprovider::text AS provider FROM pg_database \
                   WHERE datname = current_database()";
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(DbBackend::Postgres, sql))
            .await;
        let Ok(Some(row)) = row else {
            return TextOrder::Collated;
        };
        let collate: String = row.try_get("", "datcollate").unwrap_or_default();
        let provider: String = row.try_get("", "provider").unwrap_or_default();
        let bytewise = ["C", "POSIX", "C.UTF-8", "C.utf8"].contains(&collate.as_str());
        if provider == "c" && bytewise {
            TextOrder::Bytes
        } else {
            TextOrder::Collated
        }
    }
}

/// One sort expression and how to read its value back from a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// SQL over the table's columns, e.g. `sort_key` or `COALESCE(year_from, 99999)`.
    sql: &'static str,
    kind: SortKind,
    descending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKind {
    Int,
    Text,
}

impl SortKey {
    /// The key's direction in a page read forward, or backward (`reverse`).
    fn order(&self, reverse: bool) -> Order {
        if self.descending != reverse {
            Order::Desc
        } else {
            Order::Asc
        }
    }

    /// Its SQL: `sort_key`, `COALESCE(year_from, 99999)`.
    pub fn sql(&self) -> &'static str {
        self.sql
    }
}

/// The sort values of a fetched row, selected alongside it as `_k0`, `_k1`, …
#[derive(Debug)]
pub struct Keyed<M> {
    /// Shared: every connection built from a loader's cached page holds its rows' models.
    pub model: Arc<M>,
    pub cursor: Cursor,
}

/// One page of rows and whether more lie beyond it in the reading direction.
#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<Keyed<M>>,
    pub has_more: bool,
    pub args: PageArgs,
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Page {
            rows: Vec::new(),
            has_more: false,
            args: PageArgs::first(0),
        }
    }
}

impl Ordering {
    /// The ordering by `keys`, each ascending or each `descending`.
    ///
    /// The keys' SQL is rendered here and kept for the life of the process (leaked), so that
    /// statements take it as `'static` text: call this only to build a static, once (the
    /// statics of [`crate::store::order`]), never per request.
    pub(crate) fn leak(keys: &[SortExpr], descending: bool) -> Ordering {
        let keys: Vec<SortKey> = keys
            .iter()
            .map(|key| SortKey {
                sql: match key {
                    // A column's name is already `'static`.
                    SortExpr::Column { name, .. } => name,
                    SortExpr::Coalesce { .. } => key.sql().leak(),
                },
                kind: if key.is_text() {
                    SortKind::Text
                } else {
                    SortKind::Int
                },
                descending,
            })
            .collect();
        Ordering { keys: keys.leak() }
    }

    /// Its keys, the primary key (or the column unique within a parent) last.
    pub fn keys(&self) -> &'static [SortKey] {
        self.keys
    }

    /// Rows strictly after (or before, `reverse`) `cursor` in this ordering.
    fn after(&self, field: &str, cursor: &Cursor, reverse: bool) -> StoreResult<Condition> {
        if cursor.0.len() != self.keys.len() {
            return Err(StoreError::invalid(
                field,
                "the cursor belongs to a different ordering",
            ));
        }
        // (k0 > v0) OR (k0 = v0 AND k1 > v1) OR …
        let mut any = Condition::any();
        for i in 0..self.keys.len() {
            let mut all = Condition::all();
            for (key, value) in self.keys[..i].iter().zip(cursor.0.iter()) {
                all = all.add(Expr::cust(key.sql).eq(SimpleExpr::from(value.clone())));
            }
            let key = &self.keys[i];
            let value = &cursor.0[i];
            match (key.kind, value) {
                (SortKind::Int, SortValue::Int(_)) | (SortKind::Text, SortValue::Text(_)) => {}
                _ => {
                    return Err(StoreError::invalid(
                        field,
                        "the cursor belongs to a different ordering",
                    ));
                }
            }
            let greater = key.descending == reverse;
            let value = SimpleExpr::from(value.clone());
            all = all.add(if greater {
                Expr::cust(key.sql).gt(value)
            } else {
                Expr::cust(key.sql).lt(value)
            });
            any = any.add(all);
        }
        Ok(any)
    }

    /// Selects the sort values as `_k0`, `_k1`, …: integer keys as BIGINT, so that a key over
    /// an INT column (a year) reads back as the same type as one over an id.
    fn select_keys(&self, select: &mut SelectStatement) {
        for (i, key) in self.keys.iter().enumerate() {
            let value = match key.kind {
                SortKind::Int => Expr::cust(format!("CAST({} AS BIGINT)", key.sql)),
                SortKind::Text => Expr::cust(key.sql),
            };
            select.expr_as(value, Alias::new(format!("_k{i}")));
        }
    }

    /// How two cursors of this ordering compare in a page read forward, or backward
    /// (`reverse`), with text compared bytewise ([`TextOrder::Bytes`]).
    fn compare(&self, a: &Cursor, b: &Cursor, reverse: bool) -> std::cmp::Ordering {
        for ((key, x), y) in self.keys.iter().zip(a.0.iter()).zip(b.0.iter()) {
            let order = x.cmp(y);
            let order = if key.descending != reverse {
                order.reverse()
            } else {
                order
            };
            if order.is_ne() {
                return order;
            }
        }
        std::cmp::Ordering::Equal
    }

    /// The sort values selected by [`Ordering::select_keys`], from column `at` on.
    /// `trusted` as in [`Cell::read`].
    fn read_cursor(
        &self,
        row: &sea_orm::QueryResult,
        at: usize,
        trusted: bool,
    ) -> Result<Cursor, DbErr> {
        let mut values = Vec::with_capacity(self.keys.len());
        for (i, key) in self.keys.iter().enumerate() {
            values.push(match key.kind {
                SortKind::Int => SortValue::Int(i64::take(row, at + i, trusted)?),
                SortKind::Text => SortValue::Text(String::take(row, at + i, trusted)?),
            });
        }
        Ok(Cursor(values.into()))
    }
}

fn cursor_field(args: &PageArgs) -> &'static str {
    match args.direction {
        Direction::Forward => "after",
        Direction::Backward => "before",
    }
}

/// One page of `E`'s rows matching `filter`, in `ordering`.
pub async fn fetch_page<E, C>(
    db: &C,
    filter: Condition,
    ordering: &Ordering,
    args: &PageArgs,
) -> StoreResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Decode,
    C: ConnectionTrait,
{
    let select = page_statement::<E>(filter, ordering, args)?;
    let _turn = crate::store::share::turn().await;
    let rows = db.query_all(&select).await?;
    let mut page = read_rows::<E>(rows, ordering, args)?;
    finish(&mut page, args);
    Ok(page)
}

/// How many of `E`'s rows match `filter`: a list's `totalCount`, under the same condition as its
/// pages.
pub async fn count<E>(db: &DatabaseConnection, filter: Condition) -> StoreResult<u64>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let _turn = crate::store::share::turn().await;
    Ok(E::find().filter(filter).count(db).await?)
}

/// The statement of [`fetch_page`].
pub fn page_statement<E>(
    filter: Condition,
    ordering: &Ordering,
    args: &PageArgs,
) -> StoreResult<SelectStatement>
where
    E: EntityTrait,
    E::Model: Decode,
{
    let table = E::default().table_name();
    let reverse = args.direction == Direction::Backward;
    let mut select = Query::select();
    select.from(E::default()).cond_where(filter);
    select_columns::<E::Model>(&mut select, table);
    ordering.select_keys(&mut select);
    if let Some(cursor) = &args.cursor {
        select.cond_where(ordering.after(cursor_field(args), cursor, reverse)?);
    }
    for key in ordering.keys {
        select.order_by_expr(Expr::cust(key.sql), key.order(reverse));
    }
    select.limit(args.limit + 1);
    Ok(select)
}

/// One page per parent: rows of `E` whose `parent_column` is one of `parents`, at most
/// `limit + 1` each, in one statement.
///
/// With [`ParentColumn::Either`] a parent's page is the rows where it is either end, in the same
/// keyset as a page of one end (`relations` in both directions, ordered by id like each
/// direction alone, so a cursor of one is a position in the other). Both ends' indexes are read
/// (PostgreSQL: a bitmap OR; SQLite: its OR-by-union plan) and the parent's rows sorted for its
/// page: the rows of one organization's relations, hundreds for a large association, where a
/// page of one end reads its index range in order.
///
/// Each parent's page is its own `ORDER BY … LIMIT`, so a parent costs the rows of its page
/// whatever the number of its children: from an index in the ordering
/// (`m20261203_000001_page_order_indexes`) that is one short index range per parent. A window
/// (`ROW_NUMBER() OVER (PARTITION BY parent …)`) numbers every child of every parent first; the
/// heavy benchmark query's third level read 13,815 participations of 198 organizations that way to
/// return 2,519 (20 ms on size M, 7 ms now).
///
/// - PostgreSQL: `FROM unnest($parents) AS _p JOIN LATERAL (SELECT … WHERE parent = _p._p …
///   LIMIT n) AS t`.
/// - SQLite has no `LATERAL`; for each parent of `json_each($parents)`, a correlated
///   `id IN (SELECT id … LIMIT n)` reads the same index ranges. (Joining on the parent as well
///   makes SQLite read every child of the parent and test each against the list: 400 ms for
///   200 hubs of size M, against 33 ms, and 170 ms for the window.)
///
/// Where the store orders text as Rust does ([`TextOrder::Bytes`]), the rows come unordered and
/// each parent's page is put in order here; otherwise the statement orders them.
pub async fn fetch_pages<E, C>(
    db: &C,
    parent_column: ParentColumn,
    parents: &[i64],
    filter: Condition,
    ordering: &Ordering,
    args: &PageArgs,
    text_order: TextOrder,
) -> StoreResult<Vec<(i64, Page<E::Model>)>>
where
    E: EntityTrait,
    E::Model: Decode,
    C: ConnectionTrait + StreamTrait,
{
    let reverse = args.direction == Direction::Backward;
    let select = pages_statement::<E>(
        ConnectionTrait::get_database_backend(db),
        parent_column,
        parents,
        filter,
        ordering,
        args,
        text_order,
    )?;
    // Streamed: each row becomes a model as it arrives, so a batch of tens of thousands of
    // children never sits in memory twice, as driver rows and as models (it did: 400 MB peak
    // under eight nested benchmark queries at once).
    let _turn = crate::store::share::turn().await;
    let mut rows = std::pin::pin!(db.stream(&select).await?);
    let mut pages: Vec<(i64, Page<E::Model>)> = Vec::new();
    // Where each parent's page is in `pages`: rows of one parent may come apart when the
    // statement does not order them.
    let mut at: std::collections::HashMap<i64, usize> =
        std::collections::HashMap::with_capacity(parents.len());
    let mut reader = RowReader::<E::Model>::default();
    while let Some(row) = rows.next().await {
        let row = row?;
        let parent_at = E::Model::COLUMNS.len() + ordering.keys.len();
        let parent = i64::take(&row, parent_at, reader.trusted())?;
        let keyed = reader.read(&row, ordering)?;
        match pages.last_mut() {
            Some((p, page)) if *p == parent => page.rows.push(keyed),
            _ => match at.get(&parent) {
                Some(&i) => pages[i].1.rows.push(keyed),
                None => {
                    at.insert(parent, pages.len());
                    pages.push((
                        parent,
                        Page {
                            rows: vec![keyed],
                            has_more: false,
                            args: args.clone(),
                        },
                    ));
                }
            },
        }
    }
    for (_, page) in &mut pages {
        if text_order == TextOrder::Bytes {
            // Already in order as a rule (each page is read from its index), which the sort
            // only checks; stable, though the keys are unique within a parent.
            page.rows
                .sort_by(|a, b| ordering.compare(&a.cursor, &b.cursor, reverse));
        }
        finish(page, args);
    }
    Ok(pages)
}

/// The statement of [`fetch_pages`]: the one a batch of parents' pages is read with.
#[allow(clippy::too_many_arguments)]
pub fn pages_statement<E>(
    backend: DbBackend,
    parent_column: ParentColumn,
    parents: &[i64],
    filter: Condition,
    ordering: &Ordering,
    args: &PageArgs,
    text_order: TextOrder,
) -> StoreResult<SelectStatement>
where
    E: EntityTrait,
    E::Model: Decode,
{
    let table = E::default().table_name();
    let reverse = args.direction == Direction::Backward;
    let postgres = backend == DbBackend::Postgres;
    // The parents' ids as one bound array: one statement text whatever their number.
    let ids = super::sql::id_list(parents);
    let parent_id = if postgres {
        "\"_p\".\"_p\""
    } else {
        "\"_p\".\"value\""
    };

    // One parent's page; `parent_id` is the parent, from the outer row.
    let mut page = Query::select();
    page.from(E::default())
        .and_where(Expr::cust(parent_column.is(parent_id)))
        .cond_where(filter);
    if let Some(cursor) = &args.cursor {
        page.cond_where(ordering.after(cursor_field(args), cursor, reverse)?);
    }
    for key in ordering.keys {
        page.order_by_expr(Expr::cust(key.sql), key.order(reverse));
    }
    page.limit(args.limit + 1);

    let mut select = Query::select();
    if postgres {
        select_columns::<E::Model>(&mut page, table);
        ordering.select_keys(&mut page);
        select
            .column((Alias::new("t"), Asterisk))
            .from_function(
                Func::cust("unnest").arg(Expr::cust_with_values(
                    "CAST($1 AS BIGINT[])",
                    [format!("{{{ids}}}")],
                )),
                Alias::new("_p"),
            )
            .join_lateral(
                JoinType::InnerJoin,
                page,
                Alias::new("t"),
                Expr::cust("TRUE"),
            );
    } else {
        let table_column = |column: &'static str| Expr::col((E::default(), ColumnName(column)));
        // The table's own key, when it is one column (not a tie's).
        let mut primary_key = E::PrimaryKey::iter().map(|key| key.into_column().as_str());
        let id = match (primary_key.next(), primary_key.next()) {
            (Some(id), None) => Some(id),
            _ => None,
        };
        let in_page = match ordering.keys.last() {
            // The page's ids: each is one lookup of the table's primary key.
            Some(last) if Some(last.sql) == id => {
                page.expr(Expr::cust(last.sql));
                table_column(last.sql).in_subquery(page)
            }
            // A table keyed otherwise (a tie is keyed by its organization and sort keys, WITHOUT
            // ROWID): the parent and the sort keys, which are unique per row within a parent.
            _ => {
                let ParentColumn::One(parent_column) = parent_column else {
                    tracing::error!(table, "two parent columns on a table not keyed by its id");
                    return Err(StoreError::Internal);
                };
                let parent_column = parent_column.as_str();
                page.expr(Expr::cust(parent_column));
                let mut row = vec![table_column(parent_column)];
                for key in ordering.keys {
                    page.expr(Expr::cust(key.sql));
                    row.push(Expr::cust(key.sql));
                }
                Expr::tuple(row).in_subquery(page)
            }
        };
        select_columns::<E::Model>(&mut select, table);
        select
            .from_function(
                Func::cust("json_each").arg(format!("[{ids}]")),
                Alias::new("_p"),
            )
            .inner_join(E::default(), in_page);
        ordering.select_keys(&mut select);
    }
    select.expr_as(Expr::cust(parent_id), Alias::new("_parent"));
    if text_order == TextOrder::Collated {
        // Each parent's rows in page order (the sort keys as selected).
        select.order_by(Alias::new("_parent"), Order::Asc);
        for (i, key) in ordering.keys.iter().enumerate() {
            select.order_by(Alias::new(format!("_k{i}")), key.order(reverse));
        }
    }
    Ok(select)
}

fn read_rows<E>(
    rows: Vec<sea_orm::QueryResult>,
    ordering: &Ordering,
    args: &PageArgs,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: Decode,
{
    let mut reader = RowReader::<E::Model>::default();
    Ok(Page {
        rows: rows
            .iter()
            .map(|row| reader.read(row, ordering))
            .collect::<Result<_, _>>()?,
        has_more: false,
        args: args.clone(),
    })
}

/// Reads the rows of one statement into models and their cursors: the model's columns first
/// ([`select_columns`]), then the sort values ([`Ordering::select_keys`]). The first row's
/// column types are checked, the others' trusted ([`Decoder`]).
struct RowReader<M> {
    model: Decoder<M>,
}

impl<M: Decode> Default for RowReader<M> {
    fn default() -> Self {
        RowReader {
            model: Decoder::default(),
        }
    }
}

impl<M: Decode> RowReader<M> {
    /// Whether a row has been read, so the next one's columns can be trusted.
    fn trusted(&self) -> bool {
        self.model.trusted()
    }

    fn read(&mut self, row: &sea_orm::QueryResult, ordering: &Ordering) -> Result<Keyed<M>, DbErr> {
        let trusted = self.trusted();
        let model = Arc::new(self.model.decode(row, 0)?);
        let cursor = ordering.read_cursor(row, M::COLUMNS.len(), trusted)?;
        Ok(Keyed { model, cursor })
    }
}

/// Drops the look-ahead row and restores reading order for backward pages.
fn finish<M>(page: &mut Page<M>, args: &PageArgs) {
    page.has_more = page.rows.len() as u64 > args.limit;
    page.rows.truncate(args.limit as usize);
    if args.direction == Direction::Backward {
        page.rows.reverse();
    }
}

/// Pages a small, fully loaded list in memory: `rows` sorted ascending by cursor. Returns the
/// page and the list's length.
pub fn page_in_memory<M>(rows: Vec<(Cursor, M)>, args: &PageArgs) -> StoreResult<(Page<M>, u64)> {
    let total = rows.len() as u64;
    let selected: Vec<(Cursor, M)> = match (&args.direction, &args.cursor) {
        (Direction::Forward, Some(c)) => rows.into_iter().filter(|(k, _)| k > c).collect(),
        (Direction::Backward, Some(c)) => rows.into_iter().filter(|(k, _)| k < c).collect(),
        (_, None) => rows,
    };
    let limit = args.limit as usize;
    let has_more = selected.len() > limit;
    let rows: Vec<Keyed<M>> = match args.direction {
        Direction::Forward => selected
            .into_iter()
            .take(limit)
            .map(|(cursor, model)| Keyed {
                model: Arc::new(model),
                cursor,
            })
            .collect(),
        Direction::Backward => {
            let skip = selected.len().saturating_sub(limit);
            selected
                .into_iter()
                .skip(skip)
                .map(|(cursor, model)| Keyed {
                    model: Arc::new(model),
                    cursor,
                })
                .collect()
        }
    };
    Ok((
        Page {
            rows,
            has_more,
            args: args.clone(),
        },
        total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor(vec![SortValue::Text("balti".into()), SortValue::Int(42)].into());
        assert_eq!(Cursor::decode("after", &cursor.encode()).unwrap(), cursor);
        let error = Cursor::decode("after", "not-a-cursor!").unwrap_err();
        assert_eq!(error.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn page_sizes_are_capped_not_clamped() {
        assert_eq!(
            PageArgs::new(Some(100), None, None, None).unwrap().limit,
            100
        );
        assert!(PageArgs::new(Some(101), None, None, None).is_err());
        assert!(PageArgs::new(None, None, Some(-1), None).is_err());
        assert!(PageArgs::new(Some(1), None, Some(1), None).is_err());
        assert_eq!(
            PageArgs::new(None, None, None, None).unwrap().limit,
            DEFAULT_PAGE_SIZE as u64
        );
        let message = PageArgs::new(Some(500), None, None, None)
            .unwrap_err()
            .message();
        assert!(
            message.contains("first") && message.contains("100"),
            "{message}"
        );
    }
}
