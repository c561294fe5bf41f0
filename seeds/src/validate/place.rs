//! Places: countries, regions, towns and addresses, with their parents and coordinates.

use entities::kinds::{PlaceKind, RecordKind};

use super::{At, Checker, PlaceRow, RecordRow, Row};
use crate::document as doc;

impl Checker {
    /// A place.
    pub(super) fn place(&mut self, file: &str, src: &str, o: &doc::Place) {
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
}
