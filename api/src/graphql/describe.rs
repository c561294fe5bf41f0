//! The schema's documentation as a frontend developer reads it: in the playground's docs pane,
//! in `schema.graphql`, and in the comments of generated client types.
//!
//! Three things async-graphql leaves to us, done once over the finished type registry rather
//! than at each of hundreds of definitions:
//! - Descriptions are prose. async-graphql keeps a doc comment's line breaks, so a comment wrapped
//!   at 100 columns reached the docs pane broken mid-sentence. [`Documented`] joins the lines of
//!   each paragraph (a blank line still separates paragraphs), so doc comments stay ordinary
//!   wrapped Rust comments.
//! - The Relay arguments `first`, `after`, `last` and `before` mean the same on every connection
//!   (79 fields): they are described here, from the limits [`crate::store::page`] enforces, where a
//!   field does not describe them itself. Every other argument has its own description.
//! - The connection and edge types async-graphql generates (`OrganizationConnection`,
//!   `OrganizationEdge`, …) get a description naming their node type, the built-in `ID`
//!   scalar one saying what an ID is here, and `DateTime` one in its readers' terms.
//!
//! And one thing the registry cannot hold: `__schema { description }`, which async-graphql 7.2
//! answers with graphql-js's description of the `__Schema` type. [`SchemaDescription`] answers it
//! with [`SCHEMA_DESCRIPTION`].

use std::borrow::Cow;
use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{
    ContextSelectionSet, Executor, Name, OutputType, Positioned, Request, Response, ServerResult,
    Value,
};

use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// What `__schema { description }` answers.
pub const SCHEMA_DESCRIPTION: &str = "libgraph: a knowledge graph of public libraries, their \
partner organizations, funders, programmes, projects, events and outcomes, built from the stories \
library networks publish. Every fact carries its citations: \
the source document, a verbatim quote in the original language, and whether it is stated there or \
inferred (with the reasoning). Start from `organization(slug:)`, `libraries`, `search` or \
`node(id:)`; every list of the graph is a Relay connection. Reading needs no token; writing needs \
one, sent as `Authorization: Bearer <token>` (`viewer` says whose it is).";

/// Registered last with `SchemaBuilder::register_output_type`, it finishes the descriptions of
/// the whole registry (see the module docs). async-graphql offers no other hook on the built
/// registry: a type's `create_type_info` is handed it mutably, and this one registers no type of
/// its own, it only edits what is there. It is never a field's type, so it never resolves.
pub struct Documented;

impl OutputType for Documented {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("Documented")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        describe_connections(registry);
        describe_if_missing(
            registry,
            "ID",
            "An opaque global ID: it names one object of any type, for `node(id:)`, `nodes(ids:)` \
             and the arguments that take an ID. Read nothing into its text."
                .to_owned(),
        );
        // async-graphql's own says how it is implemented ("Implement the DateTime<Utc> scalar").
        if registry.types.contains_key("DateTime") {
            registry.set_description(
                "DateTime",
                "A moment in time, in RFC 3339 with its offset, such as `2027-01-31T00:00:00Z`. \
                 The server answers in UTC, to the second."
                    .to_owned(),
            );
        }
        unwrap_all(registry);
        Self::type_name().into_owned()
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(Value::Null)
    }
}

/// Joins the lines of each paragraph of a description with spaces; paragraphs stay apart by a
/// blank line.
pub fn unwrap_lines(description: &str) -> String {
    let mut text = String::with_capacity(description.len());
    let mut paragraph_open = false;
    let mut blank_seen = false;
    for line in description.lines().map(str::trim) {
        if line.is_empty() {
            blank_seen = paragraph_open;
            continue;
        }
        if blank_seen {
            text.push_str("\n\n");
        } else if paragraph_open {
            text.push(' ');
        }
        text.push_str(line);
        paragraph_open = true;
        blank_seen = false;
    }
    text
}

fn unwrap(description: &mut Option<String>) {
    if let Some(text) = description.as_mut()
        && text.contains('\n')
    {
        *text = unwrap_lines(text);
    }
}

