//! Outcomes: what an activity or organization achieved, with its figures.

use entities::kinds::ValueQualifier;

use super::keys::OUTCOME_SUBJECTS;
use super::{At, Checker, OutcomeRow, RecordRow, Row};
use crate::document as doc;

impl Checker {
    /// An outcome.
    pub(super) fn outcome(&mut self, file: &str, src: &str, o: &doc::Outcome) {
        let at = At {
            file,
            record: format!("outcome \"{}\"", o.slug),
        };
        let value_qualifier = o.value_qualifier.as_deref().and_then(|q| {
            self.enumerated(
                &at,
                "value_qualifier",
                q,
                ValueQualifier::parse,
                ValueQualifier::expected,
            )
        });
        if value_qualifier.is_some() && o.value.is_none() {
            self.problem(
                &at,
                Some("value_qualifier"),
                "qualifies a value, but there is no `value`",
            );
        }
        for (field, value) in [
            ("value", o.value),
            ("baseline", o.baseline),
            ("target", o.target),
        ] {
            if value.is_some_and(|v| !v.is_finite()) {
                self.problem(&at, Some(field), "must be a finite number");
            }
        }
        let row = OutcomeRow {
            subject: self.reference(&at, "of", &o.of, OUTCOME_SUBJECTS),
            description: self.text(&at, "description", &o.description),
            description_lang: self.lang(&at, "description_lang", &o.description_lang),
            description_en: self.optional_text(&at, "description_en", &o.description_en),
            indicator: self.optional_text(&at, "indicator", &o.indicator),
            value: o.value,
            value_qualifier,
            unit: self.optional_text(&at, "unit", &o.unit),
            baseline: o.baseline,
            target: o.target,
            period: self.period(&at, &o.start, &o.end, &None),
        };
        self.push_entity(
            &at,
            RecordRow {
                key: o.slug.clone(),
                row: Row::Outcome(row),
                aliases: Vec::new(),
                identifiers: Vec::new(),
            },
            src,
            o,
        );
    }
}
