//! What can only be checked once every document is read: references resolved against what the
//! load declares (the rest left for the writer to find in the database), parent chains free of
//! loops and put parent-first, and the years and countries records take from others.

use std::collections::{BTreeMap, HashMap};

use entities::kinds::RecordKind;

use super::{At, Checker, Dataset, ExternalRef, Problem, RecordRow, Row, is_slug};

/// How deep a parent chain may be before it is taken for a loop.
const MAX_DEPTH: usize = 32;

impl Checker {
    /// Resolves the references, checks and derives what needs the whole load, and returns the
    /// dataset, or every problem found.
    pub(super) fn finish(mut self) -> Result<Dataset, Vec<Problem>> {
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
    pub(super) fn check_hierarchies(&mut self) {
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
    pub(super) fn inherit_years(&mut self) {
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
    pub(super) fn inherit_countries(&mut self) {
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
