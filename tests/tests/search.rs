//! `search` against a reference that scores every text of every record, on generated scale data:
//! whichever way the server ranks (form by form, one aggregate, a capped set of candidates), the
//! hits and scores are the ones the definition gives.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use async_graphql::ID;
use entities::{library, search_term};
use libgraph::graphql::Limits;
use libgraph::graphql::id::decode;
use libgraph::store::search::SearchLimits;
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};
use serde_json::{Value, json};
use support::TestDb;
use support::app::{TestApp, spawn_app_on};

const SEARCH: &str = "query($text: String!, $types: [SearchType!], $first: Int!) {
  search(text: $text, types: $types, first: $first) { nodes { score record { ... on Node { id } } } } }";

/// Every search text, as loaded: `(record id, class, weight, folded text)`.
struct Texts {
    rows: Vec<(i64, String, i32, String)>,
}

impl Texts {
    async fn read(db: &DatabaseConnection) -> Texts {
        let libraries: HashSet<i64> = library::Entity::find()
            .select_only()
            .column(library::Column::OrganizationId)
            .into_tuple::<i64>()
            .all(db)
            .await
            .expect("libraries")
            .into_iter()
            .collect();
        let rows = search_term::Entity::find()
            .all(db)
            .await
            .expect("search terms")
            .into_iter()
            .map(|t| {
                let kind = t.kind.as_str();
                let class = if kind == "organization" && libraries.contains(&t.record_id) {
                    "library"
                } else {
                    kind
                };
                (t.record_id, class.to_owned(), t.weight, t.text)
            })
            .collect();
        Texts { rows }
    }

    /// The definition of `search`: a text matches when every token starts one of its words and
    /// scores weight × 100 plus 50 (it is the search text), 30 (it starts with it), 20 (a later
    /// word does) or 0; a record scores its best matching text; best first, then by id. A lone
    /// token of five letters or more also matches a text with a word that starts with the token
    /// less its last two letters (one for five letters; a whole long case ending) and is at most
    /// two letters longer than the token: weight × 100 plus 10 (the text's first word) or 0.
    fn search(&self, folded: &str, classes: Option<&[&str]>, first: usize) -> Vec<(i64, i64)> {
        let tokens: Vec<String> = folded.split(' ').map(|t| format!(" {t}")).collect();
        let alone = tokens.len() == 1
            && folded.len() >= 5
            && folded.bytes().all(|b| b.is_ascii_lowercase());
        // A Romanian article or Polish plural case typed in full is cut whole, leaving four
        // letters or more.
        let long = ["ului", "ilor", "elor", "lui", "lor", "ach", "ami"]
            .into_iter()
            .find(|e| folded.ends_with(e) && folded.len() - e.len() >= 4);
        let cut = long.map_or((folded.len().saturating_sub(4)).min(2), str::len);
        let stem = &folded[..folded.len() - cut];
        let mut best: BTreeMap<i64, i64> = BTreeMap::new();
        for (id, class, weight, text) in &self.rows {
            if classes.is_some_and(|c| !c.contains(&class.as_str())) {
                continue;
            }
            let padded = format!(" {text}");
            if !tokens.iter().all(|t| padded.contains(t.as_str())) {
                let inflected = text.split(' ').position(|w| {
                    alone
                        && w.starts_with(stem)
                        && !w.starts_with(folded)
                        && w.len() <= folded.len() + 2
                });
                if let Some(at) = inflected {
                    let score = i64::from(*weight) * 100 + if at == 0 { 10 } else { 0 };
                    let entry = best.entry(*id).or_insert(score);
                    *entry = (*entry).max(score);
                }
                continue;
            }
            let position = if text == folded {
                50
            } else if text.starts_with(folded) {
                30
            } else if padded.contains(&format!(" {folded}")) {
                20
            } else {
                0
            };
            let score = i64::from(*weight) * 100 + position;
            let entry = best.entry(*id).or_insert(score);
            *entry = (*entry).max(score);
        }
        let mut ranked: Vec<(i64, i64)> = best.into_iter().collect();
        ranked.sort_by_key(|&(id, score)| (std::cmp::Reverse(score), id));
        ranked.truncate(first);
        ranked
    }

