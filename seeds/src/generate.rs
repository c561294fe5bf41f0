//! Synthetic scale data: a deterministic, realistic graph for load and benchmark runs.
//!
//! [`generate`] builds [`Document`]s in code, exactly as an importer would, so the data goes
//! through the same validation and writing path as the curated seeds ([`crate::load`]). The same
//! size and seed always give the same documents: the random numbers come from a SplitMix64
//! generator written out here, not from a crate whose stream could change between versions.
//!
//! # Shape
//! - **Countries**: eight, each with its own language, currency, regions and towns whose names
//!   are built from that language's syllables (with its diacritics, Cyrillic for Ukraine), so
//!   search and sorting meet real letters. Each country is one source document.
//! - **Organizations**: libraries are the largest kind (about 55 %), then NGOs, public
//!   authorities, businesses, associations, informal groups, communities and networks. Each
//!   country has three hubs (its ministry of culture, national library and library
//!   association); a few international bodies and foundations work across countries.
//! - **Partner degrees follow a power law**: partners are drawn with Zipf weights (rank⁻¹), so a
//!   few organizations (the hubs first) take part in thousands of activities and most in a
//!   handful.
//! - **Programmes** nest (national programme → priorities → intervention directions) and have
//!   operators; **projects** have a host library and 1–10 participants in all, a period, often a
//!   programme, outcomes with indicators, fundings through the programme, SDG topics and target
//!   groups; **events** have organizers and participants and often belong to a project.
//! - Every record cites its country's source with a quote, as curated records do.
//!
//! Every funding goes to a project, none to an organization directly: the generated sizes are
//! the fixed inputs of the golden answers and of the benchmark's baselines, and a new draw would
//! move every record after it. `Organization.fundingsReceived` is exercised by its own tests.
//!
//! The documents refer to the curated SDG topics (`sdg-1` … `sdg-17`), so a load includes the
//! curated documents too (see [`with_curated`]).

use crate::document::*;

/// How much to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// About 1,000 organizations: CI smoke runs.
    S,
    /// About 20,000 organizations: the benchmark size.
    M,
    /// About 200,000 organizations and a million participations.
    L,
}

impl Size {
    /// Organizations to generate (international ones included).
    pub fn organizations(self) -> usize {
        match self {
            Size::S => 1_000,
            Size::M => 20_000,
            Size::L => 200_000,
        }
    }

    pub fn parse(text: &str) -> Option<Size> {
        match text {
            "S" | "s" => Some(Size::S),
            "M" | "m" => Some(Size::M),
            "L" | "l" => Some(Size::L),
            _ => None,
        }
    }
}

/// SplitMix64: tiny, fast, and the same stream on every platform and version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Zipf-weighted choice among `n` ranked items: rank `i` has weight `1 / (i + 1)`.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += 1.0 / (i as f64 + 1.0);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

