//! The byte-identical answers check: a fixed, broad set of requests whose answers must not change
//! while the code under them is rebuilt (issue 24 renovates the API crate into layers and promises
//! "answers byte-identical before and after, SQL statements per request unchanged").
//!
//! Two datasets, one fresh server each, the requests sent one after another in a fixed order (the
//! statement counts depend on it: a collaboration network is computed once, then served from the
//! instance's cache):
//! - **the curated seeds** ([`CURATED`]): the whole body of every answer is kept in
//!   `tests/golden/curated/<case>.json`, so a mismatch shows where the bytes part;
//! - **generated size S** ([`SIZE_S`], `seeds::generate` with seed 1 plus the curated seeds, what
//!   `libgraph generate --size S` writes): its answers come to 2.4 MB, too much to keep in the
//!   repository, so only their SHA-256 is kept.
//!
//! Each dataset's manifest, `tests/golden/<dataset>.tsv`, holds one line per case: the HTTP status,
//! the SQL statements the server ran for it, the body's length and SHA-256, and a digest of the
//! request as written here (so a mismatch tells a changed question from a changed answer). The
//! test compares the raw response bytes, not parsed JSON: key order, number formatting and escapes
//! are part of the answer. It checks every case and then lists each one that differs, with a short
//! diff and the path of the whole new answer under the target directory.
//!
//! SQLite and PostgreSQL give byte-identical answers for every case here (compared over 20 runs
//! on SQLite and 12 on PostgreSQL when this check was written), so one set of golden files serves
//! both stores; `LIBGRAPH_TEST_BACKEND=postgres` runs the same comparison. Statement counts are
//! exact, except for the few cases marked racy ([`Case::racy`]), whose count depends on timing in
//! the code as it is: those record the range they were seen in and must stay below its top.
//!
//! # Blessing
//! When an answer is meant to change (a new field asked for, a fixed bug), rewrite the golden files
//! from the code as it is and commit them with the change that explains them:
//!
//! ```sh
//! LIBGRAPH_BLESS=1 cargo test -p libgraph-tests --test main answers::
//! ```
//!
//! Blessing still fails a case whose answer has errors where it should have none (or none where
//! it should), so a typo in a query is never recorded as its answer.
//!
//! # Layout
//! - here: the two checks, the datasets and what the benchmark's queries ask about in each;
//! - [`case`]: one request, how it is sent and what its answer must carry;
//! - [`types`], [`lists`], [`collaboration`], [`refusals`]: the requests, in groups;
//! - [`golden`]: sending, comparing with the golden files, blessing.

mod case;
mod collaboration;
mod golden;
mod lists;
mod refusals;
mod types;

use support::TestDb;
use support::app::spawn_app_on;

/// The benchmark's query mix (`bench/src/queries.rs`), compiled in here so the check asks exactly
/// what the benchmark measures. Included by path: the benchmark crate depends on this one's
/// support library, so this crate cannot depend on it.
#[allow(dead_code)]
#[path = "../../../bench/src/queries.rs"]
mod bench_queries;

use bench_queries::Subjects;
use case::Case;
use golden::check;

/// The curated seeds, as every other test loads them.
#[tokio::test]
async fn curated_seeds_answer_as_recorded() {
    let app = spawn_app_on(TestDb::seeded().await, Default::default()).await;
    check(&app, &CURATED, cases(&curated_subjects())).await;
}

/// Generated size S, the data of the benchmark's smoke run.
#[tokio::test]
async fn generated_size_s_answers_as_recorded() {
    let app = spawn_app_on(TestDb::generated().await, Default::default()).await;
    check(&app, &SIZE_S, cases(&size_s_subjects())).await;
}

/// Where a dataset's answers are recorded.
pub struct Dataset {
    pub name: &'static str,
    /// Whether whole bodies are kept beside the manifest, or only their digests.
    pub bodies: bool,
}

const CURATED: Dataset = Dataset {
    name: "curated",
    bodies: true,
};

const SIZE_S: Dataset = Dataset {
    name: "size-s",
    bodies: false,
};

/// What the benchmark's queries ask about in the curated seeds: a library with a funded project
/// and outcomes (GBP Chmielnik), the commune it works with most, the two libraries of the study
/// visit. IDs are written out (`base64url("Organization:75")`): they are part of the answers too.
fn curated_subjects() -> Subjects {
    Subjects {
        library_slug: "gbp-chmielnik".into(),
        node_id: "T3JnYW5pemF0aW9uOjc1".into(),
        search_text: "chmielnik".into(),
        hub_id: "T3JnYW5pemF0aW9uOjc3".into(),
        hub_slug: "urzad-gminy-chmielnik".into(),
        country: "PL".into(),
        // biblioteka-krakow to zaglebiowska-mediateka
        path_from: "T3JnYW5pemF0aW9uOjQ2".into(),
        path_to: "T3JnYW5pemF0aW9uOjUw".into(),
        node_pk: 75,
    }
}

/// What the benchmark's queries ask about in generated size S, as the benchmark's own `subjects`
/// picks them (its SQL run once on this data): the fourth library by participations in funded
/// projects, the busiest hub, a Lithuanian library with two to four participations.
fn size_s_subjects() -> Subjects {
    Subjects {
        library_slug: "gen-cz-national-library-of-czechia-703".into(),
        node_id: "T3JnYW5pemF0aW9uOjczMDY".into(),
        search_text: "cesko".into(),
        hub_id: "T3JnYW5pemF0aW9uOjI3OQ".into(),
        hub_slug: "gen-pl-ministry-of-culture-of-poland-8".into(),
        country: "MD".into(),
        path_from: "T3JnYW5pemF0aW9uOjczMDY".into(),
        // gen-lt-kedenai-public-library-831
        path_to: "T3JnYW5pemF0aW9uOjgxODk".into(),
        node_pk: 7306,
    }
}

/// Every request of the check, in the order sent.
fn cases(s: &Subjects) -> Vec<Case> {
    [
        bench(s),
        types::walks(),
        types::records(),
        lists::pages(),
        lists::filters(),
        lists::search(),
        collaboration::collaboration(s),
        types::ids(),
        refusals::errors(),
        refusals::http(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The benchmark's queries, at their page size and doubled (the doubled heavy query costs more
/// than the default budget: its answer is that error).
fn bench(s: &Subjects) -> Vec<Case> {
    let mut cases = Vec::new();
    for query in bench_queries::libgraph(s) {
        let racy = query.key == "medium";
        let case = Case::body(&format!("bench-{}", query.key), query.body);
        cases.push(if racy { case.racy() } else { case });
        if let Some(doubled) = query.doubled {
            let case = Case::body(&format!("bench-{}-doubled", query.key), doubled);
            cases.push(match query.key {
                "heavy" => case.fails(),
                "medium" => case.racy(),
                _ => case,
            });
        }
    }
    cases
}
