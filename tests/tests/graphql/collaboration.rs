//! Collaboration analytics: collaborators and their filters and weights, stored ties against
//! computed ones, networks (their consistency, cliques, betweenness, limit, and the bound on the
//! memberships one computation may read), and connection paths.

use std::collections::{BTreeMap, BTreeSet};

use libgraph::graphql::Limits;
use serde_json::{Value, json};
use support::TestDb;
use support::app::{spawn_app, spawn_app_on};

use super::{assert_bad_user_input, assert_close, set, slug_set, slugs, strings};

/// The commune office's collaborators: the library and the five local groups it attended the
/// project, the Radymno conference and the three trainings with. Each of those five activities
/// has seven organizations, so each adds 1/6 to every tie: 5/6 in all.
const CHMIELNIK_PARTNERS: [&str; 6] = [
    "gbp-chmielnik",
    "kola-gospodyn-wiejskich-chmielnik",
    "osp-chmielnik",
    "nieformalna-grupa-budzik-kultury",
    "strefa-kultury-mlodziezowej",
    "chmielnik-local-artists-craftspeople-activists",
];

const CHMIELNIK_ACTIVITIES: [&str; 5] = [
    "maker-space-blisko-biblioteki",
    "razem-mozemy-wiecej-radymno",
    "biblioteka-dla-obywatela-training",
    "od-pomyslu-do-projektu-training",
    "kreatywny-zespol-training",
];