/// What differs between countries: language, currency, names.
struct Country {
    code: &'static str,
    lang: &'static str,
    currency: &'static str,
    name: &'static str,
    name_en: &'static str,
    /// Share of the organizations.
    weight: f64,
    /// Rough centre, for coordinates.
    lat: f64,
    lon: f64,
    /// Town-name syllables: (native, Latin transliteration).
    heads: &'static [(&'static str, &'static str)],
    tails: &'static [(&'static str, &'static str)],
    /// Name patterns; `{}` is a town.
    library: &'static str,
    branch: &'static str,
    municipality: &'static str,
    ngo: &'static str,
    business: &'static str,
    informal: &'static str,
    community: &'static str,
    network: &'static str,
    association: &'static str,
    ministry: &'static str,
    national_library: &'static str,
    programme: &'static str,
    region: &'static str,
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "PL",
        lang: "pl",
        currency: "PLN",
        name: "Polska",
        name_en: "Poland",
        weight: 0.24,
        lat: 52.0,
        lon: 19.4,
        heads: &[
            ("Zielon", "Zielon"),
            ("Dąbr", "Dabr"),
            ("Brzez", "Brzez"),
            ("Wólk", "Wolk"),
            ("Sośn", "Sosn"),
            ("Łęcz", "Lecz"),
            ("Krzyż", "Krzyz"),
            ("Żabi", "Zabi"),
            ("Grab", "Grab"),
            ("Jabłon", "Jablon"),
            ("Olsz", "Olsz"),
            ("Świer", "Swier"),
        ],
        tails: &[
            ("owo", "owo"),
            ("ów", "ow"),
            ("ice", "ice"),
            ("na", "na"),
            ("ki", "ki"),
            ("iec", "iec"),
            ("ówka", "owka"),
            ("ino", "ino"),
        ],
        library: "Gminna Biblioteka Publiczna w {}",
        branch: "Filia Biblioteczna w {}",
        municipality: "Urząd Gminy {}",
        ngo: "Fundacja Rozwoju Ziemi {}",
        business: "Drukarnia {} sp. z o.o.",
        informal: "Koło Gospodyń Wiejskich w {}",
        community: "Mieszkańcy {}",
        network: "Sieć Bibliotek Powiatu {}",
        association: "Stowarzyszenie Bibliotekarzy Polskich",
        ministry: "Ministerstwo Kultury i Dziedzictwa Narodowego",
        national_library: "Biblioteka Narodowa",
        programme: "Program Rozwoju Bibliotek",
        region: "Województwo {}",
    },
    Country {
        code: "UA",
        lang: "uk",
        currency: "UAH",
        name: "Україна",
        name_en: "Ukraine",
        weight: 0.20,
        lat: 49.0,
        lon: 31.0,
        heads: &[
            ("Нов", "Nov"),
            ("Зелен", "Zelen"),
            ("Біл", "Bil"),
            ("Вишн", "Vyshn"),
            ("Калин", "Kalyn"),
            ("Дубр", "Dubr"),
            ("Лип", "Lyp"),
            ("Сосн", "Sosn"),
            ("Черн", "Chern"),
            ("Яблун", "Yablun"),
        ],
        tails: &[
            ("івка", "ivka"),
            ("ове", "ove"),
            ("ичі", "ychi"),
            ("ин", "yn"),
            ("ець", "ets"),
            ("опіль", "opil"),
        ],
        library: "Публічна бібліотека міста {}",
        branch: "Бібліотека-філія села {}",
        municipality: "Міська рада {}",
        ngo: "Громадська організація «Розвиток {}»",
        business: "ТОВ «Друкарня {}»",
        informal: "Ініціативна група {}",
        community: "Громада {}",
        network: "Мережа бібліотек {}",
        association: "Українська бібліотечна асоціація",
        ministry: "Міністерство культури та інформаційної політики України",
        national_library: "Національна бібліотека України імені Ярослава Мудрого",
        programme: "Програма розвитку бібліотек",
        region: "{} область",
    },
    Country {
        code: "RO",
        lang: "ro",
        currency: "RON",
        name: "România",
        name_en: "Romania",
        weight: 0.16,
        lat: 45.9,
        lon: 24.9,
        heads: &[
            ("Mărăș", "Maras"),
            ("Târg", "Targ"),
            ("Șiret", "Siret"),
            ("Frăs", "Fras"),
            ("Câmp", "Camp"),
            ("Brăd", "Brad"),
            ("Țigăn", "Tigan"),
            ("Stej", "Stej"),
            ("Pădur", "Padur"),
        ],
        tails: &[
            ("ești", "esti"),
            ("eni", "eni"),
            ("ani", "ani"),
            ("ița", "ita"),
            ("ăuți", "auti"),
            ("oaia", "oaia"),
        ],
        library: "Biblioteca Publică {}",
        branch: "Filiala Bibliotecii din {}",
        municipality: "Primăria {}",
        ngo: "Asociația pentru Dezvoltare {}",
        business: "Tipografia {} SRL",
        informal: "Grupul de inițiativă {}",
        community: "Comunitatea {}",
        network: "Rețeaua bibliotecilor {}",
        association: "Asociația Națională a Bibliotecarilor și Bibliotecilor Publice din România",
        ministry: "Ministerul Culturii",
        national_library: "Biblioteca Națională a României",
        programme: "Programul de dezvoltare a bibliotecilor",
        region: "Județul {}",
    },
    Country {
        code: "MD",
        lang: "ro",
        currency: "MDL",
        name: "Republica Moldova",
        name_en: "Moldova",
        weight: 0.10,
        lat: 47.2,
        lon: 28.5,
        heads: &[
            ("Cășun", "Casun"),
            ("Sânger", "Sanger"),
            ("Căpr", "Capr"),
            ("Răze", "Raze"),
            ("Ciob", "Ciob"),
            ("Nistr", "Nistr"),
            ("Șold", "Sold"),
        ],
        tails: &[
            ("ești", "esti"),
            ("eni", "eni"),
            ("ăni", "ani"),
            ("uca", "uca"),
            ("ița", "ita"),
        ],
        library: "Biblioteca publică din {}",
        branch: "Filiala bibliotecii din {}",
        municipality: "Primăria {}",
        ngo: "Asociația Obștească „Viitorul {}”",
        business: "Întreprinderea {} SRL",
        informal: "Grupul de inițiativă din {}",
        community: "Comunitatea {}",
        network: "Rețeaua bibliotecilor raionului {}",
        association: "Asociația Bibliotecarilor din Republica Moldova",
        ministry: "Ministerul Culturii al Republicii Moldova",
        national_library: "Biblioteca Națională a Republicii Moldova",
        programme: "Programul de modernizare a bibliotecilor",
        region: "Raionul {}",
    },
    Country {
        code: "CZ",
        lang: "cs",
        currency: "CZK",
        name: "Česko",
        name_en: "Czechia",
        weight: 0.09,
        lat: 49.8,
        lon: 15.5,
        heads: &[
            ("Hořo", "Horo"),
            ("Třeb", "Treb"),
            ("Kříž", "Kriz"),
            ("Luč", "Luc"),
            ("Dub", "Dub"),
            ("Lhot", "Lhot"),
            ("Březn", "Brezn"),
        ],
        tails: &[
            ("ice", "ice"),
            ("ov", "ov"),
            ("ín", "in"),
            ("any", "any"),
            ("ec", "ec"),
        ],
        library: "Městská knihovna {}",
        branch: "Pobočka knihovny {}",
        municipality: "Obecní úřad {}",
        ngo: "Nadace pro rozvoj {}",
        business: "Tiskárna {} s.r.o.",
        informal: "Spolek přátel {}",
        community: "Obyvatelé obce {}",
        network: "Síť knihoven okresu {}",
        association: "Svaz knihovníků a informačních pracovníků ČR",
        ministry: "Ministerstvo kultury České republiky",
        national_library: "Národní knihovna České republiky",
        programme: "Program podpory knihoven",
        region: "{} kraj",
    },
    Country {
        code: "LT",
        lang: "lt",
        currency: "EUR",
        name: "Lietuva",
        name_en: "Lithuania",
        weight: 0.07,
        lat: 55.2,
        lon: 23.9,
        heads: &[
            ("Žalg", "Zalg"),
            ("Šiau", "Siau"),
            ("Kėd", "Ked"),
            ("Ukm", "Ukm"),
            ("Rūd", "Rud"),
            ("Birž", "Birz"),
        ],
        tails: &[
            ("iai", "iai"),
            ("ėnai", "enai"),
            ("ava", "ava"),
            ("ys", "ys"),
            ("uva", "uva"),
        ],
        library: "{} viešoji biblioteka",
        branch: "{} kaimo biblioteka",
        municipality: "{} seniūnija",
        ngo: "Labdaros fondas „{} ateitis“",
        business: "UAB „{} spauda“",
        informal: "{} bendruomenės iniciatyva",
        community: "{} bendruomenė",
        network: "{} bibliotekų tinklas",
        association: "Lietuvos bibliotekininkų draugija",
        ministry: "Lietuvos Respublikos kultūros ministerija",
        national_library: "Lietuvos nacionalinė Martyno Mažvydo biblioteka",
        programme: "Bibliotekų plėtros programa",
        region: "{} apskritis",
    },
    Country {
        code: "SK",
        lang: "sk",
        currency: "EUR",
        name: "Slovensko",
        name_en: "Slovakia",
        weight: 0.07,
        lat: 48.7,
        lon: 19.7,
        heads: &[
            ("Ďur", "Dur"),
            ("Šťav", "Stav"),
            ("Bystr", "Bystr"),
            ("Ľub", "Lub"),
            ("Hron", "Hron"),
            ("Kremn", "Kremn"),
        ],
        tails: &[
            ("ovce", "ovce"),
            ("any", "any"),
            ("ica", "ica"),
            ("ov", "ov"),
            ("ín", "in"),
        ],
        library: "Obecná knižnica {}",
        branch: "Pobočka knižnice {}",
        municipality: "Obecný úrad {}",
        ngo: "Nadácia pre rozvoj {}",
        business: "Tlačiareň {} s.r.o.",
        informal: "Iniciatíva občanov {}",
        community: "Obyvatelia obce {}",
        network: "Sieť knižníc okresu {}",
        association: "Spolok slovenských knihovníkov a knižníc",
        ministry: "Ministerstvo kultúry Slovenskej republiky",
        national_library: "Slovenská národná knižnica",
        programme: "Program rozvoja knižníc",
        region: "{} kraj",
    },
    Country {
        code: "HU",
        lang: "hu",
        currency: "HUF",
        name: "Magyarország",
        name_en: "Hungary",
        weight: 0.07,
        lat: 47.1,
        lon: 19.5,
        heads: &[
            ("Szőll", "Szoll"),
            ("Kőr", "Kor"),
            ("Bükk", "Bukk"),
            ("Tisza", "Tisza"),
            ("Hajdú", "Hajdu"),
            ("Nyír", "Nyir"),
        ],
        tails: &[
            ("ős", "os"),
            ("falva", "falva"),
            ("hegy", "hegy"),
            ("szentmiklós", "szentmiklos"),
            ("újfalu", "ujfalu"),
        ],
        library: "{} Városi Könyvtár",
        branch: "{} Fiókkönyvtár",
        municipality: "{} Polgármesteri Hivatal",
        ngo: "{} Fejlődéséért Alapítvány",
        business: "{} Nyomda Kft.",
        informal: "{} Baráti Kör",
        community: "{} lakossága",
        network: "{} Könyvtári Hálózat",
        association: "Magyar Könyvtárosok Egyesülete",
        ministry: "Kulturális és Innovációs Minisztérium",
        national_library: "Országos Széchényi Könyvtár",
        programme: "Könyvtárfejlesztési Program",
        region: "{} vármegye",
    },
];

