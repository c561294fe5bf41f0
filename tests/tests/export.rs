//! `libgraph export --format seed`: the graph written back as seed files, which load into the
//! same graph and export again to the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use entities::*;
use libgraph::cli::{Cli, Command, ExportArgs};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::{Backend, TestDb};

/// `libgraph export --format seed --dir <dir> [extra]`, parsed as the command line parses it and
/// run on `db`.
async fn export(
    db: &DatabaseConnection,
    dir: &Path,
    extra: &[&str],
) -> Result<seeds::export::ExportReport, String> {
    let args = ["libgraph", "export", "--format", "seed", "--dir"]
        .into_iter()
        .map(String::from)
        .chain([dir.display().to_string()])
        .chain(extra.iter().map(|s| s.to_string()));
    let cli = Cli::try_from_args(args).expect("valid arguments");
    let Some(Command::Export(args)) = &cli.command else {
        panic!("not the export command: {:?}", cli.command);
    };
    let args: &ExportArgs = args;
    libgraph::command::export(db, args)
        .await
        .map_err(|e| format!("{e:#}"))
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                let relative = path.strip_prefix(root).expect("under root").to_owned();
                out.insert(relative, bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two exports hold the same files, byte for byte, naming the first difference.
fn assert_same_files(first: &Path, second: &Path) {
    let a = files(first);
    let b = files(second);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        if *bytes != b[path] {
            let (a, b) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&b[path]),
            );
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "{} differs at line {}:\n  first:  {:?}\n  second: {:?}",
                path.display(),
                line + 1,
                a.lines().nth(line),
                b.lines().nth(line)
            );
        }
    }
}

/// Loads `OUT/data` as `libgraph seed --dir OUT/data` does, after checking it as `seed --check`
/// does against the same (empty) database.
async fn load_export(db: &DatabaseConnection, out: &Path) {
    let documents = seeds::read_dir(&out.join("data"))
        .unwrap_or_else(|p| panic!("{}", seeds::LoadError::Invalid(p)));
    let dataset = seeds::validate::build(&documents)
        .unwrap_or_else(|p| panic!("the export validates: {}", seeds::LoadError::Invalid(p)));
    seeds::write::check(db, &dataset)
        .await
        .unwrap_or_else(|e| panic!("the export checks against the database: {e}"));
    seeds::load(db, &documents)
        .await
        .unwrap_or_else(|e| panic!("the export loads: {e}"));
}

/// Every citation, by natural keys: (record, alias, source, quote, basis, reasoning), sorted.
async fn citations(db: &DatabaseConnection) -> Vec<[String; 6]> {
    let keys: BTreeMap<i64, String> = record::Entity::find()
        .all(db)
        .await
        .expect("records")
        .into_iter()
        .map(|r| (r.record_id, r.key))
        .collect();
    let sources: BTreeMap<i64, String> = source::Entity::find()
        .all(db)
        .await
        .expect("sources")
        .into_iter()
        .map(|s| (s.source_id, s.slug))
        .collect();
    let aliases: BTreeMap<i64, String> = alias::Entity::find()
        .all(db)
        .await
        .expect("aliases")
        .into_iter()
        .map(|a| (a.alias_id, a.name))
        .collect();
    let mut rows: Vec<[String; 6]> = citation::Entity::find()
        .all(db)
        .await
        .expect("citations")
        .into_iter()
        .map(|c| {
            [
                keys[&c.record_id].clone(),
                c.alias_id.map(|a| aliases[&a].clone()).unwrap_or_default(),
                sources[&c.source_id].clone(),
                c.quote,
                c.basis.to_string(),
                c.reasoning.unwrap_or_default(),
            ]
        })
        .collect();
    rows.sort();
    rows
}

/// What a set of documents states once validated, in a form that compares: every record with its
/// aliases and identifiers by key, every citation as (record, alias, source, quote, basis,
/// reasoning), every source. Where a record is declared, and how quotes are grouped, does not
/// show; a field the export forgets does.
type Stated = (
    BTreeMap<String, String>,
    Vec<[String; 6]>,
    BTreeMap<String, String>,
);

