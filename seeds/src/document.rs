//! The shape of one seed document: a source and every record it supports (see `FORMAT.md`).
//!
//! Enumerated values (kinds, roles, dates) are kept as text here and checked by
//! [`crate::validate`], so that a bad value is reported with its file, record and field rather
//! than as a parser error. Importers build [`Document`]s in code and load them through the same
//! validation and writing path as the curated files; [`crate::export`] builds them from the
//! database and serializes them, leaving out every absent field ([`Omit`]).

use serde::{Deserialize, Serialize};

/// One source document and the records it supports.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub source: Source,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub organization: Vec<Organization>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub place: Vec<Place>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub programme: Vec<Programme>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub project: Vec<Project>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub event: Vec<Event>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub outcome: Vec<Outcome>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub funding: Vec<Funding>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub participation: Vec<Participation>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub relation: Vec<Relation>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub person: Vec<Person>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub position: Vec<Position>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub topic: Vec<Topic>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub target_group: Vec<TargetGroup>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub classification: Vec<Classification>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub audience: Vec<Audience>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub citation: Vec<ExtraCitation>,
}

/// The `[source]` table.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub slug: String,
    pub title: String,
    pub language: String,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub published: Option<String>,
    /// The stored copy of the document's text: a path relative to the seed file
    /// (`../documents/occupy-library-b-zone.txt`).
    #[serde(skip_serializing_if = "Omit::omit")]
    pub document: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub description: Option<String>,
    /// The text of `document`, filled by whoever reads the seed file ([`crate::read_dir`] reads it
    /// beside the file, [`crate::curated`] from the copies built into the binary); importers
    /// building documents in code set it themselves. Never written in TOML.
    #[serde(skip)]
    pub text: Option<String>,
}

/// One quote or several.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Quotes {
    One(String),
    Many(Vec<String>),
}

impl Default for Quotes {
    fn default() -> Self {
        Quotes::Many(Vec::new())
    }
}

impl Quotes {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Quotes::One(one) => std::slice::from_ref(one),
            Quotes::Many(many) => many,
        }
    }
}

impl From<Vec<String>> for Quotes {
    /// One quote as a string, several as an array: how a person writes them.
    fn from(mut quotes: Vec<String>) -> Self {
        match quotes.len() {
            1 => Quotes::One(quotes.remove(0)),
            _ => Quotes::Many(quotes),
        }
    }
}

/// Whether a field is left out when a document is written (`skip_serializing_if`): an absent
/// optional value or an empty list, so a written file has only the keys a person would write.
/// One trait for every field type, so that the record macros can mark every field alike.
pub trait Omit {
    fn omit(&self) -> bool;
}

impl Omit for String {
    fn omit(&self) -> bool {
        false
    }
}

impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}

impl<T> Omit for Vec<T> {
    fn omit(&self) -> bool {
        self.is_empty()
    }
}

impl Omit for Quotes {
    fn omit(&self) -> bool {
        self.as_slice().is_empty()
    }
}

/// A quote or several, and when the fact is inferred, why: what every record carries.
pub trait Cited {
    fn quotes(&self) -> &[String];
    fn inferred(&self) -> Option<&str>;
}

/// Declares a record struct with the provenance fields every record has (`quote`, `inferred`).
/// A macro rather than `#[serde(flatten)]`, which would silently disable `deny_unknown_fields`.
macro_rules! record {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* #[serde(skip_serializing_if = "Omit::omit")] pub $field: $ty,)*
            #[serde(default, skip_serializing_if = "Omit::omit")]
            pub quote: Quotes,
            #[serde(skip_serializing_if = "Omit::omit")]
            pub inferred: Option<String>,
        }

        impl Cited for $name {
            fn quotes(&self) -> &[String] {
                self.quote.as_slice()
            }
            fn inferred(&self) -> Option<&str> {
                self.inferred.as_deref()
            }
        }
    };
}

