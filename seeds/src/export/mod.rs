//! The graph written back as seed files (`libgraph export --format seed`): one [`Document`] per
//! source, in the format `FORMAT.md` describes, so that edits made through the API can be
//! reviewed as a diff and committed, and `libgraph seed --dir OUT/data` loads them again.
//!
//! # Which file a record goes to
//!
//! A seed file is one source's account: every record in it is cited from that source. So:
//!
//! - **An entity** (anything with a slug) is declared, with all its fields, aliases and
//!   identifiers, in exactly one file: its *home*, the file of the source whose slug sorts first
//!   among those that cite the entity itself *and* every one of its aliases (an alias is declared
//!   with its entity and needs a quote from the declaring file). Every other source citing it
//!   gets a `[[citation]] record = "…"` in its own file. The rule reads only what the rows say
//!   (slugs, who cites what), never database ids, so a database loaded from an export chooses the
//!   same homes; and files load in name order, so a record's declaration comes before any
//!   `[[citation]]` of it. On the curated seeds it moves three records (`poland`, `ukraine`,
//!   `librarians`) to an earlier file that also cites them.
//! - **A relation** (participation, funding, organization relation, position, classification,
//!   audience) has no slug for a `[[citation]]` to name, so the format restates it, identically, in
//!   every file whose source cites it (`FORMAT.md`, Slugs: "the same relation may be restated in
//!   several files only if all its fields agree").
//! - **Citations** of a record from one source that differ in their reasoning are separate
//!   groups: the first (in the order they were entered) is the record's own `quote`/`inferred`,
//!   each further one a `[[citation]]` (a restatement, for a relation).
//!
//! # Deterministic
//!
//! Files are named by source slug; within a file, tables come in the order of [`Document`]'s
//! fields and records by key (slug, or a relation's derived key), quotes and aliases in the order
//! they were entered, which a load of the export preserves. The same database always gives the
//! same bytes, and so does a database loaded from an export (`tests/tests/export.rs` proves both
//! on SQLite and PostgreSQL).
//!
//! # What it refuses
//!
//! Exporting what a seed file cannot state would lose it without a word, so the export stops,
//! naming the record ([`ExportError::Inexpressible`]): a record or alias no source cites, an alias
//! cited by a source other than its entity's home or with two reasonings, an alias of a kind of
//! record the format gives none (a place, a person), a stated citation with reasoning or an
//! inferred one without. The loader never writes these; edits through the API may, and then the
//! format has to grow first. Derived rows (search words, collaboration ties, year bounds, a
//! participation's target kind) are not exported: a load computes them again.
//! One thing is dropped: a `library` row of an organization whose kind is no longer `library`
//! (left by a load that changed the kind), which a seed file cannot hold and the kind disowns.
//!
//! # Memory
//!
//! One file at a time ([`Exporter::next`]): the rows one source cites, their aliases and
//! identifiers, and the keys of the records they refer to; what the export holds grows with the
//! largest source, not with the graph. Generated size M (214,496 records in 15 sources, the
//! largest file 9.7 MB) exports in 42–54 s at a peak RSS of 163–182 MB (debug build, SQLite,
//! `/usr/bin/time -v libgraph export --format seed --dir OUT`, three runs), most of it that one
//! file's records as [`Document`] values (about 50 MB) and their rows. Everything is read in one
//! transaction (repeatable read on PostgreSQL; on SQLite, the snapshot of a read transaction), so
//! a write during the export cannot tear it.

mod build;
mod files;
mod read;

use std::collections::HashMap;
use std::path::PathBuf;

