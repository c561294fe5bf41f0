//! The curated seed data and the loader every import goes through.
//!
//! # Layout
//! - `data/*.toml` (beside this crate): one file per source document, format in `FORMAT.md`.
//! - `documents/*.txt`: the stored copies of those documents, which every quote must stand in
//!   verbatim; a seed file names its copy by a path relative to itself
//!   (`document = "../documents/frsi-what-we-do.txt"`).
//! - [`document`]: the serde shape of one document; importers build these in code.
//! - [`validate`]: checks documents and builds a [`Dataset`], naming file, record and field of
//!   every problem.
//! - [`write`](mod@write): writes a dataset in one transaction, upserting by natural key.
//! - [`revision`]: every change is a revision, with the records it changed before and after.
//! - [`gazetteer`]: coordinates for places no document locates, matched by name at load
//!   against GeoNames data embedded from `gazetteer/` (licence and attribution there).
//! - [`ties`]: the collaboration ties the loader computes ahead (`collaboration` table).
//! - [`export`](mod@export): the way back: the database written out as seed files, one per
//!   source, that load into the same graph.
//!
//! A load is all or nothing: validation runs before anything is written, and writing happens in
//! one transaction, so a broken file leaves the database as it was.

pub mod delete;
pub mod document;
pub mod export;
pub mod gazetteer;
pub mod generate;
pub mod merge;
pub mod revision;
pub mod ties;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

use sea_orm::DatabaseConnection;

pub use document::Document;
pub use revision::Author;
pub use validate::{Dataset, Problem};
pub use write::{LoadError, LoadReport, Written};

/// The curated seed files shipped with libgraph, embedded so the binary needs no data directory.
pub const CURATED: &[(&str, &str)] = &[
    (
        "balti-iarmarocul-comunitatii-2017.toml",
        include_str!("../data/balti-iarmarocul-comunitatii-2017.toml"),
    ),
    (
        "biblioteka-krakow-mediateki-study-visit.toml",
        include_str!("../data/biblioteka-krakow-mediateki-study-visit.toml"),
    ),
    (
        "chmielnik-maker-space-blisko-start.toml",
        include_str!("../data/chmielnik-maker-space-blisko-start.toml"),
    ),
    (
        "frsi-what-we-do.toml",
        include_str!("../data/frsi-what-we-do.toml"),
    ),
    (
        "occupy-library-b-zone.toml",
        include_str!("../data/occupy-library-b-zone.toml"),
    ),
    (
        "un-sustainable-development-goals.toml",
        include_str!("../data/un-sustainable-development-goals.toml"),
    ),
];

/// The stored copies of the curated documents, keyed by the path the seed files give
/// (`document = "…"`, relative to `data/`), embedded like the seeds so the binary can serve them
/// without a data directory.
pub const CURATED_DOCUMENTS: &[(&str, &str)] = &[
    (
        "../documents/balti-iarmarocul-comunitatii-2017.txt",
        include_str!("../documents/balti-iarmarocul-comunitatii-2017.txt"),
    ),
    (
        "../documents/biblioteka-krakow-mediateki-study-visit.txt",
        include_str!("../documents/biblioteka-krakow-mediateki-study-visit.txt"),
    ),
    (
        "../documents/chmielnik-maker-space-blisko-start.txt",
        include_str!("../documents/chmielnik-maker-space-blisko-start.txt"),
    ),
    (
        "../documents/frsi-what-we-do.txt",
        include_str!("../documents/frsi-what-we-do.txt"),
    ),
    (
        "../documents/occupy-library-b-zone.txt",
        include_str!("../documents/occupy-library-b-zone.txt"),
    ),
];

/// Parses one TOML document; a syntax error or an unknown field is a [`Problem`] of that file.
pub fn parse(file: &str, text: &str) -> Result<Document, Problem> {
    toml::from_str(text).map_err(|e| Problem {
        file: file.to_owned(),
        record: match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            }
            None => "document".to_owned(),
        },
        field: None,
        message: e.message().to_owned(),
    })
}

/// Parses a set of `(file name, text)` documents, collecting every parse problem.
pub fn parse_all<'a>(
    files: impl IntoIterator<Item = (String, &'a str)>,
) -> Result<Vec<(String, Document)>, Vec<Problem>> {
    let mut documents = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in files {
        match parse(&file, text) {
            Ok(document) => documents.push((file, document)),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(documents)
    } else {
        Err(problems)
    }
}

/// The curated documents embedded in the binary, with the texts of their stored copies.
pub fn curated() -> Result<Vec<(String, Document)>, Vec<Problem>> {
    let mut documents = parse_all(
        CURATED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), *text)),
    )?;
    for (_, document) in &mut documents {
        let source = &mut document.source;
        source.text = source.document.as_deref().and_then(|path| {
            CURATED_DOCUMENTS
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| (*text).to_owned())
        });
    }
    Ok(documents)
}

/// Reads every `*.toml` file of a directory, in name order, with the stored copies of the
/// documents they name (`document`, a path relative to the directory).
pub fn read_dir(dir: &Path) -> Result<Vec<(String, Document)>, Vec<Problem>> {
    let problem = |message: String| {
        vec![Problem {
            file: dir.display().to_string(),
            record: "directory".into(),
            field: None,
            message,
        }]
    };
    let entries = std::fs::read_dir(dir).map_err(|e| problem(format!("cannot read: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| problem(format!("cannot read {name}: {e}")))?;
        texts.push((name, text));
    }
    let mut documents = parse_all(texts.iter().map(|(n, t)| (n.clone(), t.as_str())))?;
    // A stored copy is read beside its seed file; one that cannot be read is left out here and
    // reported by validation, with the other problems of the load, naming the field.
    for (_, document) in &mut documents {
        let source = &mut document.source;
        source.text = source
            .document
            .as_deref()
            .and_then(|path| std::fs::read_to_string(dir.join(path)).ok());
    }
    Ok(documents)
}

/// Validates and writes documents: the one path for seeds and imports.
pub async fn load(
    db: &DatabaseConnection,
    documents: &[(String, Document)],
) -> Result<LoadReport, LoadError> {
    Ok(load_as(db, documents, &Author::seed(), Author::SEED, None)
        .await?
        .report)
}

/// Validates and writes documents as one revision: `operation` by `author`, for `reason`. The
/// one path for seeds, imports and the API's `recordStory`.
pub async fn load_as(
    db: &DatabaseConnection,
    documents: &[(String, Document)],
    author: &Author,
    operation: &str,
    reason: Option<&str>,
) -> Result<Written, LoadError> {
    load_expecting(db, documents, author, operation, reason, &[]).await
}

/// [`load_as`], refused with [`LoadError::Stale`] (writing nothing) unless each record of
/// `expected` (`(record id, version)`) is still at that version: the optimistic concurrency of
/// an edit that read those records.
pub async fn load_expecting(
    db: &DatabaseConnection,
    documents: &[(String, Document)],
    author: &Author,
    operation: &str,
    reason: Option<&str>,
    expected: &[(i64, i64)],
) -> Result<Written, LoadError> {
    let dataset = validate::build(documents).map_err(LoadError::Invalid)?;
    let txn = revision::begin_write(db).await?;
    let written = write::write_as_in(&txn, &dataset, author, operation, reason, expected).await?;
    txn.commit().await?;
    Ok(written)
}