fn stated(documents: &[(String, seeds::Document)]) -> Stated {
    let dataset = seeds::validate::build(documents)
        .unwrap_or_else(|p| panic!("{}", seeds::LoadError::Invalid(p)));
    let records = dataset
        .records
        .iter()
        .map(|r| {
            (
                r.key.clone(),
                format!("{:?} {:?} {:?}", r.row, r.aliases, r.identifiers),
            )
        })
        .collect();
    let mut citations: Vec<[String; 6]> = dataset
        .citations
        .iter()
        .map(|c| {
            [
                c.record.clone(),
                c.alias.clone().unwrap_or_default(),
                c.source.clone(),
                c.quote.clone(),
                c.basis.to_string(),
                c.reasoning.clone().unwrap_or_default(),
            ]
        })
        .collect();
    citations.sort();
    let sources = dataset
        .sources
        .iter()
        .map(|s| (s.slug.clone(), format!("{s:?}")))
        .collect();
    (records, citations, sources)
}

/// Asserts that the export in `out` states what `documents` state, record by record.
fn assert_states_the_same(out: &Path, documents: &[(String, seeds::Document)]) {
    let exported = seeds::read_dir(&out.join("data"))
        .unwrap_or_else(|p| panic!("{}", seeds::LoadError::Invalid(p)));
    let (records, citations, sources) = stated(&exported);
    let (want_records, want_citations, want_sources) = stated(documents);
    assert_eq!(
        records.keys().collect::<Vec<_>>(),
        want_records.keys().collect::<Vec<_>>(),
        "the same records"
    );
    for (key, record) in &want_records {
        assert_eq!(&records[key], record, "{key}");
    }
    assert_eq!(sources, want_sources);
    assert_eq!(citations.len(), want_citations.len(), "as many citations");
    assert_eq!(citations, want_citations);
}

async fn summary(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    libgraph::store::summary(db).await.expect("summary")
}

/// Exports `original`, which holds what `documents` state, loads the export into an empty
/// database and exports that: the export states what the documents do, the two exports are the
/// same bytes, and the two databases hold as many rows and the same citations.
async fn round_trip(
    original: &TestDb,
    documents: &[(String, seeds::Document)],
) -> (tempfile::TempDir, tempfile::TempDir) {
    let first = tempfile::tempdir().expect("temp dir");
    let second = tempfile::tempdir().expect("temp dir");
    let copy = TestDb::migrated().await;

    export(&original.db, first.path(), &[])
        .await
        .expect("first export");
    assert_states_the_same(first.path(), documents);
    load_export(&copy.db, first.path()).await;
    export(&copy.db, second.path(), &[])
        .await
        .expect("second export");

    assert_same_files(first.path(), second.path());
    assert_eq!(summary(&copy.db).await, summary(&original.db).await);
    assert_eq!(citations(&copy.db).await, citations(&original.db).await);
    (first, second)
}

#[tokio::test]
async fn the_curated_graph_exports_loads_and_exports_to_the_same_bytes() {
    let original = TestDb::seeded().await;
    let documents = seeds::curated().expect("curated parses");

    let (first, _second) = round_trip(&original, &documents).await;

    // One file per source, the five stored texts where the files say they are.
    let written = files(first.path());
    let seed_files: Vec<String> = written
        .keys()
        .filter(|p| p.starts_with("data"))
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(seed_files.len(), seeds::CURATED.len(), "{seed_files:?}");
    for (name, _) in seeds::CURATED {
        assert!(
            written.contains_key(&Path::new("data").join(name)),
            "{name}"
        );
    }
    for (path, text) in seeds::CURATED_DOCUMENTS {
        let exported = Path::new("data").join(path);
        let exported: PathBuf = exported
            .components()
            .fold(PathBuf::new(), |mut p, c| match c {
                std::path::Component::ParentDir => {
                    p.pop();
                    p
                }
                c => {
                    p.push(c);
                    p
                }
            });
        assert_eq!(
            written.get(&exported).map(|b| String::from_utf8_lossy(b)),
            Some(text.to_string().into()),
            "{}",
            exported.display()
        );
    }
}

