//! The rows a checked load writes: one type per record kind, references still by key (slug or
//! derived key) because database ids are only known while writing.

use entities::kinds::*;

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
