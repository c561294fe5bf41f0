//! Value types: dates at their stated precision, periods, money, names, identifiers, and the
//! GraphQL enums of the data model's vocabularies.

use async_graphql::{Enum, SimpleObject};
use entities::date::{PartialDate as Date, Precision, Season};

/// Mirrors a text enum of `entities::kinds` as a GraphQL enum, with conversions both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $remote:literal { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        #[graphql(remote = $remote)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

mirror_enum! {
    /// What kind of actor an organization is.
    OrganizationKind = "entities::OrganizationKind" {
        /// A library of any type; such organizations are `Library` objects, with library details.
        Library,
        /// A non-governmental organization or foundation.
        Ngo,
        /// A municipality, commune office, ministry or other public body.
        PublicAuthority,
        /// A registered association.
        Association,
        /// A network of organizations or people.
        Network,
        /// An informal group with a name but no legal form.
        InformalGroup,
        /// A crowd or unorganised community: donors, local artists, volunteers.
        Community,
        /// A company.
        Business,
        /// An international or intergovernmental body.
        InternationalBody,
    }
}

mirror_enum! {
    /// The administrative type of a library.
    LibraryType = "entities::LibraryType" {
        /// A national library.
        National,
        /// A regional library, serving a voivodeship, oblast, județ or similar region.
        Regional,
        /// A county or district library (powiat, raion).
        County,
        /// A city or town library.
        Municipal,
        /// A commune library (gmina, comună), often rural.
        Communal,
        /// A branch of a larger library system; `parentLibrary` names the library it belongs to.
        Branch,
        /// A public library whose level the source does not state.
        Public,
    }
}

mirror_enum! {
    /// What a place is.
    PlaceKind = "entities::PlaceKind" {
        /// A country; `countryCode` is its own ISO 3166-1 alpha-2 code.
        Country,
        /// A first-level region of a country: a voivodeship, oblast, județ or development region.
        Region,
        /// A division of a region: a powiat, raion or district.
        District,
        /// A city or town.
        City,
        /// A village.
        Village,
        /// A street address: a single building or site.
        Address,
    }
}

mirror_enum! {
    /// Where a place's coordinates come from, or why it has none. Coordinates a document states
    /// win; cities and villages without them are matched by name, within their country, against
    /// a gazetteer (GeoNames populated places of Europe of at least 500 inhabitants, CC BY 4.0)
    /// when they are loaded.
    GeoMatch = "entities::GeoMatch" {
        /// A document states the coordinates.
        Stated,
        /// Exactly one populated place of the gazetteer has the place's name (or English name)
        /// in its country; its coordinates are cited to the gazetteer with basis `INFERRED`, and
        /// `geoNote` names the GeoNames id.
        Matched,
        /// Several populated places of the gazetteer match in the country and nothing tells them
        /// apart: none is guessed, and the place has no coordinates.
        Ambiguous,
        /// No populated place of the gazetteer matches (or no country is known): no coordinates.
        NotFound,
        /// A country, region, district or address: the gazetteer lists settlements only, so no
        /// point is inferred (a map draws a country by its outline).
        NotASettlement,
    }
}

mirror_enum! {
    /// What a programme is.
    ProgrammeKind = "entities::ProgrammeKind" {
        /// A funding or flagship programme.
        Programme,
        /// A state or private fund that finances projects.
        Fund,
        /// A priority of a larger programme (its `parent`).
        Priority,
        /// An intervention direction within a priority.
        InterventionDirection,
        /// A programme that builds and runs a network of organizations (of libraries, say).
        NetworkProgramme,
    }
}

mirror_enum! {
    /// What an event is.
    EventKind = "entities::EventKind" {
        /// A conference.
        Conference,
        /// A congress, such as a national gathering of librarians.
        Congress,
        /// A festival.
        Festival,
        /// A training course, for library staff or for the public.
        Training,
        /// A hands-on workshop.
        Workshop,
        /// An online seminar.
        Webinar,
        /// A study visit: a group visits other institutions to learn from them.
        StudyVisit,
        /// A fair, such as a community fair presenting a library's partners and services.
        Fair,
        /// A campaign: coordinated actions over a period, often with stages as `parts`.
        Campaign,
        /// A campaign that raises money, crowdfunding included.
        FundraisingCampaign,
        /// A sharing café: an informal meeting where participants exchange experience.
        SharingCafe,
        /// A matchmaking café: a meeting that brings together organizations looking for partners.
        MatchmakingCafe,
        /// A meeting of another kind.
        Meeting,
    }
}