    /// Texts to search for: prefixes of every length of some words, whole words, and pairs of
    /// tokens from one text and from two texts of different records.
    fn samples(&self) -> Vec<String> {
        let mut words = BTreeSet::new();
        for (_, _, _, text) in &self.rows {
            words.extend(text.split(' ').map(str::to_owned));
        }
        let words: Vec<String> = words.into_iter().collect();
        let mut samples = BTreeSet::new();
        for word in &words {
            samples.insert(word[..1].to_owned());
            samples.insert(word[..word.len().min(2)].to_owned());
        }
        for word in words.iter().step_by(23) {
            for end in 3..=word.len() {
                samples.insert(word[..end].to_owned());
            }
        }
        for (i, (_, _, _, text)) in self.rows.iter().enumerate().step_by(97) {
            let parts: Vec<&str> = text.split(' ').collect();
            if let [a, b, ..] = parts[..] {
                samples.insert(format!("{a} {b}"));
                samples.insert(format!("{b} {}", &a[..a.len().min(3)]));
            }
            let other = &self.rows[(i * 7 + 13) % self.rows.len()].3;
            let first_word = other.split(' ').next().unwrap_or_default();
            samples.insert(format!("{} {first_word}", parts[0]));
        }
        samples.into_iter().collect()
    }
}

/// `(record id, score)` of every hit.
async fn ask(app: &TestApp, text: &str, types: &Value, first: usize) -> Vec<(i64, i64)> {
    let data = app
        .query(
            SEARCH,
            json!({ "text": text, "types": types, "first": first }),
        )
        .await;
    data["search"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits for {text:?}: {data}"))
        .iter()
        .map(|hit| {
            let id = ID(hit["record"]["id"].as_str().expect("an id").to_owned());
            let (_, record_id) = decode("id", &id).expect("a record id");
            (record_id, hit["score"].as_i64().expect("a score"))
        })
        .collect()
}

/// The types asked for, with the classes they select.
fn type_sets() -> Vec<(Value, Option<Vec<&'static str>>)> {
    vec![
        (Value::Null, None),
        (json!(["LIBRARY"]), Some(vec!["library"])),
        (
            json!(["ORGANIZATION", "EVENT"]),
            Some(vec!["organization", "library", "event"]),
        ),
        (json!(["PROJECT", "PLACE"]), Some(vec!["project", "place"])),
    ]
}

#[tokio::test]
async fn search_ranks_as_scoring_every_text_would_whichever_way_it_reads() {
    let test_db = TestDb::generated().await;
    let texts = Texts::read(&test_db.db).await;
    let samples = texts.samples();
    assert!(samples.len() > 300, "{} samples", samples.len());
    let tight = Limits {
        // A handful of forms at most, so that common prefixes rank from the aggregate.
        search: SearchLimits {
            forms: 4,
            form_rows: 60,
            candidates: 1_000_000,
            ..SearchLimits::default()
        },
        ..Limits::default()
    };
    let roomy = spawn_app_on(test_db.reconnect().await, Limits::default()).await;
    let tight = spawn_app_on(test_db.reconnect().await, tight).await;
    let (mut compared, mut hits) = (0, 0);
    for (i, text) in samples.iter().enumerate() {
        let (types, classes) = &type_sets()[i % 4];
        let first = [1, 20, 100][i % 3];
        let expected = texts.search(text, classes.as_deref(), first);
        for app in [&roomy, &tight] {
            let found = ask(app, text, types, first).await;
            assert_eq!(
                found, expected,
                "{text:?} with types {types}, first {first}"
            );
        }
        compared += 1;
        hits += expected.len();
    }
    assert!(hits > 4 * compared, "{hits} hits over {compared} searches");
}

#[tokio::test]
async fn a_common_text_scores_the_candidates_its_rarest_token_ranks_best() {
    let test_db = TestDb::generated().await;
    let texts = Texts::read(&test_db.db).await;
    // Both tokens start words in far more records than 10.
    let text = "public library";
    let everything = texts.search(text, None, usize::MAX);
    assert!(everything.len() > 40, "{} matches", everything.len());
    let scores: BTreeMap<i64, i64> = everything.iter().copied().collect();

    // Candidates read form by form, then from one aggregate over the driving token's rows.
    for forms in [1024, 1] {
        let limits = Limits {
            search: SearchLimits {
                forms,
                candidates: 10,
                ..SearchLimits::default()
            },
            ..Limits::default()
        };
        let app = spawn_app_on(test_db.reconnect().await, limits).await;

        let found = ask(&app, text, &Value::Null, 100).await;

        assert!(
            !found.is_empty() && found.len() <= 10,
            "{forms} forms: {found:?}"
        );
        for (id, score) in &found {
            assert_eq!(scores.get(id), Some(score), "record {id} scores as defined");
        }
        assert!(
            found
                .windows(2)
                .all(|w| (-w[0].1, w[0].0) < (-w[1].1, w[1].0)),
            "best first, then by id: {found:?}"
        );
    }
}

const PAGE: &str = "query($text: String!, $first: Int!, $after: String) {
  search(text: $text, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { score record { ... on Node { id } } } } } }";

