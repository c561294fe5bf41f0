//! The response the GraphQL specification asks for, made from what the executors produced.
//!
//! Both executors that resolve libgraph's fields, async-graphql 7.2's own and the lean one
//! ([`super::lean`]), build an object the way `resolve_container` does: a field that fails is
//! reported and its key left out, an object left without keys is `null`, and async-graphql puts
//! the keys in the order their fields *finished* (a `FuturesUnordered`). The specification asks
//! otherwise ("Handling Field Errors", "CollectFields", "Serialization Format"):
//! - a field that fails is `null` at its place, with an error that carries its `path`, and when
//!   the field is non-null the `null` moves up to the nearest nullable parent, so
//!   `{ libraries(first: 500) { totalCount } }` answers `"data": null`, not `{}`;
//! - an object's keys come in the order its selection set names them, the same on every request;
//! - a selection whose fields are all skipped (`@skip`, `@include`) is `{}`, not `null`.
//!
//! Apollo Client and every generated client rely on these: an object without a field its type
//! declares non-null is a crash in the app, not a missing value.
//!
//! Rather than fork async-graphql's executor, [`complete`] walks the executed operation beside
//! the data once after execution, as the spec's `ExecuteSelectionSet` would: it collects each
//! object's fields (fragments by type condition, `@skip`/`@include`), puts the keys in that
//! order, puts `null` where a field failed, and propagates the `null` of a non-null field to its
//! nearest nullable parent. It needs the schema's field types ([`Shapes`], read once from the
//! schema's SDL) and, for an object reached through a union or interface, its concrete type:
//! [`prepare`] asks for `__typename` under a key no client can write ([`TYPE_KEY`]) in every
//! selection set that has a fragment, and [`complete`] reads and removes it.
//!
//! The walk is paid by every request. Its per-object work is kept to what the data needs: the
//! fields a selection set collects on a type are worked out once per request and shared by every
//! object of that type and selection (a page's thousands), and an object whose keys already come
//! in order (the lean executor's, when nothing failed) is completed in place, not rebuilt.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType,
    Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::{Positioned, parse_schema};
use async_graphql::{Name, PathSegment, Pos, Response, ServerError, Value, Variables};
use smallvec::SmallVec;

/// The response key under which [`prepare`] selects `__typename`. GraphQL names are
/// `[_A-Za-z][_0-9A-Za-z]*`, so no client's alias can be this.
pub const TYPE_KEY: &str = "#type";

/// The introspection types (spec, "Schema Introspection"): the schema's SDL leaves them out, and
/// `__schema`/`__type` answers are completed like any other.
const INTROSPECTION: &str = r#"
type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type
  subscriptionType: __Type directives: [__Directive!]! }
type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String
  fields(includeDeprecated: Boolean): [__Field!] interfaces: [__Type!] possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean): [__EnumValue!]
  inputFields(includeDeprecated: Boolean): [__InputValue!] ofType: __Type isOneOf: Boolean }
type __Field { name: String! description: String args(includeDeprecated: Boolean): [__InputValue!]!
  type: __Type! isDeprecated: Boolean! deprecationReason: String }
type __InputValue { name: String! description: String type: __Type! defaultValue: String
  isDeprecated: Boolean! deprecationReason: String }
type __EnumValue { name: String! description: String isDeprecated: Boolean!
  deprecationReason: String }
type __Directive { name: String! description: String locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean): [__InputValue!]! isRepeatable: Boolean! }
"#;

/// What the walk needs to know of the schema.
pub struct Shapes {
    /// The query root's name.
    query: Name,
    /// The mutation root's name, when the schema has one.
    mutation: Option<Name>,
    /// Each object and interface type's fields, by name, with their types.
    fields: HashMap<Name, HashMap<Name, Type>>,
    /// For each object type, the interfaces it implements and the unions it belongs to: what a
    /// fragment's type condition may name for it to apply.
    belongs: HashMap<Name, HashSet<Name>>,
}

