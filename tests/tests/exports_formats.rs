//! The exports (`/export/…` and `libgraph export --format gexf|graphml|csv|jsonld`): the network
//! files hold what `collaborationNetwork` answers for the same filter, the CSV parses, the
//! JSON-LD is JSON with the schema.org types, and a bad parameter is a 400 naming it. Run on
//! SQLite and, with `LIBGRAPH_TEST_BACKEND=postgres`, on PostgreSQL.

use std::collections::BTreeSet;

use entities::*;
use libgraph::cli::{Cli, Command};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app};

/// A network as `collaborationNetwork` answers it: node slugs, and edges as slug pairs with
/// their weight and shared count.
struct ApiNetwork {
    nodes: BTreeSet<String>,
    edges: BTreeSet<(String, String, String, u64)>,
}

/// `collaborationNetwork(filter, limit)` through `/graphql`.
async fn api_network(app: &TestApp, filter: Value, limit: i64) -> ApiNetwork {
    let data = app
        .query(
            "query($f: NetworkFilter, $l: Int!) { collaborationNetwork(filter: $f, limit: $l) {
                nodes { organization { slug } }
                edges { source { slug } target { slug } weight sharedCount } } }",
            json!({ "f": filter, "l": limit }),
        )
        .await;
    let network = &data["collaborationNetwork"];
    let slug = |v: &Value| v["slug"].as_str().expect("slug").to_owned();
    ApiNetwork {
        nodes: network["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| slug(&n["organization"]))
            .collect(),
        edges: network["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| {
                let (a, b) = (slug(&e["source"]), slug(&e["target"]));
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                (
                    a,
                    b,
                    format!("{}", e["weight"].as_f64().expect("weight")),
                    e["sharedCount"].as_u64().expect("count"),
                )
            })
            .collect(),
    }
}

/// GETs `path` and returns its status, content type and body.
async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.client.get(app.url(path)).send().await.expect("request");
    let status = response.status().as_u16();
    let media_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, media_type, response.text().await.expect("body"))
}

/// The values of attribute `name` of every `<element …>` start tag in `xml` (the exports write
/// each attribute as `name="value"`, markup escaped). Well-formedness is checked by a real XML
/// parser in scripts/export-consumers (networkx reads the files with lxml).
fn xml_attributes(xml: &str, element: &str, name: &str) -> Vec<String> {
    let open = format!("<{element} ");
    let key = format!(" {name}=\"");
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|tag| {
            // The attributes, each after a space (the first one's was split off with the name).
            let tag = format!(" {}", &tag[..tag.find('>')?]);
            let start = tag.find(key.as_str())? + key.len();
            let end = start + tag[start..].find('"')?;
            Some(
                tag[start..end]
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// Parses CSV text into its header and rows.
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("an RFC 4180 row")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, rows)
}

/// A filter as query parameters and as `collaborationNetwork`'s input.
struct Case {
    query: &'static str,
    filter: Value,
    limit: i64,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            query: "",
            filter: json!(null),
            limit: 200,
        },
        Case {
            query: "country=pl&limit=7",
            filter: json!({ "countries": ["PL"] }),
            limit: 7,
        },
        Case {
            query: "kind=library,ngo&from=2015&to=2024",
            filter: json!({ "kinds": ["LIBRARY", "NGO"], "period": { "from": 2015, "to": 2024 } }),
            limit: 200,
        },
    ]
}