/// Every description in the registry: types, fields, arguments, enum values, input fields and
/// directives.
fn unwrap_all(registry: &mut Registry) {
    for ty in registry.types.values_mut() {
        match ty {
            MetaType::Object {
                description,
                fields,
                ..
            }
            | MetaType::Interface {
                description,
                fields,
                ..
            } => {
                unwrap(description);
                for field in fields.values_mut() {
                    unwrap(&mut field.description);
                    for arg in field.args.values_mut() {
                        unwrap(&mut arg.description);
                    }
                }
            }
            MetaType::InputObject {
                description,
                input_fields,
                ..
            } => {
                unwrap(description);
                for field in input_fields.values_mut() {
                    unwrap(&mut field.description);
                }
            }
            MetaType::Enum {
                description,
                enum_values,
                ..
            } => {
                unwrap(description);
                for value in enum_values.values_mut() {
                    unwrap(&mut value.description);
                }
            }
            MetaType::Scalar { description, .. } | MetaType::Union { description, .. } => {
                unwrap(description);
            }
        }
    }
    for directive in registry.directives.values_mut() {
        unwrap(&mut directive.description);
        for arg in directive.args.values_mut() {
            unwrap(&mut arg.description);
        }
    }
}

/// The Relay arguments of a connection field, described where the field does not.
fn relay_argument(name: &str) -> Option<String> {
    Some(match name {
        "first" => format!(
            "How many items to return from the start of the list, or after the `after` cursor: \
             0 to {MAX_PAGE_SIZE} ({DEFAULT_PAGE_SIZE} when neither `first` nor `last` is given). \
             Give `first` or `last`, not both."
        ),
        "after" => "Return the items after this cursor (a `pageInfo.endCursor` or an edge's \
                    `cursor` from an earlier page); goes with `first`."
            .to_owned(),
        "last" => format!(
            "How many items to return from the end of the list, or before the `before` cursor: \
             0 to {MAX_PAGE_SIZE}. Give `first` or `last`, not both."
        ),
        "before" => "Return the items before this cursor (a `pageInfo.startCursor` or an edge's \
                     `cursor` from an earlier page); goes with `last`."
            .to_owned(),
        _ => return None,
    })
}

/// The connection and edge types async-graphql generates, and the Relay arguments of the fields
/// that return them.
fn describe_connections(registry: &mut Registry) {
    let connections: Vec<String> = registry
        .types
        .iter()
        .filter(|(name, ty)| {
            name.ends_with("Connection")
                && ty.field_by_name("edges").is_some()
                && ty.field_by_name("pageInfo").is_some()
        })
        .map(|(name, _)| name.clone())
        .collect();
    for connection in &connections {
        let node = connection.trim_end_matches("Connection");
        let has_total = registry
            .types
            .get(connection)
            .is_some_and(|ty| ty.field_by_name("totalCount").is_some());
        describe_if_missing(
            registry,
            connection,
            format!(
                "A page of a list of `{node}` items: its `edges` (each item with its cursor) or \
                 just its `nodes`; `pageInfo`, to ask for the next or previous page{}.",
                if has_total {
                    "; and `totalCount`, how many items the whole list holds"
                } else {
                    ""
                }
            ),
        );
        describe_if_missing(
            registry,
            &format!("{node}Edge"),
            format!(
                "One `{node}` of a page, with the `cursor` that marks its place in the list (for \
                 `after` and `before`)."
            ),
        );
    }
    for ty in registry.types.values_mut() {
        let fields = match ty {
            MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => fields,
            _ => continue,
        };
        for field in fields.values_mut() {
            let returned = field.ty.trim_end_matches('!');
            if !connections.iter().any(|c| c == returned) {
                continue;
            }
            for (name, arg) in field.args.iter_mut() {
                if arg.description.is_none() {
                    arg.description = relay_argument(name);
                }
            }
        }
    }
}

fn describe_if_missing(registry: &mut Registry, type_name: &str, description: String) {
    let missing = match registry.types.get(type_name) {
        Some(
            MetaType::Object { description, .. }
            | MetaType::Interface { description, .. }
            | MetaType::Union { description, .. }
            | MetaType::Enum { description, .. }
            | MetaType::InputObject { description, .. }
            | MetaType::Scalar { description, .. },
        ) => description.is_none(),
        None => false,
    };
    if missing {
        registry.set_description(type_name, description);
    }
}

/// An executor that answers `__schema { description }` with [`SCHEMA_DESCRIPTION`], around the
/// one that runs the request. async-graphql resolves `__schema` itself, with a fixed text, so the
/// answer is replaced after execution, at the response keys the operation gives that field; a
/// request that does not mention `__schema` is passed through untouched.
#[derive(Clone)]
pub struct SchemaDescription<E>(pub E);

