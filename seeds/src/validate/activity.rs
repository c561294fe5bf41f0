//! Activities: programmes (which nest), projects and events (which have parts).

use entities::kinds::{EventKind, ProgrammeKind, RecordKind};

use super::{At, Checker, EventRow, ProgrammeRow, ProjectRow, RecordRow, Row};
use crate::document as doc;

impl Checker {
    /// A programme.
    pub(super) fn programme(&mut self, file: &str, src: &str, o: &doc::Programme) {
        let at = At {
            file,
            record: format!("programme \"{}\"", o.slug),
        };
        let kind = self.enumerated(
            &at,
            "kind",
            &o.kind,
            ProgrammeKind::parse,
            ProgrammeKind::expected,
        );
        let row = ProgrammeRow {
            kind: kind.unwrap_or(ProgrammeKind::Programme),
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            code: self.optional_text(&at, "code", &o.code),
            description: self.optional_text(&at, "description", &o.description),
            parent: self.optional_reference(&at, "parent", &o.parent, &[RecordKind::Programme]),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let aliases = self.aliases(&at, &o.slug, src, &o.aliases);
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Programme(row),
                aliases,
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }

    /// A project.
    pub(super) fn project(&mut self, file: &str, src: &str, o: &doc::Project) {
        let at = At {
            file,
            record: format!("project \"{}\"", o.slug),
        };
        let row = ProjectRow {
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            description: self.optional_text(&at, "description", &o.description),
            why: self.optional_text(&at, "why", &o.why),
            what: self.optional_text(&at, "what", &o.what),
            programme: self.optional_reference(
                &at,
                "programme",
                &o.programme,
                &[RecordKind::Programme],
            ),
            place: self.optional_reference(&at, "place", &o.place, &[RecordKind::Place]),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let aliases = self.aliases(&at, &o.slug, src, &o.aliases);
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Project(row),
                aliases,
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }

    /// An event.
    pub(super) fn event(&mut self, file: &str, src: &str, o: &doc::Event) {
        let at = At {
            file,
            record: format!("event \"{}\"", o.slug),
        };
        let kind = self.enumerated(&at, "kind", &o.kind, EventKind::parse, EventKind::expected);
        let row = EventRow {
            kind: kind.unwrap_or(EventKind::Meeting),
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            description: self.optional_text(&at, "description", &o.description),
            recurrence: self.optional_text(&at, "recurrence", &o.recurrence),
            place: self.optional_reference(&at, "place", &o.place, &[RecordKind::Place]),
            project: self.optional_reference(&at, "project", &o.project, &[RecordKind::Project]),
            programme: self.optional_reference(
                &at,
                "programme",
                &o.programme,
                &[RecordKind::Programme],
            ),
            part_of: self.optional_reference(&at, "part_of", &o.part_of, &[RecordKind::Event]),
            period: self.period(&at, &o.start, &o.end, &o.date_note),
        };
        let aliases = self.aliases(&at, &o.slug, src, &o.aliases);
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Event(row),
                aliases,
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }
}
