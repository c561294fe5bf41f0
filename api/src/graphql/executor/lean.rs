//! A leaner executor for the objects of a page.
//!
//! async-graphql resolves every object by boxing one future per selected field and driving
//! them through a `FuturesUnordered`, which allocates a task for each. A participation selected
//! as `edges { node { activity { ... on Project { name slug } } } }` costs four boxed futures and
//! four tasks (one per field of the edge, the participation and the project). In a `perf` profile
//! of the nested benchmark query that machinery was the largest item (`do_resolve_container`, 12 %
//! of the CPU), and the allocator behind it about as much again.
//!
//! Here a connection resolves its edges and their nodes itself, and an object whose selection
//! is plain (fields and fragments, no directive, no response key twice) joins its fields'
//! futures, which are all of one type, in one allocation; a lone field is awaited in place.
//! Anything else takes async-graphql's own path. The answers are the same either way: each
//! field's own resolver runs with the same context and path, and a field that fails is reported
//! (with its path) and left out, as `resolve_container` does; [`super::shape`] then puts the
//! `null`s where the specification wants them, for both executors. Here an object's keys already
//! come in the order they were selected, so that pass leaves them in place.
//!
//! The types and fields stay async-graphql's: [`Conn`] and [`Lean`] register the types they
//! wrap, so the schema does not change. The schema has no extensions (see `codes`), and must
//! not gain one with a `resolve` hook: the fields resolved here do not pass through it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
};
use futures_util::future::join_all;
use smallvec::SmallVec;

use crate::graphql::connection::total::ConnectionTotal;
use crate::store::page::Cursor;

/// A type whose objects resolve the lean way: an object type, or a union or interface that
/// resolves as its concrete object.
pub trait LeanObject: ContainerType + Sync {
    fn lean(
        &self,
        ctx: &ContextSelectionSet<'_>,
    ) -> impl Future<Output = ServerResult<Value>> + Send;

    /// Loads, for all the objects of one page, the relations that `selection` (the selection on
    /// each of them) asks for, before their fields are resolved: one loader call per relation
    /// and page instead of one per object. The pages of one level still batch into one
    /// statement per loader, as their calls are registered together. Optional: a relation not
    /// prefetched (or whose prefetch failed) loads in its field's resolver, as before.
    fn prefetch(
        _ctx: &ContextSelectionSet<'_>,
        _selection: &SelectionSet,
        _page: &[&Self],
    ) -> impl Future<Output = ()> + Send {
        std::future::ready(())
    }
}

/// Whether `selection` selects a field called `name` (directly or through fragments), with no
/// directive on the way that could skip it.
pub fn selects(ctx: &ContextSelectionSet<'_>, selection: &SelectionSet, name: &str) -> bool {
    selection.items.iter().any(|item| match &item.node {
        Selection::Field(field) => field.node.name.node == name && field.node.directives.is_empty(),
        Selection::FragmentSpread(spread) => {
            spread.node.directives.is_empty()
                && ctx
                    .query_env
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|fragment| {
                        fragment.node.directives.is_empty()
                            && selects(ctx, &fragment.node.selection_set.node, name)
                    })
        }
        Selection::InlineFragment(fragment) => {
            fragment.node.directives.is_empty()
                && selects(ctx, &fragment.node.selection_set.node, name)
        }
    })
}

/// Implements [`LeanObject`] for object types.
macro_rules! lean_objects {
    ($($ty:ty),* $(,)?) => {
        $(impl $crate::graphql::executor::lean::LeanObject for $ty {
            fn lean(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
            ) -> impl ::std::future::Future<
                Output = async_graphql::ServerResult<async_graphql::Value>,
            > + Send {
                $crate::graphql::executor::lean::object(ctx, self, self)
            }
        })*
    };
}

/// Implements [`LeanObject`] for a union or interface enum whose variants wrap object types.
macro_rules! lean_abstract {
    ($ty:ident { $($variant:ident),* $(,)? }) => {
        impl $crate::graphql::executor::lean::LeanObject for $ty {
            fn lean(
                &self,
                ctx: &async_graphql::ContextSelectionSet<'_>,
            ) -> impl ::std::future::Future<
                Output = async_graphql::ServerResult<async_graphql::Value>,
            > + Send {
                async move {
                    match self {
                        $($ty::$variant(object) => {
                            $crate::graphql::executor::lean::object(ctx, object, self).await
                        })*
                    }
                }
            }
        }
    };
}

