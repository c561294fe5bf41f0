//! The server as an HTTP service: GraphQL-over-HTTP behaviour, the playground, the committed
//! schema, query limits, and the number of SQL statements per query.

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::app::{spawn_app, spawn_app_with};

/// A query four relation levels deep whose breadth depends on `$n`; every level has one type, so
/// the statements it needs depend on its shape only.
const NESTED: &str = "query($n: Int!) {
  libraries(first: $n) {
    edges { node {
      name
      place { name organizations(first: 10) { totalCount edges { node {
        name
        participations(first: 10) { totalCount edges { node {
          role
          citations(first: 3) { edges { node { quote source { title } } } }
        } } }
      } } } }
      citations(first: 3) { edges { node { quote } } }
    } }
  }
}";

/// Participations and their activities: a union of three types, one statement per type present.
const ACTIVITIES: &str = "query($n: Int!) {
  libraries(first: $n) { edges { node {
    participations(first: 10) { edges { node {
      activity { __typename ... on Project { name } ... on Event { name } ... on Programme { name } }
    } } }
  } } }
}";

#[tokio::test]
async fn sql_statements_do_not_grow_with_the_number_of_parents() {
    let app = spawn_app().await;

    let (one, with_one) = app.statements_for(NESTED, json!({ "n": 1 })).await;
    let (all, with_all) = app.statements_for(NESTED, json!({ "n": 20 })).await;

    let libraries = all["libraries"]["edges"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(one["libraries"]["edges"].as_array().map(Vec::len), Some(1));
    assert!(
        libraries >= 5,
        "the seeds have several libraries: {libraries}"
    );
    assert_eq!(
        with_one, with_all,
        "1 library: {with_one} statements, {libraries} libraries: {with_all}"
    );
    assert!(with_all <= 12, "{with_all} statements for a 4-level query");
}

#[tokio::test]
async fn union_fields_cost_a_statement_per_member_type_not_per_parent() {
    let app = spawn_app().await;

    let (_, with_one) = app.statements_for(ACTIVITIES, json!({ "n": 1 })).await;
    let (_, with_all) = app.statements_for(ACTIVITIES, json!({ "n": 20 })).await;

    // libraries, participations, record kinds, then at most one per member type.
    assert!(
        with_one <= 6 && with_all <= 6,
        "{with_one} / {with_all} statements"
    );
}

#[tokio::test]
async fn the_committed_schema_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .expect("schema.graphql at the repository root");

    let generated = libgraph::graphql::sdl();

    assert!(
        committed == generated,
        "schema.graphql is stale: run `cargo run -p libgraph -- export-schema > schema.graphql`"
    );
}

/// The README's "First five queries" run on the seeded graph and find something: each answers
/// without errors and with every root field non-null and non-empty. Query 4 gets the ID query 1
/// returned.
#[tokio::test]
async fn the_readme_first_five_queries_answer_on_the_seeded_graph() {
    let app = spawn_app().await;
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let block = readme
        .split("\n### First five queries\n")
        .nth(1)
        .and_then(|section| section.split("```graphql\n").nth(1))
        .and_then(|block| block.split("\n```").next())
        .expect("a graphql block under \"### First five queries\" in README.md");
    // Each query starts at its numbered comment: "# 1. …".
    let mut queries: Vec<String> = Vec::new();
    for line in block.lines() {
        if line.starts_with("# ") && line[2..].starts_with(|c: char| c.is_ascii_digit()) {
            queries.push(String::new());
        }
        if let Some(query) = queries.last_mut() {
            query.push_str(line);
            query.push('\n');
        }
    }

    assert_eq!(queries.len(), 5, "{block}");
    let mut first_id = Value::Null;
    for query in &queries {
        let body = app.post(query, json!({ "id": first_id })).await;
        assert!(body.get("errors").is_none(), "errors for {query}: {body:#}");
        for (field, value) in body["data"].as_object().into_iter().flatten() {
            let empty = value.is_null() || value.as_object().is_some_and(|o| o.is_empty());
            assert!(!empty, "{field} found nothing for {query}: {body:#}");
        }
        if first_id.is_null() {
            first_id = body["data"]["organization"]["id"].clone();
        }
    }
    assert!(
        first_id.is_string(),
        "query 1 gives the ID query 4 asks for"
    );
}

