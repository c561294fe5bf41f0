//! Checks on a document before it executes that async-graphql 7.2 does not make, or makes in
//! three ways: the depth limit, and the directives of `__typename` and of `@skip`/`@include`.
//!
//! - **Depth.** async-graphql had three limits with three messages and no code: its depth limit
//!   ("Query is nested too deep."), its recursion limit ("The recursion depth of the query cannot
//!   be greater than `32`") and its parser's ("recursion limit exceeded."). Here one rule and one
//!   message with the code `QUERY_TOO_DEEP` answer all three: at most `max_depth` levels of
//!   fields, and at most twice that of selection sets counting fragments (a fragment adds a level
//!   without a field; unbounded, `{ ... { ... { … } } }` would reach the parser's limit). The
//!   schema's own limits are set beyond these ([`crate::graphql::schema`]), so they never speak first, and
//!   a document too deep for the parser gets this message too ([`too_deep`]).
//! - **`__typename`.** async-graphql's validator does not visit `__typename` at all, so
//!   `{ __typename @include(if: 5) }`, `{ __typename @foo }` and `{ __typename(a: 1) }` were
//!   executed (the first answered `"data": null`). Its arguments and directives are checked here
//!   with the messages the validator gives any other field.
//! - **`@skip`/`@include` variables.** The validator does not check the variables of directive
//!   arguments against their position: `query($v: Int) { x @include(if: $v) }` skipped `x`
//!   instead of being refused. A variable there must be a `Boolean!`, or a `Boolean` with a
//!   default (spec, "All Variable Usages Are Allowed"). It checks no variable's position at all
//!   (see [`super::variables::check_usages`], which checks those of field arguments).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, Directive, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::parser::{Positioned, parse_query};
use async_graphql::{Name, Pos, ServerError, Value as ConstValue};
use async_graphql_value::Value;

use super::codes::with_code;

/// How deep a document may nest.
#[derive(Clone, Copy, Debug)]
pub struct DepthLimit {
    /// Levels of fields (`{ a { b } }` is two).
    pub fields: usize,
}

impl DepthLimit {
    /// Levels of selection sets counting fragments: twice the fields.
    pub fn nesting(self) -> usize {
        self.fields.saturating_mul(2)
    }

    /// The one refusal of a document nested too deep, wherever it is found.
    pub fn error(self, pos: Option<Pos>) -> ServerError {
        with_code(
            ServerError::new(
                format!(
                    "the query is nested too deep: the limit is {} levels of fields, or {} levels of selection sets counting fragments",
                    self.fields,
                    self.nesting()
                ),
                pos,
            ),
            "QUERY_TOO_DEEP",
        )
    }
}

/// The depth refusal for a request whose document did not parse because it nests deeper than
/// the parser allows, or `None` when it failed to parse for another reason.
pub fn too_deep(query: &str, limit: DepthLimit) -> Option<ServerError> {
    matches!(
        parse_query(query),
        Err(async_graphql::parser::Error::RecursionLimitExceeded)
    )
    .then(|| limit.error(None))
}

/// The code of a document refused for the number of fields it selects once expanded.
pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";

/// How large one operation may be once its fragments are expanded.
#[derive(Clone, Copy, Debug)]
pub struct SizeLimit {
    /// Fields selected, every field counted (`__typename` and introspection included).
    pub selections: usize,
    /// `__schema` and `__type` fields: each answers with (part of) the whole schema, whatever
    /// it selects inside, so it is counted apart. 4,000 aliased `__schema { types { fields { … }
    /// } }` (435 KB) once made a 225 MB answer in 27 s and took the process to 4.2 GB.
    pub introspections: usize,
    /// Fields written with an alias. An alias is how one document asks the same field many times
    /// over with different arguments (1,000 networks with distinct periods, 4,000 schemas); a
    /// page of a frontend needs a handful.
    pub aliases: usize,
    /// Fields at the root of the operation. Root fields run side by side, each from its own
    /// statements, so they are what one request can ask of the database at once.
    pub root_fields: usize,
}