impl Shapes {
    /// Reads the shapes out of a schema's SDL (`Schema::sdl`).
    pub fn from_sdl(sdl: &str) -> Result<Shapes, String> {
        let mut shapes = Shapes {
            query: Name::new("Query"),
            mutation: None,
            fields: HashMap::new(),
            belongs: HashMap::new(),
        };
        for text in [sdl, INTROSPECTION] {
            let document = parse_schema(text).map_err(|e| e.to_string())?;
            for definition in document.definitions {
                match definition {
                    TypeSystemDefinition::Schema(schema) => {
                        if let Some(query) = schema.node.query {
                            shapes.query = query.node;
                        }
                        shapes.mutation = schema.node.mutation.map(|m| m.node);
                    }
                    TypeSystemDefinition::Type(ty) => shapes.add(ty.node.name.node, ty.node.kind),
                    TypeSystemDefinition::Directive(_) => {}
                }
            }
        }
        // The introspection fields every query root has, which the SDL does not show.
        let root = shapes.fields.entry(shapes.query.clone()).or_default();
        for (name, ty) in [("__schema", "__Schema!"), ("__type", "__Type")] {
            root.insert(Name::new(name), Type::new(ty).ok_or("introspection type")?);
        }
        Ok(shapes)
    }

    fn add(&mut self, name: Name, kind: TypeKind) {
        let fields = |list: Vec<Positioned<async_graphql::parser::types::FieldDefinition>>| {
            list.into_iter()
                .map(|f| (f.node.name.node, f.node.ty.node))
                .collect::<HashMap<_, _>>()
        };
        match kind {
            TypeKind::Object(object) => {
                let belongs = self.belongs.entry(name.clone()).or_default();
                belongs.extend(object.implements.into_iter().map(|i| i.node));
                self.fields.insert(name, fields(object.fields));
            }
            TypeKind::Interface(interface) => {
                self.fields.insert(name, fields(interface.fields));
            }
            TypeKind::Union(union) => {
                // A union has no fields of its own but `__typename`; it is here to be known as a
                // composite type.
                self.fields.insert(name.clone(), HashMap::new());
                for member in union.members {
                    let belongs = self.belongs.entry(member.node).or_default();
                    belongs.insert(name.clone());
                }
            }
            TypeKind::Scalar | TypeKind::Enum(_) | TypeKind::InputObject(_) => {}
        }
    }

    /// Whether a fragment on `condition` applies to an object of type `concrete`.
    fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete
            || self
                .belongs
                .get(concrete)
                .is_some_and(|names| names.contains(condition))
    }

    /// The object, interface or union type of a field's values (inside its lists), as the shapes
    /// hold its name; `None` for scalars and enums.
    fn composite(&self, ty: &Type) -> Option<&Name> {
        match &ty.base {
            BaseType::List(item) => self.composite(item),
            BaseType::Named(name) => self.fields.get_key_value(name).map(|(name, _)| name),
        }
    }

    /// The type of `field` on `ty`, looked up on `fallback` (the static type) when `ty` lacks it.
    fn field_type(&self, ty: &str, fallback: &str, field: &str) -> Option<&Type> {
        [ty, fallback]
            .into_iter()
            .find_map(|t| self.fields.get(t).and_then(|f| f.get(field)))
    }
}

/// Readies a parsed document for [`complete`]: every selection set with a fragment also selects
/// `__typename` as [`TYPE_KEY`], so that the walk knows which of the fragments applied to an
/// object reached through a union or interface.
pub fn prepare(document: &mut ExecutableDocument) {
    fn visit(set: &mut Positioned<SelectionSet>) {
        let mut has_fragment = false;
        for selection in &mut set.node.items {
            match &mut selection.node {
                Selection::Field(field) => visit(&mut field.node.selection_set),
                Selection::InlineFragment(fragment) => {
                    has_fragment = true;
                    visit(&mut fragment.node.selection_set);
                }
                Selection::FragmentSpread(_) => has_fragment = true,
            }
        }
        if has_fragment {
            let field = Field {
                alias: Some(Positioned::new(Name::new(TYPE_KEY), set.pos)),
                name: Positioned::new(Name::new("__typename"), set.pos),
                arguments: Vec::new(),
                directives: Vec::new(),
                selection_set: Positioned::new(SelectionSet::default(), set.pos),
            };
            let field = Positioned::new(field, set.pos);
            set.node
                .items
                .push(Positioned::new(Selection::Field(field), set.pos));
        }
    }
    match &mut document.operations {
        DocumentOperations::Single(operation) => visit(&mut operation.node.selection_set),
        DocumentOperations::Multiple(operations) => {
            for operation in operations.values_mut() {
                visit(&mut operation.node.selection_set);
            }
        }
    }
    for fragment in document.fragments.values_mut() {
        visit(&mut fragment.node.selection_set);
    }
}

