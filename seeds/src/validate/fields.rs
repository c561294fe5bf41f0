//! Checks of single field values shared by every record kind: text, language tags, enumerations,
//! dates and periods, names; and how a problem is recorded.

use entities::date::{PartialDate, year_span};

use super::{At, Checker, Names, PeriodRow, Problem};

impl Checker {
    pub(super) fn problem(&mut self, at: &At, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: at.file.to_owned(),
            record: at.record.clone(),
            field: field.map(str::to_owned),
            message: message.into(),
        });
    }

    pub(super) fn text(&mut self, at: &At, field: &str, value: &str) -> String {
        if value.trim().is_empty() {
            self.problem(at, Some(field), "must not be empty");
        }
        value.trim().to_owned()
    }

    pub(super) fn optional_text(
        &mut self,
        at: &At,
        field: &str,
        value: &Option<String>,
    ) -> Option<String> {
        match value {
            Some(v) if v.trim().is_empty() => {
                self.problem(
                    at,
                    Some(field),
                    "must not be empty when given (leave the field out instead)",
                );
                None
            }
            Some(v) => Some(v.trim().to_owned()),
            None => None,
        }
    }

    pub(super) fn lang(&mut self, at: &At, field: &str, value: &str) -> String {
        let ok = !value.is_empty()
            && value.split('-').all(|part| {
                (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            && value.split('-').next().is_some_and(|p| {
                (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase())
            });
        if !ok {
            self.problem(at, Some(field), format!("\"{value}\" is not a BCP 47 language tag such as \"pl\", \"ro\", \"uk\" or \"en\""));
        }
        value.to_owned()
    }

    pub(super) fn enumerated<T: Copy>(
        &mut self,
        at: &At,
        field: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.problem(
                at,
                Some(field),
                format!("unknown value \"{value}\"; expected one of {}", expected()),
            );
        }
        parsed
    }

    pub(super) fn date(
        &mut self,
        at: &At,
        field: &str,
        value: &Option<String>,
    ) -> Option<PartialDate> {
        let text = value.as_deref()?;
        match PartialDate::parse(text) {
            Ok(date) => Some(date),
            Err(e) => {
                self.problem(at, Some(field), e.to_string());
                None
            }
        }
    }

    pub(super) fn period(
        &mut self,
        at: &At,
        start: &Option<String>,
        end: &Option<String>,
        note: &Option<String>,
    ) -> PeriodRow {
        let s = self.date(at, "start", start);
        let e = self.date(at, "end", end);
        if let (Some(s), Some(e)) = (&s, &e)
            && s.earliest() > e.latest()
        {
            self.problem(
                at,
                Some("end"),
                format!("ends ({e}) before it starts ({s})"),
            );
        }
        let (year_from, year_to) = year_span(s.as_ref(), e.as_ref());
        PeriodRow {
            start: s.map(|d| d.to_string()),
            end: e.map(|d| d.to_string()),
            date_note: self.optional_text(at, "date_note", note),
            year_from,
            year_to,
        }
    }

    pub(super) fn names(
        &mut self,
        at: &At,
        name: &str,
        lang: &str,
        name_en: &Option<String>,
    ) -> Names {
        Names {
            name: self.text(at, "name", name),
            name_lang: self.lang(at, "name_lang", lang),
            name_en: self.optional_text(at, "name_en", name_en),
        }
    }
}
