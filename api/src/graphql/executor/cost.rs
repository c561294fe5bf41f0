//! Query cost: what one request may ask the server to fetch, checked before anything runs.
//!
//! The cost of a selection is the sum over its fields of `1 + multiplier × cost(children)`. A
//! connection (a field that selects `edges` or `nodes`) multiplies by its page size — `first`,
//! `last`, or the default page size when neither is given — and any other field with a `first`
//! argument (`search`, `shared`) multiplies by it. So `organizations(first: 100) { edges { node {
//! participations(first: 100) { … } } } }` costs about 10,000 × its leaves, whatever the data
//! holds. Computed from the document alone, it needs no per-field annotation that a new field
//! could forget, and it covers fragments and variables.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Pos, ServerError, Value, Variables};

use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The cost of a document, or its refusal with the code `QUERY_TOO_COMPLEX` when that exceeds
/// `max_cost`.
///
/// [`super::batch::Batched`] calls it on the parsed document before executing; it is not a
/// schema extension, because any extension puts every resolved field through async-graphql's
/// extension chain and a registry lookup (7 % of the CPU of the nested benchmark query).
pub fn check(
    document: &ExecutableDocument,
    variables: &Variables,
    max_cost: usize,
) -> Result<usize, ServerError> {
    let cost = document_cost(document, variables);
    if cost <= max_cost {
        return Ok(cost);
    }
    let mut error = ServerError::new(
        format!(
            "the query is too complex: it costs {cost}, the limit is {max_cost} (a connection costs its page size times what it selects; ask for smaller pages or fewer levels)"
        ),
        Some(Pos { line: 1, column: 1 }),
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "QUERY_TOO_COMPLEX");
    Err(error)
}

/// The cost of the most expensive operation of a document.
pub fn document_cost(document: &ExecutableDocument, variables: &Variables) -> usize {
    document
        .operations
        .iter()
        .map(|(_, op)| {
            selection_cost(
                document,
                &op.node.selection_set.node,
                variables,
                &mut Fragments::default(),
            )
        })
        .max()
        .unwrap_or(0)
}

/// The fragments of a document already costed, and those being costed. A fragment costs the same
/// wherever it is spread (page sizes come from its own arguments and the request's variables), so
/// it is costed once: spread twice in each of 25 fragments, each spreading the next, costing it at
/// every spread took 2^25 visits and 3.9 to 5.9 s of CPU before the document was refused.
#[derive(Default)]
struct Fragments {
    costs: HashMap<Name, usize>,
    /// A fragment that spreads itself is invalid and refused by validation: it costs nothing here.
    visiting: HashSet<Name>,
}

fn selection_cost(
    document: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    fragments: &mut Fragments,
) -> usize {
    let mut total: usize = 0;
    for selection in &set.items {
        let cost = match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                let children =
                    selection_cost(document, &field.selection_set.node, variables, fragments);
                let selects_page = field
                    .selection_set
                    .node
                    .items
                    .iter()
                    .any(|s| match &s.node {
                        Selection::Field(f) => {
                            matches!(f.node.name.node.as_str(), "edges" | "nodes")
                        }
                        _ => false,
                    });
                let argument = |name: &str| -> Option<usize> {
                    let value = field.get_argument(name)?;
                    let value = value.node.clone().into_const_with(|var| {
                        Ok::<_, std::convert::Infallible>(
                            variables.get(&var).cloned().unwrap_or(Value::Null),
                        )
                    });
                    match value {
                        Ok(Value::Number(n)) => {
                            n.as_u64().map(|n| n.min(MAX_PAGE_SIZE as u64) as usize)
                        }
                        _ => None,
                    }
                };
                let multiplier =
                    match (argument("first").or_else(|| argument("last")), selects_page) {
                        (Some(n), _) => n.max(1),
                        (None, true) => DEFAULT_PAGE_SIZE as usize,
                        (None, false) => 1,
                    };
                1usize.saturating_add(multiplier.saturating_mul(children))
            }
            Selection::InlineFragment(fragment) => selection_cost(
                document,
                &fragment.node.selection_set.node,
                variables,
                fragments,
            ),
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                if let Some(&cost) = fragments.costs.get(name) {
                    cost
                } else if fragments.visiting.insert(name.clone()) {
                    let cost = document
                        .fragments
                        .get(name)
                        .map(|f| {
                            selection_cost(
                                document,
                                &f.node.selection_set.node,
                                variables,
                                fragments,
                            )
                        })
                        .unwrap_or(0);
                    fragments.visiting.remove(name);
                    fragments.costs.insert(name.clone(), cost);
                    cost
                } else {
                    0
                }
            }
        };
        total = total.saturating_add(cost);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(query: &str, variables: serde_json::Value) -> usize {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let variables = Variables::from_json(variables);
        document_cost(&document, &variables)
    }

    #[test]
    fn connections_cost_their_page_size() {
        let small = cost(
            "{ organizations(first: 1) { edges { node { name } } } }",
            serde_json::json!({}),
        );
        let large = cost(
            "{ organizations(first: 100) { edges { node { name } } } }",
            serde_json::json!({}),
        );
        let default = cost(
            "{ organizations { edges { node { name } } } }",
            serde_json::json!({}),
        );
        let variable = cost(
            "query($n: Int) { organizations(first: $n) { edges { node { name } } } }",
            serde_json::json!({ "n": 100 }),
        );
        assert_eq!(small, 1 + 3);
        assert_eq!(large, 1 + 100 * 3);
        assert_eq!(default, 1 + 20 * 3);
        assert_eq!(variable, large);
    }

    #[test]
    fn nesting_multiplies_and_fragments_count() {
        let nested = cost(
            "{ organizations(first: 10) { edges { node { ...F } } } } fragment F on Library { participations(first: 10) { edges { node { role } } } }",
            serde_json::json!({}),
        );
        assert_eq!(nested, 1 + 10 * (1 + 1 + (1 + 10 * 3)));
        assert_eq!(cost("{ a { b } }", serde_json::json!({})), 2);
    }

    #[test]
    fn a_fragment_spread_many_times_costs_each_spread() {
        // 40 levels of two spreads each: 2^40 fields once expanded; costed level by level.
        let mut query = String::from("{ ...F0 }");
        for level in 0..40 {
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{n} ...F{n} }}",
                n = level + 1
            ));
        }
        query.push_str(" fragment F40 on Query { a }");
        assert_eq!(cost(&query, serde_json::json!({})), 1 << 40);
    }
}