use entities::source;
use sea_orm::{
    AccessMode, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IsolationLevel, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::document::Document;

pub use files::{ExportReport, write_dir};

/// Rows per `IN (…)` list, as the writer's batches: well under SQLite's 32,766 and PostgreSQL's
/// 65,535 bind parameters.
const BATCH: usize = 500;

/// One seed file of an export.
#[derive(Clone, Debug)]
pub struct SeedFile {
    /// `<source slug>.toml`.
    pub name: String,
    /// The file's content. `document.source.text` holds the stored copy's text, which goes to
    /// the path `document.source.document` names (relative to the seed file), not into the TOML.
    pub document: Document,
}

impl SeedFile {
    /// The file's text: the document as TOML, absent fields left out, and lists of quotes one
    /// to a line, so a quote added or removed is a line in a diff.
    pub fn to_toml(&self) -> Result<String, ExportError> {
        Ok(toml::to_string_pretty(&self.document)?)
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// The database holds something the seed format cannot state: exporting the rest would lose
    /// it silently.
    #[error("{record}: {reason}; the seed format cannot state it, so the export stopped")]
    Inexpressible { record: String, reason: String },
    #[error("writing TOML: {0}")]
    Toml(#[from] toml::ser::Error),
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Reads the graph one source at a time, each as the seed file that states it.
pub struct Exporter {
    txn: DatabaseTransaction,
    /// Every source, by slug: the files, in order.
    sources: Vec<source::Model>,
    /// A source's place in slug order: the home rule compares these.
    rank: HashMap<i64, usize>,
    next: usize,
}

impl Exporter {
    /// Opens the snapshot the export reads and refuses a database with uncited records or
    /// aliases, which no file could hold.
    pub async fn begin(db: &DatabaseConnection) -> Result<Exporter, ExportError> {
        // PostgreSQL's default (read committed) takes a snapshot per statement; an export is
        // hundreds of statements. SQLite does not take the settings (sea-orm warns), and its read
        // transaction is a snapshot already.
        let txn = match db.get_database_backend() {
            DbBackend::Postgres => {
                db.begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
            }
            _ => db.begin().await?,
        };
        // The gazetteer is no document a seed file could state: its citations are derived at
        // load (`crate::gazetteer`), so it gets no file, and without a rank it is never a home.
        let sources = source::Entity::find()
            .filter(source::Column::Slug.ne(crate::gazetteer::SOURCE_SLUG))
            .order_by_asc(source::Column::Slug)
            .all(&txn)
            .await?;
        read::refuse_uncited(&txn).await?;
        let rank = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.source_id, i))
            .collect();
        Ok(Exporter {
            txn,
            sources,
            rank,
            next: 0,
        })
    }

    /// How many files the export has: one per source.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The next file, in name order; `None` after the last.
    pub async fn next(&mut self) -> Result<Option<SeedFile>, ExportError> {
        let Some(source) = self.sources.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let document = read::document(&self.txn, source, &self.rank).await?;
        Ok(Some(SeedFile {
            name: format!("{}.toml", source.slug),
            document,
        }))
    }

    /// Ends the read transaction.
    pub async fn finish(self) -> Result<(), ExportError> {
        Ok(self.txn.commit().await?)
    }
}

/// Every file of an export, in memory: for tests and small graphs (a large one is better
/// written file by file, as [`write_dir`] does).
pub async fn export(db: &DatabaseConnection) -> Result<Vec<SeedFile>, ExportError> {
    let mut exporter = Exporter::begin(db).await?;
    let mut files = Vec::with_capacity(exporter.len());
    while let Some(file) = exporter.next().await? {
        files.push(file);
    }
    exporter.finish().await?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    /// Serializing leaves out absent fields and keeps every present one: each curated document,
    /// written and parsed again, is the same document.
    #[test]
    fn a_written_document_parses_back_to_itself() {
        for (name, text) in crate::CURATED {
            let document = crate::parse(name, text).expect("curated parses");
            let written = toml::to_string_pretty(&document).expect("serializes");
            let again =
                crate::parse(name, &written).unwrap_or_else(|p| panic!("{name}: {p}\n{written}"));
            assert_eq!(format!("{again:?}"), format!("{document:?}"), "{name}");
            assert!(!written.contains("[]"), "{name}: empty lists are left out");
        }
    }
}
