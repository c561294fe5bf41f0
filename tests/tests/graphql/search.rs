//! Search: diacritics, word starts, types and ranking, and the inputs it refuses.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::app::spawn_app;

use super::{assert_bad_user_input, set, slugs};

const SEARCH: &str = "query($text: String!, $types: [SearchType!], $first: Int! = 20) { search(text: $text, types: $types, first: $first) {
    nodes { score record { __typename ... on Node { id } ... on Organization { slug name } ... on Place { slug name }
      ... on Project { slug name } ... on Event { slug name } ... on Programme { slug name } } } } }";

/// (type, slug) of every hit, in order.
fn hits(data: &Value) -> Vec<(String, String)> {
    data["search"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["record"]["__typename"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                h["record"]["slug"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn search_finds_balti_with_or_without_diacritics() {
    let app = spawn_app().await;

    let plain = app.query(SEARCH, json!({ "text": "balti" })).await;
    let typed = app.query(SEARCH, json!({ "text": "Bălți" })).await;
    let capitals = app.query(SEARCH, json!({ "text": "BĂLȚI" })).await;

    let found = hits(&plain);
    assert!(
        found.contains(&("Place".to_owned(), "balti".to_owned())),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "PartnerOrganization".to_owned(),
            "primaria-municipiului-balti".to_owned()
        )),
        "{found:?}"
    );
    assert_eq!(typed, plain);
    assert_eq!(capitals, plain);
}

#[tokio::test]
async fn search_finds_names_typed_without_their_diacritics() {
    let app = spawn_app().await;

    let coseriu = app.query(SEARCH, json!({ "text": "coseriu" })).await;
    let zaglebiowska = app.query(SEARCH, json!({ "text": "zaglebiowska" })).await;
    let typed = app.query(SEARCH, json!({ "text": "Zagłębiowska" })).await;

    assert_eq!(
        hits(&coseriu)[0],
        (
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )
    );
    assert_eq!(
        coseriu["search"]["nodes"][0]["record"]["name"],
        "Biblioteca Municipală „E. Coșeriu”/Centrul de Excelență Profesională Bălți"
    );
    assert_eq!(
        hits(&zaglebiowska),
        [("Library".to_owned(), "zaglebiowska-mediateka".to_owned())]
    );
    assert_eq!(
        zaglebiowska["search"]["nodes"][0]["record"]["name"],
        "Zagłębiowska Mediateka w Sosnowcu"
    );
    assert_eq!(typed, zaglebiowska);
}

#[tokio::test]
async fn search_tokens_match_the_starts_of_words() {
    let app = spawn_app().await;

    let start = app.query(SEARCH, json!({ "text": "zagleb" })).await;
    let two_starts = app.query(SEARCH, json!({ "text": "Mediat Zagł" })).await;
    let inside = app.query(SEARCH, json!({ "text": "glebiowska" })).await;
    let filtered = app
        .query(
            "query($t: String) { organizations(filter: {text: $t}) { nodes { slug } } }",
            json!({ "t": "zagleb sosnow" }),
        )
        .await;

    let mediateka = ("Library".to_owned(), "zaglebiowska-mediateka".to_owned());
    let found = hits(&start);
    assert_eq!(found[0], mediateka, "{found:?}");
    assert!(
        found.contains(&("Place".to_owned(), "zaglebie-dabrowskie".to_owned())),
        "\"zagleb\" starts Zagłębie too: {found:?}"
    );
    assert_eq!(hits(&two_starts)[0], mediateka);
    assert_eq!(hits(&inside), [], "a token inside a word is not a match");
    assert_eq!(
        slugs(&filtered["organizations"]["nodes"]),
        ["zaglebiowska-mediateka"]
    );
}

#[tokio::test]
async fn search_types_restrict_the_hits() {
    let app = spawn_app().await;

    let libraries = app
        .query(
            SEARCH,
            json!({ "text": "library", "types": ["LIBRARY"], "first": 100 }),
        )
        .await;
    let balti = app
        .query(SEARCH, json!({ "text": "balti", "types": ["LIBRARY"] }))
        .await;
    let organizations = app
        .query(
            SEARCH,
            json!({ "text": "balti", "types": ["ORGANIZATION"] }),
        )
        .await;
    let places = app
        .query(SEARCH, json!({ "text": "balti", "types": ["PLACE"] }))
        .await;

    let found = hits(&libraries);
    assert!(!found.is_empty());
    assert!(found.iter().all(|(kind, _)| kind == "Library"), "{found:?}");
    assert!(found.contains(&("Library".to_owned(), "poltava-library-9".to_owned())));
    assert_eq!(
        hits(&balti),
        [(
            "Library".to_owned(),
            "biblioteca-municipala-e-coseriu-balti".to_owned()
        )]
    );
    assert_eq!(
        hits(&organizations).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            (
                "Library".to_owned(),
                "biblioteca-municipala-e-coseriu-balti".to_owned()
            ),
            (
                "PartnerOrganization".to_owned(),
                "primaria-municipiului-balti".to_owned()
            ),
        ])
    );
    assert_eq!(hits(&places), [("Place".to_owned(), "balti".to_owned())]);
}

#[tokio::test]
async fn search_puts_the_best_match_first() {
    let app = spawn_app().await;

    let balti = app.query(SEARCH, json!({ "text": "balti" })).await;
    let mediateka = app.query(SEARCH, json!({ "text": "mediateka" })).await;
    let one = app
        .query(SEARCH, json!({ "text": "balti", "first": 1 }))
        .await;

    for data in [&balti, &mediateka] {
        let scores: Vec<i64> = data["search"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["score"].as_i64().unwrap_or(-1))
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "best first: {scores:?}"
        );
    }
    // The place named exactly "Bălți" beats names containing the word, which beat the fair whose
    // description alone mentions Bălți.
    let found = hits(&balti);
    assert_eq!(found[0], ("Place".to_owned(), "balti".to_owned()));
    let rank = |slug: &str| {
        found
            .iter()
            .position(|(_, s)| s == slug)
            .unwrap_or_else(|| panic!("{slug} not found: {found:?}"))
    };
    assert!(
        rank("biblioteca-municipala-e-coseriu-balti") < rank("iarmarocul-comunitatii-balti-2017")
    );
    assert!(
        balti["search"]["nodes"][0]["score"].as_i64()
            > balti["search"]["nodes"][rank("biblioteca-municipala-e-coseriu-balti")]["score"]
                .as_i64()
    );
    // Both Mediatekas by name, before the study visit whose description names them.
    let found = hits(&mediateka);
    assert_eq!(
        found[..2]
            .iter()
            .map(|(_, s)| s.clone())
            .collect::<BTreeSet<_>>(),
        set(&["mbp-tychy-mediateka", "zaglebiowska-mediateka"])
    );
    assert!(found.contains(&(
        "Event".to_owned(),
        "mediateki-study-visit-silesia".to_owned()
    )));
    assert_eq!(hits(&one), [("Place".to_owned(), "balti".to_owned())]);
}

#[tokio::test]
async fn search_refuses_empty_text_and_page_sizes_out_of_range() {
    let app = spawn_app().await;

    for text in ["", "   ", "„!?” -", "%"] {
        assert_bad_user_input(&app, SEARCH, json!({ "text": text })).await;
    }
    for first in [101, -5] {
        assert_bad_user_input(&app, SEARCH, json!({ "text": "balti", "first": first })).await;
    }
    let nothing = app.query(SEARCH, json!({ "text": "xyzzyqq" })).await;
    assert_eq!(nothing["search"]["nodes"], json!([]));
}