pub(crate) use {lean_abstract, lean_objects};

/// The fields an object's selection selects. Inline up to four, as most selections on the
/// objects of a page are (`name slug`, `node`, `activity`): a vector on the heap for every
/// object, and another for its fields' contexts, were two allocations of each of the nested
/// benchmark query's objects (about 17,000 at size M).
type Fields<'a> = SmallVec<[&'a Positioned<Field>; 4]>;

/// The contexts of an object's [`Fields`].
type Contexts<'a> = SmallVec<[Context<'a>; 4]>;

/// The fields a plain selection set selects on an object, in order, with the fragments that
/// apply to it flattened; `false` when the set is not plain.
fn plain_fields<'a>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    applies: &dyn Fn(&str) -> bool,
    out: &mut Fields<'a>,
) -> bool {
    for selection in &set.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                if !field.node.directives.is_empty()
                    || out.iter().any(|f| &f.node.response_key().node == key)
                {
                    return false;
                }
                out.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                if !spread.node.directives.is_empty() || !fragment.node.directives.is_empty() {
                    return false;
                }
                (
                    Some(&fragment.node.type_condition),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => {
                if !fragment.node.directives.is_empty() {
                    return false;
                }
                (
                    fragment.node.type_condition.as_ref(),
                    &fragment.node.selection_set,
                )
            }
        };
        let applied = condition.is_none_or(|c| applies(c.node.on.node.as_str()));
        if applied && !plain_fields(ctx, &inner.node, applies, out) {
            return false;
        }
    }
    true
}

/// Resolves `root`'s selection as `resolve_container` does. `root` is the concrete object;
/// `as_type` is the value the field returned (the union or interface it is reached through, or
/// `root` itself), which takes async-graphql's path when the selection is not plain.
pub async fn object<T, A>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
    as_type: &A,
) -> ServerResult<Value>
where
    T: ContainerType,
    A: ContainerType,
{
    let concrete = root.introspection_type_name();
    let reached_as = A::type_name();
    // The registry is only asked for a fragment on some other type (an interface): a lookup for
    // every object of a page was a measurable part of resolving it.
    let applies = |condition: &str| {
        condition == concrete
            || condition == reached_as
            || ctx
                .schema_env
                .registry
                .implements
                .get(concrete.as_ref())
                .is_some_and(|names| names.contains(condition))
    };
    let mut fields = Fields::new();
    if !plain_fields(ctx, &ctx.item.node, &applies, &mut fields) {
        Trace::count(ctx, |t| &t.fallbacks);
        return resolve_container(ctx, as_type).await;
    }
    let contexts: Contexts<'_> = fields.iter().map(|f| ctx.with_field(f)).collect();
    Ok(if let [only] = contexts.as_slice() {
        let result = object_field(root, only, &concrete).await;
        object_value(ctx, [(only.item, result)].into_iter())
    } else {
        let results = join_all(contexts.iter().map(|c| object_field(root, c, &concrete))).await;
        object_value(ctx, fields.iter().copied().zip(results))
    })
}

/// An object's value from its fields' results, in order: a failed field is reported and left
/// out, and an object left with no field is null, as in `resolve_container`.
fn object_value<'a>(
    ctx: &ContextSelectionSet<'_>,
    results: impl ExactSizeIterator<Item = (&'a Positioned<Field>, ServerResult<Option<Value>>)>,
) -> Value {
    let mut object = ObjectValue::with_capacity(results.len());
    for (field, result) in results {
        object.put(ctx, field, result);
    }
    object.finish()
}

/// An object's value as its fields' results come in.
struct ObjectValue(IndexMap<Name, Value>);

/// The hasher of every object built here, so that a response key's hash can be kept
/// ([`key_hash`]): a map of its own hasher hashed each key again (SipHash), in every object of a
/// page, which was 2 % of the nested benchmark query's instructions.
static KEY_HASHER: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// Slots of [`KEY_HASHES`].
const KEY_SLOTS: usize = 64;

