//! The shape of one seed document: a source and every record it supports (see `FORMAT.md`).
//!
//! Enumerated values (kinds, roles, dates) are kept as text here and checked by
//! [`crate::validate`], so that a bad value is reported with its file, record and field rather
//! than as a parser error. Importers build [`Document`]s in code and load them through the same
//! validation and writing path as the curated files.

use serde::Deserialize;

/// One source document and the records it supports.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub source: Source,
    #[serde(default)]
    pub organization: Vec<Organization>,
    #[serde(default)]
    pub place: Vec<Place>,
    #[serde(default)]
    pub programme: Vec<Programme>,
    #[serde(default)]
    pub project: Vec<Project>,
    #[serde(default)]
    pub event: Vec<Event>,
    #[serde(default)]
    pub outcome: Vec<Outcome>,
    #[serde(default)]
    pub funding: Vec<Funding>,
    #[serde(default)]
    pub participation: Vec<Participation>,
    #[serde(default)]
    pub relation: Vec<Relation>,
    #[serde(default)]
    pub person: Vec<Person>,
    #[serde(default)]
    pub position: Vec<Position>,
    #[serde(default)]
    pub topic: Vec<Topic>,
    #[serde(default)]
    pub target_group: Vec<TargetGroup>,
    #[serde(default)]
    pub classification: Vec<Classification>,
    #[serde(default)]
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub citation: Vec<ExtraCitation>,
}

/// The `[source]` table.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub slug: String,
    pub title: String,
    pub language: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    /// The stored copy of the document's text: a path relative to the seed file
    /// (`../documents/occupy-library-b-zone.txt`).
    pub document: Option<String>,
    pub description: Option<String>,
    /// The text of `document`, filled by whoever reads the seed file ([`crate::read_dir`] reads it
    /// beside the file, [`crate::curated`] from the copies built into the binary); importers
    /// building documents in code set it themselves. Never written in TOML.
    #[serde(skip)]
    pub text: Option<String>,
}

/// One quote or several.
#[derive(Clone, Debug, Deserialize)]
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
        #[derive(Clone, Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            #[serde(default)]
            pub quote: Quotes,
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
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub name: String,
    pub lang: Option<String>,
    #[serde(default)]
    pub quote: Quotes,
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
#[derive(Clone, Debug, Deserialize)]
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
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryDetails {
    #[serde(rename = "type")]
    pub library_type: Option<String>,
    pub address: Option<String>,
    pub opening_hours: Option<String>,
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