/// The international actors every country's projects may draw on.
const INTERNATIONAL: &[(&str, &str, &str)] = &[
    ("international_body", "European Commission", "be"),
    ("ngo", "Open Libraries Foundation", "de"),
    ("international_body", "Nordic Council of Ministers", "dk"),
    ("ngo", "Civil Society Library Fund", "nl"),
    ("international_body", "UNESCO", "fr"),
    ("ngo", "Reading Futures Trust", "gb"),
    ("business", "Global Book Partners", "ie"),
    ("international_body", "Council of Europe", "fr"),
];

const EVENT_KINDS: &[&str] = &[
    "conference",
    "training",
    "workshop",
    "webinar",
    "study_visit",
    "fair",
    "campaign",
    "festival",
    "sharing_cafe",
    "meeting",
];

const INDICATORS: &[(&str, &str)] = &[
    ("participants", "people"),
    ("events held", "events"),
    ("new library users", "people"),
    ("volunteers engaged", "people"),
    ("books lent", "loans"),
    ("trainings delivered", "trainings"),
];

const TARGET_GROUPS: &[(&str, &str)] = &[
    ("gen-children-and-families", "Children and families"),
    ("gen-young-people", "Young people"),
    ("gen-seniors", "Senior citizens"),
    ("gen-job-seekers", "Job seekers"),
    ("gen-refugees-and-migrants", "Refugees and migrants"),
    ("gen-librarians", "Librarians"),
];

