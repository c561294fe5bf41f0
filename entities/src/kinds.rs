//! Closed vocabularies of the graph, stored as lowercase text so that both databases hold the same
//! readable values and a new value needs no schema change (only a new variant here).

use sea_orm::entity::prelude::*;

/// Declares a text-backed enum: the sea-orm column type, serde names matching the stored text,
/// `ALL` for validation messages and `as_str`/`parse` for the loader and the API.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum,
                 serde::Serialize, serde::Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] #[serde(rename = $value)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored text of this value.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value),+ }
            }

            /// The value stored as `text`, if there is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($value => Some(Self::$variant),)+ _ => None }
            }

            /// The accepted values, for error messages: `"a", "b", "c"`.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| format!("\"{}\"", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// What a record is: the `record.kind` column.
    RecordKind {
        Organization = "organization",
        Place = "place",
        Programme = "programme",
        Project = "project",
        Event = "event",
        Outcome = "outcome",
        Person = "person",
        Topic = "topic",
        TargetGroup = "target_group",
        Participation = "participation",
        Funding = "funding",
        OrganizationRelation = "organization_relation",
        Position = "position",
        Classification = "classification",
        Audience = "audience",
    }
}

text_enum! {
    /// What kind of actor an organization is.
    OrganizationKind {
        /// A library of any type; its details are in the `library` table.
        Library = "library",
        /// A non-governmental organization or foundation.
        Ngo = "ngo",
        /// A municipality, commune office, ministry or other public body.
        PublicAuthority = "public_authority",
        /// A registered association.
        Association = "association",
        /// A network of organizations or people.
        Network = "network",
        /// An informal group with a name but no legal form.
        InformalGroup = "informal_group",
        /// A crowd or unorganised community: donors, local artists, volunteers.
        Community = "community",
        /// A company.
        Business = "business",
        /// An international or intergovernmental body.
        InternationalBody = "international_body",
    }
}

text_enum! {
    /// The administrative type of a library.
    LibraryType {
        National = "national",
        Regional = "regional",
        County = "county",
        Municipal = "municipal",
        /// A commune (gmina, comună) library.
        Communal = "communal",
        /// A branch of a larger library system.
        Branch = "branch",
        /// A public library whose level the source does not state.
        Public = "public",
    }
}

text_enum! {
    /// What a place is.
    PlaceKind {
        Country = "country",
        Region = "region",
        District = "district",
        City = "city",
        Village = "village",
        Address = "address",
    }
}

text_enum! {
    /// Where a place's coordinates come from, or why it has none (`seeds::gazetteer`).
    GeoMatch {
        /// A document states them.
        Stated = "stated",
        /// Matched by name in the gazetteer (GeoNames), cited to it with basis `inferred`.
        Matched = "matched",
        /// Several populated places of the gazetteer match, and nothing tells them apart.
        Ambiguous = "ambiguous",
        /// No populated place of the gazetteer matches.
        NotFound = "not_found",
        /// A country, region, district or address: the gazetteer lists settlements only.
        NotASettlement = "not_a_settlement",
    }
}

text_enum! {
    /// What a programme is.
    ProgrammeKind {
        /// A funding or flagship programme.
        Programme = "programme",
        /// A state or private fund that finances projects.
        Fund = "fund",
        /// A priority of a larger programme.
        Priority = "priority",
        /// An intervention direction within a priority.
        InterventionDirection = "intervention_direction",
        /// A programme that builds and runs a network of organizations.
        NetworkProgramme = "network_programme",
    }
}

text_enum! {
    /// What an event is.
    EventKind {
        Conference = "conference",
        Congress = "congress",
        Festival = "festival",
        Training = "training",
        Workshop = "workshop",
        Webinar = "webinar",
        StudyVisit = "study_visit",
        Fair = "fair",
        Campaign = "campaign",
        FundraisingCampaign = "fundraising_campaign",
        SharingCafe = "sharing_cafe",
        MatchmakingCafe = "matchmaking_cafe",
        Meeting = "meeting",
    }
}

text_enum! {
    /// The part an organization plays in a project, programme or event.
    Role {
        Lead = "lead",
        Partner = "partner",
        Host = "host",
        Organizer = "organizer",
        CoOrganizer = "co_organizer",
        Participant = "participant",
        Venue = "venue",
        Coordinator = "coordinator",
        Funder = "funder",
        Beneficiary = "beneficiary",
        Operator = "operator",
        Trainer = "trainer",
        Supporter = "supporter",
    }
}

text_enum! {
    /// How money or support reaches what it funds.
    FundingInstrument {
        Grant = "grant",
        CoFinancing = "co_financing",
        Crowdfunding = "crowdfunding",
        Donation = "donation",
        InKind = "in_kind",
        CostShare = "cost_share",
        StateFund = "state_fund",
    }
}

text_enum! {
    /// How one organization relates to another (subject → object).
    OrganizationRelationKind {
        /// The subject is a member of the object (a library of a network).
        MemberOf = "member_of",
        /// The subject is an organisational part of the object.
        PartOf = "part_of",
        /// The subject continues the object (a group that became an association).
        SuccessorOf = "successor_of",
        /// The subject is the same body as the object under a later name.
        RenamedFrom = "renamed_from",
        /// The subject was created by the object.
        FoundedBy = "founded_by",
        /// The two work together without a shared item being recorded.
        PartnerOf = "partner_of",
        /// The subject operates the object (a network, a service).
        Runs = "runs",
    }
}

text_enum! {
    /// What a topic is.
    TopicKind {
        /// One of the 17 UN Sustainable Development Goals.
        Sdg = "sdg",
        /// A theme such as digital inclusion or climate.
        Theme = "theme",
    }
}

text_enum! {
    /// How sure a citation is.
    CitationBasis {
        /// The quoted text states the fact.
        Stated = "stated",
        /// The fact is inferred from the text; the citation says why.
        Inferred = "inferred",
    }
}

text_enum! {
    /// How an outcome's value relates to the number the text gives.
    ValueQualifier {
        Exactly = "exactly",
        MoreThan = "more_than",
        AtLeast = "at_least",
        About = "about",
        UpTo = "up_to",
    }
}

text_enum! {
    /// The kind of an external identifier.
    IdentifierScheme {
        Website = "website",
        Isil = "isil",
        Wikidata = "wikidata",
        Krs = "krs",
        Regon = "regon",
        Nip = "nip",
        Idno = "idno",
        Edrpou = "edrpou",
        Uprn = "uprn",
        Facebook = "facebook",
        Email = "email",
    }
}

text_enum! {
    /// What an API token may write (`api_token.role`). Declared from least to most: the derived
    /// order is the order of what they allow.
    TokenRole {
        /// Edits the graph's content.
        Editor = "editor",
        /// Everything an editor does, and manages tokens, merges, restores and hard-deletes.
        Admin = "admin",
    }
}
