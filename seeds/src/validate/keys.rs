//! Records by key: declaring an entity's slug or a relation's derived key (once, or a relation
//! restated identically), and references to other records, checked once every document is read
//! (`finish`).

use entities::kinds::RecordKind;

use super::{At, Checker, Declared, PendingRef, RecordRow, Row, is_slug};
use crate::document::Cited;

/// What a participation or funding may be in or for.
pub(super) const ACTIVITIES: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
];
/// What an outcome may be the outcome of.
/// What a funding's `to` may name: an activity, or an organization funded directly.
pub(super) const FUNDING_RECIPIENTS: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
    RecordKind::Organization,
];
pub(super) const OUTCOME_SUBJECTS: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
    RecordKind::Organization,
];
/// What may be classified, serve a target group or be cited by a `[[citation]]`.
pub(super) const ENTITIES: &[RecordKind] = &[
    RecordKind::Organization,
    RecordKind::Place,
    RecordKind::Programme,
    RecordKind::Project,
    RecordKind::Event,
    RecordKind::Outcome,
    RecordKind::Person,
    RecordKind::Topic,
    RecordKind::TargetGroup,
];

impl Checker {
    pub(super) fn reference(
        &mut self,
        at: &At,
        field: &'static str,
        key: &str,
        expected: &'static [RecordKind],
    ) -> String {
        if key.trim().is_empty() {
            self.problem(at, Some(field), "must name a record by its slug");
        }
        self.refs.push(PendingRef {
            key: key.to_owned(),
            expected,
            file: at.file.to_owned(),
            record: at.record.clone(),
            field,
        });
        key.to_owned()
    }

    pub(super) fn optional_reference(
        &mut self,
        at: &At,
        field: &'static str,
        key: &Option<String>,
        expected: &'static [RecordKind],
    ) -> Option<String> {
        key.as_deref()
            .map(|k| self.reference(at, field, k, expected))
    }

    /// Declares an entity by slug; false (with a problem) if the slug is bad or taken.
    pub(super) fn declare(&mut self, at: &At, slug: &str, kind: RecordKind) -> bool {
        if !is_slug(slug) {
            self.problem(at, Some("slug"), format!(
                "\"{slug}\" is not a slug: use lowercase ASCII letters, digits and '-', at most 100 characters"
            ));
            return false;
        }
        if let Some(first) = self.declared.get(slug) {
            let message = format!(
                "duplicate slug \"{slug}\": already declared as {} in {}",
                first.kind, first.file
            );
            self.problem(at, Some("slug"), message);
            return false;
        }
        self.declared.insert(
            slug.to_owned(),
            Declared {
                kind,
                file: at.file.to_owned(),
                index: self.dataset.records.len(),
            },
        );
        true
    }

    pub(super) fn push_entity(
        &mut self,
        at: &At,
        record: RecordRow,
        source: &str,
        cited: &dyn Cited,
    ) {
        let key = record.key.clone();
        if self.declare(at, &key, record.row.kind()) {
            self.dataset.records.push(record);
        }
        self.citations(at, &key, source, cited);
    }

    /// Adds a relation under its derived key; a restatement must agree with the first statement.
    pub(super) fn push_relation(
        &mut self,
        at: &At,
        key: String,
        row: Row,
        source: &str,
        cited: &dyn Cited,
    ) {
        match self.declared.get(&key) {
            Some(first) => {
                let same = self
                    .dataset
                    .records
                    .get(first.index)
                    .is_some_and(|r| r.row == row);
                if !same {
                    let message = format!(
                        "this relation is also declared in {} with different fields; state it once, or identically",
                        first.file
                    );
                    self.problem(at, None, message);
                }
            }
            None => {
                self.declared.insert(
                    key.clone(),
                    Declared {
                        kind: row.kind(),
                        file: at.file.to_owned(),
                        index: self.dataset.records.len(),
                    },
                );
                self.dataset.records.push(RecordRow {
                    key: key.clone(),
                    row,
                    aliases: Vec::new(),
                    identifiers: Vec::new(),
                });
            }
        }
        self.citations(at, &key, source, cited);
    }
}