/// The SDGs projects are most often about, with how often (curated topic slugs).
const SDGS: &[usize] = &[4, 4, 4, 10, 11, 11, 16, 17, 5, 8, 13, 3];

/// An organization as generated, before it becomes a document record.
struct Org {
    slug: String,
    kind: &'static str,
}

/// The documents of a synthetic graph of `size`, the same for the same `seed`.
pub fn generate(size: Size, seed: u64) -> Vec<(String, Document)> {
    let mut rng = Rng::new(seed);
    let total = size.organizations();
    let mut documents: Vec<(String, Document)> = Vec::new();

    // International actors: one document of their own.
    let mut international = Document {
        source: source("gen-international", "International library partners", "en"),
        ..Default::default()
    };
    let mut orgs: Vec<Org> = Vec::new();
    for (i, (kind, name, _)) in INTERNATIONAL.iter().enumerate() {
        let slug = format!("gen-int-{}-{i}", slugify(name));
        international.organization.push(Organization {
            slug: slug.clone(),
            kind: (*kind).into(),
            name: (*name).into(),
            name_lang: "en".into(),
            description: Some(format!(
                "{name}: an international funder and partner of libraries."
            )),
            quote: quote(name),
            ..Default::default()
        });
        orgs.push(Org { slug, kind });
    }
    for (slug, name) in TARGET_GROUPS {
        international.target_group.push(TargetGroup {
            slug: (*slug).into(),
            name: (*name).into(),
            name_lang: "en".into(),
            quote: quote(name),
            ..Default::default()
        });
    }
    let international_programme = "gen-int-cross-border-library-innovation-fund".to_owned();
    international.programme.push(Programme {
        slug: international_programme.clone(),
        kind: "fund".into(),
        name: "Cross-border Library Innovation Fund".into(),
        name_lang: "en".into(),
        start: Some("2016".into()),
        quote: quote("Cross-border Library Innovation Fund"),
        ..Default::default()
    });
    international.participation.push(Participation {
        organization: orgs[0].slug.clone(),
        target: international_programme.clone(),
        role: "operator".into(),
        quote: quote("operates the fund"),
        ..Default::default()
    });
    let international_orgs = orgs.len();

    let weights: f64 = COUNTRIES.iter().map(|c| c.weight).sum();
    for country in COUNTRIES {
        let n = ((total - international_orgs) as f64 * country.weight / weights).round() as usize;
        let doc = country_document(
            &mut rng,
            country,
            n.max(20),
            &mut orgs,
            international_orgs,
            &international_programme,
        );
        documents.push((
            format!("generated-{}.toml", country.code.to_lowercase()),
            doc,
        ));
    }
    documents.insert(0, ("generated-international.toml".into(), international));
    documents
}

/// The generated documents preceded by the curated ones they refer to (the SDG topics): what a
/// benchmark or scale load passes to [`crate::load`].
pub fn with_curated(
    generated: Vec<(String, Document)>,
) -> Result<Vec<(String, Document)>, Vec<crate::Problem>> {
    let mut documents = crate::curated()?;
    documents.extend(generated);
    Ok(documents)
}

