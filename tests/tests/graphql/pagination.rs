//! Pagination: forward and backward over every organization, page sizes and cursors out of bounds,
//! the order by name, and nested pages (cut per parent, loaded for a whole page, backward and after
//! a cursor).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use support::app::spawn_app;

use super::{assert_bad_user_input, slugs, sort_key, strings};

const ORGANIZATIONS_FORWARD: &str =
    "query($after: String) { organizations(first: 5, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug } } } }";

const ORGANIZATIONS_BACKWARD: &str =
    "query($before: String) { organizations(last: 5, before: $before) {
    totalCount pageInfo { hasPreviousPage startCursor } edges { cursor node { slug } } } }";

#[tokio::test]
async fn paging_forward_visits_every_organization_once_in_order() {
    let app = spawn_app().await;
    let everything = app
        .query(
            "{ organizations(first: 100) { totalCount nodes { slug } } }",
            Value::Null,
        )
        .await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    let mut total: i64;
    loop {
        let data = app
            .query(ORGANIZATIONS_FORWARD, json!({ "after": after }))
            .await;
        let page = &data["organizations"];
        total = page["totalCount"].as_i64().unwrap_or(-1);
        let edges = page["edges"].as_array().cloned().unwrap_or_default();
        assert!(edges.len() <= 5);
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["slug"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        assert!(pages <= 20, "paging does not end");
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        assert_eq!(edges.len(), 5, "only the last page may be short");
        assert_eq!(page["pageInfo"]["endCursor"], edges[4]["cursor"]);
        after = page["pageInfo"]["endCursor"].clone();
    }

    assert_eq!(total, 34, "organizations in the seeds");
    assert_eq!(seen.len() as i64, total);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        seen.len(),
        "an organization came twice: {seen:?}"
    );
    assert_eq!(pages, 7);
    assert_eq!(
        seen,
        slugs(&everything["organizations"]["nodes"]),
        "pages in the order of the whole list"
    );
}

