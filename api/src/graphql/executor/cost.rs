//! Query cost: what one request may ask the server to fetch, checked before anything runs.
//!
//! The cost of a selection is the sum over its fields of `1 + multiplier × cost(children)`. A
//! connection (a field that selects `edges` or `nodes`) multiplies by its page size — `first`,
//! `last`, or the default page size when neither is given — and any other field with a `first`
//! argument (`search`, `shared`) multiplies by it. So `organizations(first: 100) { edges { node {
//! participations(first: 100) { … } } } }` costs about 10,000 × its leaves, whatever the data
//! holds. Computed from the document alone, it needs no per-field annotation that a new field
//! could forget, and it covers fragments and variables.
//!
//! A few fields compute far more than they return, whatever they select: they carry a price
//! ([`PRICES`]) on top. Without it, 1,000 aliases of `collaborationNetwork` with distinct periods
//! cost about 5,000 and ran: 17 s of CPU, 811 MB resident and the connection pool exhausted.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Pos, Response, ServerError, Value, Variables};

use crate::store::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// `collaborationNetwork`'s default and largest `limit` (as its resolver has them).
const DEFAULT_NETWORK_NODES: usize = crate::graphql::collaboration::DEFAULT_NETWORK_NODES as usize;
const MAX_NETWORK_NODES: usize = crate::graphql::collaboration::MAX_NETWORK_NODES as usize;

/// A field that computes far more than it returns, and what one costs before its selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// The type the field belongs to.
    pub type_name: &'static str,
    pub field: &'static str,
    pub price: usize,
}

/// The priced fields. The cost walks the document without its types, so a price is found by
/// the field's name: a test checks each name is a field of its type alone.
///
/// - A network reads every membership its filter keeps (up to `--max-memberships`, about a
///   second of CPU) and computes betweenness (0.4–0.6 s at 200,000 organizations): 50,000, so
///   a document at the default limit (250,000) holds at most four.
/// - A connection path reads ties hop by hop from both ends, up to six statements that reach
///   most of the graph through hubs: 25,000.
/// - Each figure of `statistics` aggregates a whole table: 10,000, so all eight at once cost
///   80,000.
/// - `__schema` answers with the whole schema, about 1,000 types, fields, arguments and values:
///   2,000; `__type` with one type: 100. (Their count is also capped: [`super::rules::SizeLimit`].)
pub const PRICES: &[Price] = &[
    Price {
        type_name: "Query",
        field: "collaborationNetwork",
        price: 50_000,
    },
    Price {
        type_name: "Query",
        field: "connectionPath",
        price: 25_000,
    },
    Price {
        type_name: "Statistics",
        field: "organizationsByCountry",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "librariesByCountry",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "organizationsByKind",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "recordsBySdg",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "activitiesByProgramme",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "fundingsByFunder",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "activitiesByYear",
        price: 10_000,
    },
    Price {
        type_name: "Statistics",
        field: "fundingTotals",
        price: 10_000,
    },
    Price {
        type_name: "Query",
        field: "__schema",
        price: 2_000,
    },
    Price {
        type_name: "Query",
        field: "__type",
        price: 100,
    },
];

/// The price of the field named `name`; 0 for an ordinary field.
fn price(name: &str) -> usize {
    PRICES
        .iter()
        .find(|p| p.field == name)
        .map_or(0, |p| p.price)
}