/// The README's table of error codes is the server's: every code a string literal in `api/src`
/// can put in `extensions.code` is listed there, and the table lists no other. Every upper-case
/// literal of the server's code counts as a code unless it is an environment variable's name
/// or listed in `NOT_CODES`, so a new code cannot be added without the README noticing.
#[test]
fn the_readme_lists_every_error_code_the_server_emits() {
    /// Upper-case literals that are not error codes: SQL types and keywords, a collation, an
    /// HTTP method, and the metrics label of an error without a code.
    const NOT_CODES: [&str; 8] = [
        "TEXT", "INTEGER", "BIGINT", "BOOLEAN", "TRUE", "POSIX", "POST", "UNKNOWN",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");

    let files = rust_files(&root.join("api/src"));
    // Modules declared under `#[cfg(test)]` in a file of their own hold tests only.
    let test_modules: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|file| std::fs::read_to_string(file).ok())
        .flat_map(|text| {
            text.split("#[cfg(test)]\nmod ")
                .skip(1)
                .filter_map(|rest| {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    rest[name.len()..].starts_with(';').then_some(name)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut emitted = std::collections::BTreeSet::new();
    for file in files {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if test_modules.contains(stem) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        // Unit tests sit at the end of a file, after `#[cfg(test)]`; their literals are not
        // answers of the server.
        let code = text.split("\n#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (before, literal) in string_literals(line) {
                let named = ["env = ", "env!(", "var_os(", "var("]
                    .iter()
                    .any(|p| before.trim_end().ends_with(p.trim_end()));
                let upper = literal.len() >= 4
                    && literal.starts_with(|c: char| c.is_ascii_uppercase())
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if upper && !named && !NOT_CODES.contains(&literal) {
                    emitted.insert(literal.to_owned());
                }
            }
        }
    }
    let listed: std::collections::BTreeSet<String> = readme
        .split("\n### Error codes\n")
        .nth(1)
        .expect("a section \"### Error codes\" in README.md")
        .split("\n#")
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("| `")?.split('`').next())
        .map(str::to_owned)
        .collect();

    let unlisted: Vec<_> = emitted.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&emitted).collect();
    assert!(
        unlisted.is_empty(),
        "codes the server emits that the README's \"Error codes\" table lacks (or, if they are \
         not error codes, add them to NOT_CODES): {unlisted:?}"
    );
    assert!(
        stale.is_empty(),
        "codes the README lists that the server no longer emits: {stale:?}"
    );
    assert!(emitted.len() >= 10, "found only {emitted:?}");
}

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("a source directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The string literals of one line of Rust, each with the text before it.
fn string_literals(line: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = line[rest..].find('"').map(|i| rest + i) {
        let Some(close) = line[open + 1..].find('"').map(|i| open + 1 + i) else {
            break;
        };
        found.push((&line[..open], &line[open + 1..close]));
        rest = close + 1;
    }
    found
}

/// Everything a frontend developer reads in the docs pane or a generated client: every type
/// (the generated connections and edges and the built-in scalars included), field, argument,
/// input field, enum value and directive has a description, written as prose: a line break only
/// between paragraphs, never inside one.
#[tokio::test]
async fn every_type_field_and_argument_of_the_schema_is_documented_in_prose() {
    let app = spawn_app().await;
    let data = app
        .query(
            "{ __schema {
                description
                types {
                    name description
                    fields(includeDeprecated: true) { name description args { name description } }
                    inputFields { name description }
                    enumValues(includeDeprecated: true) { name description }
                }
                directives { name description args { name description } }
            } }",
            Value::Null,
        )
        .await;
    let schema = &data["__schema"];

    let mut undocumented = Vec::new();
    let mut wrapped = Vec::new();
    let mut check = |what: String, item: &Value| match item["description"].as_str() {
        Some(text) if !text.trim().is_empty() => {
            if text.replace("\n\n", "").contains('\n') {
                wrapped.push(what);
            }
        }
        // The introspection types' members are the GraphQL specification's, documented there.
        _ if what.starts_with("__") => {}
        _ => undocumented.push(what),
    };
    let list = |value: &Value| value.as_array().cloned().unwrap_or_default();
    let name = |value: &Value| value["name"].as_str().unwrap_or_default().to_owned();
    let mut arguments = 0;
    for ty in list(&schema["types"]) {
        let type_name = name(&ty);
        check(type_name.clone(), &ty);
        for field in list(&ty["fields"]) {
            check(format!("{type_name}.{}", name(&field)), &field);
            for arg in list(&field["args"]) {
                arguments += 1;
                check(
                    format!("{type_name}.{}({}:)", name(&field), name(&arg)),
                    &arg,
                );
            }
        }
        for member in list(&ty["inputFields"])
            .iter()
            .chain(&list(&ty["enumValues"]))
        {
            check(format!("{type_name}.{}", name(member)), member);
        }
    }
    for directive in list(&schema["directives"]) {
        check(format!("@{}", name(&directive)), &directive);
        for arg in list(&directive["args"]) {
            check(format!("@{}({}:)", name(&directive), name(&arg)), &arg);
        }
    }
    let connections = list(&schema["types"])
        .iter()
        .filter(|ty| name(ty).ends_with("Connection") || name(ty).ends_with("Edge"))
        .count();

    assert!(
        undocumented.is_empty(),
        "without a description: {undocumented:?}"
    );
    assert!(
        wrapped.is_empty(),
        "descriptions with a line break inside a paragraph: {wrapped:?}"
    );
    assert!(
        arguments > 300 && connections > 30,
        "the check reached {arguments} arguments and {connections} connection and edge types"
    );
    let description = schema["description"].as_str().unwrap_or_default();
    assert!(
        description.starts_with("libgraph: a knowledge graph of public libraries"),
        "__schema.description: {description}"
    );
}