/// Every organization's stored ties (read when no filter is given) are the ties computed from
/// the memberships (a filter that keeps every kind takes that path): the same collaborators in
/// the same order, with the same cursors, counts, years, shared items and weights to the bit.
#[tokio::test]
async fn stored_ties_answer_exactly_what_the_memberships_compute() {
    let app = spawn_app().await;
    let kinds: Vec<String> = strings(
        &app.query(
            r#"{ __type(name: "OrganizationKind") { enumValues { name } } }"#,
            Value::Null,
        )
        .await["__type"]["enumValues"],
        "name",
    );
    let organizations = strings(
        &app.query(
            "{ organizations(first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await["organizations"]["nodes"],
        "slug",
    );
    assert!(organizations.len() > 30 && organizations.len() < 100);
    let query = r#"query($slug: String!, $kinds: [OrganizationKind!]!, $after: String) {
        organization(slug: $slug) {
            stored: collaborators(first: 3, after: $after) { ...Ties }
            computed: collaborators(first: 3, after: $after, filter: {kinds: $kinds}) { ...Ties }
        } }
        fragment Ties on CollaboratorConnection { totalCount pageInfo { hasNextPage endCursor }
            edges { cursor node { organization { slug } sharedCount weight firstYear lastYear
                shared(first: 100) { __typename ... on Project { slug } ... on Event { slug } ... on Programme { slug } } } } }"#;
    let (mut tied, mut fractional) = (0, 0);
    for slug in &organizations {
        // Page by page (three at a time), following the stored ties' cursors.
        let mut after = Value::Null;
        loop {
            let data = app
                .query(
                    query,
                    json!({ "slug": slug, "kinds": kinds, "after": after }),
                )
                .await;
            let stored = &data["organization"]["stored"];
            assert_eq!(
                stored, &data["organization"]["computed"],
                "{slug} after {after}"
            );
            for edge in stored["edges"].as_array().into_iter().flatten() {
                tied += 1;
                let weight = edge["node"]["weight"].as_f64().unwrap_or_default();
                fractional += usize::from(weight.fract() != 0.0);
                let shared = edge["node"]["shared"].as_array().map_or(0, Vec::len);
                assert_eq!(json!(shared), edge["node"]["sharedCount"], "{slug}: {edge}");
            }
            if stored["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = stored["pageInfo"]["endCursor"].clone();
        }
    }
    assert!(
        tied > 50 && fractional > 10,
        "{tied} ties, {fractional} fractional weights"
    );
}

#[tokio::test]
async fn collaborators_are_the_organizations_that_shared_activities_weighted_by_size() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") { collaborators(first: 50) { totalCount nodes {
                organization { slug } sharedCount weight firstYear lastYear
                shared { __typename ... on Project { slug } ... on Event { slug } ... on Programme { slug } }
            } } } }"#,
            Value::Null,
        )
        .await;

    let collaborators = &data["organization"]["collaborators"];
    let nodes = collaborators["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found: BTreeSet<String> = nodes
        .iter()
        .map(|c| {
            c["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(found, set(&CHMIELNIK_PARTNERS));
    assert_eq!(collaborators["totalCount"], 6);
    let weights: Vec<f64> = nodes
        .iter()
        .map(|c| c["weight"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(
        weights.windows(2).all(|w| w[0] >= w[1]),
        "strongest first: {weights:?}"
    );
    for collaborator in &nodes {
        let who = collaborator["organization"]["slug"]
            .as_str()
            .unwrap_or_default();
        assert_close(&collaborator["weight"], 5.0 / 6.0, who);
        assert_eq!(collaborator["sharedCount"], 5, "{who}");
        assert_eq!(
            slug_set(&collaborator["shared"]),
            set(&CHMIELNIK_ACTIVITIES),
            "{who}"
        );
        // The two-year project runs from autumn 2021 to autumn 2023; the conference and the
        // trainings were held by October 2021.
        assert_eq!(
            (&collaborator["firstYear"], &collaborator["lastYear"]),
            (&json!(2021), &json!(2023)),
            "{who}"
        );
    }
}

#[tokio::test]
async fn collaborator_filters_narrow_the_list() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") {
                associations: collaborators(filter: {kinds: [ASSOCIATION]}) { totalCount nodes { organization { slug kind } } }
                informal: collaborators(filter: {kinds: [INFORMAL_GROUP, LIBRARY]}) { nodes { organization { slug } } }
                leads: collaborators(filter: {roles: [LEAD]}) { nodes { organization { slug } sharedCount shared { ... on Project { slug } } } }
                moldovan: collaborators(filter: {countries: ["MD"]}) { totalCount }
                in2017: collaborators(filter: {period: {from: 2017, to: 2017}}) { totalCount }
                page: collaborators(first: 4) { pageInfo { hasNextPage endCursor } nodes { organization { slug } } }
            } }"#,
            Value::Null,
        )
        .await;
    let org = &data["organization"];
    let rest = app
        .query(
            r#"query($after: String) { organization(slug: "urzad-gminy-chmielnik") { collaborators(first: 4, after: $after) {
                pageInfo { hasNextPage } nodes { organization { slug } } } } }"#,
            json!({ "after": org["page"]["pageInfo"]["endCursor"] }),
        )
        .await;

    let of = |connection: &Value| -> BTreeSet<String> {
        connection["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                c["organization"]["slug"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        of(&org["associations"]),
        set(&["kola-gospodyn-wiejskich-chmielnik", "osp-chmielnik"])
    );
    assert_eq!(org["associations"]["totalCount"], 2);
    assert_eq!(
        of(&org["informal"]),
        set(&[
            "nieformalna-grupa-budzik-kultury",
            "strefa-kultury-mlodziezowej",
            "gbp-chmielnik"
        ])
    );
    // Only the library led anything it shared with the office: the project.
    let leads = &org["leads"]["nodes"];
    assert_eq!(of(&org["leads"]), set(&["gbp-chmielnik"]));
    assert_eq!(leads[0]["sharedCount"], 1);
    assert_eq!(
        slugs(&leads[0]["shared"]),
        ["maker-space-blisko-biblioteki"]
    );
    assert_eq!(org["moldovan"]["totalCount"], 0);
    assert_eq!(org["in2017"]["totalCount"], 0);
    // Two pages of collaborators: 4 then 2, none twice.
    let first: Vec<String> = org["page"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            c["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let second = of(&rest["organization"]["collaborators"]);
    assert_eq!(first.len(), 4);
    assert_eq!(org["page"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        rest["organization"]["collaborators"]["pageInfo"]["hasNextPage"],
        false
    );
    let mut all: BTreeSet<String> = first.into_iter().collect();
    assert!(
        second.iter().all(|s| !all.contains(s)),
        "a collaborator on both pages"
    );
    all.extend(second);
    assert_eq!(all, set(&CHMIELNIK_PARTNERS));
}

#[tokio::test]
async fn collaborator_weights_do_not_depend_on_the_filter() {
    let app = spawn_app().await;

    let data = app
        .query(
            r#"{ organization(slug: "urzad-gminy-chmielnik") {
                associations: collaborators(filter: {kinds: [ASSOCIATION]}) { nodes { organization { slug } sharedCount weight } }
                leads: collaborators(filter: {roles: [LEAD]}) { nodes { organization { slug } sharedCount weight } }
                partners: collaborators(filter: {roles: [PARTNER]}) { nodes { organization { slug } sharedCount weight } }
            } }"#,
            Value::Null,
        )
        .await;

    // Every shared item has seven organizations whatever the filter keeps, so each adds 1/6: the
    // associations share all five (5/6), the library led one (1/6), the partners were partners in
    // one (1/6).
    let org = &data["organization"];
    for (filter, expected) in [
        ("associations", 5.0 / 6.0),
        ("leads", 1.0 / 6.0),
        ("partners", 1.0 / 6.0),
    ] {
        let nodes = org[filter]["nodes"].as_array().cloned().unwrap_or_default();
        assert!(!nodes.is_empty(), "{filter}");
        for collaborator in nodes {
            let what = format!("{filter}: {}", collaborator["organization"]["slug"]);
            assert_close(&collaborator["weight"], expected, &what);
        }
    }
}

#[tokio::test]
async fn network_tie_weights_do_not_depend_on_which_kinds_are_drawn() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "kinds": ["ASSOCIATION"] } }))
        .await;

    // The rural housewives' circles and the fire brigade share five activities of seven
    // organizations each; hiding the other five organizations does not make their tie stronger.
    let edges = data["collaborationNetwork"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["sharedCount"], 5);
    assert_close(&edges[0]["weight"], 5.0 / 6.0, "circles – fire brigade");
}

