//! The GraphQL API as its clients see it: every relation walked both ways, pagination, filters,
//! collaboration analytics, search, global IDs, variables, errors and statistics.
//!
//! Every expected answer comes from the curated seeds (`seeds/data/*.toml`), worked out by hand
//! from the source documents; a comment says where when it is not obvious. Each test spawns its
//! own server over a freshly seeded database, so tests never see each other's state.
//!
//! One module per section; the helpers they share are here.

mod collaboration;
mod execution;
mod filters;
mod ids;
mod pagination;
mod relations;
mod search;
mod statistics;
mod variables;

use std::collections::BTreeSet;

use serde_json::Value;
use support::app::TestApp;

/// The values of `field` (a string) of every item of a JSON array, in order.
fn strings(items: &Value, field: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {item}"))
                .to_owned()
        })
        .collect()
}

/// The slugs of a list of nodes, in order.
fn slugs(nodes: &Value) -> Vec<String> {
    strings(nodes, "slug")
}

/// The slugs of a list of nodes, as a set.
fn slug_set(nodes: &Value) -> BTreeSet<String> {
    slugs(nodes).into_iter().collect()
}

/// Owned strings, as a set: the expected side of a comparison with [`slug_set`].
fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Words that would betray the database behind the API.
const DATABASE_WORDS: [&str; 4] = ["sql", "sqlx", "sqlite", "postgres"];

/// Fails when any error message of a response names the database or its objects.
fn assert_no_database_text(body: &Value) {
    for error in body["errors"].as_array().into_iter().flatten() {
        let message = error["message"].as_str().unwrap_or_default();
        let lower = message.to_lowercase();
        for word in DATABASE_WORDS {
            assert!(
                !lower.contains(word),
                "error message mentions {word}: {message}"
            );
        }
        assert!(
            !message.contains("relation \""),
            "error message names a relation: {message}"
        );
    }
}

/// Runs a query that must be refused as the client's mistake, without database detail.
async fn assert_bad_user_input(app: &TestApp, query: &str, variables: Value) -> Value {
    let (code, body) = app.error_code(query, variables.clone()).await;
    assert_eq!(code, "BAD_USER_INPUT", "{query} with {variables}: {body:#}");
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|d| d.values().all(Value::is_null))
    );
    assert_no_database_text(&body);
    body
}

fn assert_close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {actual}"));
    // Weights and centrality are shown to four decimals (`graph::rounded`).
    assert!(
        (actual - expected).abs() <= 0.5e-4 + 1e-9 && graph::rounded(actual) == actual,
        "{what}: expected {expected} to four decimals, got {actual}"
    );
}

/// A curated seed file, as text.
fn seed_file(name: &str) -> String {
    std::fs::read_to_string(support::seed_data_dir().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The sort key the API documents for names: case, diacritics and punctuation ignored. Written
/// here independently of the API's own folding, for the letters the seeds use.
fn sort_key(name: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'ą' | 'ă' | 'â' => 'a',
            'ć' => 'c',
            'ę' | 'é' => 'e',
            'î' => 'i',
            'ł' => 'l',
            'ń' => 'n',
            'ó' => 'o',
            'ś' | 'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            'ź' | 'ż' => 'z',
            '\'' | '’' | '`' => continue,
            c if c.is_ascii_alphanumeric() => c,
            _ => {
                space = true;
                continue;
            }
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(plain);
    }
    out
}
