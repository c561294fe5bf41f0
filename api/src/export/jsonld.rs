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
//! | place | `Place` with `containedInPlace`, `address.addressCountry`, and `geo` (`GeoCoordinates`) when latitude and longitude are known |
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
//! Not yet mapped: outcomes (schema.org has no settled type for a measured result), organization
//! relations, people and positions, topics and audiences; the CSV export has them all.

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

/// A participation: the activity's `member` (or, for an event, `contributor`) is a `Role` node
/// that names the organization. The role node is the participation's record, so its citations
/// attach to it.
fn participation_node(p: e::participation::Model) -> Option<Value> {
    let property = match p.target_kind {
        Some(e::RecordKind::Event) => "contributor",
        _ => "member",
    };
    let role = node(
        record(p.participation_id),
        "Role",
        vec![
            ("roleName", text(p.role.as_str())),
            (property, Some(record(p.organization_id))),
            ("startDate", maybe(&p.start_date)),
            ("endDate", maybe(&p.end_date)),
            ("description", maybe(&p.description)),
        ],
    );
    let mut target = match record(p.target_id) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    target.insert(property.into(), role);
    Some(Value::Object(target))
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