const NETWORK: &str = "query($filter: NetworkFilter, $limit: Int! = 200) { collaborationNetwork(filter: $filter, limit: $limit) {
    totalNodes truncated
    nodes { organization { id slug place { countryCode } } degree weightedDegree betweenness }
    edges { sourceId targetId source { slug } target { slug } weight sharedCount
            shared { ... on Project { slug } ... on Event { slug } ... on Programme { slug } } } } }";

/// A network without a `period` or `programmes` filter is drawn from a leaner statement (no
/// activity tables, no years, organizations and places only when filtered by them); `period: {}`
/// keeps every activity too, but through the statement with everything. Both must draw the same
/// network, truncated or not.
#[tokio::test]
async fn a_network_is_the_same_whichever_statement_gathers_its_memberships() {
    let app = spawn_app_on(TestDb::generated().await, Limits::default()).await;
    for (filter, limit) in [
        (json!({}), 1000),
        (json!({ "countries": ["PL"] }), 1000),
        (json!({ "countries": ["PL"] }), 25),
        (json!({ "kinds": ["LIBRARY"] }), 40),
        (
            json!({ "countries": ["MD", "UA"], "kinds": ["LIBRARY", "NGO", "PUBLIC_AUTHORITY"] }),
            1000,
        ),
    ] {
        let mut everything = filter.clone();
        everything["period"] = json!({});

        let lean = app
            .query(NETWORK, json!({ "filter": filter, "limit": limit }))
            .await;
        let full = app
            .query(NETWORK, json!({ "filter": everything, "limit": limit }))
            .await;

        let nodes = lean["collaborationNetwork"]["nodes"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(nodes >= 10, "{filter}: only {nodes} nodes");
        assert_eq!(lean, full, "{filter} limit {limit}");
    }
}

/// Checks a network against itself: edges join listed nodes, once each, and every node's degree
/// and weighted degree are those of its edges. Returns the nodes by slug.
fn consistent_nodes(network: &Value) -> BTreeMap<String, Value> {
    let nodes = network["nodes"].as_array().cloned().unwrap_or_default();
    let edges = network["edges"].as_array().cloned().unwrap_or_default();
    let ids: BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| n["organization"]["id"].as_str())
        .collect();
    assert_eq!(ids.len(), nodes.len(), "a node twice");
    let mut pairs = BTreeSet::new();
    for edge in &edges {
        let (source, target) = (
            edge["sourceId"].as_str().unwrap_or_default(),
            edge["targetId"].as_str().unwrap_or_default(),
        );
        assert!(
            ids.contains(source) && ids.contains(target),
            "edge to a missing node: {edge}"
        );
        assert_ne!(source, target, "a loop: {edge}");
        assert!(
            pairs.insert((source.min(target), source.max(target))),
            "a tie twice: {edge}"
        );
        assert!(edge["weight"].as_f64().is_some_and(|w| w > 0.0), "{edge}");
        assert_eq!(
            edge["sharedCount"].as_u64(),
            edge["shared"].as_array().map(|s| s.len() as u64),
            "{edge}"
        );
    }
    let mut by_slug = BTreeMap::new();
    for node in nodes {
        let id = node["organization"]["id"].as_str().unwrap_or_default();
        let touching: Vec<&Value> = edges
            .iter()
            .filter(|e| e["sourceId"] == id || e["targetId"] == id)
            .collect();
        assert_eq!(
            node["degree"].as_u64(),
            Some(touching.len() as u64),
            "degree of {node}"
        );
        // The exact sum rounded, within the rounding of each of its weights.
        let sum: f64 = touching.iter().filter_map(|e| e["weight"].as_f64()).sum();
        let weighted = node["weightedDegree"].as_f64().unwrap_or(-1.0);
        assert!(
            (weighted - sum).abs() <= (touching.len() as f64 + 1.0) * 0.5e-4,
            "weighted degree of {node}: {sum}"
        );
        let betweenness = node["betweenness"].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&betweenness), "betweenness of {node}");
        by_slug.insert(
            node["organization"]["slug"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            node,
        );
    }
    by_slug
}

