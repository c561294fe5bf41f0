//! The graph as JSON-LD with schema.org types: one document, `{"@context": …, "@graph": […]}`,
//! written a node at a time.
//!
//! # The mapping
//!
//! | libgraph | schema.org |
//! |---|---|
//! | organization of kind `library` | `Library` |
//! | any other organization | `Organization` |
//! | project | `Project` (an `Organization` in schema.org), its programme as `parentOrganization` |
//! | programme | `Project`, its parent programme as `parentOrganization` |
//! | event | `Event`, with `superEvent` for the event it is part of |
//! | participation | a `Role` (schema.org's role pattern) under the activity's `member` (projects, programmes) or `contributor` (events), naming the organization as its `member` and the role as `roleName` |
//! | funding | `MonetaryGrant` with `funder`, `fundedItem` and `amount` (`MonetaryAmount`, decimal in the major unit, as the API's `Money`) |
//! | place | `Place` with `containedInPlace`, `address.addressCountry`, and `geo` (`GeoCoordinates`) when latitude and longitude are known (stated, or matched in the gazetteer and cited to it) |
//! | organization relation | a `Role` under the subject's `memberOf` (member of), `parentOrganization` (part of) or `founder` (founded by), naming the other organization under the same property; successor of, renamed from, partner of and runs have no schema.org property and use libgraph's terms `successorOf`, `renamedFrom`, `partnerOf`, `runs` |
//! | person | `Person` |
//! | position | a `Role` under the person's `worksFor`, the title as `roleName` |
//! | outcome | `Observation` (`observationAbout` the project, programme, event or organization; `variableMeasured` the indicator; `value` a `QuantitativeValue`, whose `minValue` or `maxValue` says "at least" or "up to"; baseline and target as `additionalProperty`; `observationPeriod` an EDTF interval) |
//! | topic | `DefinedTerm` (`termCode` the SDG number); a classification is a `Role` under the record's `about` |
//! | target group | `Audience`; an audience is a `Role` under the record's `audience` |
//! | source | `CreativeWork` (`name`, `url`, `inLanguage`, `datePublished`, `publisher`) |
//! | citation | a `Quotation` under the cited node's `citation`: `text` is the quote, `isBasedOn` the source, `basis` (`stated` or `inferred`) and `description` (the reasoning of an inference) |
//!
//! Why `citation` with a `Quotation` and not `isBasedOn` on the fact itself: a fact in libgraph
//! is backed by a quote, not only by a document, and a fact may have several. `isBasedOn` says
//! which document a quotation comes from, `text` carries the words, and the quotation is what
//! the fact cites. schema.org gives `citation` to creative works; JSON-LD and RDF do not check
//! domains, and no narrower term says "this node is supported by that quote".
//!
//! Every record is named `urn:libgraph:record:<id>` and every source `urn:libgraph:source:<id>`,
//! so a citation can name what it cites straight from its own row: the export is a sequence of
//! streamed tables, and a node's citations come after it as a second node object with the same
//! `@id`, which JSON-LD merges (flattening, or any RDF reader, sees one node). The slug is each
//! node's `identifier`. Ids are those of the database exported; slugs are the stable names.
//!
//! The context is inline (`@vocab` is schema.org, and one term, `basis`, of libgraph's own), so
//! a reader needs no network to expand the document.
//!
//! Why `Observation` for an outcome: schema.org has no settled type for a project's measured
//! result; an `Observation` is a value of a variable about a thing over a period, which is what
//! an outcome with an indicator states, and one without a number is an observation with only
//! its `description`. Why roles for relations, positions, classifications and audiences: each is
//! a fact with its own quotes, and a plain property (`memberOf`) has no node for a `citation` to
//! attach to; a `Role` is schema.org's node in the middle of a property, named as the fact's
//! record, exactly as participations are written.
//!
//! Every record the database holds is a node of the document, so no citation names a node that
//! has no type.

use std::io::Write;

use entities as e;
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Map, Value, json};

use super::{ExportError, Out};
use crate::store::export::models;

/// The document's `@context`.
fn context() -> Value {
    json!({
        "@vocab": "https://schema.org/",
        "basis": "urn:libgraph:vocab#basis",
        "successorOf": { "@id": "urn:libgraph:vocab#successorOf", "@type": "@id" },
        "renamedFrom": { "@id": "urn:libgraph:vocab#renamedFrom", "@type": "@id" },
        "partnerOf": { "@id": "urn:libgraph:vocab#partnerOf", "@type": "@id" },
        "runs": { "@id": "urn:libgraph:vocab#runs", "@type": "@id" },
    })
}

fn record(id: i64) -> Value {
    json!({ "@id": format!("urn:libgraph:record:{id}") })
}

fn source(id: i64) -> Value {
    json!({ "@id": format!("urn:libgraph:source:{id}") })
}

