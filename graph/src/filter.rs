//! An organization's collaborators under a coordinator's filter: only some years, only partners
//! of some kinds or countries, only items where the partner had some role.
//!
//! A filter chooses which collaborators and which shared items are shown; it never changes how
//! strong a tie is: weights still count every member of a shared item, kept or not, so a tie
//! weighs the same in every view. Roles and kinds are the caller's types (the crate knows only
//! that a filter names some and a row has one), so the graph crate stays free of the schema.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::{Collaboration, ItemRef, Membership, collaborators, item_share, rounded};

/// A membership with what the collaborator filters ask about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Participation<R, K> {
    /// Which organization took part in which item, and when.
    pub membership: Membership,
    /// The organization's role in the item (partner, funder, …): [`CollaboratorFilter::roles`]
    /// reads the partner's.
    pub role: R,
    /// The organization's kind, the same on all its rows.
    pub kind: K,
    /// The organization's country code, the same on all its rows; `None` when unknown.
    pub country: Option<String>,
}

/// A range of years, both ends inclusive and optional.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Period {
    /// The first year; `None` for no lower bound.
    pub from: Option<i32>,
    /// The last year; `None` for no upper bound.
    pub to: Option<i32>,
}

impl Period {
    /// Whether the membership's years meet the period. A missing bound of the membership falls
    /// back to the other one, as it does when dating a collaboration; an undated membership
    /// meets only a period without bounds.
    #[must_use]
    pub fn overlaps(&self, m: &Membership) -> bool {
        let from = m.year_from.or(m.year_to);
        let to = m.year_to.or(m.year_from);
        match (from, to) {
            (Some(f), Some(t)) => {
                self.from.is_none_or(|p| t >= p) && self.to.is_none_or(|p| f <= p)
            }
            // Undated memberships are kept only when no period is asked for.
            _ => self.from.is_none() && self.to.is_none(),
        }
    }
}

/// What [`filtered_collaborators`] keeps; `None` keeps everything.
#[derive(Debug)]
pub struct CollaboratorFilter<'a, R, K> {
    /// Only shared items where the collaborator (not the organization asked about) had one of
    /// these roles.
    pub roles: Option<&'a [R]>,
    /// Only the items the organization asked about took part in during these years
    /// ([`Period::overlaps`]).
    pub period: Option<Period>,
    /// Only collaborators of these kinds.
    pub kinds: Option<&'a [K]>,
    /// Only collaborators in these countries; those without a known country drop out.
    pub countries: Option<&'a [String]>,
}

impl<R, K> Default for CollaboratorFilter<'_, R, K> {
    /// Keeps every shared item and every collaborator.
    fn default() -> Self {
        CollaboratorFilter {
            roles: None,
            period: None,
            kinds: None,
            countries: None,
        }
    }
}