#[tokio::test]
async fn the_polish_network_is_two_cliques_with_consistent_degrees() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "countries": ["PL"] } }))
        .await;

    let network = &data["collaborationNetwork"];
    let nodes = consistent_nodes(network);
    assert!(
        nodes
            .values()
            .all(|n| n["organization"]["place"]["countryCode"] == "PL")
    );
    assert_eq!(network["truncated"], false);
    assert_eq!(network["totalNodes"].as_u64(), Some(nodes.len() as u64));
    // Chmielnik: seven organizations, all in the same five activities: a clique of 21 ties.
    // Silesia: Kraków and the four libraries it visited: a clique of 10 ties.
    assert_eq!(network["edges"].as_array().map(Vec::len), Some(31));
    let chmielnik = &nodes["gbp-chmielnik"];
    assert_eq!(chmielnik["degree"], 6);
    assert_close(&chmielnik["weightedDegree"], 5.0, "six ties of 5/6");
    assert_close(
        &chmielnik["betweenness"],
        0.0,
        "in a clique nobody lies between two others",
    );
    let krakow = &nodes["biblioteka-krakow"];
    assert_eq!(krakow["degree"], 4);
    assert_close(
        &krakow["weightedDegree"],
        1.0,
        "four ties of 1/4 (the five-organization visit)",
    );
    let tie = network["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| {
            let ends = set(&[
                e["source"]["slug"].as_str().unwrap_or_default(),
                e["target"]["slug"].as_str().unwrap_or_default(),
            ]);
            ends == set(&["biblioteka-krakow", "zaglebiowska-mediateka"])
        })
        .cloned()
        .unwrap_or_else(|| panic!("no Kraków–Sosnowiec tie"));
    assert_eq!(slugs(&tie["shared"]), ["mediateki-study-visit-silesia"]);
    assert!(!nodes.contains_key("biblioteca-municipala-e-coseriu-balti"));
}

#[tokio::test]
async fn the_library_between_two_partners_has_full_betweenness() {
    let app = spawn_app().await;

    let data = app
        .query(NETWORK, json!({ "filter": { "countries": ["UA"] } }))
        .await;

    // Poltava library #9 shares «B-Zone» with Ray of light and the fundraising campaign with the
    // donors; the two never meet, so every shortest path between them runs through the library.
    let nodes = consistent_nodes(&data["collaborationNetwork"]);
    assert_eq!(
        nodes.keys().cloned().collect::<BTreeSet<_>>(),
        set(&[
            "poltava-library-9",
            "ray-of-light-of-poltava-region",
            "b-zone-fundraising-donors"
        ])
    );
    assert_eq!(nodes["poltava-library-9"]["degree"], 2);
    assert_close(
        &nodes["poltava-library-9"]["betweenness"],
        1.0,
        "the library",
    );
    assert_close(
        &nodes["ray-of-light-of-poltava-region"]["betweenness"],
        0.0,
        "Ray of light",
    );
    assert_close(
        &nodes["b-zone-fundraising-donors"]["betweenness"],
        0.0,
        "the donors",
    );
}

