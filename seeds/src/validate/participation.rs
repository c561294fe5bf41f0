//! Participations: an organization's role in a project, programme or event.

use entities::kinds::{RecordKind, Role};

use super::keys::ACTIVITIES;
use super::{At, Checker, ParticipationRow, Row};
use crate::document as doc;

impl Checker {
    /// A participation.
    pub(super) fn participation(
        &mut self,
        file: &str,
        src: &str,
        i: usize,
        o: &doc::Participation,
    ) {
        let at = At {
            file,
            record: format!(
                "participation #{} ({} as {} in {})",
                i + 1,
                o.organization,
                o.role,
                o.target
            ),
        };
        let role = self.enumerated(&at, "role", &o.role, Role::parse, Role::expected);
        let row = ParticipationRow {
            organization: self.reference(
                &at,
                "organization",
                &o.organization,
                &[RecordKind::Organization],
            ),
            target: self.reference(&at, "in", &o.target, ACTIVITIES),
            role: role.unwrap_or(Role::Partner),
            description: self.optional_text(&at, "description", &o.description),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let key = format!("participation:{}:{}:{}", o.organization, o.role, o.target);
        self.push_relation(&at, key, Row::Participation(row), src, o);
    }
}