#[tokio::test]
async fn paging_backward_gives_the_same_organizations_in_the_same_order() {
    let app = spawn_app().await;
    let everything = slugs(
        &app.query(
            "{ organizations(first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await["organizations"]["nodes"],
    );

    let mut seen: Vec<String> = Vec::new();
    let mut before = Value::Null;
    let mut pages = 0;
    loop {
        let data = app
            .query(ORGANIZATIONS_BACKWARD, json!({ "before": before }))
            .await;
        let page = &data["organizations"];
        let mut slugs: Vec<String> = page["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["slug"].as_str().unwrap_or_default().to_owned())
            .collect();
        slugs.append(&mut seen);
        seen = slugs;
        pages += 1;
        assert!(pages <= 20, "paging does not end");
        if page["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }

    assert_eq!(seen, everything);
    assert_eq!(pages, 7);
}

#[tokio::test]
async fn page_sizes_and_cursors_out_of_bounds_are_refused_not_clamped() {
    let app = spawn_app().await;
    let participation_cursor = app
        .query(r#"{ project(slug: "b-zone") { participations(first: 1) { pageInfo { endCursor } } } }"#, Value::Null)
        .await["project"]["participations"]["pageInfo"]["endCursor"]
        .clone();

    let refused = [
        ("{ organizations(first: 101) { totalCount } }", Value::Null),
        ("{ organizations(last: 101) { totalCount } }", Value::Null),
        ("{ organizations(first: -1) { totalCount } }", Value::Null),
        (
            "{ organizations(first: 5, last: 5) { totalCount } }",
            Value::Null,
        ),
        (
            r#"{ organizations(first: 5, after: "not a cursor!") { totalCount } }"#,
            Value::Null,
        ),
        (
            r#"{ organizations(last: 5, before: "bm9wZQ") { totalCount } }"#,
            Value::Null,
        ),
        (
            "query($c: String) { organizations(first: 5, after: $c) { totalCount } }",
            json!({ "c": participation_cursor }),
        ),
        (
            r#"{ project(slug: "b-zone") { participations(first: 101) { totalCount } } }"#,
            Value::Null,
        ),
    ];

    for (query, variables) in refused {
        assert_bad_user_input(&app, query, variables).await;
    }
}

#[tokio::test]
async fn ordering_by_name_ignores_case_diacritics_and_punctuation() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ asc: organizations(first: 100, orderBy: NAME) { nodes { name } }
               desc: organizations(first: 100, orderBy: NAME_DESC) { nodes { name } }
               events(first: 100, orderBy: NAME) { nodes { name } } }",
            Value::Null,
        )
        .await;

    let names = strings(&data["asc"]["nodes"], "name");
    let mut by_key = names.clone();
    by_key.sort_by_key(|name| sort_key(name));
    assert_eq!(names, by_key);
    let mut reversed = strings(&data["desc"]["nodes"], "name");
    reversed.reverse();
    assert_eq!(reversed, names, "NAME_DESC is NAME backwards");
    // No seed organization starts with a letter such as Ł, so the decisive cases are lowercase
    // names among capitalised ones, which a byte-wise order would put after every capital.
    let position = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        position("lokalni artyści, rękodzielnicy i społecznicy"),
        position("Labib Association") + 1
    );
    assert_eq!(
        position("rețeaua Novateca"),
        position("Ray of light of Poltava region") + 1
    );
    assert_eq!(
        position("Biblioteka Śląska w Katowicach"),
        position("Biblioteka Kraków") + 1
    );
    // Events: opening quotation marks do not count, so „Ne vedem…” follows Ne vedem….
    let events = strings(&data["events"]["nodes"], "name");
    let mut by_key = events.clone();
    by_key.sort_by_key(|name| sort_key(name));
    assert_eq!(events, by_key);
    let position = |name: &str| {
        events
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        position("„Ne vedem la bibliotecă!” – etapa a 2-a"),
        position("Ne vedem la bibliotecă!") + 1
    );
    assert_eq!(
        position("«B-Zone» fundraising campaign"),
        position("All Digital Weeks") + 1
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("wyjazd studyjny do bibliotek na Śląsku i w Zagłębiu Dąbrowskim")
    );
}

#[tokio::test]
async fn a_nested_connection_pages_with_its_own_cursors() {
    let app = spawn_app().await;
    let query = r#"query($after: String) { project(slug: "maker-space-blisko-biblioteki") {
        participations(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id organization { slug } } } } } }"#;
    let everything = app
        .query(r#"{ project(slug: "maker-space-blisko-biblioteki") { participations(first: 100) { nodes { id } } } }"#, Value::Null)
        .await;

    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    let mut first_page = Vec::new();
    loop {
        let data = app.query(query, json!({ "after": after })).await;
        let connection = &data["project"]["participations"];
        assert_eq!(
            connection["totalCount"], 7,
            "the library and its six partners"
        );
        let edges = connection["edges"].as_array().cloned().unwrap_or_default();
        if pages == 0 {
            first_page = edges.clone();
        }
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned()),
        );
        pages += 1;
        assert!(pages <= 10, "paging does not end");
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    // Any edge's cursor continues right after that edge.
    let after_first = app
        .query(query, json!({ "after": first_page[0]["cursor"] }))
        .await;

    assert_eq!(pages, 4);
    assert_eq!(
        seen,
        strings(&everything["project"]["participations"]["nodes"], "id")
    );
    assert_eq!(
        after_first["project"]["participations"]["edges"][0]["node"]["id"],
        first_page[1]["node"]["id"]
    );
}

/// A page of participations loads its organizations and activities in one loader call for the
/// whole page; `nodes(ids:)` returns no page, so there each participation loads its own. Both
/// must pair every participation with the same organization and activity.
#[tokio::test]
async fn relations_loaded_for_a_whole_page_match_those_loaded_one_by_one() {
    let app = spawn_app().await;
    const PARTICIPATION: &str = "id organization { slug }
        activity { ... on Project { slug } ... on Event { slug } ... on Programme { slug } }";

    let by_page = app
        .query(
            &format!(
                "{{ libraries(first: 20) {{ nodes {{
                    participations(first: 20) {{ edges {{ node {{ {PARTICIPATION}
                        activity {{ ... on Project {{
                            participations(first: 20) {{ nodes {{ {PARTICIPATION} }} }} }} }}
                    }} }} }} }} }} }}"
            ),
            Value::Null,
        )
        .await;
    let mut pairs = BTreeMap::new();
    for library in by_page["libraries"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for edge in library["participations"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let node = &edge["node"];
            let partners = node["activity"]["participations"]["nodes"].as_array();
            for p in std::iter::once(node).chain(partners.into_iter().flatten()) {
                let pair = (
                    p["organization"]["slug"].clone(),
                    p["activity"]["slug"].clone(),
                );
                pairs.insert(p["id"].as_str().unwrap_or_default().to_owned(), pair);
            }
        }
    }
    assert!(pairs.len() >= 20, "{} participations reached", pairs.len());

    let ids: Vec<&String> = pairs.keys().collect();
    for chunk in ids.chunks(100) {
        let one_by_one = app
            .query(
                &format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Participation {{ {PARTICIPATION} }} }} }}"),
                json!({ "ids": chunk }),
            )
            .await;
        for p in one_by_one["nodes"].as_array().into_iter().flatten() {
            let id = p["id"].as_str().unwrap_or_default();
            let pair = (
                p["organization"]["slug"].clone(),
                p["activity"]["slug"].clone(),
            );
            assert!(pair.0.is_string() && pair.1.is_string(), "{id}: {pair:?}");
            assert_eq!(pairs.get(id), Some(&pair), "{id}");
        }
    }
}