#[tokio::test]
async fn network_files_hold_the_nodes_and_edges_collaboration_network_answers() {
    let app = spawn_app().await;
    for case in cases() {
        let api = api_network(&app, case.filter.clone(), case.limit).await;
        let q = if case.query.is_empty() {
            String::new()
        } else {
            format!("?{}", case.query)
        };
        assert!(
            !api.nodes.is_empty(),
            "{}: the seed network has nodes",
            case.query
        );

        let (status, media_type, gexf) = get(&app, &format!("/export/network.gexf{q}")).await;
        assert_eq!(status, 200, "{gexf}");
        assert!(
            media_type.starts_with("application/gexf+xml"),
            "{media_type}"
        );
        assert!(gexf.contains(r#"version="1.3""#));
        let nodes: BTreeSet<String> = xml_attributes(&gexf, "node", "id").into_iter().collect();
        assert_eq!(nodes, api.nodes, "GEXF nodes for {:?}", case.query);
        assert_eq!(
            xml_attributes(&gexf, "edge", "id").len(),
            api.edges.len(),
            "GEXF edges for {:?}",
            case.query
        );

        let (status, _, graphml) = get(&app, &format!("/export/network.graphml{q}")).await;
        assert_eq!(status, 200, "{graphml}");
        let nodes: BTreeSet<String> = xml_attributes(&graphml, "node", "id").into_iter().collect();
        assert_eq!(nodes, api.nodes, "GraphML nodes for {:?}", case.query);
        assert_eq!(
            xml_attributes(&graphml, "edge", "id").len(),
            api.edges.len()
        );

        let (status, media_type, text) = get(&app, &format!("/export/csv/nodes.csv{q}")).await;
        assert_eq!(status, 200, "{text}");
        assert!(media_type.starts_with("text/csv"), "{media_type}");
        let (header, rows) = parse_csv(&text);
        assert_eq!(header[..2], ["id", "label"]);
        assert!(header.contains(&"betweenness".to_owned()) && header.contains(&"kind".to_owned()));
        let nodes: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(nodes, api.nodes, "nodes.csv for {:?}", case.query);

        let (status, _, text) = get(&app, &format!("/export/csv/edges.csv{q}")).await;
        assert_eq!(status, 200, "{text}");
        let (header, rows) = parse_csv(&text);
        assert_eq!(
            header,
            [
                "source",
                "target",
                "type",
                "weight",
                "shared_count",
                "first_year",
                "last_year"
            ]
        );
        let edges: BTreeSet<(String, String, String, u64)> = rows
            .iter()
            .map(|r| {
                let (a, b) = if r[0] < r[1] {
                    (r[0].clone(), r[1].clone())
                } else {
                    (r[1].clone(), r[0].clone())
                };
                (a, b, r[3].clone(), r[4].parse().expect("count"))
            })
            .collect();
        assert_eq!(edges, api.edges, "edges.csv for {:?}", case.query);
    }
}

#[tokio::test]
async fn every_table_is_a_csv_with_a_header_and_a_row_per_record() {
    let app = spawn_app().await;
    let db = &app.db.db;
    let counts = [
        (
            "organization",
            organization::Entity::find().count(db).await.expect("count"),
        ),
        (
            "participation",
            participation::Entity::find()
                .count(db)
                .await
                .expect("count"),
        ),
        (
            "funding",
            funding::Entity::find().count(db).await.expect("count"),
        ),
        (
            "citation",
            citation::Entity::find().count(db).await.expect("count"),
        ),
        (
            "source",
            source::Entity::find().count(db).await.expect("count"),
        ),
    ];
    for table in libgraph::export::tables::TABLES {
        let (status, _, text) = get(&app, &format!("/export/csv/{table}.csv")).await;
        assert_eq!(status, 200, "{table}: {text}");
        let (header, rows) = parse_csv(&text);
        assert!(
            header.iter().any(|c| c.ends_with("_id")),
            "{table}: {header:?}"
        );
        if let Some((_, count)) = counts.iter().find(|(t, _)| t == table) {
            assert_eq!(rows.len() as u64, *count, "{table}");
            assert!(*count > 0, "{table} has rows in the seeds");
        }
    }
    // Quotes hold commas, quotation marks and line breaks: the crate quotes them and reads them
    // back whole.
    let (_, _, text) = get(&app, "/export/csv/citation.csv").await;
    let (header, rows) = parse_csv(&text);
    let quote = header
        .iter()
        .position(|c| c == "quote")
        .expect("quote column");
    let stored: BTreeSet<String> = citation::Entity::find()
        .all(db)
        .await
        .expect("citations")
        .into_iter()
        .map(|c| c.quote)
        .collect();
    let exported: BTreeSet<String> = rows.iter().map(|r| r[quote].clone()).collect();
    assert_eq!(exported, stored);
}

#[tokio::test]
async fn the_json_ld_has_schema_org_types_and_every_citation() {
    let app = spawn_app().await;
    let db = &app.db.db;
    let (status, media_type, text) = get(&app, "/export/graph.jsonld").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(media_type, "application/ld+json");
    let document: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(document["@context"]["@vocab"], "https://schema.org/");
    let graph = document["@graph"].as_array().expect("@graph");
    let typed = |kind: &str| graph.iter().filter(|n| n["@type"] == kind).count() as u64;
    let libraries = organization::Entity::find()
        .all(db)
        .await
        .expect("organizations")
        .iter()
        .filter(|o| o.kind == OrganizationKind::Library)
        .count() as u64;
    assert_eq!(typed("Library"), libraries);
    assert_eq!(
        typed("MonetaryGrant"),
        funding::Entity::find().count(db).await.expect("count")
    );
    let grant = graph
        .iter()
        .find(|n| n["@type"] == "MonetaryGrant")
        .expect("a grant");
    assert!(grant["funder"]["@id"].is_string() && grant["fundedItem"]["@id"].is_string());
    let quotations: Vec<&Value> = graph
        .iter()
        .filter(|n| n["citation"]["@type"] == "Quotation")
        .collect();
    assert_eq!(
        quotations.len() as u64,
        citation::Entity::find().count(db).await.expect("count")
    );
    assert!(quotations.iter().all(|q| {
        q["citation"]["isBasedOn"]["@id"]
            .as_str()
            .is_some_and(|s| s.starts_with("urn:libgraph:source:"))
    }));
}

#[tokio::test]
async fn a_bad_parameter_is_400_naming_it_with_a_code_of_the_readme() {
    let app = spawn_app().await;
    for (path, field) in [
        ("/export/network.gexf?country=POL", "country"),
        ("/export/network.graphml?kind=castle", "kind"),
        ("/export/csv/nodes.csv?limit=0", "limit"),
        ("/export/csv/edges.csv?from=soon", "from"),
        ("/export/network.gexf?colour=red", "colour"),
        ("/export/graph.jsonld?country=PL", "country"),
        ("/export/csv/organization.csv?kind=library", "kind"),
    ] {
        let (status, media_type, body) = get(&app, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(media_type, "application/json");
        let body: Value = serde_json::from_str(&body).expect("JSON error");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{path}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{path}");
    }
    let (status, _, body) = get(&app, "/export/csv/api_token.csv").await;
    assert_eq!(status, 404, "secrets are not a table to export: {body}");
    let body: Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn the_command_writes_the_same_network_and_every_table() {
    let app = spawn_app().await;
    let api = api_network(&app, json!({ "countries": ["PL"] }), 200).await;
    let dir = tempfile::tempdir().expect("temp dir");
    for format in ["gexf", "csv"] {
        let out = dir.path().join(format);
        let cli = Cli::try_from_args([
            "libgraph",
            "export",
            "--format",
            format,
            "--dir",
            out.to_str().expect("path"),
            "--country",
            "PL",
        ])
        .expect("valid arguments");
        let Some(Command::Export(args)) = &cli.command else {
            panic!("not the export command");
        };
        let written = libgraph::command::export_files(&app.db.db, args)
            .await
            .expect("export");
        assert!(written.iter().all(|f| f.bytes > 0), "{written:?}");
        if format == "gexf" {
            let gexf = std::fs::read_to_string(out.join("network.gexf")).expect("gexf");
            let nodes: BTreeSet<String> = xml_attributes(&gexf, "node", "id").into_iter().collect();
            assert_eq!(nodes, api.nodes);
        } else {
            let (_, rows) =
                parse_csv(&std::fs::read_to_string(out.join("edges.csv")).expect("edges"));
            assert_eq!(rows.len(), api.edges.len());
            for table in libgraph::export::tables::TABLES {
                assert!(out.join(format!("{table}.csv")).exists(), "{table}");
            }
        }
    }
    // The same checks as the HTTP parameters, naming the option.
    let cli = Cli::try_from_args([
        "libgraph", "export", "--format", "gexf", "--dir", "unused", "--limit", "5000",
    ])
    .expect("parses");
    let Some(Command::Export(args)) = &cli.command else {
        panic!("not the export command");
    };
    let error = libgraph::command::export_files(&TestDb::empty().await.db, args)
        .await
        .expect_err("limit out of range");
    assert!(error.to_string().contains("--limit"), "{error}");
}

#[tokio::test]
async fn the_command_writes_every_table_even_when_the_network_is_too_broad() {
    // Arrange: a bound the curated network's memberships exceed, standing in for the public
    // endpoint's 150,000 at size L (the command has no bound unless given one).
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("csv");
    let cli = Cli::try_from_args([
        "libgraph",
        "export",
        "--format",
        "csv",
        "--dir",
        out.to_str().expect("path"),
        "--max-memberships",
        "1",
    ])
    .expect("valid arguments");
    let Some(Command::Export(args)) = &cli.command else {
        panic!("not the export command");
    };

    // Act
    let error = libgraph::command::export_files(&app.db.db, args)
        .await
        .expect_err("the network is too broad");

    // Assert: the network is refused, naming the bound, and every table was written whole.
    let error = format!("{error:#}");
    assert!(
        error.contains("TOO_BROAD") && error.contains("--max-memberships 1"),
        "{error}"
    );
    assert!(!out.join("nodes.csv").exists());
    let (_, organizations) =
        parse_csv(&std::fs::read_to_string(out.join("organization.csv")).expect("organizations"));
    assert_eq!(
        organizations.len() as u64,
        organization::Entity::find()
            .count(&app.db.db)
            .await
            .expect("count")
    );
    for table in libgraph::export::tables::TABLES {
        assert!(out.join(format!("{table}.csv")).exists(), "{table}");
    }

    // Without a bound, the same export writes the network too.
    let cli = Cli::try_from_args([
        "libgraph",
        "export",
        "--format",
        "csv",
        "--dir",
        out.to_str().expect("path"),
        "--force",
    ])
    .expect("valid arguments");
    let Some(Command::Export(args)) = &cli.command else {
        panic!("not the export command");
    };
    libgraph::command::export_files(&app.db.db, args)
        .await
        .expect("export");
    assert!(out.join("nodes.csv").exists() && out.join("edges.csv").exists());
}

/// The `@id`s of every typed node object in `value`, nested ones (roles) included.
fn typed_ids(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(id)), Some(_)) = (map.get("@id"), map.get("@type")) {
                into.insert(id.clone());
            }
            map.values().for_each(|v| typed_ids(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| typed_ids(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn every_cited_fact_of_the_json_ld_is_a_typed_node() {
    let app = spawn_app().await;
    let db = &app.db.db;

    let (status, _, text) = get(&app, "/export/graph.jsonld").await;

    assert_eq!(status, 200, "{text}");
    let document: Value = serde_json::from_str(&text).expect("JSON");
    let graph = document["@graph"].as_array().expect("@graph");
    let mut typed = BTreeSet::new();
    typed_ids(&document["@graph"], &mut typed);
    // Every citation's subject is a node with a type: no fact is cited but left out.
    let untyped: BTreeSet<&str> = graph
        .iter()
        .filter(|n| n["citation"]["@type"] == "Quotation")
        .filter_map(|n| n["@id"].as_str())
        .filter(|id| !typed.contains(*id))
        .collect();
    assert!(untyped.is_empty(), "cited but not exported: {untyped:?}");
    let count = |kind: &str| graph.iter().filter(|n| n["@type"] == kind).count() as u64;
    assert_eq!(
        count("Observation"),
        outcome::Entity::find().count(db).await.expect("count")
    );
    assert_eq!(
        count("Person"),
        person::Entity::find().count(db).await.expect("count")
    );
    assert_eq!(
        count("DefinedTerm"),
        topic::Entity::find().count(db).await.expect("count")
    );
    assert_eq!(
        count("Audience"),
        target_group::Entity::find().count(db).await.expect("count")
    );
    // A relation of a kind schema.org names is a role under that property, naming the object.
    let relation = organization_relation::Entity::find()
        .all(db)
        .await
        .expect("relations")
        .into_iter()
        .find(|r| r.kind == OrganizationRelationKind::MemberOf)
        .expect("a member_of relation in the curated graph");
    let role_id = format!("urn:libgraph:record:{}", relation.organization_relation_id);
    let holder = graph
        .iter()
        .find(|n| n["memberOf"]["@id"] == role_id)
        .expect("the relation's role");
    assert_eq!(
        holder["@id"],
        format!("urn:libgraph:record:{}", relation.subject_id)
    );
    assert_eq!(holder["memberOf"]["@type"], "Role");
    assert_eq!(
        holder["memberOf"]["memberOf"]["@id"],
        format!("urn:libgraph:record:{}", relation.object_id)
    );
    // An outcome with a number carries it as a QuantitativeValue about its subject.
    let outcome = graph
        .iter()
        .find(|n| n["@type"] == "Observation" && n["value"]["@type"] == "QuantitativeValue")
        .expect("an outcome with a value");
    assert!(outcome["observationAbout"]["@id"].is_string(), "{outcome}");
}