/// Whether [`prepare`] asked for the type in `set` (it puts the field last).
fn selects_type(set: &SelectionSet) -> bool {
    matches!(set.items.last(), Some(Positioned { node: Selection::Field(field), .. })
        if field.node.alias.as_ref().is_some_and(|alias| alias.node == TYPE_KEY))
}

/// The operation a request runs, chosen as async-graphql chooses it.
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), None) => Some(operation),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Completes an executed response as the specification says (see the module docs). A response
/// that was refused before execution (no data, and no error with a path) is left as it is.
pub fn complete(
    shapes: &Shapes,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    response: &mut Response,
) {
    let refused = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    // A mutation's fields are the mutation root's; a schema without one refused the operation.
    let root = match operation.ty {
        OperationType::Query => &shapes.query,
        OperationType::Mutation => match &shapes.mutation {
            Some(mutation) => mutation,
            None => return,
        },
        OperationType::Subscription => return,
    };
    if refused {
        return;
    }
    let mut walk = Walk {
        shapes,
        document,
        variables,
        errors: &mut response.errors,
        path: Vec::new(),
    };
    let data = match std::mem::take(&mut response.data) {
        Value::Object(map) => map,
        // An executed operation always has an object at its root: async-graphql's `null` is an
        // object whose every field failed or was skipped.
        _ => IndexMap::new(),
    };
    let entry = Entry::new(
        root,
        SmallVec::new(),
        SmallVec::from_elem(&operation.selection_set.node, 1),
        None,
        Some(root),
    );
    response.data = walk.object(&entry, root, data);
}

/// The selection sets that apply to one value: a field's own, or those of all the fields that
/// share its response key.
type Sets<'a> = SmallVec<[&'a SelectionSet; 1]>;

/// The entries collected under one key, by the concrete type of its objects.
type Collected<'a> = SmallVec<[(&'a Name, Rc<Vec<Entry<'a>>>); 1]>;

/// One response key of an object, as `CollectFields` groups them, with what completing its
/// values needs worked out once: every object of a page shares its parent's entries, so nothing
/// here is looked up by hash per object (a look-up of the fields collected, and of the type by
/// name, in every object of the nested benchmark query was a tenth of its instructions).
struct Entry<'a> {
    key: &'a Name,
    fields: SmallVec<[&'a Positioned<Field>; 1]>,
    /// The selection sets of `fields`.
    sets: Sets<'a>,
    /// Whether a set asks for [`TYPE_KEY`].
    typed: bool,
    /// The field's type; `None` for `__typename`, always a present string.
    ty: Option<&'a Type>,
    /// The object, interface or union type the values are of (inside lists); `None` for leaves.
    composite: Option<&'a Name>,
    /// The entries of the objects under this key, by concrete type, collected on first use.
    children: RefCell<Collected<'a>>,
}

impl<'a> Entry<'a> {
    fn new(
        key: &'a Name,
        fields: SmallVec<[&'a Positioned<Field>; 1]>,
        sets: Sets<'a>,
        ty: Option<&'a Type>,
        composite: Option<&'a Name>,
    ) -> Self {
        Entry {
            key,
            fields,
            typed: sets.iter().any(|set| selects_type(set)),
            sets,
            ty,
            composite,
            children: RefCell::new(SmallVec::new()),
        }
    }
}

/// A step of the path the walk is at: borrowed names, made into [`PathSegment`]s only for an
/// error that needs one.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl Step<'_> {
    fn matches(&self, segment: &PathSegment) -> bool {
        match (self, segment) {
            (Step::Key(key), PathSegment::Field(name)) => key == name,
            (Step::Index(index), PathSegment::Index(other)) => index == other,
            _ => false,
        }
    }
}

struct Walk<'a, 'e> {
    shapes: &'a Shapes,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    errors: &'e mut Vec<ServerError>,
    path: Vec<Step<'a>>,
}