mirror_enum! {
    /// The part an organization plays in a project, programme or event.
    Role = "entities::Role" {
        /// Leads it: the applicant or main implementer.
        Lead,
        /// A partner in carrying it out.
        Partner,
        /// Hosts it, as a library hosts a project or an event.
        Host,
        /// Organizes it.
        Organizer,
        /// Organizes it together with the organizer.
        CoOrganizer,
        /// Takes part in it: attends an event, joins a programme or network.
        Participant,
        /// Provides the place where it happens.
        Venue,
        /// Coordinates it, as a national coordinator of a European campaign.
        Coordinator,
        /// Funds it; the money itself, where known, is in the `Funding` records.
        Funder,
        /// Benefits from it: receives grants, equipment or training.
        Beneficiary,
        /// Runs it on behalf of its owner or funder.
        Operator,
        /// Trains its participants.
        Trainer,
        /// Supports it without a more specific role (patronage, promotion, help).
        Supporter,
    }
}

mirror_enum! {
    /// How money or support reaches what it funds.
    FundingInstrument = "entities::FundingInstrument" {
        /// A grant.
        Grant,
        /// Co-financing: a share of the costs, alongside other money.
        CoFinancing,
        /// Money raised from many individual donors, usually online.
        Crowdfunding,
        /// A donation of money.
        Donation,
        /// Goods, services or work instead of money.
        InKind,
        /// The recipient's or a partner's own share of the costs.
        CostShare,
        /// Money from a state fund, such as Poland's Culture Promotion Fund.
        StateFund,
    }
}

mirror_enum! {
    /// How one organization (the subject) relates to another (the object).
    OrganizationRelationKind = "entities::OrganizationRelationKind" {
        /// The subject is a member of the object (a library of a network).
        MemberOf,
        /// The subject is an organisational part of the object.
        PartOf,
        /// The subject continues the object (a group that became an association).
        SuccessorOf,
        /// The subject is the same body as the object under a later name.
        RenamedFrom,
        /// The subject was created by the object.
        FoundedBy,
        /// The two work together, with no shared project, programme or event recorded (such ties do
        /// not count as collaboration).
        PartnerOf,
        /// The subject operates the object (a network, a service).
        Runs,
    }
}

mirror_enum! {
    /// What a topic is.
    TopicKind = "entities::TopicKind" {
        /// One of the 17 UN Sustainable Development Goals.
        Sdg,
        /// A theme such as digital inclusion or climate.
        Theme,
    }
}

mirror_enum! {
    /// Whether a source states a fact or the fact was inferred from it.
    CitationBasis = "entities::CitationBasis" {
        /// The quoted text states the fact.
        Stated,
        /// The fact is inferred from the quoted text; `reasoning` says how.
        Inferred,
    }
}

mirror_enum! {
    /// How an outcome's value relates to the number the source gives.
    ValueQualifier = "entities::ValueQualifier" {
        /// The number is exact ("25 libraries").
        Exactly,
        /// The true number is greater than the value ("more than 500").
        MoreThan,
        /// The true number is the value or more ("at least 30").
        AtLeast,
        /// The value is approximate ("about 200").
        About,
        /// The true number is the value or less ("up to 50").
        UpTo,
    }
}

mirror_enum! {
    /// The register or kind of an external identifier.
    IdentifierScheme = "entities::IdentifierScheme" {
        /// A website URL.
        Website,
        /// ISIL, the International Standard Identifier for Libraries (ISO 15511), such as `PL-…`.
        Isil,
        /// A Wikidata item ID, such as `Q123`.
        Wikidata,
        /// KRS: Poland's National Court Register number.
        Krs,
        /// REGON: Poland's statistical register number.
        Regon,
        /// NIP: Poland's tax identification number.
        Nip,
        /// IDNO: Moldova's state identification number of a legal entity.
        Idno,
        /// EDRPOU: Ukraine's register code of a legal entity.
        Edrpou,
        /// UPRN: the UK's Unique Property Reference Number of the premises.
        Uprn,
        /// A Facebook page name or URL, such as `BibliotekaKrakow`.
        Facebook,
        /// An email address.
        Email,
    }
}

/// How precise a date is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// Only the year is known (`2017`).
    Year,
    /// A season of a year (`2021-23`: autumn 2021).
    Season,
    /// A month (`2017-09`).
    Month,
    /// A day (`2017-09-12`).
    Day,
}