impl<E: Executor> Executor for SchemaDescription<E> {
    async fn execute(&self, request: Request) -> Response {
        if !request.query.contains("__schema") {
            return self.0.execute(request).await;
        }
        let operation = request.operation_name.clone();
        let query = request.query.clone();
        let mut response = self.0.execute(request).await;
        // Parsed only once the executor has run the document, and so accepted it: a document it
        // refuses (too long, among others) is never parsed here. Parsing first made 4,000 aliased
        // `__schema` fields (183 KB) take 117 ms to refuse, where every other refusal took under
        // a millisecond.
        if let Value::Object(data) = &mut response.data {
            let paths = match async_graphql::parser::parse_query(&query) {
                Ok(document) => description_paths(&document, operation.as_deref()),
                Err(_) => Vec::new(),
            };
            for (schema_key, description_key) in paths {
                if let Some(Value::Object(schema)) = data.get_mut(schema_key.as_str())
                    && let Some(value @ Value::String(_)) = schema.get_mut(description_key.as_str())
                {
                    *value = Value::String(SCHEMA_DESCRIPTION.to_owned());
                }
            }
        }
        response
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<std::sync::Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        self.0.execute_stream(request, session_data)
    }
}

/// The response keys of `__schema` and of `description` under it, in the operation that runs
/// (`operation` by name, or the document's only one), through fragments.
fn description_paths(
    document: &ExecutableDocument,
    operation: Option<&str>,
) -> Vec<(String, String)> {
    let operation = super::executor::shape::operation(document, operation).map(|op| &op.node);
    let Some(operation) = operation else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for schema in fields_named(document, &operation.selection_set.node, "__schema") {
        for description in fields_named(document, &schema.selection_set.node, "description") {
            paths.push((response_key(schema), response_key(description)));
        }
    }
    paths
}

/// The fields called `name` in a selection set, looking into each fragment once (a fragment
/// spread many times, or a cycle that validation refuses later, costs one visit).
fn fields_named<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    name: &str,
) -> Vec<&'a Field> {
    fn visit<'a>(
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        name: &str,
        seen: &mut HashSet<&'a Name>,
        found: &mut Vec<&'a Field>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) if field.node.name.node == name => found.push(&field.node),
                Selection::Field(_) => {}
                Selection::InlineFragment(fragment) => visit(
                    document,
                    &fragment.node.selection_set.node,
                    name,
                    seen,
                    found,
                ),
                Selection::FragmentSpread(spread) => {
                    let fragment_name = &spread.node.fragment_name.node;
                    if let Some(fragment) = document.fragments.get(fragment_name)
                        && seen.insert(fragment_name)
                    {
                        visit(
                            document,
                            &fragment.node.selection_set.node,
                            name,
                            seen,
                            found,
                        );
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(document, set, name, &mut HashSet::new(), &mut found);
    found
}

fn response_key(field: &Field) -> String {
    field.alias.as_ref().unwrap_or(&field.name).node.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_become_one_line_and_paragraphs_stay_apart() {
        let wrapped = "Organizations it shares projects with, strongest ties\nfirst. `filter` narrows \
                       them.\n\n  A second paragraph,\n  wrapped.\n";

        assert_eq!(
            unwrap_lines(wrapped),
            "Organizations it shares projects with, strongest ties first. `filter` narrows them.\
             \n\nA second paragraph, wrapped."
        );
        assert_eq!(unwrap_lines("\n\none line\n\n\n"), "one line");
    }

    #[test]
    fn the_description_is_found_under_aliases_and_fragments() {
        let document = async_graphql::parser::parse_query(
            "query A { s: __schema { ...F } } query B { __schema { description } }
             fragment F on __Schema { d: description ... on __Schema { description } }",
        )
        .unwrap();

        assert_eq!(
            description_paths(&document, Some("A")),
            vec![
                ("s".to_owned(), "d".to_owned()),
                ("s".to_owned(), "description".to_owned())
            ]
        );
        assert_eq!(
            description_paths(&document, Some("B")),
            vec![("__schema".to_owned(), "description".to_owned())]
        );
        assert!(description_paths(&document, None).is_empty());
    }
}