#[tokio::test]
async fn a_network_limit_keeps_the_strongest_and_must_be_in_range() {
    let app = spawn_app().await;

    let data = app
        .query(
            NETWORK,
            json!({ "filter": { "countries": ["PL"] }, "limit": 3 }),
        )
        .await;
    for limit in [0, -1, 1001] {
        assert_bad_user_input(&app, NETWORK, json!({ "limit": limit })).await;
    }

    let network = &data["collaborationNetwork"];
    let nodes = consistent_nodes(network);
    assert_eq!(nodes.len(), 3);
    assert_eq!(network["truncated"], true);
    assert_eq!(
        network["totalNodes"], 14,
        "organizations in Poland that take part in something"
    );
    assert!(
        nodes
            .keys()
            .all(|slug| CHMIELNIK_PARTNERS.contains(&slug.as_str())
                || slug == "urzad-gminy-chmielnik"),
        "the strongest ties are Chmielnik's: {:?}",
        nodes.keys()
    );
    assert_eq!(
        network["edges"].as_array().map(Vec::len),
        Some(3),
        "the three kept form a triangle"
    );
}

const PATH: &str = "query($from: ID!, $to: ID!, $maxHops: Int! = 4) { connectionPath(from: $from, to: $to, maxHops: $maxHops) {
    connected length hops { fromId toId from { slug } to { slug } via { __typename ... on Event { slug } ... on Project { slug } ... on Programme { slug } } } } }";

#[tokio::test]
async fn two_libraries_of_the_study_visit_are_one_hop_apart_by_id_or_slug() {
    let app = spawn_app().await;
    let krakow = app.organization_id("biblioteka-krakow").await;
    let sosnowiec = app.organization_id("zaglebiowska-mediateka").await;

    let by_id = app
        .query(PATH, json!({ "from": krakow, "to": sosnowiec }))
        .await;
    let by_slug = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "zaglebiowska-mediateka" }),
        )
        .await;

    let path = &by_id["connectionPath"];
    assert_eq!(
        (&path["connected"], &path["length"]),
        (&json!(true), &json!(1))
    );
    let hop = &path["hops"][0];
    assert_eq!(
        (hop["fromId"].as_str(), hop["toId"].as_str()),
        (Some(krakow.as_str()), Some(sosnowiec.as_str()))
    );
    assert_eq!(
        (&hop["from"]["slug"], &hop["to"]["slug"]),
        (
            &json!("biblioteka-krakow"),
            &json!("zaglebiowska-mediateka")
        )
    );
    assert_eq!(
        hop["via"],
        json!([{ "__typename": "Event", "slug": "mediateki-study-visit-silesia" }])
    );
    assert_eq!(by_slug, by_id, "slugs and IDs name the same organizations");
}

#[tokio::test]
async fn connection_paths_of_zero_two_and_no_hops() {
    let app = spawn_app().await;

    let same = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "biblioteka-krakow" }),
        )
        .await;
    let two = app
        .query(
            PATH,
            json!({ "from": "ray-of-light-of-poltava-region", "to": "b-zone-fundraising-donors" }),
        )
        .await;
    let too_short = app.query(PATH, json!({ "from": "ray-of-light-of-poltava-region", "to": "b-zone-fundraising-donors", "maxHops": 1 })).await;
    let apart = app
        .query(
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "gbp-chmielnik", "maxHops": 6 }),
        )
        .await;

    assert_eq!(
        same["connectionPath"],
        json!({ "connected": true, "length": 0, "hops": [] })
    );
    let path = &two["connectionPath"];
    assert_eq!(
        (&path["connected"], &path["length"]),
        (&json!(true), &json!(2))
    );
    let steps: Vec<(String, String, Vec<String>)> = path["hops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["from"]["slug"].as_str().unwrap_or_default().to_owned(),
                h["to"]["slug"].as_str().unwrap_or_default().to_owned(),
                slugs(&h["via"]),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                "ray-of-light-of-poltava-region".to_owned(),
                "poltava-library-9".to_owned(),
                vec!["b-zone".to_owned()]
            ),
            (
                "poltava-library-9".to_owned(),
                "b-zone-fundraising-donors".to_owned(),
                vec!["b-zone-fundraising-campaign".to_owned()]
            ),
        ]
    );
    assert_eq!(
        path["hops"][0]["toId"], path["hops"][1]["fromId"],
        "hops chain"
    );
    assert_eq!(
        too_short["connectionPath"],
        json!({ "connected": false, "length": null, "hops": [] })
    );
    // Kraków and Chmielnik never shared anything, directly or through others.
    assert_eq!(
        apart["connectionPath"],
        json!({ "connected": false, "length": null, "hops": [] })
    );
}