/// Every hit of `text`, paged `first` at a time along the cursors, and each page's `totalCount`.
async fn walk(app: &TestApp, text: &str, first: usize) -> (Vec<(i64, i64)>, BTreeSet<u64>) {
    let (mut hits, mut totals) = (Vec::new(), BTreeSet::new());
    let mut after = Value::Null;
    loop {
        let data = app
            .query(
                PAGE,
                json!({ "text": text, "first": first, "after": after }),
            )
            .await;
        let page = &data["search"];
        totals.insert(page["totalCount"].as_u64().expect("totalCount"));
        let edges = page["edges"].as_array().expect("edges");
        assert!(edges.len() <= first);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        for edge in edges {
            let id = ID(edge["node"]["record"]["id"]
                .as_str()
                .expect("an id")
                .to_owned());
            let (_, record_id) = decode("id", &id).expect("a record id");
            hits.push((record_id, edge["node"]["score"].as_i64().expect("a score")));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            assert!(page["pageInfo"]["endCursor"].is_null() || !edges.is_empty());
            break;
        }
        assert_eq!(
            page["pageInfo"]["endCursor"],
            edges[edges.len() - 1]["cursor"]
        );
        after = page["pageInfo"]["endCursor"].clone();
    }
    (hits, totals)
}

#[tokio::test]
async fn search_pages_follow_their_cursors_through_every_hit_and_count_them() {
    let test_db = TestDb::generated().await;
    let texts = Texts::read(&test_db.db).await;
    let app = spawn_app_on(test_db.reconnect().await, Limits::default()).await;
    let capped = Limits {
        search: SearchLimits {
            candidates: 30,
            ..SearchLimits::default()
        },
        ..Limits::default()
    };
    let small = spawn_app_on(test_db.reconnect().await, capped).await;

    let mut long = 0;
    for text in [
        "bib",
        "publ",
        "balti",
        "mediateka",
        "public library",
        "gen",
        "ko",
    ] {
        let expected = texts.search(text, None, usize::MAX);
        long += usize::from(expected.len() > 40);
        for first in [7, 100] {
            let (hits, totals) = walk(&app, text, first).await;
            assert_eq!(hits, expected, "{text:?} by {first}");
            assert_eq!(totals, BTreeSet::from([expected.len() as u64]), "{text:?}");
        }
        // The list ends at the scoring limit, and says so in its count.
        if !text.contains(' ') {
            let (hits, totals) = walk(&small, text, 7).await;
            let n = expected.len().min(30);
            assert_eq!(hits, expected[..n], "{text:?} capped");
            assert_eq!(totals, BTreeSet::from([n as u64]), "{text:?} capped");
        }
    }
    assert!(long >= 3, "texts with several pages of hits");

    // A cursor of another list is not one of `search`.
    let other = app
        .query(
            "{ organizations(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let (code, body) = app
        .error_code(
            PAGE,
            json!({ "text": "bib", "first": 5, "after": other["organizations"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT", "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");
}

#[tokio::test]
async fn a_word_finds_its_inflections_below_its_matches_as_typed() {
    let app = support::app::spawn_app().await;
    const FOUND: &str = "query($text: String!) { search(text: $text, first: 50) {
        totalCount nodes { score record { ... on Organization { slug } ... on Project { slug } ... on Event { slug } } } } }";
    let slugs = |data: &Value| -> Vec<(String, i64)> {
        data["search"]["nodes"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| {
                (
                    h["record"]["slug"].as_str().unwrap_or_default().to_owned(),
                    h["score"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // Polish: the project "Mediateki – interaktywne miejsca kultury" for "Mediateka", below the
    // two libraries named "Mediateka".
    let found = slugs(&app.query(FOUND, json!({ "text": "Mediateka" })).await);
    let at = |slug: &str| {
        found
            .iter()
            .position(|(s, _)| s == slug)
            .unwrap_or_else(|| panic!("{slug} not found: {found:?}"))
    };
    let project = at("mediateki-interaktywne-miejsca-kultury");
    assert!(at("zaglebiowska-mediateka") < project && at("mbp-tychy-mediateka") < project);
    assert!(
        found[at("zaglebiowska-mediateka")].1 > found[project].1,
        "{found:?}"
    );
    // And the other way round: "Mediateki" finds the Mediatekas, below the project.
    let found = slugs(&app.query(FOUND, json!({ "text": "mediateki" })).await);
    let at = |slug: &str| found.iter().position(|(s, _)| s == slug);
    assert_eq!(
        at("mediateki-interaktywne-miejsca-kultury"),
        Some(0),
        "{found:?}"
    );
    assert!(
        at("zaglebiowska-mediateka").is_some_and(|i| i > 0),
        "{found:?}"
    );
    // Several words keep starting words: "mediateki interaktywne" is the project alone.
    let found = slugs(
        &app.query(FOUND, json!({ "text": "mediateka interaktywne" }))
            .await,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn inflected_names_are_found_in_romanian_and_ukrainian_too() {
    // A Romanian and a Ukrainian name in an inflected case only, as a story would write them.
    let test = TestDb::seeded().await;
    let text = "[source]\nslug = \"test-inflections\"\ntitle = \"Inflections\"\nlanguage = \"ro\"\n\n\
        [[organization]]\nslug = \"prietenii-moldovei\"\nname = \"Asociația Prietenii Moldovei\"\n\
        name_lang = \"ro\"\nkind = \"association\"\nquote = \"Asociația Prietenii Moldovei\"\n\n\
        [[organization]]\nslug = \"druzi-poltavy\"\nname = \"Друзі Полтави\"\n\
        name_lang = \"uk\"\nkind = \"association\"\nquote = \"Друзі Полтави\"\n";
    let document = seeds::parse("test-inflections.toml", text).expect("parses");
    seeds::load(&test.db, &[("test-inflections.toml".to_owned(), document)])
        .await
        .expect("loads");
    let app = spawn_app_on(test, Limits::default()).await;
    const FOUND: &str = "query($text: String!) { search(text: $text, first: 50) {
        nodes { score record { ... on Organization { slug } } } } }";
    for (typed, slug) in [
        ("Moldova", "prietenii-moldovei"),
        ("Полтава", "druzi-poltavy"),
        // A long ending typed in full finds the name without it.
        ("Bălțiului", "primaria-municipiului-balti"),
    ] {
        let data = app.query(FOUND, json!({ "text": typed })).await;
        let found: Vec<&str> = data["search"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["record"]["slug"].as_str())
            .collect();
        assert!(found.contains(&slug), "{typed}: {found:?}");
    }
}
