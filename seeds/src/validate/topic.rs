//! Topics and target groups, and the classifications and audiences that tie records to them.

use entities::kinds::{RecordKind, TopicKind};

use super::keys::ENTITIES;
use super::{
    At, AudienceRow, Checker, ClassificationRow, RecordRow, Row, TargetGroupRow, TopicRow,
};
use crate::document as doc;

impl Checker {
    /// A topic or SDG.
    pub(super) fn topic(&mut self, file: &str, src: &str, o: &doc::Topic) {
        let at = At {
            file,
            record: format!("topic \"{}\"", o.slug),
        };
        let kind = self.enumerated(&at, "kind", &o.kind, TopicKind::parse, TopicKind::expected);
        let row = TopicRow {
            kind: kind.unwrap_or(TopicKind::Theme),
            code: self.optional_text(&at, "code", &o.code),
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            description: self.optional_text(&at, "description", &o.description),
        };
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Topic(row),
                aliases: Vec::new(),
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }

    /// A target group.
    pub(super) fn target_group(&mut self, file: &str, src: &str, o: &doc::TargetGroup) {
        let at = At {
            file,
            record: format!("target group \"{}\"", o.slug),
        };
        let row = TargetGroupRow {
            names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
            description: self.optional_text(&at, "description", &o.description),
        };
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::TargetGroup(row),
                aliases: Vec::new(),
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }

    /// A classification: a record is about a topic.
    pub(super) fn classification(
        &mut self,
        file: &str,
        src: &str,
        i: usize,
        o: &doc::Classification,
    ) {
        let at = At {
            file,
            record: format!("classification #{} ({} about {})", i + 1, o.record, o.topic),
        };
        let row = ClassificationRow {
            subject: self.reference(&at, "record", &o.record, ENTITIES),
            topic: self.reference(&at, "topic", &o.topic, &[RecordKind::Topic]),
        };
        let key = format!("classification:{}:{}", o.record, o.topic);
        self.push_relation(&at, key, Row::Classification(row), src, o);
    }

    /// An audience: a record serves a target group.
    pub(super) fn audience(&mut self, file: &str, src: &str, i: usize, o: &doc::Audience) {
        let at = At {
            file,
            record: format!(
                "audience #{} ({} serves {})",
                i + 1,
                o.record,
                o.target_group
            ),
        };
        let row = AudienceRow {
            subject: self.reference(&at, "record", &o.record, ENTITIES),
            target_group: self.reference(
                &at,
                "target_group",
                &o.target_group,
                &[RecordKind::TargetGroup],
            ),
        };
        let key = format!("audience:{}:{}", o.record, o.target_group);
        self.push_relation(&at, key, Row::Audience(row), src, o);
    }
}