thread_local! {
    /// Response keys hashed lately, under [`KEY_HASHER`], by where the key's text is: the keys are
    /// the query document's, shared by every object of a page. A slot holds its key, so the text
    /// stays where it is while its hash is kept.
    static KEY_HASHES: RefCell<[Option<(Name, u64)>; KEY_SLOTS]> =
        const { RefCell::new([const { None }; KEY_SLOTS]) };
}

/// `key`'s hash under [`KEY_HASHER`].
fn key_hash(key: &Name) -> u64 {
    let text = key.as_str();
    let slot = (text.as_ptr() as usize >> 3) % KEY_SLOTS;
    KEY_HASHES.with_borrow_mut(|slots| match &slots[slot] {
        Some((kept, hash)) if std::ptr::eq(kept.as_str(), text) => *hash,
        _ => {
            let hash = KEY_HASHER.hash_one(key);
            slots[slot] = Some((key.clone(), hash));
            hash
        }
    })
}

impl ObjectValue {
    fn with_capacity(capacity: usize) -> Self {
        ObjectValue(IndexMap::with_capacity_and_hasher(
            capacity,
            KEY_HASHER.clone(),
        ))
    }

    fn put(
        &mut self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
        result: ServerResult<Option<Value>>,
    ) {
        match result {
            Ok(value) => {
                let key = &field.node.response_key().node;
                let hash = key_hash(key);
                // As `insert`: a key seen before keeps its place and takes the new value.
                match self.0.raw_entry_mut_v1().from_hash(hash, |k| k == key) {
                    RawEntryMut::Vacant(entry) => {
                        entry.insert_hashed_nocheck(hash, key.clone(), value.unwrap_or_default());
                    }
                    RawEntryMut::Occupied(mut entry) => {
                        *entry.get_mut() = value.unwrap_or_default();
                    }
                }
            }
            // A resolver's own error may come without a path (a `ComplexObject` field's does):
            // the field's path is known here, so the error names it.
            Err(error) if error.path.is_empty() => {
                ctx.add_error(ctx.with_field(field).set_error_path(error))
            }
            Err(error) => ctx.add_error(error),
        }
    }

    fn finish(self) -> Value {
        if self.0.is_empty() {
            Value::Null
        } else {
            Value::Object(self.0)
        }
    }
}

/// One field of an object: its resolver, or the type's name.
async fn object_field<T: ContainerType>(
    root: &T,
    ctx: &Context<'_>,
    type_name: &str,
) -> ServerResult<Option<Value>> {
    if ctx.item.node.name.node == "__typename" {
        return Ok(Some(Value::String(type_name.to_owned())));
    }
    root.resolve_field(ctx).await
}

/// `value`'s lean future, boxed: an object's future holds its fields' futures, and the types
/// nest in cycles (a participation's activity has participations), so somewhere the nesting
/// must go through a pointer. Once per object a relation returns, and once per page.
fn boxed<'a, T: LeanObject>(
    value: &'a T,
    ctx: &'a ContextSelectionSet<'a>,
) -> Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + 'a>> {
    Box::pin(value.lean(ctx))
}

/// How a request's pages and objects were resolved, counted when the request carries one
/// (`Batched::execute_traced`): the tests that run one query through both executors prove with it
/// that both ran. A request without one pays a data lookup per page and per fallback, not per
/// object.
#[derive(Debug, Default)]
pub struct Trace {
    /// Connections resolved here.
    pub lean_pages: AtomicUsize,
    /// Objects and connections whose selection was not plain, resolved by async-graphql.
    pub fallbacks: AtomicUsize,
}

impl Trace {
    fn count(ctx: &ContextSelectionSet<'_>, counter: impl Fn(&Trace) -> &AtomicUsize) {
        if let Some(trace) = ctx.data_opt::<Arc<Trace>>() {
            counter(trace).fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A union, interface or object a field returns, resolved the lean way.
pub struct Lean<T>(pub T);

impl<T: LeanObject> OutputType for Lean<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        boxed(&self.0, ctx).await
    }
}

type Inner<N> = Connection<Cursor, N, ConnectionTotal, EmptyFields>;
type InnerEdge<N> = Edge<Cursor, N, EmptyFields>;

/// A Relay connection of `N` nodes with `totalCount`, async-graphql's `Connection` resolved the
/// lean way.
pub struct Conn<N: LeanObject>(pub Inner<N>);

impl<N: LeanObject> OutputType for Conn<N> {
    fn type_name() -> Cow<'static, str> {
        Inner::<N>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Inner::<N>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Box::pin(connection(ctx, &self.0)).await
    }
}

