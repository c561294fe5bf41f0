//! People and their positions in organizations.

use entities::kinds::RecordKind;

use super::{At, Checker, PersonRow, PositionRow, RecordRow, Row};
use crate::document as doc;

impl Checker {
    /// A person.
    pub(super) fn person(&mut self, file: &str, src: &str, o: &doc::Person) {
        let at = At {
            file,
            record: format!("person \"{}\"", o.slug),
        };
        let row = PersonRow {
            name: self.text(&at, "name", &o.name),
            name_lang: self.lang(&at, "name_lang", &o.name_lang),
            description: self.optional_text(&at, "description", &o.description),
        };
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Person(row),
                aliases: Vec::new(),
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }

    /// A position: a person's title at an organization.
    pub(super) fn position(&mut self, file: &str, src: &str, i: usize, o: &doc::Position) {
        let at = At {
            file,
            record: format!("position #{} ({} at {})", i + 1, o.person, o.organization),
        };
        let row = PositionRow {
            person: self.reference(&at, "person", &o.person, &[RecordKind::Person]),
            organization: self.reference(
                &at,
                "organization",
                &o.organization,
                &[RecordKind::Organization],
            ),
            title: self.text(&at, "title", &o.title),
            title_lang: self.lang(&at, "title_lang", &o.title_lang),
            period: self.period(&at, &o.start, &o.end, &None),
        };
        let key = format!(
            "position:{}:{}:{}",
            o.person,
            o.organization,
            o.title.trim()
        );
        self.push_relation(&at, key, Row::Position(row), src, o);
    }
}