/// [`record!`] plus a period: `start`, `end` (EDTF) and `date_note`.
macro_rules! record_with_period {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        record! {
            $(#[$meta])*
            $name {
                $($(#[$fmeta])* $field: $ty,)*
                start: Option<String>,
                end: Option<String>,
                date_note: Option<String>,
            }
        }
    };
}

/// Another name of an entity, with its provenance like any fact: the quote that states it, or
/// (with `inferred`) the quote it is inferred from and why.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub name: String,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Omit::omit")]
    pub quote: Quotes,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub inferred: Option<String>,
}

impl Cited for Alias {
    fn quotes(&self) -> &[String] {
        self.quote.as_slice()
    }
    fn inferred(&self) -> Option<&str> {
        self.inferred.as_deref()
    }
}

/// An external identifier of an organization.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    pub scheme: String,
    pub value: String,
}

record! {
    Organization {
        slug: String,
        kind: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        description: Option<String>,
        website: Option<String>,
        email: Option<String>,
        phone: Option<String>,
    #[serde(default)]
        aliases: Vec<Alias>,
        place: Option<String>,
    #[serde(default)]
        identifiers: Vec<Identifier>,
        library: Option<LibraryDetails>,
    }
}

/// `[organization.library]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDetails {
    #[serde(rename = "type", skip_serializing_if = "Omit::omit")]
    pub library_type: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub opening_hours: Option<String>,
    #[serde(skip_serializing_if = "Omit::omit")]
    pub parent: Option<String>,
}

record! {
    Place {
        slug: String,
        kind: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        country: Option<String>,
        parent: Option<String>,
        latitude: Option<f64>,
        longitude: Option<f64>,
    }
}

record_with_period! {
    Programme {
        slug: String,
        kind: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        code: Option<String>,
        description: Option<String>,
        parent: Option<String>,
    #[serde(default)]
        aliases: Vec<Alias>,
    }
}

record_with_period! {
    Project {
        slug: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        description: Option<String>,
        why: Option<String>,
        what: Option<String>,
        programme: Option<String>,
        place: Option<String>,
    #[serde(default)]
        aliases: Vec<Alias>,
    }
}

record_with_period! {
    Event {
        slug: String,
        kind: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        description: Option<String>,
        recurrence: Option<String>,
        place: Option<String>,
        project: Option<String>,
        programme: Option<String>,
        part_of: Option<String>,
    #[serde(default)]
        aliases: Vec<Alias>,
    }
}

record! {
    Outcome {
        slug: String,
        of: String,
        description: String,
        description_lang: String,
        description_en: Option<String>,
        indicator: Option<String>,
        value: Option<f64>,
        value_qualifier: Option<String>,
        unit: Option<String>,
        baseline: Option<f64>,
        target: Option<f64>,
        start: Option<String>,
        end: Option<String>,
    }
}

record_with_period! {
    Funding {
        funder: String,
        to: String,
        via: Option<String>,
        through: Option<String>,
        instrument: Option<String>,
    /// A decimal amount in the currency's major unit ("12500.50").
        amount: Option<toml::Value>,
        currency: Option<String>,
        description: Option<String>,
    }
}

record_with_period! {
    Participation {
        organization: String,
    #[serde(rename = "in")]
        target: String,
        role: String,
        description: Option<String>,
    }
}

record_with_period! {
    Relation {
        subject: String,
        kind: String,
        object: String,
        description: Option<String>,
    }
}

record! {
    Person {
        slug: String,
        name: String,
        name_lang: String,
        description: Option<String>,
    }
}

record! {
    Position {
        person: String,
        organization: String,
        title: String,
        title_lang: String,
        start: Option<String>,
        end: Option<String>,
    }
}

record! {
    Topic {
        slug: String,
        kind: String,
        code: Option<String>,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        description: Option<String>,
    }
}

record! {
    TargetGroup {
        slug: String,
        name: String,
        name_lang: String,
        name_en: Option<String>,
        description: Option<String>,
    }
}

record! {
    Classification {
        record: String,
        topic: String,
    }
}

record! {
    Audience {
        record: String,
        target_group: String,
    }
}

record! {
    /// `[[citation]]`: a quote supporting a record declared elsewhere.
    ExtraCitation {
        record: String,
    }
}