/// Refuses with [`QUERY_TOO_LARGE`] a document whose text is longer than `max_bytes`, before it
/// is parsed. Parsing costs about a microsecond a byte and holds a runtime thread while it runs:
/// 4,000 aliased `__schema` fields (183 KB) took 184–220 ms to parse and refuse, a parse error at
/// the end of a 900 KB line 191–240 ms, and with eight such documents in flight a trivial
/// query's p99 rose to 108–125 ms. The pages of a frontend send a few kilobytes (GraphiQL's
/// introspection query is 2.5 KB).
pub fn check_length(query: &str, max_bytes: usize) -> Result<(), ServerError> {
    if query.len() <= max_bytes {
        return Ok(());
    }
    Err(with_code(
        ServerError::new(
            format!(
                "the query is too large: its text is {} bytes, the limit is {max_bytes}",
                query.len()
            ),
            None,
        ),
        QUERY_TOO_LARGE,
    ))
}

/// Refuses with [`QUERY_TOO_LARGE`] an operation that selects more than `limit.selections` fields,
/// `limit.introspections` introspection fields, `limit.aliases` aliased fields or
/// `limit.root_fields` root fields once its fragments are expanded. It
/// runs first, before anything else walks the document: each fragment is counted once, so the
/// count costs what the document's text does. Everything after it (the depth, the cost,
/// async-graphql's validation, the executors, completing the answer) walks the expanded
/// selections, which a fragment spread twice in each of 25 fragments makes 2^25 of from 1 KB of
/// text: that document took 3.9 to 5.9 s of CPU before it was refused as too costly, blocking a
/// runtime thread, so that with two in flight `/healthz` took 3.8 s. The cost does not bound
/// this: a field the cost counts as free (introspection) or as 1 (`__typename`) can still be
/// expanded without end.
pub fn check_size(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    limit: SizeLimit,
) -> Result<(), ServerError> {
    let mut size = Size {
        document,
        fragments: HashMap::new(),
        visiting: HashSet::new(),
    };
    let selected = size.of(&operation.selection_set.node);
    let shown = |n: usize| {
        if n == usize::MAX {
            "more than can be counted".to_owned()
        } else {
            n.to_string()
        }
    };
    let message = if selected.fields > limit.selections {
        format!(
            "the query is too large: it selects {} fields once its fragments are expanded, the limit is {}",
            shown(selected.fields),
            limit.selections
        )
    } else if selected.introspections > limit.introspections {
        format!(
            "the query is too large: it asks for the schema ({}) {} times once its fragments are expanded, the limit is {}",
            "`__schema` or `__type`",
            shown(selected.introspections),
            limit.introspections
        )
    } else if selected.aliases > limit.aliases {
        format!(
            "the query is too large: it has {} aliased fields once its fragments are expanded, the limit is {}",
            shown(selected.aliases),
            limit.aliases
        )
    } else if selected.top > limit.root_fields {
        format!(
            "the query is too large: it has {} root fields once its fragments are expanded, the limit is {}",
            shown(selected.top),
            limit.root_fields
        )
    } else {
        return Ok(());
    };
    Err(with_code(
        ServerError::new(message, Some(operation.selection_set.pos)),
        QUERY_TOO_LARGE,
    ))
}

/// What a selection set holds once its fragments are expanded.
#[derive(Clone, Copy, Default)]
struct Selected {
    fields: usize,
    introspections: usize,
    aliases: usize,
    /// Fields of the set itself, not of their selections.
    top: usize,
}

impl Selected {
    fn plus(self, other: Selected) -> Selected {
        Selected {
            fields: self.fields.saturating_add(other.fields),
            introspections: self.introspections.saturating_add(other.introspections),
            aliases: self.aliases.saturating_add(other.aliases),
            top: self.top.saturating_add(other.top),
        }
    }
}

/// The fields of a selection set once its fragments are expanded, each fragment counted once.
struct Size<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a Name, Selected>,
    /// Fragments being counted: a cycle, refused by validation later, counts as empty here.
    visiting: HashSet<&'a Name>,
}

impl<'a> Size<'a> {
    fn of(&mut self, set: &'a SelectionSet) -> Selected {
        let mut total = Selected::default();
        for selection in &set.items {
            let size = match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let inside = Selected {
                        top: 0,
                        ..self.of(&field.node.selection_set.node)
                    };
                    Selected {
                        fields: 1,
                        introspections: usize::from(name == "__schema" || name == "__type"),
                        aliases: usize::from(field.node.alias.is_some()),
                        top: 1,
                    }
                    .plus(inside)
                }
                Selection::InlineFragment(fragment) => self.of(&fragment.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.fragments.get(name) {
                        Some(&size) => size,
                        None => match self.document.fragments.get(name) {
                            Some(fragment) if self.visiting.insert(name) => {
                                let size = self.of(&fragment.node.selection_set.node);
                                self.visiting.remove(name);
                                self.fragments.insert(name, size);
                                size
                            }
                            _ => Selected::default(),
                        },
                    }
                }
            };
            total = total.plus(size);
        }
        total
    }
}

