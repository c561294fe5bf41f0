//! Rows into the seed format's records: the inverse of `validate`, field by field, with every
//! reference by key.

use std::collections::HashMap;

use entities::kinds::{CitationBasis, OrganizationKind, RecordKind};
use entities::*;

use super::ExportError;
use super::read::{Cites, Group, Rows, is_entity};
use crate::document::{self as doc, Document, Quotes};
use crate::validate::{currency_exponent, format_minor};

/// The keys (slugs, derived keys) of the records a file names, by record id.
pub(super) struct Keys(pub HashMap<i64, String>);

impl Keys {
    fn get(&self, id: i64) -> Result<String, ExportError> {
        self.0
            .get(&id)
            .cloned()
            .ok_or_else(|| ExportError::Inexpressible {
                record: format!("record id {id}"),
                reason: "a row refers to it, but there is no such record".into(),
            })
    }

    fn opt(&self, id: Option<i64>) -> Result<Option<String>, ExportError> {
        id.map(|id| self.get(id)).transpose()
    }
}

/// One entry's provenance: its `quote` and `inferred`.
struct Cite {
    quote: Quotes,
    inferred: Option<String>,
}

impl Cite {
    /// A group of citations as one entry states them: stated (no reasoning) or inferred (with).
    fn of(group: Group, record: &str) -> Result<Cite, ExportError> {
        let inferred = match (group.basis, group.reasoning) {
            (CitationBasis::Stated, None) => None,
            (CitationBasis::Inferred, Some(reasoning)) => Some(reasoning),
            (CitationBasis::Stated, Some(_)) => {
                return Err(ExportError::Inexpressible {
                    record: record.to_owned(),
                    reason: "a citation is marked stated but gives reasoning".into(),
                });
            }
            (CitationBasis::Inferred, None) => {
                return Err(ExportError::Inexpressible {
                    record: record.to_owned(),
                    reason: "a citation is marked inferred but gives no reasoning".into(),
                });
            }
        };
        Ok(Cite {
            quote: group.quotes.into(),
            inferred,
        })
    }
}

/// Builds one file's document, record by record in key order.
pub(super) struct Builder<'a> {
    document: Document,
    keys: &'a Keys,
    rows: &'a Rows,
    aliases: &'a HashMap<i64, Vec<alias::Model>>,
}

