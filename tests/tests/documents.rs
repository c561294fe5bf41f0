//! The evidence behind the citations: each source's stored text, served through GraphQL
//! (`Source.text`) and as plain text (`/sources/{slug}.txt`); the citations of aliases; the
//! dates a coordinator filters by.

use serde_json::{Value, json};
use support::app::spawn_app;

/// The shipped copy of a curated document.
fn shipped(slug: &str) -> String {
    let path = support::seed_documents_dir().join(format!("{slug}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn a_source_gives_its_stored_text_and_every_quote_stands_in_it() {
    let app = spawn_app().await;

    let data = app
        .query(
            "{ sources(first: 10) { nodes { slug document text citations(first: 100) { nodes { quote } } } } }",
            Value::Null,
        )
        .await;

    let sources = data["sources"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let with_text: Vec<&Value> = sources.iter().filter(|s| !s["text"].is_null()).collect();
    assert_eq!(with_text.len(), 5, "the five documents have their text");
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for source in with_text {
        let slug = source["slug"].as_str().unwrap_or_default();
        let text = source["text"].as_str().unwrap_or_default();
        assert_eq!(
            text,
            shipped(slug),
            "{slug}: the text is the shipped copy, verbatim"
        );
        assert_eq!(source["document"], format!("../documents/{slug}.txt"));
        for citation in source["citations"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let quote = citation["quote"].as_str().unwrap_or_default();
            assert!(squash(text).contains(&squash(quote)), "{slug}: {quote}");
        }
    }
    let un = sources
        .iter()
        .find(|s| s["slug"] == "un-sustainable-development-goals")
        .expect("the UN source");
    assert!(un["text"].is_null() && un["document"].is_null(), "{un}");
}

#[tokio::test]
async fn a_sources_text_is_served_as_plain_text_and_an_unknown_one_is_a_clear_404() {
    let app = spawn_app().await;
    let get = |path: &str| app.client.get(app.url(path)).send();

    let found = get("/sources/frsi-what-we-do.txt").await.expect("request");
    assert_eq!(found.status(), 200);
    assert_eq!(found.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        found.text().await.expect("body"),
        shipped("frsi-what-we-do")
    );

    for (path, says) in [
        (
            "/sources/no-such-source.txt",
            "no source with slug \"no-such-source\"",
        ),
        (
            "/sources/un-sustainable-development-goals.txt",
            "has no stored copy",
        ),
        ("/sources/frsi-what-we-do", "/sources/<slug>.txt"),
    ] {
        let missing = get(path).await.expect("request");
        assert_eq!(missing.status(), 404, "{path}");
        assert_eq!(
            missing.headers()["content-type"],
            "text/plain; charset=utf-8",
            "{path}"
        );
        let body = missing.text().await.expect("body");
        assert!(body.contains(says), "{path}: {body}");
    }
}

#[tokio::test]
async fn an_alias_has_citations_like_any_fact_loaded_in_batches() {
    let app = spawn_app().await;
    let query = "query($n: Int!) { organizations(first: $n) { nodes { slug
        citations(first: 20) { nodes { quote } }
        aliases { name citations(first: 5) { nodes { quote basis reasoning alias { name } source { slug } } } }
    } } }";

    let (one, with_one) = app.statements_for(query, json!({ "n": 1 })).await;
    let (all, with_all) = app.statements_for(query, json!({ "n": 100 })).await;

    assert_eq!(
        one["organizations"]["nodes"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        with_one, with_all,
        "the aliases' citations are loaded in one batch, whatever the number of organizations"
    );
    let organizations = all["organizations"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let aliases_of = |slug: &str| {
        organizations
            .iter()
            .find(|o| o["slug"] == slug)
            .map(|o| o["aliases"].clone())
            .unwrap_or_else(|| panic!("{slug} is missing"))
    };
    // "FRSI" is on no page: inferred, with the reasoning.
    let frsi = &aliases_of("frsi")[0];
    assert_eq!(frsi["name"], "FRSI");
    let cited = &frsi["citations"]["nodes"][0];
    assert_eq!(cited["basis"], "INFERRED");
    assert_eq!(cited["alias"]["name"], "FRSI");
    assert_eq!(cited["source"]["slug"], "frsi-what-we-do");
    assert!(
        cited["reasoning"]
            .as_str()
            .is_some_and(|r| r.contains("acronym"))
    );
    // "Budzik Kultury" is on the page: stated, with its quote.
    let budzik = &aliases_of("nieformalna-grupa-budzik-kultury")[0];
    let cited = &budzik["citations"]["nodes"][0];
    assert_eq!(cited["basis"], "STATED");
    assert_eq!(cited["quote"], "Nieformalnej Grupy Budzik Kultury");
    assert!(cited["reasoning"].is_null());
    // The organization's own citations are its own: its alias's quote is not among them.
    let abrm = organizations
        .iter()
        .find(|o| o["slug"] == "asociatia-bibliotecarilor-din-republica-moldova")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        abrm["aliases"][0]["citations"]["nodes"][0]["quote"],
        "Asociația Bibliotecarilor din Republica Moldova"
    );
    let own: Vec<&Value> = abrm["citations"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    assert!(!own.is_empty());
    assert!(
        own.iter()
            .all(|c| c["quote"] != "Asociația Bibliotecarilor din Republica Moldova"),
        "{abrm}"
    );
}

#[tokio::test]
async fn active_in_finds_the_dates_the_documents_give_in_structured_fields() {
    let app = spawn_app().await;
    let slugs = |data: &Value, list: &str| -> Vec<String> {
        data[list]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["slug"].as_str().map(str::to_owned))
            .collect()
    };

    let in_2021 = app
        .query(
            "{ events(filter: { activeIn: { from: 2021, to: 2021 } }, first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await;
    let in_2023 = app
        .query(
            "{ projects(filter: { activeIn: { from: 2023, to: 2023 } }, first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await;
    let in_2024 = app
        .query(
            "{ projects(filter: { activeIn: { from: 2024, to: 2024 } }, first: 100) { nodes { slug } } }",
            Value::Null,
        )
        .await;

    // The recordings of the Sharing Café were posted on 20 January 2021.
    assert!(
        slugs(&in_2021, "events").contains(&"welcome-to-moldova-sharing-cafe".to_owned()),
        "{in_2021}"
    );
    // BLISKO is a two-year project that started in autumn 2021.
    assert!(
        slugs(&in_2023, "projects").contains(&"maker-space-blisko-biblioteki".to_owned()),
        "{in_2023}"
    );
    assert!(
        !slugs(&in_2024, "projects").contains(&"maker-space-blisko-biblioteki".to_owned()),
        "{in_2024}"
    );
}

/// Readings the documents do not state are cited as inferred, with the reasoning naming the field:
/// the page only shows «B-Zone» published on the Innovators HUB's site, and the Chmielnik post
/// lists its partners without saying where they are.
#[tokio::test]
async fn readings_the_documents_do_not_state_are_cited_as_inferred() {
    let app = spawn_app().await;
    const CITED: &str = "query($slug: String!) { project(slug: $slug) { programme { slug }
        citations(first: 50) { nodes { basis reasoning } } } }";
    const PLACED: &str = "query($slug: String!) { organization(slug: $slug) { place { slug }
        citations(first: 50) { nodes { basis reasoning } } } }";
    let inferred_about = |node: &Value, path: &str, field: &str| {
        node[path]["citations"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| {
                c["basis"] == "INFERRED"
                    && c["reasoning"]
                        .as_str()
                        .is_some_and(|r| r.contains(&format!("(`{field}`)")))
            })
    };

    let b_zone = app.query(CITED, json!({ "slug": "b-zone" })).await;
    assert_eq!(
        b_zone["project"]["programme"]["slug"],
        "occupy-library-innovators-hub"
    );
    assert!(
        inferred_about(&b_zone, "project", "programme"),
        "{b_zone:#}"
    );
    for partner in ["kola-gospodyn-wiejskich-chmielnik", "osp-chmielnik"] {
        let data = app.query(PLACED, json!({ "slug": partner })).await;
        assert_eq!(
            data["organization"]["place"]["slug"], "chmielnik",
            "{partner}"
        );
        assert!(
            inferred_about(&data, "organization", "place"),
            "{partner}: {data:#}"
        );
    }
}