#[allow(clippy::too_many_arguments)]
fn country_document(
    rng: &mut Rng,
    c: &Country,
    n: usize,
    orgs: &mut Vec<Org>,
    international_orgs: usize,
    international_programme: &str,
) -> Document {
    let cc = c.code.to_lowercase();
    let mut d = Document {
        source: source(
            &format!("gen-{cc}-library-network-report"),
            &format!("{} library network report (synthetic)", c.name_en),
            c.lang,
        ),
        ..Default::default()
    };

    // Places: the country, regions, towns.
    let country_place = format!("gen-{cc}-country");
    d.place.push(Place {
        slug: country_place.clone(),
        kind: "country".into(),
        name: c.name.into(),
        name_lang: c.lang.into(),
        name_en: Some(c.name_en.into()),
        country: Some(c.code.into()),
        latitude: Some(c.lat),
        longitude: Some(c.lon),
        quote: quote(c.name),
        ..Default::default()
    });
    let regions: Vec<String> = (0..8)
        .map(|r| {
            let (native, latin) = town(rng, c);
            let slug = format!("gen-{cc}-region-{r}");
            d.place.push(Place {
                slug: slug.clone(),
                kind: "region".into(),
                name: c.region.replace("{}", &native),
                name_lang: c.lang.into(),
                name_en: Some(format!("{latin} Region")),
                country: Some(c.code.into()),
                parent: Some(country_place.clone()),
                quote: quote(&c.region.replace("{}", &native)),
                ..Default::default()
            });
            slug
        })
        .collect();
    let towns: Vec<(String, String, String)> = (0..(n / 12).max(6))
        .map(|t| {
            let (native, latin) = town(rng, c);
            let slug = format!("gen-{cc}-town-{t}-{}", slugify(&latin));
            d.place.push(Place {
                slug: slug.clone(),
                kind: if rng.chance(0.7) { "village" } else { "city" }.into(),
                name: native.clone(),
                name_lang: c.lang.into(),
                name_en: Some(latin.clone()),
                country: Some(c.code.into()),
                parent: Some(rng.pick(&regions).clone()),
                // Stated, so the load never looks these up in the gazetteer (`crate::gazetteer`):
                // only the curated places are matched, once per process. Size S, debug, SQLite,
                // two runs each: 1,049 and 1,352 rows/s before the gazetteer, 1,297 and 1,171
                // after (the same within this shared machine's noise).
                latitude: Some(c.lat + (rng.unit() - 0.5) * 4.0),
                longitude: Some(c.lon + (rng.unit() - 0.5) * 6.0),
                quote: quote(&native),
                ..Default::default()
            });
            (slug, native, latin)
        })
        .collect();

    // Organizations: the three hubs first (they get the highest Zipf weights), then the rest.
    let first = orgs.len();
    let push_org = |d: &mut Document,
                    orgs: &mut Vec<Org>,
                    kind: &'static str,
                    name: String,
                    name_en: String,
                    place: &str,
                    library: Option<LibraryDetails>| {
        let slug = format!("gen-{cc}-{}-{}", slugify(&name_en), orgs.len());
        d.organization.push(Organization {
            slug: slug.clone(),
            kind: kind.into(),
            name: name.clone(),
            name_lang: c.lang.into(),
            name_en: Some(name_en),
            place: Some(place.to_owned()),
            library,
            quote: quote(&name),
            ..Default::default()
        });
        orgs.push(Org { slug, kind });
    };
    push_org(
        &mut d,
        orgs,
        "public_authority",
        c.ministry.into(),
        format!("Ministry of Culture of {}", c.name_en),
        &country_place,
        None,
    );
    push_org(
        &mut d,
        orgs,
        "library",
        c.national_library.into(),
        format!("National Library of {}", c.name_en),
        &country_place,
        Some(LibraryDetails {
            library_type: Some("national".into()),
            ..Default::default()
        }),
    );
    push_org(
        &mut d,
        orgs,
        "association",
        c.association.into(),
        format!("Library Association of {}", c.name_en),
        &country_place,
        None,
    );
    let ministry = orgs[first].slug.clone();
    let association = orgs[first + 2].slug.clone();
    let mut libraries: Vec<String> = vec![orgs[first + 1].slug.clone()];
    let mut town_library: Vec<Option<String>> = vec![None; towns.len()];
    while orgs.len() - first < n {
        let t = rng.below(towns.len());
        let (place, native, latin) = &towns[t];
        let roll = rng.unit();
        let (kind, pattern, english) = match roll {
            x if x < 0.55 => ("library", "", ""),
            x if x < 0.69 => ("ngo", c.ngo, "{} Development Foundation"),
            x if x < 0.81 => ("public_authority", c.municipality, "{} Municipality"),
            x if x < 0.89 => ("business", c.business, "{} Printing House"),
            x if x < 0.93 => ("association", c.informal, "{} Friends' Circle"),
            x if x < 0.97 => ("informal_group", c.informal, "{} Initiative Group"),
            x if x < 0.99 => ("community", c.community, "{} Residents"),
            _ => ("network", c.network, "{} Library Network"),
        };
        if kind == "library" {
            // The first library of a town is its main one; later ones are its branches.
            let (name, name_en, details) = match &town_library[t] {
                None => (
                    c.library.replace("{}", native),
                    format!("{latin} Public Library"),
                    LibraryDetails {
                        library_type: Some(
                            if rng.chance(0.5) {
                                "municipal"
                            } else {
                                "communal"
                            }
                            .into(),
                        ),
                        address: Some(format!("{native} {}", 1 + rng.below(120))),
                        opening_hours: rng.chance(0.3).then(|| "Mo-Fr 09:00-17:00".to_owned()),
                        parent: None,
                    },
                ),
                Some(main) => (
                    c.branch.replace("{}", native),
                    format!("{latin} Branch Library"),
                    LibraryDetails {
                        library_type: Some("branch".into()),
                        parent: Some(main.clone()),
                        ..Default::default()
                    },
                ),
            };
            push_org(&mut d, orgs, "library", name, name_en, place, Some(details));
            let slug = orgs[orgs.len() - 1].slug.clone();
            if town_library[t].is_none() {
                town_library[t] = Some(slug.clone());
            }
            libraries.push(slug);
        } else {
            push_org(
                &mut d,
                orgs,
                kind,
                pattern.replace("{}", native),
                english.replace("{}", latin),
                place,
                None,
            );
        }
    }
    let country_orgs: Vec<String> = orgs[first..].iter().map(|o| o.slug.clone()).collect();
    let funders: Vec<String> = orgs[first..]
        .iter()
        .filter(|o| matches!(o.kind, "public_authority" | "ngo" | "business"))
        .map(|o| o.slug.clone())
        .collect();
    let international: Vec<String> = orgs[..international_orgs]
        .iter()
        .map(|o| o.slug.clone())
        .collect();
    let partner_zipf = Zipf::new(country_orgs.len());
    let library_zipf = Zipf::new(libraries.len());
    let funder_zipf = Zipf::new(funders.len().max(1));

    // Identifiers, network membership, directors.
    let position: std::collections::HashMap<String, usize> = d
        .organization
        .iter()
        .enumerate()
        .map(|(i, o)| (o.slug.clone(), i))
        .collect();
    for (i, library) in libraries.iter().enumerate() {
        if let Some(o) = position.get(library).map(|&p| &mut d.organization[p]) {
            o.identifiers.push(Identifier {
                scheme: "isil".into(),
                value: format!("{}-{}{:05}", c.code, c.code, i),
            });
        }
        if rng.chance(0.3) {
            d.relation.push(Relation {
                subject: library.clone(),
                kind: "member_of".into(),
                object: association.clone(),
                quote: quote("member of the national library association"),
                ..Default::default()
            });
        }
        if rng.chance(0.15) {
            let person = format!("gen-{cc}-person-{i}");
            let (native, _) = town(rng, c);
            d.person.push(Person {
                slug: person.clone(),
                name: format!("{native} {}", 1 + i),
                name_lang: c.lang.into(),
                quote: quote(&native),
                ..Default::default()
            });
            d.position.push(Position {
                person,
                organization: library.clone(),
                title: "director".into(),
                title_lang: "en".into(),
                start: Some(format!("{}", 2005 + rng.below(18))),
                quote: quote("director of the library"),
                ..Default::default()
            });
        }
    }

    // Programmes: the national programme with priorities and directions, then regional ones.
    let national = format!("gen-{cc}-national-library-programme");
    d.programme.push(Programme {
        slug: national.clone(),
        kind: "programme".into(),
        name: c.programme.into(),
        name_lang: c.lang.into(),
        name_en: Some(format!("Library Development Programme of {}", c.name_en)),
        start: Some("2016".into()),
        end: Some("2025".into()),
        quote: quote(c.programme),
        ..Default::default()
    });
    let mut programmes: Vec<String> = Vec::new();
    for p in 1..=3 {
        let priority = format!("{national}-priority-{p}");
        d.programme.push(Programme {
            slug: priority.clone(),
            kind: "priority".into(),
            name: format!("{} — {p}", c.programme),
            name_lang: c.lang.into(),
            code: Some(p.to_string()),
            parent: Some(national.clone()),
            quote: quote(&format!("priority {p}")),
            ..Default::default()
        });
        for q in 1..=2 {
            let direction = format!("{priority}-direction-{q}");
            d.programme.push(Programme {
                slug: direction.clone(),
                kind: "intervention_direction".into(),
                name: format!("{} — {p}.{q}", c.programme),
                name_lang: c.lang.into(),
                code: Some(format!("{p}.{q}")),
                parent: Some(priority.clone()),
                quote: quote(&format!("direction {p}.{q}")),
                ..Default::default()
            });
            programmes.push(direction);
        }
    }
    d.participation.push(Participation {
        organization: ministry.clone(),
        target: national.clone(),
        role: "operator".into(),
        quote: quote("the ministry runs the programme"),
        ..Default::default()
    });
    let mut operators: Vec<(String, String)> = programmes
        .iter()
        .map(|p| (p.clone(), ministry.clone()))
        .collect();
    for r in 0..(n / 400).max(1) {
        let slug = format!("gen-{cc}-regional-programme-{r}");
        let operator = funders
            .get(funder_zipf.sample(rng))
            .cloned()
            .unwrap_or_else(|| ministry.clone());
        d.programme.push(Programme {
            slug: slug.clone(),
            kind: "programme".into(),
            name: format!("{} {}", c.programme, r + 1),
            name_lang: c.lang.into(),
            start: Some(format!("{}", 2015 + rng.below(8))),
            quote: quote(c.programme),
            ..Default::default()
        });
        d.participation.push(Participation {
            organization: operator.clone(),
            target: slug.clone(),
            role: "operator".into(),
            quote: quote("runs the programme"),
            ..Default::default()
        });
        operators.push((slug, operator));
    }

    // Projects: a host library, 0–9 partners drawn by Zipf weight, outcomes, fundings, topics.
    let projects = n;
    let mut project_slugs = Vec::with_capacity(projects);
    for p in 0..projects {
        let host = &libraries[library_zipf.sample(rng)];
        let (_, native, latin) = rng.pick(&towns);
        let slug = format!("gen-{cc}-project-{p}");
        let year = 2015 + rng.below(11) as i32;
        let (programme, operator) = if rng.chance(0.1) {
            (
                Some(international_programme.to_owned()),
                international[0].clone(),
            )
        } else if rng.chance(0.75) {
            let (programme, operator) = rng.pick(&operators);
            (Some(programme.clone()), operator.clone())
        } else {
            (
                None,
                funders
                    .get(funder_zipf.sample(rng))
                    .cloned()
                    .unwrap_or_else(|| ministry.clone()),
            )
        };
        let start = if rng.chance(0.5) {
            format!("{year}-{:02}", 1 + rng.below(12))
        } else {
            year.to_string()
        };
        let name = format!(
            "{} {native} {}",
            [
                "Mediateka",
                "Maker Space",
                "Klub",
                "Akademia",
                "Hub",
                "Laborator"
            ][p % 6],
            p + 1
        );
        d.project.push(Project {
            slug: slug.clone(),
            name: name.clone(),
            name_lang: c.lang.into(),
            name_en: Some(format!("{latin} community project {}", p + 1)),
            description: Some(format!("A library project in {latin} with local partners.")),
            programme: programme.clone(),
            place: Some(towns[rng.below(towns.len())].0.clone()),
            start: Some(start),
            end: Some((year + rng.below(3) as i32).to_string()),
            quote: quote(&name),
            ..Default::default()
        });
        d.participation.push(Participation {
            organization: host.clone(),
            target: slug.clone(),
            role: if rng.chance(0.5) { "lead" } else { "host" }.into(),
            quote: quote("the library leads the project"),
            ..Default::default()
        });
        let partners = partner_count(rng);
        let mut chosen: Vec<&str> = vec![host.as_str()];
        for _ in 0..partners {
            let partner = if rng.chance(0.05) {
                rng.pick(&international).as_str()
            } else {
                country_orgs[partner_zipf.sample(rng)].as_str()
            };
            if chosen.contains(&partner) {
                continue;
            }
            chosen.push(partner);
            d.participation.push(Participation {
                organization: partner.to_owned(),
                target: slug.clone(),
                role: if rng.chance(0.85) {
                    "partner"
                } else {
                    "supporter"
                }
                .into(),
                quote: quote("a partner of the project"),
                ..Default::default()
            });
        }
        if rng.chance(0.6) {
            let outcomes = 1 + usize::from(rng.chance(0.3));
            for o in 0..outcomes {
                let (indicator, unit) = rng.pick(INDICATORS);
                let value = (10 + rng.below(990)) as f64;
                d.outcome.push(Outcome {
                    slug: format!("{slug}-outcome-{o}"),
                    of: slug.clone(),
                    description: format!("{indicator}: {value}"),
                    description_lang: "en".into(),
                    indicator: Some((*indicator).into()),
                    value: Some(value),
                    value_qualifier: Some(
                        if rng.chance(0.3) {
                            "more_than"
                        } else {
                            "exactly"
                        }
                        .into(),
                    ),
                    unit: Some((*unit).into()),
                    target: rng.chance(0.3).then_some(value * 1.2),
                    quote: quote(indicator),
                    ..Default::default()
                });
            }
        }
        if rng.chance(0.5) && !chosen.contains(&operator.as_str()) {
            d.funding.push(Funding {
                funder: operator.clone(),
                to: slug.clone(),
                via: programme.clone(),
                instrument: Some(
                    if rng.chance(0.8) {
                        "grant"
                    } else {
                        "co_financing"
                    }
                    .into(),
                ),
                amount: Some(toml::Value::Integer(1_000 * (1 + rng.below(200)) as i64)),
                currency: Some(
                    if programme.as_deref() == Some(international_programme) {
                        "EUR"
                    } else {
                        c.currency
                    }
                    .into(),
                ),
                start: Some(year.to_string()),
                quote: quote("funded the project"),
                ..Default::default()
            });
        }
        for _ in 0..1 + rng.below(2) {
            let topic = format!("sdg-{}", rng.pick(SDGS));
            if d.classification
                .iter()
                .rev()
                .take(2)
                .any(|x| x.record == slug && x.topic == topic)
            {
                continue;
            }
            d.classification.push(Classification {
                record: slug.clone(),
                topic,
                quote: quote("about the topic"),
                ..Default::default()
            });
        }
        if rng.chance(0.4) {
            d.audience.push(Audience {
                record: slug.clone(),
                target_group: rng.pick(TARGET_GROUPS).0.into(),
                quote: quote("for the group"),
                ..Default::default()
            });
        }
        project_slugs.push(slug);
    }

    // Events: organizers and participants, often within a project.
    for e in 0..n / 4 {
        let slug = format!("gen-{cc}-event-{e}");
        let kind = *rng.pick(EVENT_KINDS);
        let (place, native, latin) = rng.pick(&towns);
        let year = 2015 + rng.below(11);
        let name = format!("{native} {kind} {}", e + 1);
        d.event.push(Event {
            slug: slug.clone(),
            kind: kind.into(),
            name: name.clone(),
            name_lang: c.lang.into(),
            name_en: Some(format!("{latin} {} {}", kind.replace('_', " "), e + 1)),
            place: Some(place.clone()),
            project: (rng.chance(0.5) && !project_slugs.is_empty())
                .then(|| rng.pick(&project_slugs).clone()),
            start: Some(format!(
                "{year}-{:02}-{:02}",
                1 + rng.below(12),
                1 + rng.below(28)
            )),
            quote: quote(&name),
            ..Default::default()
        });
        let mut chosen: Vec<&str> = Vec::new();
        for k in 0..1 + partner_count(rng) {
            let who = if k == 0 {
                libraries[library_zipf.sample(rng)].as_str()
            } else {
                country_orgs[partner_zipf.sample(rng)].as_str()
            };
            if chosen.contains(&who) {
                continue;
            }
            chosen.push(who);
            d.participation.push(Participation {
                organization: who.to_owned(),
                target: slug.clone(),
                role: if k == 0 { "organizer" } else { "participant" }.into(),
                quote: quote("took part in the event"),
                ..Default::default()
            });
        }
    }
    d
}