#[tokio::test]
async fn nested_pages_are_cut_per_parent_not_across_parents() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ libraries(first: 100) { nodes { slug
                page: participations(first: 2) { totalCount pageInfo { hasNextPage } nodes { id } }
                all: participations(first: 100) { nodes { id } } } } }",
            Value::Null,
        )
        .await;

    let libraries = data["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(libraries.len(), 8);
    for library in &libraries {
        let all = strings(&library["all"]["nodes"], "id");
        let page = strings(&library["page"]["nodes"], "id");
        let total = library["page"]["totalCount"].as_u64().unwrap_or(0) as usize;
        assert_eq!(total, all.len(), "{}", library["slug"]);
        assert_eq!(
            page,
            all.iter().take(2).cloned().collect::<Vec<_>>(),
            "{}",
            library["slug"]
        );
        assert_eq!(
            library["page"]["pageInfo"]["hasNextPage"],
            total > 2,
            "{}",
            library["slug"]
        );
    }
    // Kraków: the project, the training twice (participant and organizer), the study visit.
    let krakow = libraries
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    assert_eq!(krakow["page"]["totalCount"], 4);
}

/// The batched statement (one per level, every parent's page in it) pages backward and from a
/// cursor exactly as one parent's own `LIMIT` does.
#[tokio::test]
async fn nested_pages_of_many_parents_go_backward_and_resume_from_a_cursor() {
    let app = spawn_app().await;
    let all = app
        .query(
            "{ libraries(first: 100) { nodes { slug
                participations(first: 100) { edges { cursor node { id } } } } } }",
            Value::Null,
        )
        .await;
    let libraries = all["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ids = |library: &Value| -> Vec<String> {
        library["participations"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let krakow = libraries
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    let cursor = krakow["participations"]["edges"][1]["cursor"].clone();
    assert!(cursor.is_string(), "{krakow:#}");

    let data = app
        .query(
            "query($at: String) { libraries(first: 100) { nodes { slug
                tail: participations(last: 2) { pageInfo { hasPreviousPage } nodes { id } }
                after: participations(first: 2, after: $at) { nodes { id } }
                before: participations(last: 1, before: $at) { nodes { id } } } } }",
            json!({ "at": cursor }),
        )
        .await;
    let paged = data["libraries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();

    assert_eq!(paged.len(), libraries.len());
    for (library, paged) in libraries.iter().zip(&paged) {
        let all = ids(library);
        let tail = strings(&paged["tail"]["nodes"], "id");
        assert_eq!(
            tail,
            all[all.len().saturating_sub(2)..],
            "{}",
            library["slug"]
        );
        assert_eq!(
            paged["tail"]["pageInfo"]["hasPreviousPage"],
            all.len() > 2,
            "{}",
            library["slug"]
        );
        // Another library's cursor is a position in the same ordering: its rows after it are
        // a run of its own list that ends the list or is a full page.
        let after = strings(&paged["after"]["nodes"], "id");
        if let Some(first) = after.first() {
            let start = all.iter().position(|a| a == first);
            assert!(
                start.is_some(),
                "{}: {first} is not its own",
                library["slug"]
            );
            let start = start.unwrap_or_default();
            assert_eq!(
                after,
                all[start..(start + 2).min(all.len())],
                "{}",
                library["slug"]
            );
        }
    }
    let krakow_paged = paged
        .iter()
        .find(|l| l["slug"] == "biblioteka-krakow")
        .cloned()
        .unwrap_or_default();
    let krakow_all = ids(&krakow);
    assert_eq!(
        strings(&krakow_paged["after"]["nodes"], "id"),
        krakow_all[2..4]
    );
    assert_eq!(
        strings(&krakow_paged["before"]["nodes"], "id"),
        krakow_all[0..1]
    );
}
