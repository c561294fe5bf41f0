//! The libgraph data model as sea-orm entities, one module per table.
//!
//! # Layout
//! - [`record`]: the supertype of everything that can be cited. Every entity (organization, place,
//!   programme, project, event, outcome, person, topic, target group) and every relation
//!   (participation, funding, organization relation, position, classification, audience) owns one
//!   `record` row and uses its id as its own primary key. That single identity is what lets a
//!   citation, an alias, an outcome or a participation point at "any record" with a real foreign key.
//! - Entities: [`organization`] (+ [`library`] details, [`alias`], [`identifier`]), [`place`],
//!   [`programme`], [`project`], [`event`], [`outcome`], [`person`], [`topic`], [`target_group`].
//! - Relations: [`participation`], [`funding`], [`organization_relation`], [`position`],
//!   [`classification`], [`audience`].
//! - Provenance: [`source`] (a document, its text in [`source_text`]) and [`citation`] (record ↔
//!   source, with a quote; or one alias of the record ↔ source).
//! - Derived indexes, written only by the loader: [`search_term`], [`search_word`] and
//!   [`search_pair`] (search), [`collaboration`] (every organization's ties, computed ahead);
//!   [`graph_version`], raised by every load, for answers the API keeps.
//! - History: [`revision`] (one change: who, when, why) and [`revision_change`] (each record it
//!   changed, before and after).
//! - [`api_token`]: who may write through the API (a token's hash, role and expiry), apart from
//!   the graph.
//! - [`kinds`]: the closed vocabularies (organization kinds, roles…) stored as text.
//! - [`date`]: partial dates (EDTF subset) that keep the precision a document gives.
//! - [`order`]: the orders lists are read in and the indexes that hold them in that order, one
//!   definition for the API's statements and the migrations.
//! - [`aliased`]: an entity's table under an alias (`participation AS p`), whose columns can only
//!   be the entity's, for statements that name their tables short.
//!
//! This crate knows nothing of GraphQL or HTTP: the API wraps these models.

pub mod aliased;
pub mod date;
pub mod kinds;
pub mod order;
pub mod text;

pub mod alias;
pub mod api_token;
pub mod audience;
pub mod citation;
pub mod classification;
pub mod collaboration;
pub mod event;
pub mod funding;
pub mod graph_version;
pub mod identifier;
pub mod library;
pub mod organization;
pub mod organization_relation;
pub mod outcome;
pub mod participation;
pub mod person;
pub mod place;
pub mod position;
pub mod programme;
pub mod project;
pub mod record;
pub mod record_redirect;
pub mod revision;
pub mod revision_change;
pub mod search_pair;
pub mod search_term;
pub mod search_word;
pub mod source;
pub mod source_text;
pub mod target_group;
pub mod topic;

pub use date::PartialDate;
pub use kinds::*;