/// Participants besides the host: 0–9, most projects small.
fn partner_count(rng: &mut Rng) -> usize {
    let mut k = 0;
    while k < 9 && rng.chance(0.78) {
        k += 1;
    }
    k
}

/// A town name in the country's letters and in Latin transliteration.
fn town(rng: &mut Rng, c: &Country) -> (String, String) {
    let (h, hl) = rng.pick(c.heads);
    let (t, tl) = rng.pick(c.tails);
    (format!("{h}{t}"), format!("{hl}{tl}"))
}

fn source(slug: &str, title: &str, language: &str) -> Source {
    Source {
        slug: slug.into(),
        title: title.into(),
        language: language.into(),
        publisher: None,
        description: Some(
            "Synthetic data generated for scale tests and benchmarks; not a real document.".into(),
        ),
        ..Default::default()
    }
}

fn quote(text: &str) -> Quotes {
    Quotes::One(text.to_owned())
}

/// Lowercase ASCII words joined by `-`, at most 60 characters.
fn slugify(text: &str) -> String {
    let folded = entities::text::fold(text).replace(' ', "-");
    let mut slug: String = folded.chars().take(60).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_graph() {
        let a = generate(Size::S, 7);
        let b = generate(Size::S, 7);
        let c = generate(Size::S, 8);
        let slugs = |docs: &[(String, Document)]| -> Vec<String> {
            docs.iter()
                .flat_map(|(_, d)| d.organization.iter().map(|o| o.name.clone()))
                .collect()
        };
        assert_eq!(slugs(&a), slugs(&b));
        assert_ne!(slugs(&a), slugs(&c));
    }

    #[test]
    fn size_s_has_about_a_thousand_organizations_most_of_them_libraries() {
        let docs = generate(Size::S, 1);
        let orgs: Vec<&Organization> = docs.iter().flat_map(|(_, d)| &d.organization).collect();
        let libraries = orgs.iter().filter(|o| o.kind == "library").count();
        assert!(
            (950..=1100).contains(&orgs.len()),
            "{} organizations",
            orgs.len()
        );
        assert!(
            libraries * 2 > orgs.len(),
            "{libraries} libraries of {}",
            orgs.len()
        );
    }

    #[test]
    fn partner_degrees_follow_a_power_law() {
        let docs = generate(Size::S, 1);
        let mut degree: std::collections::HashMap<&str, usize> = Default::default();
        for p in docs.iter().flat_map(|(_, d)| &d.participation) {
            *degree.entry(p.organization.as_str()).or_default() += 1;
        }
        let mut degrees: Vec<usize> = degree.into_values().collect();
        degrees.sort_unstable_by(|a, b| b.cmp(a));
        let median = degrees[degrees.len() / 2];
        assert!(
            degrees[0] >= 20 * median.max(1),
            "top {} vs median {median}",
            degrees[0]
        );
    }

    #[test]
    fn the_generated_documents_validate() {
        let documents = with_curated(generate(Size::S, 1)).expect("curated parse");
        if let Err(problems) = crate::validate::build(&documents) {
            panic!("{} problems, first: {}", problems.len(), problems[0]);
        }
    }

    #[test]
    fn zipf_prefers_the_first_ranks() {
        let zipf = Zipf::new(1000);
        let mut rng = Rng::new(3);
        let mut counts = [0usize; 1000];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        assert!(
            counts[0] > 10 * counts[99],
            "{} vs {}",
            counts[0],
            counts[99]
        );
        assert!(counts.iter().all(|&c| c < 100_000));
    }
}