async fn connection<N: LeanObject>(
    ctx: &ContextSelectionSet<'_>,
    connection: &Inner<N>,
) -> ServerResult<Value> {
    let name = Inner::<N>::type_name();
    let mut fields = Fields::new();
    if !plain_fields(ctx, &ctx.item.node, &|c| c == name, &mut fields) {
        Trace::count(ctx, |t| &t.fallbacks);
        return resolve_container(ctx, connection).await;
    }
    Trace::count(ctx, |t| &t.lean_pages);
    let contexts: Contexts<'_> = fields.iter().map(|f| ctx.with_field(f)).collect();
    let results = join_all(
        contexts
            .iter()
            .map(|c| connection_field(connection, c, &name)),
    )
    .await;
    Ok(object_value(ctx, fields.iter().copied().zip(results)))
}

/// One field of a connection: `edges` and `nodes` here, the others (`pageInfo`, `totalCount`)
/// by async-graphql.
async fn connection_field<N: LeanObject>(
    connection: &Inner<N>,
    ctx: &Context<'_>,
    type_name: &str,
) -> ServerResult<Option<Value>> {
    let set = ctx.with_selection_set(&ctx.item.node.selection_set);
    match ctx.item.node.name.node.as_str() {
        "__typename" => Ok(Some(Value::String(type_name.to_owned()))),
        "edges" => {
            let edge_name = InnerEdge::<N>::type_name();
            let mut fields = Fields::new();
            if !plain_fields(&set, &set.item.node, &|c| c == edge_name, &mut fields) {
                return connection.resolve_field(ctx).await;
            }
            let page: Vec<&N> = connection.edges.iter().map(|e| &e.node).collect();
            for field in fields.iter().filter(|f| f.node.name.node == "node") {
                N::prefetch(&set, &field.node.selection_set.node, &page).await;
            }
            let edges = connection.edges.iter().enumerate();
            let values = join_all(edges.map(|(i, e)| edge(&set, i, e, &fields, &edge_name))).await;
            Ok(Some(Value::List(values)))
        }
        "nodes" => {
            let page: Vec<&N> = connection.edges.iter().map(|e| &e.node).collect();
            N::prefetch(&set, &set.item.node, &page).await;
            let set = &set;
            let nodes = connection.edges.iter().enumerate();
            let values = join_all(nodes.map(|(i, e)| async move {
                let ctx_node = set.with_index(i);
                let value = e.node.lean(&ctx_node).await;
                value.map_err(|error| ctx_node.set_error_path(error))
            }))
            .await;
            Ok(Some(Value::List(
                values.into_iter().collect::<ServerResult<_>>()?,
            )))
        }
        _ => connection.resolve_field(ctx).await,
    }
}

/// One edge: its `node` and `cursor`, one after the other (only `node` waits for anything, and
/// the edges of a page are joined, so their nodes' loads still batch).
async fn edge<N: LeanObject>(
    ctx: &ContextSelectionSet<'_>,
    index: usize,
    edge: &InnerEdge<N>,
    fields: &[&Positioned<Field>],
    type_name: &str,
) -> Value {
    let ctx_edge = ctx.with_index(index);
    let mut object = ObjectValue::with_capacity(fields.len());
    for field in fields {
        let ctx_field = ctx_edge.with_field(field);
        let value = match field.node.name.node.as_str() {
            "node" => {
                let ctx_node = ctx_field.with_selection_set(&field.node.selection_set);
                edge.node.lean(&ctx_node).await.map(Some)
            }
            "cursor" => Ok(Some(Value::String(edge.cursor.encode()))),
            "__typename" => Ok(Some(Value::String(type_name.to_owned()))),
            _ => edge.resolve_field(&ctx_field).await,
        };
        object.put(&ctx_edge, field, value);
    }
    object.finish()
}