/// The collaborators of `of` under `filter`, strongest first (weight descending, then
/// organization id), as [`collaborators`] orders them.
///
/// `rows` must hold every participation of every item `of` takes part in (an item's other
/// members set its weight); rows of other items are ignored. Weights always count every member of
/// a shared item (`1 / (members − 1)`), whatever the filter keeps: filters choose which
/// collaborators and which shared items to show, they do not change how strong a tie is. A
/// `roles` filter drops the shared items where the partner had none of the roles (and the partner
/// when none is left) and sums the weight of the items left; the first and last years stay those
/// of every shared item.
#[must_use]
pub fn filtered_collaborators<R: PartialEq, K: PartialEq>(
    rows: &[Participation<R, K>],
    of: i64,
    filter: &CollaboratorFilter<'_, R, K>,
) -> Vec<Collaboration> {
    let own_items: BTreeSet<ItemRef> = rows
        .iter()
        .filter(|r| r.membership.organization == of)
        .filter(|r| filter.period.is_none_or(|p| p.overlaps(&r.membership)))
        .map(|r| r.membership.item)
        .collect();
    let in_items: Vec<&Participation<R, K>> = rows
        .iter()
        .filter(|r| own_items.contains(&r.membership.item))
        .collect();
    let memberships: Vec<Membership> = in_items.iter().map(|r| r.membership).collect();
    // Each organization's kind and country, from its first row (they are the same on all).
    let mut first_rows: HashMap<i64, &Participation<R, K>> = HashMap::new();
    for r in &in_items {
        first_rows.entry(r.membership.organization).or_insert(r);
    }
    let wanted = |org: i64| {
        first_rows.get(&org).is_some_and(|r| {
            filter.kinds.is_none_or(|kinds| kinds.contains(&r.kind))
                && filter
                    .countries
                    .is_none_or(|c| r.country.as_ref().is_some_and(|rc| c.contains(rc)))
        })
    };
    // Only a roles filter re-weighs a tie, from what follows: which (organization, item) pairs
    // had a wanted role, and every item's number of distinct members.
    let by_role = filter.roles.map(|roles| {
        // (organization, item) pairs where the organization had one of the wanted roles.
        let with_role: HashSet<(i64, ItemRef)> = in_items
            .iter()
            .filter(|r| roles.contains(&r.role))
            .map(|r| (r.membership.organization, r.membership.item))
            .collect();
        let mut members: HashMap<ItemRef, BTreeSet<i64>> = HashMap::new();
        for m in &memberships {
            members.entry(m.item).or_default().insert(m.organization);
        }
        let sizes: HashMap<ItemRef, usize> = members
            .into_iter()
            .map(|(item, orgs)| (item, orgs.len()))
            .collect();
        (with_role, sizes)
    });
    let mut result: Vec<Collaboration> = collaborators(&memberships, of)
        .into_iter()
        .filter(|c| wanted(c.organization))
        .filter_map(|mut c| {
            if let Some((with_role, sizes)) = &by_role {
                c.shared
                    .retain(|item| with_role.contains(&(c.organization, *item)));
                if c.shared.is_empty() {
                    return None;
                }
                c.weight = rounded(
                    c.shared
                        .iter()
                        .map(|item| item_share(sizes.get(item).copied().unwrap_or(2)))
                        .sum(),
                );
            }
            Some(c)
        })
        .collect();
    result.sort_by(crate::strongest_first);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    /// A participation of `organization` in `item` as `role`, with its organization's kind and
    /// country and its own years.
    fn row(
        organization: i64,
        item: ItemRef,
        role: &'static str,
        (kind, country): (&'static str, Option<&str>),
        years: (Option<i32>, Option<i32>),
    ) -> Participation<&'static str, &'static str> {
        Participation {
            membership: dated(organization, item, years.0, years.1),
            role,
            kind,
            country: country.map(str::to_owned),
        }
    }

    const LIBRARY_PL: (&str, Option<&str>) = ("library", Some("PL"));
    const LIBRARY_UA: (&str, Option<&str>) = ("library", Some("UA"));
    const NGO_MD: (&str, Option<&str>) = ("ngo", Some("MD"));
    const NGO_NOWHERE: (&str, Option<&str>) = ("ngo", None);

    /// Organization 1 and its items, worked out by hand:
    ///
    /// - project 1, four members (a share of 1/3): 1 lead 2010–2012, 2 partner (2015), 3 funder
    ///   (2011), 4 partner (undated);
    /// - event 2, three members (1/2): 1 partner 2018, 2 funder (undated), 5 partner 2019;
    /// - project 3, two members (1): 1 lead (undated), 3 partner 2005–2006;
    /// - programme 4: 2 and 6, without 1, so it never counts.
    ///
    /// Unfiltered, 1's collaborators are 3 (1/3 + 1 = 1.3333, 2005–2012), 2 (1/3 + 1/2 =
    /// 0.8333, 2010–2018), 5 (0.5, 2018–2019) and 4 (0.3333, 2010–2012).
    fn rows() -> Vec<Participation<&'static str, &'static str>> {
        vec![
            row(1, project(1), "lead", LIBRARY_PL, (Some(2010), Some(2012))),
            row(2, project(1), "partner", LIBRARY_PL, (None, Some(2015))),
            row(3, project(1), "funder", NGO_MD, (Some(2011), None)),
            row(4, project(1), "partner", NGO_NOWHERE, (None, None)),
            row(1, event(2), "partner", LIBRARY_PL, (Some(2018), Some(2018))),
            row(2, event(2), "funder", LIBRARY_PL, (None, None)),
            row(5, event(2), "partner", LIBRARY_UA, (Some(2019), None)),
            row(1, project(3), "lead", LIBRARY_PL, (None, None)),
            row(3, project(3), "partner", NGO_MD, (Some(2005), Some(2006))),
            row(2, programme(4), "partner", LIBRARY_PL, (None, None)),
            row(6, programme(4), "partner", LIBRARY_PL, (None, None)),
        ]
    }

    fn collaboration(
        organization: i64,
        shared: Vec<ItemRef>,
        weight: f64,
        years: (i32, i32),
    ) -> Collaboration {
        Collaboration {
            organization,
            shared,
            weight,
            first_year: Some(years.0),
            last_year: Some(years.1),
        }
    }

    type Filter<'a> = CollaboratorFilter<'a, &'static str, &'static str>;

    /// (organization, weight) of each collaborator, in order.
    fn ranked(found: &[Collaboration]) -> Vec<(i64, f64)> {
        found.iter().map(|c| (c.organization, c.weight)).collect()
    }

    #[test]
    fn without_a_filter_they_are_the_collaborators() {
        let rows = rows();
        let found = filtered_collaborators(&rows, 1, &Filter::default());
        let expected = vec![
            collaboration(3, vec![project(1), project(3)], 1.3333, (2005, 2012)),
            collaboration(2, vec![project(1), event(2)], 0.8333, (2010, 2018)),
            collaboration(5, vec![event(2)], 0.5, (2018, 2019)),
            collaboration(4, vec![project(1)], 0.3333, (2010, 2012)),
        ];
        assert_eq!(found, expected);
        let memberships: Vec<Membership> = rows.iter().map(|r| r.membership).collect();
        assert_eq!(found, collaborators(&memberships, 1));
        // A period without bounds keeps the undated items too.
        let open = Filter {
            period: Some(Period::default()),
            ..Filter::default()
        };
        assert_eq!(filtered_collaborators(&rows, 1, &open), expected);
    }

    #[test]
    fn nothing_to_compute_from_gives_nobody() {
        let none: Vec<Participation<&str, &str>> = Vec::new();
        assert!(filtered_collaborators(&none, 1, &Filter::default()).is_empty());
        // Unknown, or only in an item of its own.
        assert!(filtered_collaborators(&rows(), 99, &Filter::default()).is_empty());
        let alone = vec![row(7, event(9), "partner", LIBRARY_PL, (None, None))];
        assert!(filtered_collaborators(&alone, 7, &Filter::default()).is_empty());
        // A filter nobody meets.
        let nowhere = Filter {
            countries: Some(&[]),
            ..Filter::default()
        };
        assert!(filtered_collaborators(&rows(), 1, &nowhere).is_empty());
    }

    #[test]
    fn a_period_keeps_the_items_the_organization_was_in_during_it() {
        let rows = rows();
        // From 2016: only event 2 (1 was in it in 2018); the undated project 3 drops out. The
        // tie to 2 now rests on event 2 alone.
        let since = Filter {
            period: Some(Period {
                from: Some(2016),
                to: None,
            }),
            ..Filter::default()
        };
        assert_eq!(
            filtered_collaborators(&rows, 1, &since),
            vec![
                collaboration(2, vec![event(2)], 0.5, (2018, 2018)),
                collaboration(5, vec![event(2)], 0.5, (2018, 2019)),
            ]
        );
        // Until 2012: only project 1. Its partners' own years do not choose (2's 2015 and 4's
        // none still count), and the weights still count its four members.
        let until = Filter {
            period: Some(Period {
                from: None,
                to: Some(2012),
            }),
            ..Filter::default()
        };
        assert_eq!(
            filtered_collaborators(&rows, 1, &until),
            vec![
                collaboration(2, vec![project(1)], 0.3333, (2010, 2015)),
                collaboration(3, vec![project(1)], 0.3333, (2010, 2012)),
                collaboration(4, vec![project(1)], 0.3333, (2010, 2012)),
            ]
        );
        // Bounds are inclusive: 2012 to 2012 still meets 2010–2012, 2013 on does not.
        let last_year = |year| Filter {
            period: Some(Period {
                from: Some(year),
                to: Some(year),
            }),
            ..Filter::default()
        };
        assert_eq!(filtered_collaborators(&rows, 1, &last_year(2012)).len(), 3);
        assert!(filtered_collaborators(&rows, 1, &last_year(2013)).is_empty());
    }

    #[test]
    fn roles_are_the_partners_and_keep_full_item_weights() {
        let rows = rows();
        let as_partner = Filter {
            roles: Some(&["partner"]),
            ..Filter::default()
        };
        // 2 was a partner in project 1 only (a funder of event 2), 3 in project 3 only: each
        // tie keeps those items and weighs them with all their members; the years stay those of
        // every shared item.
        assert_eq!(
            filtered_collaborators(&rows, 1, &as_partner),
            vec![
                collaboration(3, vec![project(3)], 1.0, (2005, 2012)),
                collaboration(5, vec![event(2)], 0.5, (2018, 2019)),
                collaboration(2, vec![project(1)], 0.3333, (2010, 2018)),
                collaboration(4, vec![project(1)], 0.3333, (2010, 2012)),
            ]
        );
        let as_funder = Filter {
            roles: Some(&["funder"]),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &as_funder)),
            vec![(2, 0.5), (3, 0.3333)]
        );
        // 1 itself led projects 1 and 3: its own role never counts.
        let as_lead = Filter {
            roles: Some(&["lead"]),
            ..Filter::default()
        };
        assert!(filtered_collaborators(&rows, 1, &as_lead).is_empty());
        // Roles and a period together: from 2016 only event 2 is 1's, where 2 was a funder.
        let partner_since = Filter {
            roles: Some(&["partner"]),
            period: Some(Period {
                from: Some(2016),
                to: None,
            }),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &partner_since)),
            vec![(5, 0.5)]
        );
    }

    #[test]
    fn kinds_and_countries_choose_partners_without_changing_weights() {
        let rows = rows();
        let libraries = Filter {
            kinds: Some(&["library"]),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &libraries)),
            vec![(2, 0.8333), (5, 0.5)]
        );
        // 4 has no known country, so it drops out of any country filter.
        let countries = ["PL".to_owned(), "UA".to_owned()];
        let in_countries = Filter {
            countries: Some(&countries),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &in_countries)),
            vec![(2, 0.8333), (5, 0.5)]
        );
        let ngos = Filter {
            kinds: Some(&["ngo"]),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &ngos)),
            vec![(3, 1.3333), (4, 0.3333)]
        );
        let moldova = ["MD".to_owned()];
        let ngos_in_moldova = Filter {
            kinds: Some(&["ngo"]),
            countries: Some(&moldova),
            ..Filter::default()
        };
        assert_eq!(
            ranked(&filtered_collaborators(&rows, 1, &ngos_in_moldova)),
            vec![(3, 1.3333)]
        );
    }

    #[test]
    fn a_period_meets_a_membership_by_its_years_or_the_one_it_has() {
        let period = |from, to| Period { from, to };
        let both = dated(1, project(1), Some(2010), Some(2012));
        assert!(period(Some(2012), None).overlaps(&both));
        assert!(!period(Some(2013), None).overlaps(&both));
        assert!(period(None, Some(2010)).overlaps(&both));
        assert!(!period(None, Some(2009)).overlaps(&both));
        assert!(period(Some(2000), Some(2030)).overlaps(&both));
        // Only an end year: it is the start too.
        let ended = dated(1, project(1), None, Some(2015));
        assert!(period(Some(2015), Some(2015)).overlaps(&ended));
        assert!(!period(None, Some(2014)).overlaps(&ended));
        // Only a start year: it is the end too.
        let started = dated(1, project(1), Some(2019), None);
        assert!(period(None, Some(2019)).overlaps(&started));
        assert!(!period(Some(2020), None).overlaps(&started));
        // Undated: only a period without bounds.
        let undated = member(1, project(1));
        assert!(Period::default().overlaps(&undated));
        assert!(!period(Some(2000), None).overlaps(&undated));
        assert!(!period(None, Some(2000)).overlaps(&undated));
    }
}