#[tokio::test]
async fn sqlite_and_postgresql_export_the_same_files() {
    if !support::postgres_available("sqlite_and_postgresql_export_the_same_files") {
        return;
    }
    let sqlite = TestDb::seeded_on(Backend::Sqlite).await;
    let postgres = TestDb::seeded_on(Backend::Postgres).await;
    let (a, b) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );

    export(&sqlite.db, a.path(), &[])
        .await
        .expect("SQLite export");
    export(&postgres.db, b.path(), &[])
        .await
        .expect("PostgreSQL export");

    assert_same_files(a.path(), b.path());
}

#[tokio::test]
async fn a_record_lives_in_the_first_file_citing_it_and_the_others_cite_it() {
    let original = TestDb::seeded().await;
    let out = tempfile::tempdir().expect("temp dir");

    export(&original.db, out.path(), &[]).await.expect("export");

    // `poland` is declared by the Chmielnik post and cited by the Kraków study visit, whose
    // file sorts first: the export declares it there, and the Chmielnik file cites it.
    let read = |name: &str| {
        std::fs::read_to_string(out.path().join("data").join(name)).expect("exported file")
    };
    let krakow = seeds::parse(
        "krakow",
        &read("biblioteka-krakow-mediateki-study-visit.toml"),
    )
    .expect("parses");
    let chmielnik = seeds::parse(
        "chmielnik",
        &read("chmielnik-maker-space-blisko-start.toml"),
    )
    .expect("parses");
    assert!(krakow.place.iter().any(|p| p.slug == "poland"));
    assert!(!chmielnik.place.iter().any(|p| p.slug == "poland"));
    assert!(chmielnik.citation.iter().any(|c| c.record == "poland"));
    // An entity with aliases stays with the source that cites its aliases.
    assert!(
        chmielnik
            .organization
            .iter()
            .any(|o| o.slug == "ministry-of-culture-2021" && !o.aliases.is_empty())
    );
}

#[tokio::test]
async fn a_generated_graph_exports_loads_and_exports_to_the_same_bytes() {
    let original = TestDb::generated().await;
    let documents = support::generated_documents();

    let (first, _second) = round_trip(&original, &documents).await;

    let amounts =
        std::fs::read_to_string(first.path().join("data/gen-pl-library-network-report.toml"))
            .expect("the Polish file");
    assert!(
        amounts.contains("amount = "),
        "generated fundings keep their amounts"
    );
}

/// Two sources: `a` declares both organizations, `b` cites one of them again with another
/// reasoning, restates a relation and adds an alias-free record.
const A: &str = r#"
[source]
slug = "a"
title = "A"
language = "en"

[[organization]]
slug = "x-org"
kind = "ngo"
name = "X"
name_lang = "en"
aliases = [{ name = "Ex", lang = "en", quote = "X, or Ex" }]
quote = "X works"

[[organization]]
slug = "y-org"
kind = "library"
name = "Y"
name_lang = "en"
quote = ["Y lends", "Y reads"]
inferred = "Y is a library because it lends."

[[project]]
slug = "p"
name = "P"
name_lang = "en"
quote = "the P project"

[[funding]]
funder = "x-org"
to = "p"
amount = "1250.5"
currency = "PLN"
quote = "X pays for P"

[[funding]]
funder = "y-org"
to = "p"
amount = 300
currency = "JPY"
quote = "Y pays too"

[[relation]]
subject = "x-org"
kind = "partner_of"
object = "y-org"
quote = "X and Y work together"

[[citation]]
record = "x-org"
quote = "X again"
inferred = "The name is read from the heading."
"#;

const B: &str = r#"
[source]
slug = "b"
title = "B"
language = "en"