/// Checks the operation that will run, and the fragments it reaches.
pub fn check(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    limit: DepthLimit,
) -> Result<(), ServerError> {
    let mut depth = Depth {
        document,
        fragments: HashMap::new(),
        visiting: HashSet::new(),
    };
    let (fields, nesting, pos) = depth.of(&operation.selection_set.node);
    if fields > limit.fields || nesting > limit.nesting() {
        return Err(limit.error(pos.or(Some(operation.selection_set.pos))));
    }
    let mut directives = Directives {
        document,
        operation,
        seen: HashSet::new(),
    };
    directives
        .set(&operation.selection_set.node)
        .map_err(|error| with_code(error, "GRAPHQL_VALIDATION_FAILED"))
}

/// The deepest levels of a selection set: of fields as async-graphql counts them (not
/// `__typename`), of selection sets counting fragments, and where the deepest field is. Each
/// fragment is measured once.
struct Depth<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a Name, (usize, usize, Option<Pos>)>,
    /// Fragments being measured: a cycle, refused by validation later, counts as empty here.
    visiting: HashSet<&'a Name>,
}

impl<'a> Depth<'a> {
    fn of(&mut self, set: &'a SelectionSet) -> (usize, usize, Option<Pos>) {
        let mut deepest = (0, 0, None);
        let mut keep = |(fields, nesting, pos): (usize, usize, Option<Pos>)| {
            if fields > deepest.0 {
                deepest.0 = fields;
                deepest.2 = pos;
            }
            deepest.1 = deepest.1.max(nesting);
        };
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) if field.node.name.node == "__typename" => {}
                Selection::Field(field) => {
                    let (fields, nesting, pos) = self.of(&field.node.selection_set.node);
                    let nested = !field.node.selection_set.node.items.is_empty();
                    keep((
                        fields + 1,
                        nesting + usize::from(nested),
                        pos.or(Some(field.pos)),
                    ));
                }
                Selection::InlineFragment(fragment) => {
                    let (fields, nesting, pos) = self.of(&fragment.node.selection_set.node);
                    keep((fields, nesting + 1, pos));
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let measured = match self.fragments.get(name) {
                        Some(measured) => *measured,
                        None => match self.document.fragments.get(name) {
                            Some(fragment) if self.visiting.insert(name) => {
                                let measured = self.of(&fragment.node.selection_set.node);
                                self.visiting.remove(name);
                                self.fragments.insert(name, measured);
                                measured
                            }
                            _ => (0, 0, None),
                        },
                    };
                    keep((measured.0, measured.1 + 1, measured.2));
                }
            }
        }
        deepest
    }
}

/// The directive checks, over the operation's selection sets and the fragments they reach.
struct Directives<'a> {
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    seen: HashSet<&'a Name>,
}