impl<'a> Builder<'a> {
    /// A document with `source` as its `[source]`. A stored text with no path gets one
    /// (`../documents/<slug>.txt`), so the text is not lost.
    pub fn new(
        source: &source::Model,
        text: Option<String>,
        keys: &'a Keys,
        rows: &'a Rows,
        aliases: &'a HashMap<i64, Vec<alias::Model>>,
    ) -> Result<Builder<'a>, ExportError> {
        let document = match (&source.document, &text) {
            (None, Some(_)) => Some(format!("../documents/{}.txt", source.slug)),
            (path, _) => path.clone(),
        };
        Ok(Builder {
            document: Document {
                source: doc::Source {
                    slug: source.slug.clone(),
                    title: source.title.clone(),
                    language: source.language.clone(),
                    url: source.url.clone(),
                    publisher: keys.opt(source.publisher_id)?,
                    published: source.published.clone(),
                    document,
                    description: source.description.clone(),
                    text,
                },
                ..Default::default()
            },
            keys,
            rows,
            aliases,
        })
    }

    pub fn finish(self) -> Document {
        self.document
    }

    /// Adds what the source says of one record: the record in full when this file is its home
    /// (`declared`), a `[[citation]]` per group of quotes otherwise; a relation restated per
    /// group.
    pub fn record(
        &mut self,
        key: &str,
        kind: RecordKind,
        id: i64,
        cites: Cites,
        declared: bool,
    ) -> Result<(), ExportError> {
        let name = format!("{kind} \"{key}\"");
        if !is_entity(kind) {
            for group in cites.own {
                let cite = Cite::of(group, &name)?;
                self.relation(kind, id, cite, &name)?;
            }
            return Ok(());
        }
        let mut own = cites.own.into_iter();
        if declared {
            let Some(first) = own.next() else {
                return Err(ExportError::Inexpressible {
                    record: name,
                    reason: "its home source cites only its aliases".into(),
                });
            };
            let cite = Cite::of(first, &name)?;
            let aliases = self.aliases_of(id, cites.aliases, &name)?;
            self.entity(kind, id, key, cite, aliases, &name)?;
        } else if let Some(alias) = cites.aliases.keys().next() {
            let alias = self
                .aliases
                .get(&id)
                .and_then(|a| a.iter().find(|a| a.alias_id == *alias))
                .map_or("?", |a| a.name.as_str());
            return Err(ExportError::Inexpressible {
                record: format!("alias \"{alias}\" of {name}"),
                reason: "a source other than the one declaring the record cites the alias, and \
                         a `[[citation]]` quotes only the record itself"
                    .into(),
            });
        }
        for group in own {
            let Cite { quote, inferred } = Cite::of(group, &name)?;
            self.document.citation.push(doc::ExtraCitation {
                record: key.to_owned(),
                quote,
                inferred,
            });
        }
        Ok(())
    }

    /// The aliases of entity `id`, each with the one group of quotes its home source gives it.
    fn aliases_of(
        &self,
        id: i64,
        mut cited: std::collections::BTreeMap<i64, Vec<Group>>,
        name: &str,
    ) -> Result<Vec<doc::Alias>, ExportError> {
        let mut out = Vec::new();
        for alias in self.aliases.get(&id).into_iter().flatten() {
            let what = format!("alias \"{}\" of {name}", alias.name);
            let mut groups = cited.remove(&alias.alias_id).unwrap_or_default();
            if groups.len() != 1 {
                return Err(ExportError::Inexpressible {
                    record: what,
                    reason: format!(
                        "its home source cites it with {} different reasonings, and an alias \
                         states one",
                        groups.len()
                    ),
                });
            }
            let Cite { quote, inferred } = Cite::of(groups.remove(0), &what)?;
            out.push(doc::Alias {
                name: alias.name.clone(),
                lang: alias.lang.clone(),
                quote,
                inferred,
            });
        }
        Ok(out)
    }

    /// An entity in full: organizations and activities in their own functions, the rest here.
    fn entity(
        &mut self,
        kind: RecordKind,
        id: i64,
        slug: &str,
        cite: Cite,
        aliases: Vec<doc::Alias>,
        name: &str,
    ) -> Result<(), ExportError> {
        match kind {
            RecordKind::Organization => {
                return self.organization(id, slug, cite, aliases, name);
            }
            RecordKind::Programme | RecordKind::Project | RecordKind::Event => {
                return self.activity(kind, id, slug, cite, aliases, name);
            }
            _ => {}
        }
        if let Some(alias) = aliases.first() {
            return Err(ExportError::Inexpressible {
                record: format!("alias \"{}\" of {name}", alias.name),
                reason: "a seed file gives aliases only to organizations, programmes, projects \
                         and events"
                    .into(),
            });
        }
        let keys = self.keys;
        let missing = || missing(kind, name);
        let Cite { quote, inferred } = cite;
        let slug = slug.to_owned();
        let d = &mut self.document;
        match kind {
            RecordKind::Place => {
                let p = self.rows.places.get(&id).ok_or_else(missing)?;
                d.place.push(doc::Place {
                    slug,
                    kind: p.kind.as_str().to_owned(),
                    name: p.name.clone(),
                    name_lang: p.name_lang.clone(),
                    name_en: p.name_en.clone(),
                    country: p.country_code.clone(),
                    parent: keys.opt(p.parent_id)?,
                    // Coordinates matched in the gazetteer are derived, like the ties: the
                    // load that reads this file matches the place again.
                    latitude: p.latitude.filter(|_| p.geo_match != GeoMatch::Matched),
                    longitude: p.longitude.filter(|_| p.geo_match != GeoMatch::Matched),
                    quote,
                    inferred,
                });
            }
            RecordKind::Outcome => {
                let o = self.rows.outcomes.get(&id).ok_or_else(missing)?;
                d.outcome.push(doc::Outcome {
                    slug,
                    of: keys.get(o.subject_id)?,
                    description: o.description.clone(),
                    description_lang: o.description_lang.clone(),
                    description_en: o.description_en.clone(),
                    indicator: o.indicator.clone(),
                    value: o.value,
                    value_qualifier: o.value_qualifier.map(|q| q.as_str().to_owned()),
                    unit: o.unit.clone(),
                    baseline: o.baseline,
                    target: o.target,
                    start: o.start_date.clone(),
                    end: o.end_date.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Person => {
                let p = self.rows.people.get(&id).ok_or_else(missing)?;
                d.person.push(doc::Person {
                    slug,
                    name: p.name.clone(),
                    name_lang: p.name_lang.clone(),
                    description: p.description.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Topic => {
                let t = self.rows.topics.get(&id).ok_or_else(missing)?;
                d.topic.push(doc::Topic {
                    slug,
                    kind: t.kind.as_str().to_owned(),
                    code: t.code.clone(),
                    name: t.name.clone(),
                    name_lang: t.name_lang.clone(),
                    name_en: t.name_en.clone(),
                    description: t.description.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::TargetGroup => {
                let g = self.rows.target_groups.get(&id).ok_or_else(missing)?;
                d.target_group.push(doc::TargetGroup {
                    slug,
                    name: g.name.clone(),
                    name_lang: g.name_lang.clone(),
                    name_en: g.name_en.clone(),
                    description: g.description.clone(),
                    quote,
                    inferred,
                });
            }
            // Relations are never entities (`is_entity`).
            _ => return Err(missing()),
        }
        Ok(())
    }

    /// An organization in full, with its library details and identifiers.
    fn organization(
        &mut self,
        id: i64,
        slug: &str,
        cite: Cite,
        aliases: Vec<doc::Alias>,
        name: &str,
    ) -> Result<(), ExportError> {
        let kind = RecordKind::Organization;
        let keys = self.keys;
        let missing = || missing(kind, name);
        let Cite { quote, inferred } = cite;
        let slug = slug.to_owned();
        let d = &mut self.document;
        let o = self.rows.organizations.get(&id).ok_or_else(missing)?;
        // A library row of an organization whose kind changed since: the kind disowns it
        // (see the module doc).
        let library = match (o.kind, self.rows.libraries.get(&id)) {
            (OrganizationKind::Library, Some(l)) => Some(doc::LibraryDetails {
                library_type: l.library_type.map(|t| t.as_str().to_owned()),
                address: l.address.clone(),
                opening_hours: l.opening_hours.clone(),
                parent: keys.opt(l.parent_library_id)?,
            }),
            _ => None,
        }
        // The loader gives every library a row; one with nothing in it is written as none.
        .filter(|l| {
            l.library_type.is_some()
                || l.address.is_some()
                || l.opening_hours.is_some()
                || l.parent.is_some()
        });
        d.organization.push(doc::Organization {
            slug,
            kind: o.kind.as_str().to_owned(),
            name: o.name.clone(),
            name_lang: o.name_lang.clone(),
            name_en: o.name_en.clone(),
            description: o.description.clone(),
            website: o.website.clone(),
            email: o.email.clone(),
            phone: o.phone.clone(),
            aliases,
            place: keys.opt(o.place_id)?,
            identifiers: self
                .rows
                .identifiers
                .get(&id)
                .into_iter()
                .flatten()
                .map(|i| doc::Identifier {
                    scheme: i.scheme.as_str().to_owned(),
                    value: i.value.clone(),
                })
                .collect(),
            library,
            quote,
            inferred,
        });
        Ok(())
    }

    /// A programme, project or event in full.
    fn activity(
        &mut self,
        kind: RecordKind,
        id: i64,
        slug: &str,
        cite: Cite,
        aliases: Vec<doc::Alias>,
        name: &str,
    ) -> Result<(), ExportError> {
        let keys = self.keys;
        let missing = || missing(kind, name);
        let Cite { quote, inferred } = cite;
        let slug = slug.to_owned();
        let d = &mut self.document;
        match kind {
            RecordKind::Programme => {
                let p = self.rows.programmes.get(&id).ok_or_else(missing)?;
                d.programme.push(doc::Programme {
                    slug,
                    kind: p.kind.as_str().to_owned(),
                    name: p.name.clone(),
                    name_lang: p.name_lang.clone(),
                    name_en: p.name_en.clone(),
                    code: p.code.clone(),
                    description: p.description.clone(),
                    parent: keys.opt(p.parent_id)?,
                    aliases,
                    start: p.start_date.clone(),
                    end: p.end_date.clone(),
                    date_note: p.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Project => {
                let p = self.rows.projects.get(&id).ok_or_else(missing)?;
                d.project.push(doc::Project {
                    slug,
                    name: p.name.clone(),
                    name_lang: p.name_lang.clone(),
                    name_en: p.name_en.clone(),
                    description: p.description.clone(),
                    why: p.why.clone(),
                    what: p.what.clone(),
                    programme: keys.opt(p.programme_id)?,
                    place: keys.opt(p.place_id)?,
                    aliases,
                    start: p.start_date.clone(),
                    end: p.end_date.clone(),
                    date_note: p.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Event => {
                let e = self.rows.events.get(&id).ok_or_else(missing)?;
                d.event.push(doc::Event {
                    slug,
                    kind: e.kind.as_str().to_owned(),
                    name: e.name.clone(),
                    name_lang: e.name_lang.clone(),
                    name_en: e.name_en.clone(),
                    description: e.description.clone(),
                    recurrence: e.recurrence.clone(),
                    place: keys.opt(e.place_id)?,
                    project: keys.opt(e.project_id)?,
                    programme: keys.opt(e.programme_id)?,
                    part_of: keys.opt(e.part_of_id)?,
                    aliases,
                    start: e.start_date.clone(),
                    end: e.end_date.clone(),
                    date_note: e.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            _ => return Err(missing()),
        }
        Ok(())
    }

    /// One statement of a relation, with one group of quotes.
    fn relation(
        &mut self,
        kind: RecordKind,
        id: i64,
        cite: Cite,
        name: &str,
    ) -> Result<(), ExportError> {
        let keys = self.keys;
        let missing = || missing(kind, name);
        let Cite { quote, inferred } = cite;
        let d = &mut self.document;
        match kind {
            RecordKind::Funding => {
                let f = self.rows.fundings.get(&id).ok_or_else(missing)?;
                d.funding.push(doc::Funding {
                    funder: keys.get(f.funder_id)?,
                    to: keys.get(f.recipient_id)?,
                    via: keys.opt(f.programme_id)?,
                    through: keys.opt(f.intermediary_id)?,
                    instrument: f.instrument.map(|i| i.as_str().to_owned()),
                    amount: amount(f, name)?,
                    currency: f.currency.clone(),
                    description: f.description.clone(),
                    start: f.start_date.clone(),
                    end: f.end_date.clone(),
                    date_note: f.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Participation => {
                let p = self.rows.participations.get(&id).ok_or_else(missing)?;
                d.participation.push(doc::Participation {
                    organization: keys.get(p.organization_id)?,
                    target: keys.get(p.target_id)?,
                    role: p.role.as_str().to_owned(),
                    description: p.description.clone(),
                    start: p.start_date.clone(),
                    end: p.end_date.clone(),
                    date_note: p.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::OrganizationRelation => {
                let r = self.rows.relations.get(&id).ok_or_else(missing)?;
                d.relation.push(doc::Relation {
                    subject: keys.get(r.subject_id)?,
                    kind: r.kind.as_str().to_owned(),
                    object: keys.get(r.object_id)?,
                    description: r.description.clone(),
                    start: r.start_date.clone(),
                    end: r.end_date.clone(),
                    date_note: r.date_note.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Position => {
                let p = self.rows.positions.get(&id).ok_or_else(missing)?;
                d.position.push(doc::Position {
                    person: keys.get(p.person_id)?,
                    organization: keys.get(p.organization_id)?,
                    title: p.title.clone(),
                    title_lang: p.title_lang.clone(),
                    start: p.start_date.clone(),
                    end: p.end_date.clone(),
                    quote,
                    inferred,
                });
            }
            RecordKind::Classification => {
                let c = self.rows.classifications.get(&id).ok_or_else(missing)?;
                d.classification.push(doc::Classification {
                    record: keys.get(c.subject_id)?,
                    topic: keys.get(c.topic_id)?,
                    quote,
                    inferred,
                });
            }
            RecordKind::Audience => {
                let a = self.rows.audiences.get(&id).ok_or_else(missing)?;
                d.audience.push(doc::Audience {
                    record: keys.get(a.subject_id)?,
                    target_group: keys.get(a.target_group_id)?,
                    quote,
                    inferred,
                });
            }
            // Entities are never relations (`is_entity`).
            _ => return Err(missing()),
        }
        Ok(())
    }
}

/// A record whose row is not in its kind's table (or a kind the caller does not take).
fn missing(kind: RecordKind, name: &str) -> ExportError {
    ExportError::Inexpressible {
        record: name.to_owned(),
        reason: format!("it has a record row but no row in the {kind} table"),
    }
}

/// A funding's amount as a seed file writes it: a whole amount as an integer (`12500`), one with
/// a fraction as a decimal string with every decimal of its currency (`"1250.50"`), never a float
/// (which the loader refuses: it would round).
fn amount(f: &funding::Model, name: &str) -> Result<Option<toml::Value>, ExportError> {
    let Some(minor) = f.amount_minor else {
        return Ok(None);
    };
    let Some(exponent) = f.currency.as_deref().and_then(currency_exponent) else {
        return Err(ExportError::Inexpressible {
            record: name.to_owned(),
            reason: format!(
                "its amount is in {}, not a currency the seed format takes",
                f.currency.as_deref().unwrap_or("no currency")
            ),
        });
    };
    let scale = 10_i64.pow(exponent);
    Ok(Some(if minor % scale == 0 {
        toml::Value::Integer(minor / scale)
    } else {
        toml::Value::String(format_minor(minor, exponent))
    }))
}