[[relation]]
subject = "x-org"
kind = "partner_of"
object = "y-org"
quote = "partners"

[[citation]]
record = "y-org"
quote = "Y, a library"
"#;

#[tokio::test]
async fn relations_are_restated_in_every_citing_file_and_each_reasoning_keeps_its_quotes() {
    let input = tempfile::tempdir().expect("temp dir");
    std::fs::write(input.path().join("a.toml"), A).expect("write");
    std::fs::write(input.path().join("b.toml"), B).expect("write");
    let original = TestDb::migrated().await;
    let documents = seeds::read_dir(input.path()).expect("parses");
    seeds::load(&original.db, &documents).await.expect("loads");

    let (first, _second) = round_trip(&original, &documents).await;

    let a = std::fs::read_to_string(first.path().join("data/a.toml")).expect("a");
    let b = std::fs::read_to_string(first.path().join("data/b.toml")).expect("b");
    let a = seeds::parse("a", &a).expect("a parses");
    let b = seeds::parse("b", &b).expect("b parses");
    // The relation is stated by both sources, each with its own quote.
    assert_eq!(a.relation.len(), 1);
    assert_eq!(b.relation.len(), 1);
    assert_eq!(b.relation[0].quote.as_slice(), ["partners"]);
    // Both organizations are declared once, in `a`; `b`'s quote of Y is a citation there.
    assert_eq!(a.organization.len(), 2);
    assert!(b.organization.is_empty());
    assert_eq!(b.citation.len(), 1);
    assert_eq!(b.citation[0].record, "y-org");
    // X's second reasoning stays a citation of its own; Y's two quotes stay together.
    let x = a
        .organization
        .iter()
        .find(|o| o.slug == "x-org")
        .expect("x");
    assert_eq!(x.quote.as_slice(), ["X works"]);
    assert_eq!(x.aliases.len(), 1);
    assert_eq!(a.citation.len(), 1);
    assert_eq!(
        a.citation[0].inferred.as_deref(),
        Some("The name is read from the heading.")
    );
    let y = a
        .organization
        .iter()
        .find(|o| o.slug == "y-org")
        .expect("y");
    assert_eq!(y.quote.as_slice(), ["Y lends", "Y reads"]);
    // Amounts come back in the currency's units: decimals as text, whole ones as integers.
    let amounts: Vec<String> = a
        .funding
        .iter()
        .map(|f| f.amount.as_ref().map(|v| v.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(amounts, ["\"1250.50\"", "300"]);
}

#[tokio::test]
async fn an_export_refuses_a_directory_that_is_not_empty_unless_forced() {
    let original = TestDb::seeded().await;
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(out.path().join("data")).expect("data dir");
    std::fs::write(out.path().join("data/old.toml"), "# an older file").expect("write");

    let refused = export(&original.db, out.path(), &[])
        .await
        .expect_err("a directory that is not empty");
    let forced = export(&original.db, out.path(), &["--force"])
        .await
        .expect("--force writes into it");

    let message = refused;
    assert!(
        message.contains("is not empty") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(forced.files, seeds::CURATED.len());
    assert_eq!(forced.strangers, [out.path().join("data/old.toml")]);
}

#[tokio::test]
async fn a_record_no_source_cites_stops_the_export_naming_it() {
    let original = TestDb::seeded().await;
    let record = record::Entity::find()
        .filter(record::Column::Key.eq("radymno"))
        .one(&original.db)
        .await
        .expect("query")
        .expect("radymno");
    citation::Entity::delete_many()
        .filter(citation::Column::RecordId.eq(record.record_id))
        .exec(&original.db)
        .await
        .expect("delete its citations");
    let out = tempfile::tempdir().expect("temp dir");

    let error = export(&original.db, out.path(), &[])
        .await
        .expect_err("an uncited record cannot be written");

    let message = error;
    assert!(
        message.contains("radymno") && message.contains("no source cites it"),
        "{message}"
    );
}