/// A node object with `@id` and `@type`, and the given properties where they have a value.
fn node(id: Value, kind: &str, properties: Vec<(&str, Option<Value>)>) -> Value {
    let mut map = match id {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    map.insert("@type".into(), Value::String(kind.into()));
    for (name, value) in properties {
        if let Some(value) = value {
            map.insert(name.into(), value);
        }
    }
    Value::Object(map)
}

/// `Some` string value.
fn text(value: impl Into<String>) -> Option<Value> {
    Some(Value::String(value.into()))
}

/// An optional string value.
fn maybe(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|v| Value::String(v.clone()))
}

/// A reference to record `id`, if there is one.
fn link(id: Option<i64>) -> Option<Value> {
    id.map(record)
}

/// The `@graph` being written: nodes separated by commas, each handed on as its chunk fills.
struct Graph<'o> {
    out: &'o mut Out,
    first: bool,
}

impl Graph<'_> {
    async fn push(&mut self, node: &Value) -> Result<(), ExportError> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut *self.out, node).map_err(std::io::Error::other)?;
        self.out.flush_if_full().await
    }

    /// Every model of `E`, each turned into a node (or none) by `each`.
    async fn table<E: EntityTrait>(
        &mut self,
        db: &DatabaseConnection,
        each: impl Fn(E::Model) -> Option<Value>,
    ) -> Result<(), ExportError>
    where
        E::Model: Send + Sync,
    {
        let mut rows = std::pin::pin!(models::<E>(db).await?);
        while let Some(model) = rows.next().await {
            if let Some(node) = each(model?) {
                self.push(&node).await?;
            }
        }
        Ok(())
    }
}

/// Writes the whole graph as one JSON-LD document.
pub async fn write(db: &DatabaseConnection, out: &mut Out) -> Result<(), ExportError> {
    write!(
        out,
        "{{\"@context\": {},\n\"@graph\": [\n",
        serde_json::to_string(&context()).map_err(std::io::Error::other)?
    )?;
    let mut graph = Graph { out, first: true };
    graph.table::<e::source::Entity>(db, source_node).await?;
    graph.table::<e::place::Entity>(db, place_node).await?;
    graph
        .table::<e::organization::Entity>(db, organization_node)
        .await?;
    graph
        .table::<e::programme::Entity>(db, programme_node)
        .await?;
    graph.table::<e::project::Entity>(db, project_node).await?;
    graph.table::<e::event::Entity>(db, event_node).await?;
    graph
        .table::<e::participation::Entity>(db, participation_node)
        .await?;
    graph.table::<e::funding::Entity>(db, funding_node).await?;
    graph
        .table::<e::organization_relation::Entity>(db, relation_node)
        .await?;
    graph.table::<e::person::Entity>(db, person_node).await?;
    graph
        .table::<e::position::Entity>(db, position_node)
        .await?;
    graph.table::<e::outcome::Entity>(db, outcome_node).await?;
    graph.table::<e::topic::Entity>(db, topic_node).await?;
    graph
        .table::<e::classification::Entity>(db, classification_node)
        .await?;
    graph
        .table::<e::target_group::Entity>(db, target_group_node)
        .await?;
    graph
        .table::<e::audience::Entity>(db, audience_node)
        .await?;
    graph
        .table::<e::citation::Entity>(db, citation_node)
        .await?;
    graph.out.write_all(b"\n]}\n")?;
    Ok(())
}

fn source_node(s: e::source::Model) -> Option<Value> {
    Some(node(
        source(s.source_id),
        "CreativeWork",
        vec![
            ("identifier", text(s.slug)),
            ("name", text(s.title)),
            ("url", maybe(&s.url)),
            ("inLanguage", text(s.language)),
            ("datePublished", maybe(&s.published)),
            ("description", maybe(&s.description)),
            ("publisher", link(s.publisher_id)),
        ],
    ))
}

fn place_node(p: e::place::Model) -> Option<Value> {
    let geo = match (p.latitude, p.longitude) {
        (Some(latitude), Some(longitude)) => Some(json!({
            "@type": "GeoCoordinates",
            "latitude": latitude,
            "longitude": longitude,
        })),
        _ => None,
    };
    let address = p
        .country_code
        .as_ref()
        .map(|code| json!({ "@type": "PostalAddress", "addressCountry": code }));
    Some(node(
        record(p.place_id),
        "Place",
        vec![
            ("identifier", text(p.slug)),
            ("name", text(p.name)),
            ("alternateName", maybe(&p.name_en)),
            ("containedInPlace", link(p.parent_id)),
            ("address", address),
            ("geo", geo),
        ],
    ))
}

