//! Checks documents and turns them into a [`Dataset`]: rows ready to write, with references
//! still by key (slug or derived key) because database ids are only known while writing.
//!
//! Every problem is collected (not just the first), each naming its file, record and field, so
//! a coordinator can fix a file in one pass. References to slugs that no document in this load
//! declares are returned as [`Dataset::external`]: the writer looks them up in the database and
//! reports the ones that do not exist there either.
//!
//! # Layout
//! - here: the result ([`Dataset`], [`Problem`]), the checker's state, and `Checker::document`,
//!   which hands each record of a document to the file of its kind;
//! - `rows`: the rows a load writes (re-exported here);
//! - shared: `fields` (single values: text, languages, enumerations, dates, names), `keys`
//!   (declaring slugs and keys, references), `citation` (quotes of records and aliases);
//! - one file per record kind or group of related kinds: `source`, `place`, `organization`,
//!   `activity` (programmes, projects, events), `outcome`, `person` (and positions), `topic`
//!   (topics, target groups, classifications, audiences), `funding`, `participation`, `relation`;
//! - `finish`: what needs every document read (references, parent chains, inherited values).

mod activity;
mod citation;
mod fields;
mod finish;
mod funding;
mod keys;
mod organization;
mod outcome;
mod participation;
mod person;
mod place;
mod relation;
mod rows;
mod source;
mod topic;

use std::collections::HashMap;
use std::fmt;

use entities::kinds::RecordKind;

use crate::document::Document;

pub(crate) use funding::{currency_exponent, format_minor};
pub use rows::{
    AudienceRow, CitationRow, ClassificationRow, EventRow, ExternalRef, FundingRow, LibraryRow,
    Names, OrganizationRow, OutcomeRow, ParticipationRow, PeriodRow, PersonRow, PlaceRow,
    PositionRow, ProgrammeRow, ProjectRow, RecordRow, RelationRow, Row, SourceRow, TargetGroupRow,
    TopicRow,
};

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (or importer's document name) the record is in.
    pub file: String,
    /// Which record: `organization "gbp-chmielnik"`, `participation #3`.
    pub record: String,
    /// The field at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.record)?;
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything a load writes, checked.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub sources: Vec<SourceRow>,
    /// Records in declaration order (a parent before its children where a table refers to itself).
    pub records: Vec<RecordRow>,
    pub citations: Vec<CitationRow>,
    /// References to records that must already be in the database.
    pub external: Vec<ExternalRef>,
}

/// Whether `slug` is a valid slug: lowercase ASCII letters, digits and `-`, 1–100 characters,
/// not starting with `-`.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && !slug.starts_with('-')
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Builds the dataset from the documents (`(file name, document)`), or says everything wrong.
pub fn build(documents: &[(String, Document)]) -> Result<Dataset, Vec<Problem>> {
    let mut checker = Checker::default();
    for (file, document) in documents {
        checker.document(file, document);
    }
    checker.finish()
}

/// Where a key was declared and as what.
struct Declared {
    kind: RecordKind,
    file: String,
    index: usize,
}

/// A reference to check once every document has been read.
struct PendingRef {
    key: String,
    expected: &'static [RecordKind],
    file: String,
    record: String,
    field: &'static str,
}

/// The state of one build: the problems found so far, the dataset taking shape, and every key
/// declared, source seen and reference still to resolve.
#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    dataset: Dataset,
    declared: HashMap<String, Declared>,
    sources: HashMap<String, String>,
    refs: Vec<PendingRef>,
}

/// The context of the record being checked, for messages.
struct At<'a> {
    file: &'a str,
    record: String,
}

impl Checker {
    /// Checks one document: its source, then its records kind by kind, in the order the format
    /// lists them (so problems and records come in the same order as ever).
    fn document(&mut self, file: &str, document: &Document) {
        self.source(file, &document.source);
        let src = document.source.slug.as_str();
        for o in &document.place {
            self.place(file, src, o);
        }
        for o in &document.organization {
            self.organization(file, src, o);
        }
        for o in &document.programme {
            self.programme(file, src, o);
        }
        for o in &document.project {
            self.project(file, src, o);
        }
        for o in &document.event {
            self.event(file, src, o);
        }
        for o in &document.outcome {
            self.outcome(file, src, o);
        }
        for o in &document.person {
            self.person(file, src, o);
        }
        for o in &document.topic {
            self.topic(file, src, o);
        }
        for o in &document.target_group {
            self.target_group(file, src, o);
        }
        for (i, o) in document.funding.iter().enumerate() {
            self.funding(file, src, i, o);
        }
        for (i, o) in document.participation.iter().enumerate() {
            self.participation(file, src, i, o);
        }
        for (i, o) in document.relation.iter().enumerate() {
            self.relation(file, src, i, o);
        }
        for (i, o) in document.position.iter().enumerate() {
            self.position(file, src, i, o);
        }
        for (i, o) in document.classification.iter().enumerate() {
            self.classification(file, src, i, o);
        }
        for (i, o) in document.audience.iter().enumerate() {
            self.audience(file, src, i, o);
        }
        for (i, o) in document.citation.iter().enumerate() {
            self.extra_citation(file, src, i, o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("poltava-library-9"));
        for bad in ["", "Poltava", "a_b", "-a", "ą", &"a".repeat(101)] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
