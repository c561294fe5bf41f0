//! Checks documents and turns them into a [`Dataset`]: rows ready to write, with references
//! still by key (slug or derived key) because database ids are only known while writing.
//!
//! Every problem is collected (not just the first), each naming its file, record and field, so
//! a coordinator can fix a file in one pass. References to slugs that no document in this load
//! declares are returned as [`Dataset::external`]: the writer looks them up in the database and
//! reports the ones that do not exist there either.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use entities::date::{PartialDate, year_span};
use entities::kinds::*;

use crate::document::{self as doc, Cited, Document};

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

/// A citation ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct CitationRow {
    pub record: String,
    /// The alias of `record` the citation supports (its name); `None` for the record itself.
    pub alias: Option<String>,
    pub source: String,
    pub quote: String,
    pub basis: CitationBasis,
    pub reasoning: Option<String>,
}

/// A period with its derived year bounds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodRow {
    pub start: Option<String>,
    pub end: Option<String>,
    pub date_note: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceRow {
    pub slug: String,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub language: String,
    pub published: Option<String>,
    pub document: Option<String>,
    /// The stored copy's text, served by the API (`Source.text`, `/sources/{slug}.txt`).
    pub text: Option<String>,
    pub description: Option<String>,
}

/// Names every named entity has.
#[derive(Clone, Debug, PartialEq)]
pub struct Names {
    pub name: String,
    pub name_lang: String,
    pub name_en: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrganizationRow {
    pub kind: OrganizationKind,
    pub names: Names,
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub place: Option<String>,
    pub library: Option<LibraryRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LibraryRow {
    pub library_type: Option<LibraryType>,
    pub address: Option<String>,
    pub opening_hours: Option<String>,
    pub parent: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlaceRow {
    pub kind: PlaceKind,
    pub names: Names,
    pub country_code: Option<String>,
    pub parent: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProgrammeRow {
    pub kind: ProgrammeKind,
    pub names: Names,
    pub code: Option<String>,
    pub description: Option<String>,
    pub parent: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectRow {
    pub names: Names,
    pub description: Option<String>,
    pub why: Option<String>,
    pub what: Option<String>,
    pub programme: Option<String>,
    pub place: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub kind: EventKind,
    pub names: Names,
    pub description: Option<String>,
    pub recurrence: Option<String>,
    pub place: Option<String>,
    pub project: Option<String>,
    pub programme: Option<String>,
    pub part_of: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeRow {
    pub subject: String,
    pub description: String,
    pub description_lang: String,
    pub description_en: Option<String>,
    pub indicator: Option<String>,
    pub value: Option<f64>,
    pub value_qualifier: Option<ValueQualifier>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PersonRow {
    pub name: String,
    pub name_lang: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicRow {
    pub kind: TopicKind,
    pub code: Option<String>,
    pub names: Names,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetGroupRow {
    pub names: Names,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FundingRow {
    pub funder: String,
    pub recipient: String,
    pub programme: Option<String>,
    pub intermediary: Option<String>,
    pub instrument: Option<FundingInstrument>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub description: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParticipationRow {
    pub organization: String,
    pub target: String,
    pub role: Role,
    pub description: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelationRow {
    pub subject: String,
    pub kind: OrganizationRelationKind,
    pub object: String,
    pub description: Option<String>,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PositionRow {
    pub person: String,
    pub organization: String,
    pub title: String,
    pub title_lang: String,
    pub period: PeriodRow,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationRow {
    pub subject: String,
    pub topic: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AudienceRow {
    pub subject: String,
    pub target_group: String,
}

/// The typed part of a record.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Organization(OrganizationRow),
    Place(PlaceRow),
    Programme(ProgrammeRow),
    Project(ProjectRow),
    Event(EventRow),
    Outcome(OutcomeRow),
    Person(PersonRow),
    Topic(TopicRow),
    TargetGroup(TargetGroupRow),
    Funding(FundingRow),
    Participation(ParticipationRow),
    Relation(RelationRow),
    Position(PositionRow),
    Classification(ClassificationRow),
    Audience(AudienceRow),
}

impl Row {
    pub fn kind(&self) -> RecordKind {
        match self {
            Row::Organization(_) => RecordKind::Organization,
            Row::Place(_) => RecordKind::Place,
            Row::Programme(_) => RecordKind::Programme,
            Row::Project(_) => RecordKind::Project,
            Row::Event(_) => RecordKind::Event,
            Row::Outcome(_) => RecordKind::Outcome,
            Row::Person(_) => RecordKind::Person,
            Row::Topic(_) => RecordKind::Topic,
            Row::TargetGroup(_) => RecordKind::TargetGroup,
            Row::Funding(_) => RecordKind::Funding,
            Row::Participation(_) => RecordKind::Participation,
            Row::Relation(_) => RecordKind::OrganizationRelation,
            Row::Position(_) => RecordKind::Position,
            Row::Classification(_) => RecordKind::Classification,
            Row::Audience(_) => RecordKind::Audience,
        }
    }
}

/// One record to write: its natural key, its row and its other names.
#[derive(Clone, Debug)]
pub struct RecordRow {
    pub key: String,
    pub row: Row,
    pub aliases: Vec<(String, Option<String>)>,
    pub identifiers: Vec<(IdentifierScheme, String)>,
}

/// A reference to a record that this load does not declare: the writer resolves it.
#[derive(Clone, Debug)]
pub struct ExternalRef {
    pub key: String,
    pub expected: &'static [RecordKind],
    pub file: String,
    pub record: String,
    pub field: &'static str,
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

/// How deep a parent chain may be before it is taken for a loop.
const MAX_DEPTH: usize = 32;

const ACTIVITIES: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
];
/// What a funding's `to` may name: an activity, or an organization funded directly.
const FUNDING_RECIPIENTS: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
    RecordKind::Organization,
];
const OUTCOME_SUBJECTS: &[RecordKind] = &[
    RecordKind::Project,
    RecordKind::Programme,
    RecordKind::Event,
    RecordKind::Organization,
];
const ENTITIES: &[RecordKind] = &[
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

/// ISO 4217 minor-unit exponents of the currencies amounts may be given in.
const CURRENCY_EXPONENTS: &[(&str, u32)] = &[
    ("EUR", 2),
    ("PLN", 2),
    ("RON", 2),
    ("MDL", 2),
    ("UAH", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("NOK", 2),
    ("SEK", 2),
    ("DKK", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("JPY", 0),
];

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
    fn problem(&mut self, at: &At, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: at.file.to_owned(),
            record: at.record.clone(),
            field: field.map(str::to_owned),
            message: message.into(),
        });
    }

    fn text(&mut self, at: &At, field: &str, value: &str) -> String {
        if value.trim().is_empty() {
            self.problem(at, Some(field), "must not be empty");
        }
        value.trim().to_owned()
    }

    fn optional_text(&mut self, at: &At, field: &str, value: &Option<String>) -> Option<String> {
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

    fn lang(&mut self, at: &At, field: &str, value: &str) -> String {
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

    fn enumerated<T: Copy>(
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

    fn date(&mut self, at: &At, field: &str, value: &Option<String>) -> Option<PartialDate> {
        let text = value.as_deref()?;
        match PartialDate::parse(text) {
            Ok(date) => Some(date),
            Err(e) => {
                self.problem(at, Some(field), e.to_string());
                None
            }
        }
    }

    fn period(
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

    fn names(&mut self, at: &At, name: &str, lang: &str, name_en: &Option<String>) -> Names {
        Names {
            name: self.text(at, "name", name),
            name_lang: self.lang(at, "name_lang", lang),
            name_en: self.optional_text(at, "name_en", name_en),
        }
    }

    fn reference(
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

    fn optional_reference(
        &mut self,
        at: &At,
        field: &'static str,
        key: &Option<String>,
        expected: &'static [RecordKind],
    ) -> Option<String> {
        key.as_deref()
            .map(|k| self.reference(at, field, k, expected))
    }

    /// The aliases of the entity `key`, each cited from `source` like any fact: an alias without
    /// a quote is refused, naming it (`aliases[1].quote`).
    fn aliases(
        &mut self,
        at: &At,
        key: &str,
        source: &str,
        aliases: &[doc::Alias],
    ) -> Vec<(String, Option<String>)> {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        for (i, alias) in aliases.iter().enumerate() {
            let field = format!("aliases[{i}]");
            let name = self.text(at, &format!("{field}.name"), &alias.name);
            let lang = alias
                .lang
                .as_deref()
                .map(|l| self.lang(at, &format!("{field}.lang"), l));
            if out.iter().any(|(n, _)| *n == name) {
                self.problem(
                    at,
                    Some(&format!("{field}.name")),
                    format!("alias \"{name}\" is listed twice"),
                );
                continue;
            }
            self.cite(at, &field, key, Some(&name), source, alias);
            out.push((name, lang));
        }
        out
    }

    /// The quotes of a record, as citations of `source`.
    fn citations(&mut self, at: &At, key: &str, source: &str, cited: &dyn Cited) {
        self.cite(at, "", key, None, source, cited);
    }

    /// The quotes of a record or of one of its aliases (`alias`, declared at `prefix`, such as
    /// `aliases[0]`), as citations of `source`.
    fn cite(
        &mut self,
        at: &At,
        prefix: &str,
        key: &str,
        alias: Option<&str>,
        source: &str,
        cited: &dyn Cited,
    ) {
        let field = |name: &str| {
            if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            }
        };
        let quotes = cited.quotes();
        if quotes.is_empty() {
            let message = match alias {
                None => "every record needs at least one quote from its source".to_owned(),
                Some(name) => format!(
                    "alias \"{name}\" needs a quote from its source: one that states it, or one it is inferred from (with `inferred` saying why)"
                ),
            };
            self.problem(at, Some(&field("quote")), message);
        }
        let reasoning = cited.inferred().map(str::trim).map(str::to_owned);
        if reasoning.as_deref() == Some("") {
            self.problem(
                at,
                Some(&field("inferred")),
                "must say why the fact is inferred",
            );
        }
        for quote in quotes {
            if quote.trim().is_empty() {
                self.problem(at, Some(&field("quote")), "must not be empty");
                continue;
            }
            self.dataset.citations.push(CitationRow {
                record: key.to_owned(),
                alias: alias.map(str::to_owned),
                source: source.to_owned(),
                quote: quote.trim().to_owned(),
                basis: if reasoning.is_some() {
                    CitationBasis::Inferred
                } else {
                    CitationBasis::Stated
                },
                reasoning: reasoning.clone(),
            });
        }
    }

    /// Declares an entity by slug; false (with a problem) if the slug is bad or taken.
    fn declare(&mut self, at: &At, slug: &str, kind: RecordKind) -> bool {
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

    fn push_entity(&mut self, at: &At, record: RecordRow, source: &str, cited: &dyn Cited) {
        let key = record.key.clone();
        if self.declare(at, &key, record.row.kind()) {
            self.dataset.records.push(record);
        }
        self.citations(at, &key, source, cited);
    }

    /// Adds a relation under its derived key; a restatement must agree with the first statement.
    fn push_relation(&mut self, at: &At, key: String, row: Row, source: &str, cited: &dyn Cited) {
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

    fn document(&mut self, file: &str, document: &Document) {
        let source = &document.source;
        let at = At {
            file,
            record: format!("source \"{}\"", source.slug),
        };
        if !is_slug(&source.slug) {
            self.problem(
                &at,
                Some("slug"),
                format!("\"{}\" is not a slug", source.slug),
            );
        } else if let Some(other) = self.sources.get(&source.slug) {
            let message = format!(
                "duplicate source slug \"{}\": already used in {other}",
                source.slug
            );
            self.problem(&at, Some("slug"), message);
        }
        self.sources.insert(source.slug.clone(), file.to_owned());
        let published = self
            .date(&at, "published", &source.published)
            .map(|d| d.to_string());
        let row = SourceRow {
            slug: source.slug.clone(),
            title: self.text(&at, "title", &source.title),
            url: self.optional_text(&at, "url", &source.url),
            publisher: self.optional_reference(
                &at,
                "publisher",
                &source.publisher,
                &[RecordKind::Organization],
            ),
            language: self.lang(&at, "language", &source.language),
            published,
            document: self.optional_text(&at, "document", &source.document),
            text: source.text.clone(),
            description: self.optional_text(&at, "description", &source.description),
        };
        if let (Some(document), None) = (&source.document, &source.text) {
            self.problem(
                &at,
                Some("document"),
                format!("the stored copy \"{document}\" was not found (the path is relative to the seed file)"),
            );
        }
        self.dataset.sources.push(row);
        let src = source.slug.as_str();

        for o in &document.place {
            let at = At {
                file,
                record: format!("place \"{}\"", o.slug),
            };
            let kind = self.enumerated(&at, "kind", &o.kind, PlaceKind::parse, PlaceKind::expected);
            let country_code = o.country.as_ref().map(|c| {
                if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    self.problem(
                        &at,
                        Some("country"),
                        format!("\"{c}\" is not an ISO 3166-1 alpha-2 code such as \"PL\""),
                    );
                }
                c.clone()
            });
            for (field, value, limit) in [
                ("latitude", o.latitude, 90.0),
                ("longitude", o.longitude, 180.0),
            ] {
                if value.is_some_and(|v| !(-limit..=limit).contains(&v)) {
                    self.problem(
                        &at,
                        Some(field),
                        format!("must be between -{limit} and {limit}"),
                    );
                }
            }
            let row = PlaceRow {
                kind: kind.unwrap_or(PlaceKind::City),
                names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
                country_code,
                parent: self.optional_reference(&at, "parent", &o.parent, &[RecordKind::Place]),
                latitude: o.latitude,
                longitude: o.longitude,
            };
            self.push_entity(
                &at,
                RecordRow {
                    key: o.slug.clone(),
                    row: Row::Place(row),
                    aliases: Vec::new(),
                    identifiers: Vec::new(),
                },
                src,
                o,
            );
        }

        for o in &document.organization {
            let at = At {
                file,
                record: format!("organization \"{}\"", o.slug),
            };
            let kind = self.enumerated(
                &at,
                "kind",
                &o.kind,
                OrganizationKind::parse,
                OrganizationKind::expected,
            );
            let library = match (&o.library, kind) {
                (Some(_), Some(k)) if k != OrganizationKind::Library => {
                    self.problem(
                        &at,
                        Some("library"),
                        "library details are only for organizations of kind \"library\"",
                    );
                    None
                }
                (details, Some(OrganizationKind::Library)) => {
                    let details = details.clone().unwrap_or_default();
                    Some(LibraryRow {
                        library_type: details.library_type.as_deref().and_then(|t| {
                            self.enumerated(
                                &at,
                                "library.type",
                                t,
                                LibraryType::parse,
                                LibraryType::expected,
                            )
                        }),
                        address: self.optional_text(&at, "library.address", &details.address),
                        opening_hours: self.optional_text(
                            &at,
                            "library.opening_hours",
                            &details.opening_hours,
                        ),
                        parent: self.optional_reference(
                            &at,
                            "library.parent",
                            &details.parent,
                            &[RecordKind::Organization],
                        ),
                    })
                }
                _ => None,
            };
            let mut identifiers = Vec::new();
            for id in &o.identifiers {
                if let Some(scheme) = self.enumerated(
                    &at,
                    "identifiers",
                    &id.scheme,
                    IdentifierScheme::parse,
                    IdentifierScheme::expected,
                ) {
                    let value = self.text(&at, "identifiers", &id.value);
                    if identifiers.iter().any(|(s, v)| *s == scheme && *v == value) {
                        self.problem(
                            &at,
                            Some("identifiers"),
                            format!("identifier {scheme} \"{value}\" is listed twice"),
                        );
                    } else {
                        identifiers.push((scheme, value));
                    }
                }
            }
            let row = OrganizationRow {
                kind: kind.unwrap_or(OrganizationKind::Ngo),
                names: self.names(&at, &o.name, &o.name_lang, &o.name_en),
                description: self.optional_text(&at, "description", &o.description),
                website: self.optional_text(&at, "website", &o.website),
                email: self.optional_text(&at, "email", &o.email),
                phone: self.optional_text(&at, "phone", &o.phone),
                place: self.optional_reference(&at, "place", &o.place, &[RecordKind::Place]),
                library,
            };
            let aliases = self.aliases(&at, &o.slug, src, &o.aliases);
            self.push_entity(
                &at,
                RecordRow {
                    key: o.slug.clone(),
                    row: Row::Organization(row),
                    aliases,
                    identifiers,
                },
                src,
                o,
            );
        }

        for o in &document.programme {
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

        for o in &document.project {
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

        for o in &document.event {
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
                project: self.optional_reference(
                    &at,
                    "project",
                    &o.project,
                    &[RecordKind::Project],
                ),
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

        for o in &document.outcome {
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

        for o in &document.person {
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

        for o in &document.topic {
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

        for o in &document.target_group {
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

        for (i, o) in document.funding.iter().enumerate() {
            let at = At {
                file,
                record: format!("funding #{} ({} → {})", i + 1, o.funder, o.to),
            };
            let instrument = o.instrument.as_deref().and_then(|v| {
                self.enumerated(
                    &at,
                    "instrument",
                    v,
                    FundingInstrument::parse,
                    FundingInstrument::expected,
                )
            });
            let amount_minor = self.amount(&at, o.amount.as_ref(), o.currency.as_deref());
            if o.funder == o.to {
                self.problem(
                    &at,
                    Some("to"),
                    "an organization does not fund itself: name the project, programme or event its own share goes to",
                );
            }
            let row = FundingRow {
                funder: self.reference(&at, "funder", &o.funder, &[RecordKind::Organization]),
                recipient: self.reference(&at, "to", &o.to, FUNDING_RECIPIENTS),
                programme: self.optional_reference(&at, "via", &o.via, &[RecordKind::Programme]),
                intermediary: self.optional_reference(
                    &at,
                    "through",
                    &o.through,
                    &[RecordKind::Organization],
                ),
                instrument,
                amount_minor,
                currency: o.currency.clone(),
                description: self.optional_text(&at, "description", &o.description),
                period: self.period(&at, &o.start, &o.end, &o.date_note),
            };
            let key = format!(
                "funding:{}:{}:{}",
                o.funder,
                o.to,
                o.via.as_deref().unwrap_or("")
            );
            self.push_relation(&at, key, Row::Funding(row), src, o);
        }

        for (i, o) in document.participation.iter().enumerate() {
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

        for (i, o) in document.relation.iter().enumerate() {
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

        for (i, o) in document.position.iter().enumerate() {
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

        for (i, o) in document.classification.iter().enumerate() {
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

        for (i, o) in document.audience.iter().enumerate() {
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

        for (i, o) in document.citation.iter().enumerate() {
            let at = At {
                file,
                record: format!("citation #{} (of {})", i + 1, o.record),
            };
            let key = self.reference(&at, "record", &o.record, ENTITIES);
            self.citations(&at, &key, src, o);
        }
    }

    /// A decimal amount in major units, converted to the currency's minor unit.
    fn amount(
        &mut self,
        at: &At,
        amount: Option<&toml::Value>,
        currency: Option<&str>,
    ) -> Option<i64> {
        let currency_exponent = currency.map(|c| {
            CURRENCY_EXPONENTS
                .iter()
                .find(|(code, _)| *code == c)
                .map(|(_, e)| *e)
        });
        if let Some(None) = currency_exponent {
            let known: Vec<&str> = CURRENCY_EXPONENTS.iter().map(|(c, _)| *c).collect();
            self.problem(
                at,
                Some("currency"),
                format!(
                    "unknown currency \"{}\"; expected an ISO 4217 code: {}",
                    currency.unwrap_or_default(),
                    known.join(", ")
                ),
            );
        }
        let amount = amount?;
        let Some(Some(exponent)) = currency_exponent else {
            if currency.is_none() {
                self.problem(at, Some("currency"), "an amount needs its currency");
            }
            return None;
        };
        let text = match amount {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::String(s) => s.trim().to_owned(),
            toml::Value::Float(_) => {
                self.problem(
                    at,
                    Some("amount"),
                    "write amounts as an integer or a decimal string (\"1250.50\"), not a float",
                );
                return None;
            }
            _ => {
                self.problem(at, Some("amount"), "must be a number");
                return None;
            }
        };
        match parse_minor(&text, exponent) {
            Some(v) if v >= 0 => Some(v),
            _ => {
                self.problem(
                    at,
                    Some("amount"),
                    format!(
                        "\"{text}\" is not a non-negative amount with at most {exponent} decimals"
                    ),
                );
                None
            }
        }
    }

    fn finish(mut self) -> Result<Dataset, Vec<Problem>> {
        let refs = std::mem::take(&mut self.refs);
        for r in refs {
            let at = At {
                file: &r.file,
                record: r.record.clone(),
            };
            match self.declared.get(&r.key) {
                Some(d) if r.expected.contains(&d.kind) => {}
                Some(d) => {
                    let message = format!(
                        "\"{}\" is a {}, but this field takes {}",
                        r.key,
                        d.kind,
                        kinds_list(r.expected)
                    );
                    self.problem(&at, Some(r.field), message);
                }
                None if is_slug(&r.key) => self.dataset.external.push(ExternalRef {
                    key: r.key,
                    expected: r.expected,
                    file: r.file,
                    record: r.record,
                    field: r.field,
                }),
                None => {
                    let message = format!("\"{}\" is not a slug", r.key);
                    self.problem(&at, Some(r.field), message);
                }
            }
        }
        self.check_hierarchies();
        self.inherit_countries();
        self.inherit_years();
        if self.problems.is_empty() {
            Ok(self.dataset)
        } else {
            Err(self.problems)
        }
    }

    /// Parent chains (places, programmes, events, library branches) must not loop, and parents
    /// must come before children so the writer can insert in order.
    fn check_hierarchies(&mut self) {
        let parent_of = |row: &Row| -> Option<String> {
            match row {
                Row::Place(p) => p.parent.clone(),
                Row::Programme(p) => p.parent.clone(),
                Row::Event(e) => e.part_of.clone(),
                Row::Organization(o) => o.library.as_ref().and_then(|l| l.parent.clone()),
                _ => None,
            }
        };
        let index: HashMap<&str, usize> = self
            .dataset
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.as_str(), i))
            .collect();
        let mut depth = vec![0usize; self.dataset.records.len()];
        let mut looping = Vec::new();
        for (i, record) in self.dataset.records.iter().enumerate() {
            let mut current = &record.row;
            while let Some(parent) = parent_of(current).and_then(|p| index.get(p.as_str()).copied())
            {
                depth[i] += 1;
                if depth[i] > MAX_DEPTH {
                    looping.push(record.key.clone());
                    break;
                }
                current = &self.dataset.records[parent].row;
            }
        }
        for key in looping {
            let (file, kind) = self
                .declared
                .get(&key)
                .map(|d| (d.file.clone(), d.kind.as_str()))
                .unwrap_or((String::new(), "record"));
            self.problems.push(Problem {
                file,
                record: format!("{kind} \"{key}\""),
                field: Some("parent".into()),
                message: format!(
                    "its chain of parents loops back to itself (or is deeper than {MAX_DEPTH})"
                ),
            });
        }
        // A stable sort keeps declaration order within each depth.
        let mut order: Vec<usize> = (0..self.dataset.records.len()).collect();
        order.sort_by_key(|&i| depth[i]);
        let mut records: Vec<Option<RecordRow>> = std::mem::take(&mut self.dataset.records)
            .into_iter()
            .map(Some)
            .collect();
        self.dataset.records = order
            .into_iter()
            .filter_map(|i| records[i].take())
            .collect();
    }

    /// A participation or funding the source does not date covers the years of its activity:
    /// only the derived year bounds are filled (for "active in 2021" filters), never the dates.
    /// A funding of an organization stays undated: an organization has no period to lend.
    fn inherit_years(&mut self) {
        let years: HashMap<String, (Option<i32>, Option<i32>)> = self
            .dataset
            .records
            .iter()
            .filter_map(|r| {
                let period = match &r.row {
                    Row::Project(p) => &p.period,
                    Row::Programme(p) => &p.period,
                    Row::Event(e) => &e.period,
                    _ => return None,
                };
                Some((r.key.clone(), (period.year_from, period.year_to)))
            })
            .collect();
        for record in &mut self.dataset.records {
            let (period, target) = match &mut record.row {
                Row::Participation(p) => (&mut p.period, &p.target),
                Row::Funding(f) => (&mut f.period, &f.recipient),
                _ => continue,
            };
            if period.year_from.is_none()
                && period.year_to.is_none()
                && let Some((from, to)) = years.get(target)
            {
                period.year_from = *from;
                period.year_to = *to;
            }
        }
    }

    /// A place without a country takes its parent's (records are parent-first by now).
    fn inherit_countries(&mut self) {
        let mut countries: BTreeMap<String, String> = BTreeMap::new();
        for record in &mut self.dataset.records {
            if let Row::Place(place) = &mut record.row {
                if place.country_code.is_none() {
                    place.country_code = place
                        .parent
                        .as_ref()
                        .and_then(|p| countries.get(p).cloned());
                }
                if let Some(code) = &place.country_code {
                    countries.insert(record.key.clone(), code.clone());
                }
            }
        }
    }
}

fn kinds_list(kinds: &[RecordKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.as_slice() {
        [one] => format!("a {one}"),
        _ => format!("one of: {}", names.join(", ")),
    }
}

/// `"1250.5"` with exponent 2 → `125050`.
fn parse_minor(text: &str, exponent: u32) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > exponent as usize
    {
        return None;
    }
    let scale = 10_i64.checked_pow(exponent)?;
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = exponent as usize)
            .parse()
            .ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
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

    #[test]
    fn amounts_convert_to_minor_units() {
        assert_eq!(parse_minor("1250.5", 2), Some(125050));
        assert_eq!(parse_minor("1250", 2), Some(125000));
        assert_eq!(parse_minor("100", 0), Some(100));
        assert_eq!(parse_minor("1.234", 2), None);
        assert_eq!(parse_minor("1,5", 2), None);
        assert_eq!(parse_minor("99999999999999999999", 2), None);
    }
}