impl<'a> Walk<'a, '_> {
    /// An object's completed value: its keys in order, `null` for what failed, or `null` for the
    /// whole object when a non-null field of it is null.
    fn object(
        &mut self,
        entry: &Entry<'a>,
        static_type: &'a Name,
        mut map: IndexMap<Name, Value>,
    ) -> Value {
        // Only a selection set with a fragment has the key, and the lean executor puts it last.
        let type_name = match map.last() {
            _ if !entry.typed => None,
            Some((key, _)) if key.as_str() == TYPE_KEY => map.pop().map(|(_, v)| v),
            _ => map.shift_remove(TYPE_KEY),
        };
        let concrete = match &type_name {
            Some(Value::String(name)) => self.type_named(entry, name).unwrap_or(static_type),
            _ => static_type,
        };
        let entries = self.children(entry, concrete);
        let in_order =
            map.len() == entries.len() && map.keys().zip(entries.iter()).all(|(k, e)| k == e.key);
        if in_order {
            for (value, child) in map.values_mut().zip(entries.iter()) {
                let Some(ty) = child.ty else { continue };
                if child.composite.is_none() {
                    // A leaf is as it came: it only has to be there where it may not be null.
                    if !ty.nullable && matches!(value, Value::Null) {
                        return Value::Null;
                    }
                    continue;
                }
                self.path.push(Step::Key(child.key));
                let done = self.value(child, ty, std::mem::take(value));
                self.path.pop();
                match done {
                    Some(done) => *value = done,
                    None => return Value::Null,
                }
            }
            return Value::Object(map);
        }
        let mut object = IndexMap::with_capacity(entries.len());
        for child in entries.iter() {
            self.path.push(Step::Key(child.key));
            let value = match map.swap_remove(child.key) {
                Some(value) => value,
                None if self.failed(child) => Value::Null,
                None => {
                    self.path.pop();
                    continue;
                }
            };
            let done = match child.ty {
                Some(ty) => self.value(child, ty, value),
                None => Some(value),
            };
            self.path.pop();
            match done {
                Some(done) => {
                    object.insert(child.key.clone(), done);
                }
                None => return Value::Null,
            }
        }
        Value::Object(object)
    }

    /// A value completed for its type; `None` when it is null where the type is non-null, so the
    /// null moves to the parent.
    fn value(&mut self, entry: &Entry<'a>, ty: &'a Type, value: Value) -> Option<Value> {
        let done = match (&ty.base, value, entry.composite) {
            (BaseType::List(item), Value::List(items), _) => {
                let mut items = items;
                let mut broken = false;
                for (index, value) in items.iter_mut().enumerate() {
                    self.path.push(Step::Index(index));
                    let done = self.value(entry, item, std::mem::take(value));
                    self.path.pop();
                    match done {
                        Some(done) => *value = done,
                        None => {
                            // An item that may not be null is: the list is null.
                            broken = true;
                            break;
                        }
                    }
                }
                if broken {
                    Value::Null
                } else {
                    Value::List(items)
                }
            }
            (BaseType::Named(_), Value::Object(map), Some(name)) => self.object(entry, name, map),
            (BaseType::Named(_), Value::Null, Some(name))
                if self.failed_below() || self.failed_fields(entry, name) =>
            {
                // An object all of whose fields failed comes back null; it was there.
                self.object(entry, name, IndexMap::new())
            }
            (_, value, _) => value,
        };
        (ty.nullable || done != Value::Null).then_some(done)
    }

    /// The concrete type an object names in [`TYPE_KEY`], as the shapes hold it: first among
    /// those `entry` has met, compared as text.
    fn type_named(&self, entry: &Entry<'a>, name: &str) -> Option<&'a Name> {
        if let Some((known, _)) = entry.children.borrow().iter().find(|(t, _)| *t == name) {
            return Some(*known);
        }
        self.shapes.fields.get_key_value(name).map(|(name, _)| name)
    }

    /// The entries of an object of type `concrete` under `entry`, collected once.
    fn children(&self, entry: &Entry<'a>, concrete: &'a Name) -> Rc<Vec<Entry<'a>>> {
        if let Some((_, entries)) = entry
            .children
            .borrow()
            .iter()
            .find(|(t, _)| std::ptr::eq(*t, concrete))
        {
            return entries.clone();
        }
        let mut entries = Vec::new();
        let mut visited = HashSet::new();
        for set in &entry.sets {
            self.collect_into(concrete, set, &mut entries, &mut visited);
        }
        let entries = Rc::new(entries);
        entry
            .children
            .borrow_mut()
            .push((concrete, entries.clone()));
        entries
    }

    /// Whether an error names a path strictly below the walk's.
    fn failed_below(&self) -> bool {
        self.errors.iter().any(|error| {
            error.path.len() > self.path.len()
                && self
                    .path
                    .iter()
                    .zip(&error.path)
                    .all(|(step, segment)| step.matches(segment))
        })
    }

    /// Whether an error without a path was raised at one of the fields an object of type `ty`
    /// selects: async-graphql gives a `ComplexObject` field's error no path, and an object whose
    /// every field failed so comes back null. (The lean executor and `#[Object]` fields give
    /// their errors paths, so this is the rare case, and it cannot tell two objects of one list
    /// apart: the first object missing the field takes the first such error.)
    fn failed_fields(&self, entry: &Entry<'a>, ty: &'a Name) -> bool {
        if self.errors.iter().all(|e| !e.path.is_empty()) {
            return false;
        }
        let entries = self.children(entry, ty);
        self.errors.iter().any(|error| {
            error.path.is_empty()
                && entries.iter().any(|child| {
                    child
                        .fields
                        .iter()
                        .any(|f| error.locations.contains(&f.pos))
                })
        })
    }

    /// Whether the field at the walk's path, which has no value, failed: an error names its path,
    /// or an error without a path was raised at its location (it then gets the path).
    ///
    /// A field missing without any error was not selected by the executor: async-graphql applies
    /// a fragment on a union only where the object was reached through that union, where the
    /// specification applies it on every union the object belongs to (`... on OutcomeSubject`
    /// on a `Library` reached as a `Node`). The key is then left out as the executor left it,
    /// not made a null that would propagate through a query that asked nothing wrong.
    fn failed(&mut self, entry: &Entry<'a>) -> bool {
        let here = |error: &ServerError, path: &[Step<'_>]| {
            error.path.len() == path.len()
                && path.iter().zip(&error.path).all(|(s, p)| s.matches(p))
        };
        if self.errors.iter().any(|e| here(e, &self.path)) {
            return true;
        }
        let positions: SmallVec<[Pos; 1]> = entry.fields.iter().map(|f| f.pos).collect();
        let path = self.path_segments();
        if let Some(error) = self
            .errors
            .iter_mut()
            .find(|e| e.path.is_empty() && e.locations.iter().any(|l| positions.contains(l)))
        {
            error.path = path;
            return true;
        }
        tracing::debug!(?path, "a field the executor did not select");
        false
    }

    fn path_segments(&self) -> Vec<PathSegment> {
        self.path
            .iter()
            .map(|step| match step {
                Step::Key(key) => PathSegment::Field((*key).to_owned()),
                Step::Index(index) => PathSegment::Index(*index),
            })
            .collect()
    }

    /// The spec's `CollectFields` for an object of type `concrete` over one selection set.
    fn collect_into(
        &self,
        concrete: &'a Name,
        set: &'a SelectionSet,
        entries: &mut Vec<Entry<'a>>,
        visited: &mut HashSet<&'a Name>,
    ) {
        for selection in &set.items {
            if self.skipped(selection.node.directives()) {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    if key.as_str() == TYPE_KEY {
                        continue;
                    }
                    if let Some(entry) = entries.iter_mut().find(|e| e.key == key) {
                        entry.fields.push(field);
                        entry.sets.push(&field.node.selection_set.node);
                        entry.typed |= selects_type(&field.node.selection_set.node);
                        continue;
                    }
                    let name = field.node.name.node.as_str();
                    // Validation saw to it that the field exists; a type the shapes do not know
                    // is completed as a leaf.
                    let ty = (name != "__typename")
                        .then(|| self.shapes.field_type(concrete, concrete, name))
                        .flatten();
                    let composite = ty.and_then(|ty| self.shapes.composite(ty));
                    entries.push(Entry::new(
                        key,
                        SmallVec::from_elem(field, 1),
                        SmallVec::from_elem(&field.node.selection_set.node, 1),
                        ty,
                        composite,
                    ));
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if !visited.insert(name) {
                        continue;
                    }
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    let condition = &fragment.node.type_condition.node.on.node;
                    if self.shapes.applies(condition, concrete) {
                        self.collect_into(
                            concrete,
                            &fragment.node.selection_set.node,
                            entries,
                            visited,
                        );
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.shapes.applies(&c.node.on.node, concrete));
                    if applies {
                        self.collect_into(
                            concrete,
                            &fragment.node.selection_set.node,
                            entries,
                            visited,
                        );
                    }
                }
            }
        }
    }

    /// Whether `@skip`/`@include` leave a selection out, decided as async-graphql decides it
    /// (`remove_skipped_selection`), so the walk expects exactly the fields that were resolved.
    fn skipped(&self, directives: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
        directives.iter().any(|directive| {
            let include = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return false,
            };
            let Some(condition) = directive.node.get_argument("if") else {
                return false;
            };
            let value = condition
                .node
                .clone()
                .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()));
            let value = matches!(value, Ok(Value::Boolean(true)));
            include != value
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    const SDL: &str = r#"
        schema { query: Query mutation: Mutation }
        type Query { hero: Character friends: [Character!]! count: Int! note: String
            pet: Pet! }
        type Mutation { rename(name: String!): Human! touch: Int }
        interface Character { name: String! }
        type Human implements Character { name: String! height: Int }
        type Droid implements Character { name: String! function: String }
        union Pet = Dog | Cat
        type Dog { name: String! barks: Boolean! }
        type Cat { name: String! meows: Boolean }
    "#;

    /// Completes `data` (with `errors`) as the answer to `query`.
    fn completed(query: &str, data: serde_json::Value, errors: Vec<ServerError>) -> Response {
        let shapes = Shapes::from_sdl(SDL).unwrap();
        let mut document = parse_query(query).unwrap();
        prepare(&mut document);
        let operation = operation(&document, None).unwrap();
        let mut response = Response::new(Value::from_json(data).unwrap());
        response.errors = errors;
        complete(
            &shapes,
            &document,
            &operation.node,
            &Variables::default(),
            &mut response,
        );
        response
    }

    fn data(response: &Response) -> String {
        serde_json::to_string(&response.data).unwrap()
    }

    fn error_at(path: &[PathSegment], line: usize, column: usize) -> ServerError {
        let mut error = ServerError::new("failed", Some(Pos { line, column }));
        error.path = path.to_vec();
        error
    }

    #[test]
    fn keys_come_in_the_order_selected_and_fragments_by_concrete_type() {
        let response = completed(
            "{ note hero { ... on Droid { function } name ... on Human { height } } count }",
            serde_json::json!({
                "count": 1,
                "hero": { "height": 180, "name": "Luke", "#type": "Human" },
                "note": "x"
            }),
            vec![],
        );
        assert_eq!(
            data(&response),
            r#"{"note":"x","hero":{"name":"Luke","height":180},"count":1}"#
        );
    }

    #[test]
    fn a_failed_nullable_field_is_null_in_its_place_and_a_non_null_one_nulls_its_parent() {
        // `hero.name` (String!) failed: `hero` (nullable) is null; `note` failed: null.
        let response = completed(
            "{ hero { name } note count }",
            serde_json::json!({ "hero": null, "count": 2 }),
            vec![
                error_at(&[PathSegment::Field("note".into())], 1, 19),
                error_at(&[], 1, 10),
            ],
        );
        assert_eq!(data(&response), r#"{"hero":null,"note":null,"count":2}"#);
        // The error that had no path gets the one of the field at its location.
        assert_eq!(
            response.errors[1].path,
            vec![
                PathSegment::Field("hero".into()),
                PathSegment::Field("name".into())
            ]
        );
    }

    #[test]
    fn a_mutation_is_completed_against_the_mutation_root() {
        let response = completed(
            "mutation { touch rename(name: \"R2\") { height name } }",
            serde_json::json!({ "rename": { "name": "R2", "height": 96 }, "touch": 1 }),
            vec![],
        );
        assert_eq!(
            data(&response),
            r#"{"touch":1,"rename":{"height":96,"name":"R2"}}"#
        );
        // `rename` is non-null: when it fails, so does the whole answer.
        let failed = completed(
            "mutation { touch rename(name: \"R2\") { name } }",
            serde_json::json!({ "touch": 1 }),
            vec![error_at(&[PathSegment::Field("rename".into())], 1, 18)],
        );
        assert_eq!(data(&failed), "null");
    }

    #[test]
    fn a_non_null_root_field_that_failed_nulls_the_data() {
        let response = completed(
            "{ note count }",
            serde_json::json!({ "note": "x" }),
            vec![error_at(&[PathSegment::Field("count".into())], 1, 9)],
        );
        assert_eq!(data(&response), "null");
    }

    #[test]
    fn a_null_item_of_a_non_null_list_nulls_the_list_and_so_its_non_null_parent() {
        let response = completed(
            "{ note friends { name } }",
            serde_json::json!({ "note": "x", "friends": [{ "name": "a" }, {}] }),
            vec![error_at(
                &[
                    PathSegment::Field("friends".into()),
                    PathSegment::Index(1),
                    PathSegment::Field("name".into()),
                ],
                1,
                18,
            )],
        );
        assert_eq!(data(&response), "null");
    }

    #[test]
    fn all_fields_skipped_is_an_empty_object_and_unions_use_their_members() {
        let response = completed("{ note @skip(if: true) }", serde_json::json!(null), vec![]);
        assert_eq!(data(&response), "{}");
        let response = completed(
            "{ pet { ... on Cat { meows } ... on Dog { barks } name } }",
            serde_json::json!({ "pet": { "name": "Rex", "barks": true, "#type": "Dog" } }),
            vec![],
        );
        assert_eq!(data(&response), r#"{"pet":{"barks":true,"name":"Rex"}}"#);
    }

    #[test]
    fn a_field_missing_without_an_error_is_left_out_as_the_executor_left_it() {
        let response = completed("{ note count }", serde_json::json!({ "count": 1 }), vec![]);
        assert_eq!(data(&response), r#"{"count":1}"#);
        assert!(response.errors.is_empty());
    }

    /// The specification's own example ("Response Format", "Errors"): friend 1002's name could
    /// not be fetched. With `name: String` it is null in its place; with `name: String!` the
    /// friend is null in the list, and the error keeps the full path either way.
    #[test]
    fn the_specifications_hero_friends_example() {
        let query = "{
  hero(episode: $episode) {
    name
    heroFriends: friends {
      id
      name
    }
  }
}";
        // As the executors leave it: the failed key missing, keys in the order fields finished.
        let executed = serde_json::json!({ "hero": {
            "heroFriends": [
                { "name": "Luke Skywalker", "id": "1000" },
                { "id": "1002" },
                { "id": "1003", "name": "Leia Organa" }
            ],
            "name": "R2-D2"
        } });
        let error = || {
            let mut error = ServerError::new(
                "Name for character with ID 1002 could not be fetched.",
                Some(Pos { line: 6, column: 7 }),
            );
            error.path = vec![
                PathSegment::Field("hero".into()),
                PathSegment::Field("heroFriends".into()),
                PathSegment::Index(1),
                PathSegment::Field("name".into()),
            ];
            error
        };
        for (name_type, friend) in [
            ("String", r#"{"id":"1002","name":null}"#),
            ("String!", "null"),
        ] {
            let sdl = format!(
                "type Query {{ hero(episode: Int): Character }}
                 type Character {{ id: ID! name: {name_type} friends: [Character] }}"
            );
            let shapes = Shapes::from_sdl(&sdl).unwrap();
            let document = parse_query(query).unwrap();
            let operation = operation(&document, None).unwrap();
            let mut response = Response::new(Value::from_json(executed.clone()).unwrap());
            response.errors = vec![error()];
            complete(
                &shapes,
                &document,
                &operation.node,
                &Variables::default(),
                &mut response,
            );
            assert_eq!(
                data(&response),
                format!(
                    r#"{{"hero":{{"name":"R2-D2","heroFriends":[{{"id":"1000","name":"Luke Skywalker"}},{friend},{{"id":"1003","name":"Leia Organa"}}]}}}}"#
                ),
                "name: {name_type}"
            );
            assert_eq!(response.errors.len(), 1);
            assert_eq!(response.errors[0].path, error().path);
        }
    }

    #[test]
    fn a_refused_request_is_left_as_it_is() {
        let response = completed(
            "{ note }",
            serde_json::json!(null),
            vec![ServerError::new("invalid", None)],
        );
        assert_eq!(data(&response), "null");
        assert_eq!(response.errors.len(), 1);
    }
}