#[tokio::test]
async fn connection_path_arguments_out_of_range_or_of_the_wrong_type_are_refused() {
    let app = spawn_app().await;
    let project = app
        .query(r#"{ project(slug: "b-zone") { id } }"#, Value::Null)
        .await["project"]["id"]
        .clone();

    for hops in [0, 7, -1] {
        assert_bad_user_input(
            &app,
            PATH,
            json!({ "from": "biblioteka-krakow", "to": "gbp-chmielnik", "maxHops": hops }),
        )
        .await;
    }
    let body = assert_bad_user_input(
        &app,
        PATH,
        json!({ "from": project, "to": "gbp-chmielnik" }),
    )
    .await;
    assert_bad_user_input(
        &app,
        PATH,
        json!({ "from": "biblioteka-krakow", "to": "!!not an id" }),
    )
    .await;
    let (missing, _) = app
        .error_code(
            PATH,
            json!({ "from": "no-such-organization", "to": "gbp-chmielnik" }),
        )
        .await;

    assert_eq!(body["errors"][0]["extensions"]["field"], "from");
    assert_eq!(missing, "NOT_FOUND");
}

/// Both ends are looked up to the end: with one lookup cancelling the other, two unknown slugs
/// named whichever lost the race, and the statements run varied with it.
#[tokio::test]
async fn unknown_path_ends_are_named_the_same_way_every_time() {
    let app = spawn_app().await;
    let path = |from: &str, to: &str| {
        format!("{{ connectionPath(from: \"{from}\", to: \"{to}\") {{ connected }} }}")
    };
    let ends = [
        (
            "no-such-start",
            "no-such-end",
            "organizations `from` (no-such-start) and `to` (no-such-end) not found",
        ),
        (
            "no-such-start",
            "gbp-chmielnik",
            "organization `from` (no-such-start) not found",
        ),
        (
            "gbp-chmielnik",
            "no-such-end",
            "organization `to` (no-such-end) not found",
        ),
    ];

    for (from, to, expected) in ends {
        let query = path(from, to);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..10 {
            let request = app
                .client
                .post(app.url("/graphql"))
                .json(&json!({ "query": query }));
            let (status, body, statements) = app.send_counted(request).await;
            let body: Value = serde_json::from_slice(&body).expect("a JSON body");
            assert_eq!(status, 200);
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{body:#}"
            );
            assert_eq!(body["errors"][0]["message"], expected, "{body:#}");
            seen.insert((body.to_string(), statements));
        }
        // By slug, each end is one statement.
        assert_eq!(seen.len(), 1, "{query}: {seen:?}");
        assert_eq!(seen.first().map(|(_, statements)| *statements), Some(2));
    }
}

#[tokio::test]
async fn collaboration_computed_from_too_many_memberships_is_refused_as_too_broad() {
    let app = support::app::spawn_app_with(libgraph::graphql::Limits {
        max_memberships: 20,
        ..libgraph::graphql::Limits::default()
    })
    .await;
    let collaborators = "query { organizations(first: 100) { nodes {
        collaborators(filter: {period: {from: 1900}}) { totalCount } } } }";

    let (whole, body) = app.error_code(NETWORK, json!({})).await;
    let moldova = app
        .post(NETWORK, json!({ "filter": { "countries": ["MD"] } }))
        .await;
    let (every, every_body) = app.error_code(collaborators, json!({})).await;
    let stored = app
        .post(
            "query { organizations(first: 100) { nodes { collaborators { totalCount } } } }",
            json!({}),
        )
        .await;

    assert_eq!(whole, "TOO_BROAD", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "filter");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("more than 20 activity memberships"),
        "{message}"
    );
    assert_eq!(body["data"], Value::Null);
    assert!(moldova.get("errors").is_none(), "{moldova:#}");
    assert!(
        !moldova["data"]["collaborationNetwork"]["nodes"]
            .as_array()
            .unwrap_or(&Vec::new())
            .is_empty()
    );
    assert_eq!(every, "TOO_BROAD", "{every_body:#}");
    // Stored ties read no memberships: the same page without a filter is answered.
    assert!(stored.get("errors").is_none(), "{stored:#}");
}
