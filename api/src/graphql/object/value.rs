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
        /// A library of any type.
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
    LibraryType = "entities::LibraryType" { National, Regional, County, Municipal, Communal, Branch, Public }
}

mirror_enum! {
    /// What a place is.
    PlaceKind = "entities::PlaceKind" { Country, Region, District, City, Village, Address }
}

mirror_enum! {
    /// What a programme is.
    ProgrammeKind = "entities::ProgrammeKind" { Programme, Fund, Priority, InterventionDirection, NetworkProgramme }
}

mirror_enum! {
    /// What an event is.
    EventKind = "entities::EventKind" {
        Conference, Congress, Festival, Training, Workshop, Webinar, StudyVisit, Fair, Campaign,
        FundraisingCampaign, SharingCafe, MatchmakingCafe, Meeting,
    }
}

mirror_enum! {
    /// The part an organization plays in a project, programme or event.
    Role = "entities::Role" {
        Lead, Partner, Host, Organizer, CoOrganizer, Participant, Venue, Coordinator, Funder,
        Beneficiary, Operator, Trainer, Supporter,
    }
}

mirror_enum! {
    /// How money or support reaches what it funds.
    FundingInstrument = "entities::FundingInstrument" {
        Grant, CoFinancing, Crowdfunding, Donation, InKind, CostShare, StateFund,
    }
}

mirror_enum! {
    /// How one organization (the subject) relates to another (the object).
    OrganizationRelationKind = "entities::OrganizationRelationKind" {
        /// The subject is a member of the object.
        MemberOf,
        /// The subject is an organisational part of the object.
        PartOf,
        /// The subject continues the object.
        SuccessorOf,
        /// The subject is the same body as the object under a later name.
        RenamedFrom,
        /// The subject was created by the object.
        FoundedBy,
        /// The two work together.
        PartnerOf,
        /// The subject operates the object.
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
    ValueQualifier = "entities::ValueQualifier" { Exactly, MoreThan, AtLeast, About, UpTo }
}

mirror_enum! {
    /// The register or kind of an external identifier.
    IdentifierScheme = "entities::IdentifierScheme" {
        Website, Isil, Wikidata, Krs, Regon, Nip, Idno, Edrpou, Uprn, Facebook, Email,
    }
}

/// How precise a date is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    Year,
    Season,
    Month,
    Day,
}

/// A date as precise as its source: "2017", "autumn 2021", "12 September 2017".
#[derive(SimpleObject, Clone, Debug)]
pub struct PartialDate {
    /// The date in EDTF (ISO 8601-2): `2017`, `2017-09`, `2017-09-12`, `2021-23` (autumn 2021),
    /// with `~` (approximate), `?` (uncertain) or `%` (both) appended.
    pub edtf: String,
    pub precision: DatePrecision,
    pub year: i32,
    /// 1–12, when known.
    pub month: Option<i32>,
    /// 1–31, when known.
    pub day: Option<i32>,
    /// `spring`, `summer`, `autumn` or `winter`, when the source gives a season.
    pub season: Option<String>,
    /// The source says "about".
    pub approximate: bool,
    /// The source is unsure.
    pub uncertain: bool,
    /// The first day it can mean, `YYYY-MM-DD`: for sorting and calendars.
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
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    /// The source's own words about time when they give no date ("na początku października").
    pub note: Option<String>,
    /// The first year covered, derived from the dates.
    pub year_from: Option<i32>,
    /// The last year covered, derived from the dates.
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
    /// The amount in the currency's minor unit (grosz, ban, cent).
    pub amount_minor: i64,
    /// ISO 4217 code.
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
            amount_minor,
            currency: currency.to_owned(),
        }
    }
}

/// Another name of an entity: an acronym, a name in another language.
#[derive(SimpleObject, Clone, Debug)]
pub struct Alias {
    pub name: String,
    /// BCP 47 language tag.
    pub lang: Option<String>,
}

/// An identifier of an organization in an external register.
#[derive(SimpleObject, Clone, Debug)]
pub struct Identifier {
    pub scheme: IdentifierScheme,
    pub value: String,
}