/// `__schema { description }` answers with libgraph's description wherever the query asks for
/// it (an alias, a fragment), and leaves a field of the same name elsewhere alone.
#[tokio::test]
async fn the_schema_describes_libgraph_under_any_alias() {
    let app = spawn_app().await;

    let data = app
        .query(
            "query Docs { about: __schema { ...D } organization(slug: \"biblioteka-krakow\") { description } }
             fragment D on __Schema { text: description }",
            Value::Null,
        )
        .await;

    let text = data["about"]["text"].as_str().unwrap_or_default();
    assert_eq!(text, libgraph::graphql::describe::SCHEMA_DESCRIPTION);
    assert_ne!(
        data["organization"]["description"].as_str(),
        Some(text),
        "an organization's description is its own"
    );
}

#[tokio::test]
async fn graphql_over_http_negotiates_and_refuses_what_it_must() {
    let app = spawn_app().await;
    let url = app.url("/graphql");

    let get = app
        .client
        .get(&url)
        .query(&[("query", "{ organizations(first: 1) { totalCount } }")])
        .send()
        .await
        .expect("get");
    let mutation = app
        .client
        .get(&url)
        .query(&[("query", "mutation { x }")])
        .send()
        .await
        .expect("get mutation");
    let strict = app
        .client
        .post(&url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ nope" }))
        .send()
        .await
        .expect("post");
    let legacy = app
        .client
        .post(&url)
        .header("accept", "application/json")
        .json(&json!({ "query": "{ nope" }))
        .send()
        .await
        .expect("post");
    let wrong_type = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("post");

    assert_eq!(get.status(), 200);
    assert_eq!(mutation.status(), 405);
    assert_eq!(
        mutation
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(strict.status(), 400);
    assert!(
        strict.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/graphql-response+json")
    );
    assert_eq!(legacy.status(), 200);
    assert_eq!(wrong_type.status(), 415);
}

#[tokio::test]
async fn depth_and_complexity_limits_refuse_expensive_queries() {
    let app = spawn_app_with(Limits {
        max_depth: 10,
        max_complexity: 2_000,
        ..Limits::default()
    })
    .await;
    let wide = "query($n: Int!) { organizations(first: $n) { edges { node { participations(first: $n) { edges { node { role } } } } } } }";

    let deep_but_cheap = "{ libraries(first: 1) { edges { node { place { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } }";
    let (deep, _) = app.error_code(deep_but_cheap, Value::Null).await;
    let (complex, body) = app.error_code(wide, json!({ "n": 100 })).await;
    let fits = app.query(wide, json!({ "n": 10 })).await;

    assert_eq!(deep, "QUERY_TOO_DEEP");
    assert_eq!(complex, "QUERY_TOO_COMPLEX", "{body:#}");
    assert!(
        fits["organizations"]["edges"]
            .as_array()
            .is_some_and(|e| e.len() == 10)
    );
}

#[tokio::test]
async fn the_playground_is_served_offline_with_its_examples() {
    let app = spawn_app().await;

    let page = app
        .client
        .get(app.url("/playground"))
        .send()
        .await
        .expect("page");
    let page_type = page.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.expect("html");
    let script = app
        .client
        .get(app.url("/playground/assets/graphiql.min.js"))
        .send()
        .await
        .expect("script");
    let examples: Value = app
        .client
        .get(app.url("/playground/examples.json"))
        .send()
        .await
        .expect("examples")
        .json()
        .await
        .expect("json");

    assert!(page_type.starts_with("text/html"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must not load anything from the network"
    );
    assert_eq!(script.status(), 200);
    let examples = examples.as_array().cloned().unwrap_or_default();
    assert!(examples.len() >= 4);
    assert!(
        examples.iter().any(|e| e["headers"]["Authorization"]
            .as_str()
            .is_some_and(|h| h.starts_with("Bearer "))),
        "an example shows where a token goes"
    );
    // Every example query runs against the seeds without errors and finds something; one that
    // holds the place of a token runs with a real one.
    let token = app.token("playground", entities::TokenRole::Admin).await;
    for example in examples {
        let authorization = example["headers"]["Authorization"]
            .as_str()
            .map(|_| format!("Bearer {token}"));
        let body = app
            .post_as(
                authorization.as_deref(),
                example["query"].as_str().unwrap_or_default(),
                example["variables"].clone(),
            )
            .await;
        assert!(
            body.get("errors").is_none(),
            "{}: {body:#}",
            example["name"]
        );
        let data = &body["data"];
        assert!(data.to_string().len() > 50, "{}: {data}", example["name"]);
    }
}

#[tokio::test]
async fn the_network_panel_and_the_explorer_page_are_served_offline() {
    let app = spawn_app().await;
    let get = |path: &'static str| {
        let request = app.client.get(app.url(path)).send();
        async move {
            let response = request.await.expect(path);
            let status = response.status();
            let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            (status, content_type, response.text().await.expect(path))
        }
    };

    let (_, _, playground) = get("/playground").await;
    let (panel_status, panel_type, panel) = get("/playground/assets/network-panel.js").await;
    let (page_status, page_type, page) = get("/explore").await;
    let (script_status, script_type, script) = get("/explore/assets/explore.js").await;
    let (missing, _, _) = get("/explore/assets/nothing.js").await;

    assert!(playground.contains("/playground/assets/network-panel.js"));
    assert_eq!(panel_status, 200);
    assert!(panel_type.starts_with("text/javascript"));
    assert!(panel.contains("LibgraphNetworkPanel"));
    assert_eq!(page_status, 200);
    assert!(page_type.starts_with("text/html"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page must not load anything from the network"
    );
    assert!(page.contains("/explore/assets/explore.js"));
    assert_eq!(script_status, 200);
    assert!(script_type.starts_with("text/javascript"));
    assert!(
        script.contains("collaborationNetwork") && script.contains("connectionPath"),
        "the page asks the public API"
    );
    assert_eq!(missing, 404);
}

/// The benchmark's heavy query: libraries → projects → partners → their projects.
const HEAVY: &str = "query($n: Int!) {
  libraries(first: 5) { edges { node { name
    participations(first: $n) { edges { node { activity { ... on Project { name
      participations(first: $n) { edges { node { organization { name
        participations(first: $n) { edges { node { activity { ... on Project { name } } } } }
      } } } }
    } } } } }
  } } }
}";

#[tokio::test]
async fn statements_stay_at_one_per_level_on_scale_data_when_pages_double() {
    let test_db = support::TestDb::generated().await;
    let limits = Limits {
        max_complexity: 100_000_000,
        ..Limits::default()
    };
    let app = support::app::spawn_app_on(test_db, limits).await;

    let (small, at_10) = app.statements_for(HEAVY, json!({ "n": 10 })).await;
    let (large, at_40) = app.statements_for(HEAVY, json!({ "n": 40 })).await;

    let partners = |data: &Value| data.to_string().matches("\"name\"").count();
    assert!(
        partners(&large) > 4 * partners(&small) / 3,
        "bigger pages bring more rows: {} vs {}",
        partners(&large),
        partners(&small)
    );
    assert!(partners(&large) > 1000, "{} names", partners(&large));
    // libraries, participations, activity, participations, organization, participations, activity
    assert!(at_10 <= 8, "{at_10} statements at 10 per page");
    assert!(
        at_40 <= at_10,
        "{at_10} statements at 10 per page, {at_40} at 40"
    );
}