/// The refusal, with the code `QUERY_TOO_COMPLEX`, of a document costing `cost` ([`document_cost`])
/// when that exceeds `max_cost`.
///
/// [`super::batch::Batched`] checks the parsed document before executing; it is not a
/// schema extension, because any extension puts every resolved field through async-graphql's
/// extension chain and a registry lookup (7 % of the CPU of the nested benchmark query).
pub fn refusal(cost: usize, max_cost: usize) -> Option<ServerError> {
    if cost <= max_cost {
        return None;
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
    Some(error)
}

/// `response` with `extensions.cost`: what its document cost and the most a document may, as
/// Shopify's and GitHub's APIs show theirs, so a client can see how near the limit a query is
/// before it is refused. Every response whose document was costed carries it.
pub fn shown(mut response: Response, cost: usize, max_cost: usize) -> Response {
    let mut shown = async_graphql::indexmap::IndexMap::new();
    shown.insert(Name::new("requested"), Value::from(cost as u64));
    shown.insert(Name::new("limit"), Value::from(max_cost as u64));
    response
        .extensions
        .insert("cost".to_owned(), Value::Object(shown));
    response
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
                            n.as_u64().map(|n| n.min(usize::MAX as u64) as usize)
                        }
                        _ => None,
                    }
                };
                let name = field.name.node.as_str();
                // A network answers with up to `limit` organizations (and their ties).
                let multiplier = if name == "collaborationNetwork" {
                    argument("limit")
                        .map_or(DEFAULT_NETWORK_NODES, |n| n.min(MAX_NETWORK_NODES))
                        .max(1)
                } else {
                    let page = argument("first").or_else(|| argument("last"));
                    match (page.map(|n| n.min(MAX_PAGE_SIZE as usize)), selects_page) {
                        (Some(n), _) => n.max(1),
                        (None, true) => DEFAULT_PAGE_SIZE as usize,
                        (None, false) => 1,
                    }
                };
                1usize
                    .saturating_add(price(name))
                    .saturating_add(multiplier.saturating_mul(children))
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
    fn fields_that_compute_more_than_they_return_carry_their_price() {
        let network = cost(
            "{ collaborationNetwork { nodes { degree } } }",
            serde_json::json!({}),
        );
        assert_eq!(network, 1 + 50_000 + 200 * 2);
        let small = cost(
            "{ collaborationNetwork(limit: 10) { nodes { degree } } }",
            serde_json::json!({}),
        );
        assert_eq!(small, 1 + 50_000 + 10 * 2);
        // The refused document of the issue: a thousand networks, now 50 million.
        let aliases: String = (0..1_000)
            .map(|i| format!(" n{i}: collaborationNetwork(limit: 1) {{ totalNodes }}"))
            .collect();
        assert!(cost(&format!("{{{aliases} }}"), serde_json::json!({})) > 50_000_000);
        // At the default limit a document holds at most four networks.
        let five: String = (0..5)
            .map(|i| format!(" n{i}: collaborationNetwork(limit: 1) {{ totalNodes }}"))
            .collect();
        assert!(
            cost(&format!("{{{five} }}"), serde_json::json!({}))
                > crate::graphql::Limits::default().max_complexity
        );
        let statistics = cost(
            "{ statistics { organizationsByKind { key count } fundingTotals { funder } } }",
            serde_json::json!({}),
        );
        assert_eq!(statistics, 1 + (1 + 10_000 + 2) + (1 + 10_000 + 1));
        assert_eq!(
            cost("{ __schema { queryType { name } } }", serde_json::json!({})),
            1 + 2_000 + 2
        );
    }

    #[test]
    fn every_priced_field_is_a_field_of_its_type_and_of_no_other() {
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        let schema = async_graphql::parser::parse_schema(crate::graphql::sdl()).unwrap();
        let mut owners: HashMap<String, Vec<String>> = HashMap::new();
        for definition in &schema.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let fields = match &definition.node.kind {
                TypeKind::Object(object) => &object.fields,
                TypeKind::Interface(interface) => &interface.fields,
                _ => continue,
            };
            for field in fields {
                owners
                    .entry(field.node.name.node.to_string())
                    .or_default()
                    .push(definition.node.name.node.to_string());
            }
        }
        for price in PRICES {
            if price.field.starts_with("__") {
                continue;
            }
            assert_eq!(
                owners.get(price.field),
                Some(&vec![price.type_name.to_owned()]),
                "{}.{}",
                price.type_name,
                price.field
            );
        }
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
