//! The curated seed data and the loader every import goes through.
//!
//! # Layout
//! - `data/*.toml` (beside this crate): one file per source document, format in `FORMAT.md`.
//! - [`document`]: the serde shape of one document; importers build these in code.
//! - [`validate`]: checks documents and builds a [`Dataset`], naming file, record and field of
//!   every problem.
//! - [`write`]: writes a dataset in one transaction, upserting by natural key.
//! - [`ties`]: the collaboration ties the loader computes ahead (`collaboration` table).
//!
//! A load is all or nothing: validation runs before anything is written, and writing happens in
//! one transaction, so a broken file leaves the database as it was.

pub mod document;
pub mod generate;
pub mod ties;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

use sea_orm::DatabaseConnection;

pub use document::Document;
pub use validate::{Dataset, Problem};
pub use write::{LoadError, LoadReport};

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

/// The curated documents embedded in the binary.
pub fn curated() -> Result<Vec<(String, Document)>, Vec<Problem>> {
    parse_all(
        CURATED
            .iter()
            .map(|(name, text)| ((*name).to_owned(), *text)),
    )
}

/// Reads every `*.toml` file of a directory, in name order.
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
    parse_all(texts.iter().map(|(n, t)| (n.clone(), t.as_str())))
}

/// Validates and writes documents: the one path for seeds and imports.
pub async fn load(
    db: &DatabaseConnection,
    documents: &[(String, Document)],
) -> Result<LoadReport, LoadError> {
    let dataset = validate::build(documents).map_err(LoadError::Invalid)?;
    write::write(db, &dataset).await
}