fn organization_node(o: e::organization::Model) -> Option<Value> {
    let kind = if o.kind == e::OrganizationKind::Library {
        "Library"
    } else {
        "Organization"
    };
    Some(node(
        record(o.organization_id),
        kind,
        vec![
            ("identifier", text(o.slug)),
            ("name", text(o.name)),
            ("alternateName", maybe(&o.name_en)),
            ("additionalType", text(o.kind.as_str())),
            ("description", maybe(&o.description)),
            ("url", maybe(&o.website)),
            ("email", maybe(&o.email)),
            ("telephone", maybe(&o.phone)),
            ("location", link(o.place_id)),
        ],
    ))
}

fn programme_node(p: e::programme::Model) -> Option<Value> {
    Some(node(
        record(p.programme_id),
        "Project",
        vec![
            ("identifier", text(p.slug)),
            ("name", text(p.name)),
            ("alternateName", maybe(&p.name_en)),
            ("additionalType", text(p.kind.as_str())),
            ("description", maybe(&p.description)),
            ("parentOrganization", link(p.parent_id)),
            ("foundingDate", maybe(&p.start_date)),
            ("dissolutionDate", maybe(&p.end_date)),
        ],
    ))
}

fn project_node(p: e::project::Model) -> Option<Value> {
    Some(node(
        record(p.project_id),
        "Project",
        vec![
            ("identifier", text(p.slug)),
            ("name", text(p.name)),
            ("alternateName", maybe(&p.name_en)),
            ("description", maybe(&p.description)),
            ("parentOrganization", link(p.programme_id)),
            ("location", link(p.place_id)),
            ("foundingDate", maybe(&p.start_date)),
            ("dissolutionDate", maybe(&p.end_date)),
        ],
    ))
}

fn event_node(ev: e::event::Model) -> Option<Value> {
    Some(node(
        record(ev.event_id),
        "Event",
        vec![
            ("identifier", text(ev.slug)),
            ("name", text(ev.name)),
            ("alternateName", maybe(&ev.name_en)),
            ("additionalType", text(ev.kind.as_str())),
            ("description", maybe(&ev.description)),
            ("startDate", maybe(&ev.start_date)),
            ("endDate", maybe(&ev.end_date)),
            ("location", link(ev.place_id)),
            ("superEvent", link(ev.part_of_id)),
        ],
    ))
}

/// Record `subject`'s `property` is a `Role` node, record `id` (the fact, so that its citations
/// attach to it), which names `object` under the same property (schema.org's role pattern).
fn role<'a>(
    subject: i64,
    property: &'a str,
    id: i64,
    object: i64,
    mut properties: Vec<(&'a str, Option<Value>)>,
) -> Value {
    properties.insert(0, (property, Some(record(object))));
    let role = node(record(id), "Role", properties);
    let mut subject = match record(subject) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    subject.insert(property.into(), role);
    Value::Object(subject)
}

/// A participation: the activity's `member` (or, for an event, `contributor`) is a `Role` node
/// that names the organization.
fn participation_node(p: e::participation::Model) -> Option<Value> {
    let property = match p.target_kind {
        Some(e::RecordKind::Event) => "contributor",
        _ => "member",
    };
    Some(role(
        p.target_id,
        property,
        p.participation_id,
        p.organization_id,
        vec![
            ("roleName", text(p.role.as_str())),
            ("startDate", maybe(&p.start_date)),
            ("endDate", maybe(&p.end_date)),
            ("description", maybe(&p.description)),
        ],
    ))
}

/// A relation between two organizations: a `Role` under the subject's property for its kind.
fn relation_node(r: e::organization_relation::Model) -> Option<Value> {
    use e::OrganizationRelationKind as K;
    let property = match r.kind {
        K::MemberOf => "memberOf",
        K::PartOf => "parentOrganization",
        K::FoundedBy => "founder",
        K::SuccessorOf => "successorOf",
        K::RenamedFrom => "renamedFrom",
        K::PartnerOf => "partnerOf",
        K::Runs => "runs",
    };
    Some(role(
        r.subject_id,
        property,
        r.organization_relation_id,
        r.object_id,
        vec![
            ("roleName", text(r.kind.as_str())),
            ("startDate", maybe(&r.start_date)),
            ("endDate", maybe(&r.end_date)),
            ("description", maybe(&r.description)),
        ],
    ))
}

fn person_node(p: e::person::Model) -> Option<Value> {
    Some(node(
        record(p.person_id),
        "Person",
        vec![
            ("identifier", text(p.slug)),
            ("name", text(p.name)),
            ("description", maybe(&p.description)),
        ],
    ))
}

/// A position: the person `worksFor` the organization, the title as the role's name.
fn position_node(p: e::position::Model) -> Option<Value> {
    Some(role(
        p.person_id,
        "worksFor",
        p.position_id,
        p.organization_id,
        vec![
            ("roleName", text(p.title)),
            ("startDate", maybe(&p.start_date)),
            ("endDate", maybe(&p.end_date)),
        ],
    ))
}

