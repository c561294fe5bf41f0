//! Relations between organizations (member of, successor of, renamed from…).

use entities::kinds::{OrganizationRelationKind, RecordKind};

use super::{At, Checker, RelationRow, Row};
use crate::document as doc;

impl Checker {
    /// A relation between two organizations.
    pub(super) fn relation(&mut self, file: &str, src: &str, i: usize, o: &doc::Relation) {
        let at = At {
            file,
            record: format!(
                "relation #{} ({} {} {})",
                i + 1,
                o.subject,
                o.kind,
                o.object
            ),
        };
        let kind = self.enumerated(
            &at,
            "kind",
            &o.kind,
            OrganizationRelationKind::parse,
            OrganizationRelationKind::expected,
        );
        if o.subject == o.object {
            self.problem(
                &at,
                Some("object"),
                "an organization cannot be related to itself",
            );
        }
        let row = RelationRow {
            subject: self.reference(&at, "subject", &o.subject, &[RecordKind::Organization]),
            kind: kind.unwrap_or(OrganizationRelationKind::PartnerOf),
            object: self.reference(&at, "object", &o.object, &[RecordKind::Organization]),
            description: self.optional_text(&at, "description", &o.description),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let key = format!("relation:{}:{}:{}", o.subject, o.kind, o.object);
        self.push_relation(&at, key, Row::Relation(row), src, o);
    }
}