/// A date as precise as its source: "2017", "autumn 2021", "12 September 2017".
#[derive(SimpleObject, Clone, Debug)]
pub struct PartialDate {
    /// The date in EDTF (ISO 8601-2): `2017`, `2017-09`, `2017-09-12`, `2021-23` (autumn 2021),
    /// with `~` (approximate), `?` (uncertain) or `%` (both) appended.
    pub edtf: String,
    /// How much of the date is known, and so which of `month`, `day` and `season` are set.
    pub precision: DatePrecision,
    /// The year. A winter belongs to the year it starts in (December).
    pub year: i32,
    /// 1–12, when known.
    pub month: Option<i32>,
    /// 1–31, when known.
    pub day: Option<i32>,
    /// `spring`, `summer`, `autumn` or `winter`, when the source gives a season.
    pub season: Option<String>,
    /// The source says "about" (EDTF `~` or `%`).
    pub approximate: bool,
    /// The source is unsure, says "probably" (EDTF `?` or `%`).
    pub uncertain: bool,
    /// The first day it can mean, `YYYY-MM-DD` (a year: 1 January; a season: the first of March,
    /// June, September or December): for sorting and calendars.
    pub earliest: String,
}

impl PartialDate {
    /// The stored EDTF text as an object (`None` for no date or an unreadable one).
    pub fn from_edtf(text: Option<&str>) -> Option<Self> {
        let date = Date::parse(text?).ok()?;
        let (precision, month, day, season) = match date.precision {
            Precision::Year => (DatePrecision::Year, None, None, None),
            Precision::Season(s) => {
                let name = match s {
                    Season::Spring => "spring",
                    Season::Summer => "summer",
                    Season::Autumn => "autumn",
                    Season::Winter => "winter",
                };
                (DatePrecision::Season, None, None, Some(name.to_owned()))
            }
            Precision::Month(m) => (DatePrecision::Month, Some(i32::from(m)), None, None),
            Precision::Day(m, d) => (
                DatePrecision::Day,
                Some(i32::from(m)),
                Some(i32::from(d)),
                None,
            ),
        };
        Some(PartialDate {
            edtf: date.to_string(),
            precision,
            year: date.year,
            month,
            day,
            season,
            approximate: date.approximate,
            uncertain: date.uncertain,
            earliest: date.earliest(),
        })
    }
}

/// When something happened or ran, as precisely as the source says.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct Period {
    /// When it started; null when the source does not say.
    pub start: Option<PartialDate>,
    /// When it ended or is to end; null when the source does not say (or it is ongoing).
    pub end: Option<PartialDate>,
    /// The source's own words about time when they give no date ("na początku października").
    pub note: Option<String>,
    /// The first year covered: `start`'s year, or `end`'s when only the end is known; null when
    /// undated. `activeIn` filters and date orderings use it.
    pub year_from: Option<i32>,
    /// The last year covered: `end`'s year (the next year for a winter), or `start`'s when only the
    /// start is known; null when undated.
    pub year_to: Option<i32>,
}

impl Period {
    pub fn new(
        start: Option<&str>,
        end: Option<&str>,
        note: Option<&str>,
        year_from: Option<i32>,
        year_to: Option<i32>,
    ) -> Self {
        Period {
            start: PartialDate::from_edtf(start),
            end: PartialDate::from_edtf(end),
            note: note.map(str::to_owned),
            year_from,
            year_to,
        }
    }
}

/// An amount of money.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// The amount as a decimal string in the currency's major unit (`"12500.50"`): exact, unlike
    /// a float.
    pub amount: String,
    /// ISO 4217 currency code (`PLN`, `EUR`, `MDL`).
    pub currency: String,
}

impl Money {
    pub fn new(amount_minor: i64, currency: &str) -> Self {
        let exponent = if currency == "JPY" { 0 } else { 2 };
        let amount = if exponent == 0 {
            amount_minor.to_string()
        } else {
            let scale = 10_i64.pow(exponent);
            format!(
                "{}.{:02}",
                amount_minor / scale,
                (amount_minor % scale).abs()
            )
        };
        Money {
            amount,
            currency: currency.to_owned(),
        }
    }
}

/// Another name of an entity: an acronym, a name in another language. Like any fact it has citations: the quote that states it, or the quote it is inferred from and why.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Alias {
    /// Its row, which its citations name.
    #[graphql(skip)]
    pub alias_id: i64,
    /// The other name, as the source writes it.
    pub name: String,
    /// BCP 47 language tag of the name; null when the source gives none (acronyms, say).
    pub lang: Option<String>,
}

/// An identifier of an organization in an external register.
#[derive(SimpleObject, Clone, Debug)]
pub struct Identifier {
    /// The register or kind of identifier `value` belongs to.
    pub scheme: IdentifierScheme,
    /// The identifier as the register writes it (a number, a Q-ID, a URL, an address); compare it
    /// as text.
    pub value: String,
}