impl<'a> Directives<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Result<(), ServerError> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    if field.node.name.node == "__typename" {
                        if let Some((name, value)) = field.node.arguments.first() {
                            return Err(ServerError::new(
                                format!(
                                    "Unknown argument \"{}\" on field \"__typename\".",
                                    name.node
                                ),
                                Some(value.pos),
                            ));
                        }
                        self.typename_directives(&field.node.directives)?;
                    }
                    self.variables(&field.node.directives)?;
                    self.set(&field.node.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.variables(&fragment.node.directives)?;
                    self.set(&fragment.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    self.variables(&spread.node.directives)?;
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self.seen.insert(name)
                    {
                        self.set(&fragment.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// What the validator checks of any other field's directives, with its messages.
    fn typename_directives(&self, directives: &[Positioned<Directive>]) -> Result<(), ServerError> {
        let mut names = HashSet::new();
        for directive in directives {
            let name = directive.node.name.node.as_str();
            let pos = Some(directive.pos);
            match name {
                "skip" | "include" => {}
                "deprecated" | "specifiedBy" | "oneOf" => {
                    return Err(ServerError::new(
                        format!("Directive \"{name}\" may not be used on \"FIELD\""),
                        pos,
                    ));
                }
                _ => {
                    return Err(ServerError::new(
                        format!("Unknown directive \"{name}\""),
                        pos,
                    ));
                }
            }
            if !names.insert(name) {
                return Err(ServerError::new(
                    format!("Duplicate directive \"{name}\""),
                    pos,
                ));
            }
            for (argument, _) in &directive.node.arguments {
                if argument.node != "if" {
                    return Err(ServerError::new(
                        format!(
                            "Unknown argument \"{}\" on directive \"{name}\".",
                            argument.node
                        ),
                        pos,
                    ));
                }
            }
            match directive.node.get_argument("if").map(|v| &v.node) {
                None => {
                    return Err(ServerError::new(
                        format!(
                            "Directive \"@{name}\" argument \"if\" of type \"Boolean!\" is required but not provided"
                        ),
                        pos,
                    ));
                }
                Some(Value::Boolean(_) | Value::Variable(_)) => {}
                Some(_) => {
                    return Err(ServerError::new(
                        "Invalid value for argument \"if\", expected type \"Boolean\"",
                        pos,
                    ));
                }
            }
        }
        Ok(())
    }

    /// A variable given to `@skip(if:)` or `@include(if:)` must be defined as a `Boolean!`, or as
    /// a `Boolean` with a default.
    fn variables(&self, directives: &[Positioned<Directive>]) -> Result<(), ServerError> {
        for directive in directives {
            if !matches!(directive.node.name.node.as_str(), "skip" | "include") {
                continue;
            }
            let Some(Positioned {
                node: Value::Variable(variable),
                pos,
            }) = directive.node.get_argument("if")
            else {
                continue;
            };
            let definition = self
                .operation
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == *variable);
            let Some(definition) = definition else {
                return Err(ServerError::new(
                    format!("Variable \"${variable}\" is not defined"),
                    Some(*pos),
                ));
            };
            let ty = &definition.node.var_type.node;
            let boolean = matches!(&ty.base, BaseType::Named(name) if name == "Boolean");
            let has_default = definition
                .node
                .default_value
                .as_ref()
                .is_some_and(|d| d.node != ConstValue::Null);
            if !boolean || (ty.nullable && !has_default) {
                return Err(ServerError::new(
                    format!(
                        "Variable \"${variable}\" of type \"{ty}\" used in position expecting type \"Boolean!\""
                    ),
                    Some(*pos),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: DepthLimit = DepthLimit { fields: 3 };

    fn checked(query: &str) -> Result<(), String> {
        let document = parse_query(query).map_err(|e| e.to_string())?;
        let operation =
            crate::graphql::executor::shape::operation(&document, None).ok_or("no operation")?;
        check(&document, &operation.node, LIMIT).map_err(|e| e.message)
    }

    fn size_checked(query: &str, max: usize) -> Result<(), String> {
        let document = parse_query(query).map_err(|e| e.to_string())?;
        let operation =
            crate::graphql::executor::shape::operation(&document, None).ok_or("no operation")?;
        let limit = SizeLimit {
            selections: max,
            introspections: 2,
            aliases: 3,
            root_fields: 4,
        };
        check_size(&document, &operation.node, limit).map_err(|e| e.message)
    }

    #[test]
    fn fields_are_counted_once_fragments_are_expanded_each_spread_counting() {
        let twice = "{ ...A ...A } fragment A on Query { a { b } ... on Query { c } }";
        assert_eq!(size_checked(twice, 6), Ok(()));
        assert_eq!(
            size_checked(twice, 5),
            Err("the query is too large: it selects 6 fields once its fragments are expanded, the limit is 5".to_owned())
        );
        // 64 levels of two spreads: 2^64 fields, more than a usize counts; refused at once.
        let mut bomb = String::from("{ ...F0 }");
        for level in 0..64 {
            bomb.push_str(&format!(
                " fragment F{level} on Query {{ ...F{n} ...F{n} }}",
                n = level + 1
            ));
        }
        bomb.push_str(" fragment F64 on Query { __typename }");
        let refused = size_checked(&bomb, 2_000).unwrap_err();
        assert!(refused.contains("more than can be counted"), "{refused}");
        // Introspection fields count apart, wherever they are spread.
        let schemas = "{ a: __schema { queryType { name } } ...S } fragment S on Query { b: __schema { queryType { name } } c: __type(name: \"Query\") { name } }";
        let refused = size_checked(schemas, 2_000).unwrap_err();
        assert!(
            refused.contains("asks for the schema (`__schema` or `__type`) 3 times"),
            "{refused}"
        );
        assert_eq!(
            size_checked(
                "{ __schema { queryType { name } } __type(name: \"Q\") { name } }",
                2_000
            ),
            Ok(())
        );
        // A fragment that spreads itself is left to validation.
        assert_eq!(
            size_checked("{ ...A } fragment A on Query { a ...A }", 10),
            Ok(())
        );
    }

    #[test]
    fn a_document_longer_than_the_limit_is_refused_unparsed() {
        assert!(check_length("{ a }", 5).is_ok());
        let refused = check_length("{ a  }", 5).unwrap_err();
        assert_eq!(
            refused.message,
            "the query is too large: its text is 6 bytes, the limit is 5"
        );
    }

    #[test]
    fn aliases_and_root_fields_are_counted_once_expanded() {
        let aliased = "{ a: x { b: y } ...A } fragment A on Query { c: z }";
        assert_eq!(size_checked(aliased, 100), Ok(()));
        let four = "{ a: x { b: y } ...A ...A } fragment A on Query { c: z }";
        assert_eq!(
            size_checked(four, 100),
            Err("the query is too large: it has 4 aliased fields once its fragments are expanded, the limit is 3".to_owned())
        );
        // Root fields: fields of the operation's own set, fragments at the root included; nested
        // fields do not count.
        assert_eq!(
            size_checked(
                "{ a { b c d e f } ... on Query { g } ...R } fragment R on Query { h i }",
                100
            ),
            Ok(())
        );
        assert_eq!(
            size_checked("{ a b ... on Query { c } ...R } fragment R on Query { d e }", 100),
            Err("the query is too large: it has 5 root fields once its fragments are expanded, the limit is 4".to_owned())
        );
    }

    #[test]
    fn fields_count_as_levels_and_typename_does_not() {
        assert!(checked("{ a { b { c __typename } } }").is_ok());
        assert!(checked("{ a { b { c { d } } } }").is_err());
        assert!(checked("{ a { ...F } } fragment F on A { b { c } }").is_ok());
        assert!(checked("{ a { ...F } } fragment F on A { b { c { d } } }").is_err());
    }

    #[test]
    fn fragments_nest_too_and_every_refusal_is_the_same_message() {
        // Two levels of fields, seven of selection sets.
        let deep = "{ a { ... { ... { ... { ... { ... { ... { b } } } } } } } }";
        let nested = checked(deep).unwrap_err();
        let too_many_fields = checked("{ a { b { c { d } } } }").unwrap_err();
        assert_eq!(nested, too_many_fields);
        assert!(checked("{ a { ... { ... { ... { ... { ... { b } } } } } } }").is_ok());
        let parser = format!("{{ a {} {} }}", "{ b ".repeat(200), "}".repeat(200));
        assert_eq!(too_deep(&parser, LIMIT).unwrap().message, too_many_fields);
        assert!(too_deep("{ a ", LIMIT).is_none());
    }

    #[test]
    fn a_fragment_cycle_is_left_to_validation() {
        assert!(checked("{ ...F } fragment F on Query { ...F }").is_ok());
    }

    #[test]
    fn typename_directives_and_arguments_are_validated() {
        assert!(checked("{ __typename @include(if: true) @skip(if: false) }").is_ok());
        assert!(checked("query($v: Boolean!) { __typename @include(if: $v) }").is_ok());
        for (query, message) in [
            (
                "{ __typename @include(if: 5) }",
                "Invalid value for argument",
            ),
            ("{ __typename @foo }", "Unknown directive \"foo\""),
            ("{ __typename @deprecated }", "may not be used on \"FIELD\""),
            (
                "{ __typename @skip(if: true) @skip(if: true) }",
                "Duplicate directive",
            ),
            ("{ __typename @skip }", "is required but not provided"),
            (
                "{ __typename @skip(if: true, x: 1) }",
                "Unknown argument \"x\"",
            ),
            ("{ __typename(a: 1) }", "Unknown argument \"a\" on field"),
        ] {
            let error = checked(query).unwrap_err();
            assert!(error.contains(message), "{query}: {error}");
        }
    }

    #[test]
    fn directive_variables_must_be_non_null_booleans_or_have_a_default() {
        assert!(checked("query($v: Boolean = true) { a @skip(if: $v) }").is_ok());
        for query in [
            "query($v: Int) { a @include(if: $v) }",
            "query($v: Boolean) { a @include(if: $v) }",
            "query($v: Boolean) { ... @skip(if: $v) { a } }",
            "{ a @include(if: $missing) }",
        ] {
            assert!(checked(query).is_err(), "{query}");
        }
    }
}