/// A text in its language, and its English version where there is a different one.
fn in_languages(text: String, lang: String, en: Option<String>) -> Value {
    let mut values = vec![json!({ "@value": text, "@language": lang })];
    if let Some(en) = en.filter(|en| *en != text) {
        values.push(json!({ "@value": en, "@language": "en" }));
    }
    Value::Array(values)
}

/// An outcome: an `Observation` about its subject.
fn outcome_node(o: e::outcome::Model) -> Option<Value> {
    use e::ValueQualifier as Q;
    let value = o.value.map(|v| {
        let bound = match o.value_qualifier {
            Some(Q::AtLeast | Q::MoreThan) => "minValue",
            Some(Q::UpTo) => "maxValue",
            Some(Q::Exactly | Q::About) | None => "value",
        };
        node(
            json!({}),
            "QuantitativeValue",
            vec![
                (bound, Some(json!(v))),
                ("unitText", maybe(&o.unit)),
                (
                    "valueReference",
                    o.value_qualifier.map(|q| json!(q.as_str())),
                ),
            ],
        )
    });
    let measured = |name: &str, v: Option<f64>| {
        v.map(|v| json!({ "@type": "PropertyValue", "name": name, "value": v }))
    };
    let additional: Vec<Value> = [
        measured("baseline", o.baseline),
        measured("target", o.target),
    ]
    .into_iter()
    .flatten()
    .collect();
    let period = match (&o.start_date, &o.end_date) {
        (None, None) => None,
        (start, end) => text(format!(
            "{}/{}",
            start.as_deref().unwrap_or(".."),
            end.as_deref().unwrap_or("..")
        )),
    };
    Some(node(
        record(o.outcome_id),
        "Observation",
        vec![
            ("identifier", text(o.slug)),
            (
                "description",
                Some(in_languages(
                    o.description,
                    o.description_lang,
                    o.description_en,
                )),
            ),
            ("observationAbout", Some(record(o.subject_id))),
            ("variableMeasured", maybe(&o.indicator)),
            ("value", value),
            (
                "additionalProperty",
                (!additional.is_empty()).then_some(Value::Array(additional)),
            ),
            ("observationPeriod", period),
        ],
    ))
}

fn topic_node(t: e::topic::Model) -> Option<Value> {
    Some(node(
        record(t.topic_id),
        "DefinedTerm",
        vec![
            ("identifier", text(t.slug)),
            ("name", text(t.name)),
            ("alternateName", maybe(&t.name_en)),
            ("termCode", maybe(&t.code)),
            ("additionalType", text(t.kind.as_str())),
            ("description", maybe(&t.description)),
        ],
    ))
}

/// A classification: the record is `about` the topic.
fn classification_node(c: e::classification::Model) -> Option<Value> {
    Some(role(
        c.subject_id,
        "about",
        c.classification_id,
        c.topic_id,
        Vec::new(),
    ))
}

fn target_group_node(g: e::target_group::Model) -> Option<Value> {
    Some(node(
        record(g.target_group_id),
        "Audience",
        vec![
            ("identifier", text(g.slug)),
            ("name", text(g.name)),
            ("alternateName", maybe(&g.name_en)),
            ("description", maybe(&g.description)),
        ],
    ))
}

/// An audience: the record's `audience` is the target group.
fn audience_node(a: e::audience::Model) -> Option<Value> {
    Some(role(
        a.subject_id,
        "audience",
        a.audience_id,
        a.target_group_id,
        Vec::new(),
    ))
}

fn funding_node(f: e::funding::Model) -> Option<Value> {
    let amount = match (f.amount_minor, &f.currency) {
        (Some(minor), Some(currency)) => {
            let money = crate::graphql::object::value::Money::new(minor, currency);
            Some(json!({
                "@type": "MonetaryAmount",
                "value": money.amount,
                "currency": money.currency,
            }))
        }
        _ => None,
    };
    Some(node(
        record(f.funding_id),
        "MonetaryGrant",
        vec![
            ("funder", Some(record(f.funder_id))),
            ("fundedItem", Some(record(f.recipient_id))),
            ("amount", amount),
            ("description", maybe(&f.description)),
            ("startDate", maybe(&f.start_date)),
            ("endDate", maybe(&f.end_date)),
        ],
    ))
}

/// A citation: the cited record's `citation`, a `Quotation` based on the source.
fn citation_node(c: e::citation::Model) -> Option<Value> {
    let quotation = node(
        json!({}),
        "Quotation",
        vec![
            ("text", text(c.quote)),
            ("isBasedOn", Some(source(c.source_id))),
            ("basis", text(c.basis.as_str())),
            ("description", maybe(&c.reasoning)),
        ],
    );
    let mut cited = match record(c.record_id) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    cited.insert("citation".into(), quotation);
    Some(Value::Object(cited))
}
