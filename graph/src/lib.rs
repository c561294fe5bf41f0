//! Collaboration-graph algorithms for libgraph.
//!
//! This crate owns the graph questions the API answers about partner
//! organizations: who an organization works with ([`collaborators`]), the
//! whole weighted collaboration network with centrality ([`network()`]) and how
//! two organizations are connected ([`connection_path`]).
//!
//! Everything here is a pure function over plain Rust values ([`Membership`]
//! rows, loaded from the database by the caller). It is a crate of its own
//! because two callers must compute tie weights the same way to the bit: the
//! loader (`seeds`), which stores every organization's [`ties()`] in the
//! `collaboration` table, and the API, which computes filtered collaborators
//! ([`filtered_collaborators`]) and networks ([`strongest_network`]) from
//! memberships when a stored tie cannot answer. The algorithms are kept out
//! of the GraphQL resolvers so they can be unit-tested on hand-made graphs
//! without a database or a schema, and so the resolvers stay thin: load rows,
//! call one function, map the result.
//!
//! Two organizations collaborate when they take part in at least one shared
//! item (project, event or programme). [`CollaborationGraph`] projects the
//! membership rows onto that organization-to-organization graph once, so a
//! caller answering several questions over the same rows pays for the
//! projection only once; the free functions are shorthands that build a graph
//! and ask it a single question.
//!
//! The crate serves a public API, so it never panics on its input, and its
//! output is deterministic: organizations are ordered by id, items by
//! `(kind, id)`, and every tie is broken by id, so the same data always yields
//! the same answer regardless of the order the rows arrived in.
//!
//! # Layout
//!
//! - `membership.rs`: the input rows ([`Membership`], [`ItemRef`]) and the
//!   merging of repeated rows every algorithm counts members by.
//! - `weight.rs`: what an item adds to a tie ([`item_share`]), the rounding every
//!   weight gets ([`rounded`]) and the order strongest first.
//! - `ties.rs`: one organization's [`collaborators`], and the [`ties()`] the loader stores
//!   for every organization.
//! - `filter.rs`: collaborators under a coordinator's filter
//!   ([`filtered_collaborators`]).
//! - `projection.rs`: the [`CollaborationGraph`], built once and asked many
//!   questions.
//! - `network.rs`: the whole weighted [`Network`] with degrees and centrality, and the part of it
//!   the API draws ([`strongest_network`], [`Network::reweigh`]).
//! - `betweenness.rs`: the centrality kernel, parallel and bit-identical on
//!   every machine.
//! - `path.rs`: the shortest chain between two organizations ([`connection_path`]).

mod betweenness;
mod filter;
mod membership;
mod network;
mod path;
mod projection;
mod ties;
mod weight;

#[cfg(test)]
mod cross_check;
#[cfg(test)]
mod testing;

pub use filter::{CollaboratorFilter, Participation, Period, filtered_collaborators};
pub use membership::{ItemKind, ItemRef, Membership};
pub use network::{
    Network, NetworkEdge, NetworkNode, NetworkOptions, StrongestNetwork, network,
    network_with_options, strongest_network,
};
pub use path::{Hop, connection_path};
pub use projection::CollaborationGraph;
pub use ties::{Collaboration, Tie, collaborators, ties};
pub use weight::{DECIMALS, item_share, rounded, strongest_first};
