//! The collaboration network as GEXF 1.3, GraphML, and `nodes.csv` / `edges.csv`.
//!
//! [`DrawnNetwork::read`] takes the network from [`collaboration::network`] — the function,
//! cache and bounds `collaborationNetwork` uses, with the same filter and limit, so both answer
//! the same nodes and edges — and reads only what a file shows besides: each organization's
//! slug, names, kind and country, and each tie's years. Everything it holds is bounded by the
//! network's `limit` (at most [`super::MAX_NETWORK_NODES`] organizations) and the edges among
//! them; the writers then hand the file on a chunk at a time.
//!
//! Nodes are named by slug in every format (stable across loads and databases, unlike row ids),
//! labelled with the name in the original language. Attributes: `kind`, `country`, `degree`,
//! `weighted_degree`, `betweenness`, `name_en` on nodes; `weight` (GEXF's own edge weight),
//! `shared_count`, `first_year`, `last_year` on edges. The years are the stored tie's
//! ([`crate::store::export::tie_years`]): the span of everything the two share in the whole
//! graph, as `Organization.collaborators` gives it.
//!
//! XML is written with `xml` for every text and attribute value: the five markup characters
//! escaped, and the characters XML 1.0 cannot hold at all (control characters other than tab and
//! newlines) dropped, since no escape makes them legal. By hand rather than with `quick-xml`'s
//! `escape`: that crate has RustSec advisories that the vendored advisory database
//! (supply-chain/advisory-db) does not hold and these machines cannot fetch, so `scripts/deny`
//! refuses it; escaping five characters is not worth an unvetted dependency.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::{ExportError, NetworkQuery, Out};
use crate::store::collaboration::{self, ComputedNetwork, NetworkCache};
use crate::store::error::StoreResult;
use crate::store::export::{NodeFacts, node_facts, tie_years};

/// A network with what its files show.
pub struct DrawnNetwork {
    network: Arc<ComputedNetwork>,
    facts: HashMap<i64, NodeFacts>,
    years: HashMap<(i64, i64), (Option<i32>, Option<i32>)>,
}

impl DrawnNetwork {
    /// The network `collaborationNetwork(filter, limit)` answers for `query`, with its nodes'
    /// facts and its edges' years. Refuses with `TOO_BROAD` what `collaborationNetwork` refuses.
    pub async fn read(
        db: &DatabaseConnection,
        cache: &NetworkCache,
        query: &NetworkQuery,
        max_memberships: usize,
    ) -> StoreResult<DrawnNetwork> {
        let network =
            collaboration::network(db, cache, &query.filter, query.limit, max_memberships).await?;
        let ids: Vec<i64> = network
            .network
            .nodes
            .iter()
            .map(|n| n.organization)
            .collect();
        let facts = node_facts(db, &ids).await?;
        let pairs: HashSet<(i64, i64)> = network
            .network
            .edges
            .iter()
            .map(|e| (e.source, e.target))
            .collect();
        let years = tie_years(db, &ids, &pairs).await?;
        Ok(DrawnNetwork {
            network,
            facts,
            years,
        })
    }

    /// How many organizations and ties the network has.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.network.network.nodes.len(),
            self.network.network.edges.len(),
        )
    }

    fn facts(&self, organization: i64) -> Cow<'_, NodeFacts> {
        match self.facts.get(&organization) {
            Some(facts) => Cow::Borrowed(facts),
            // A node whose organization was deleted between the two reads: named by its id.
            None => Cow::Owned(NodeFacts {
                slug: format!("organization-{organization}"),
                ..NodeFacts::default()
            }),
        }
    }

    fn slug(&self, organization: i64) -> Cow<'_, str> {
        match self.facts.get(&organization) {
            Some(facts) => Cow::Borrowed(facts.slug.as_str()),
            None => Cow::Owned(format!("organization-{organization}")),
        }
    }

    fn years(&self, edge: &graph::NetworkEdge) -> (Option<i32>, Option<i32>) {
        self.years
            .get(&(edge.source, edge.target))
            .copied()
            .unwrap_or((None, None))
    }

    /// The network as GEXF 1.3 (gexf.net/schema.html), undirected, with the attributes the
    /// module docs list.
    pub async fn write_gexf(&self, out: &mut Out) -> Result<(), ExportError> {
        write!(
            out,
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "\n",
                r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
                r#"xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#,
                "\n  <meta><creator>libgraph</creator><description>{}</description></meta>\n",
                r#"  <graph mode="static" defaultedgetype="undirected">"#,
                "\n",
                r#"    <attributes class="node">"#,
                "\n",
                r#"      <attribute id="kind" title="kind" type="string"/>"#,
                "\n",
                r#"      <attribute id="country" title="country" type="string"/>"#,
                "\n",
                r#"      <attribute id="degree" title="degree" type="integer"/>"#,
                "\n",
                r#"      <attribute id="weighted_degree" title="weighted_degree" type="double"/>"#,
                "\n",
                r#"      <attribute id="betweenness" title="betweenness" type="double"/>"#,
                "\n",
                r#"      <attribute id="name_en" title="name_en" type="string"/>"#,
                "\n    </attributes>\n",
                r#"    <attributes class="edge">"#,
                "\n",
                r#"      <attribute id="shared_count" title="shared_count" type="integer"/>"#,
                "\n",
                r#"      <attribute id="first_year" title="first_year" type="integer"/>"#,
                "\n",
                r#"      <attribute id="last_year" title="last_year" type="integer"/>"#,
                "\n    </attributes>\n    <nodes>\n",
            ),
            xml(&self.description()),
        )?;
        for node in &self.network.network.nodes {
            let facts = self.facts(node.organization);
            write!(
                out,
                r#"      <node id="{}" label="{}"><attvalues><attvalue for="kind" value="{}"/>"#,
                xml(&facts.slug),
                xml(&facts.name),
                xml(&facts.kind),
            )?;
            if let Some(country) = &facts.country {
                write!(out, r#"<attvalue for="country" value="{}"/>"#, xml(country))?;
            }
            write!(
                out,
                concat!(
                    r#"<attvalue for="degree" value="{}"/>"#,
                    r#"<attvalue for="weighted_degree" value="{}"/>"#,
                    r#"<attvalue for="betweenness" value="{}"/>"#,
                ),
                node.degree, node.weighted_degree, node.betweenness,
            )?;
            if let Some(name_en) = &facts.name_en {
                write!(out, r#"<attvalue for="name_en" value="{}"/>"#, xml(name_en))?;
            }
            out.write_all(b"</attvalues></node>\n")?;
            out.flush_if_full().await?;
        }
        out.write_all(b"    </nodes>\n    <edges>\n")?;
        for (index, edge) in self.network.network.edges.iter().enumerate() {
            write!(
                out,
                concat!(
                    r#"      <edge id="{}" source="{}" target="{}" weight="{}"><attvalues>"#,
                    r#"<attvalue for="shared_count" value="{}"/>"#,
                ),
                index,
                xml(&self.slug(edge.source)),
                xml(&self.slug(edge.target)),
                edge.weight,
                edge.shared.len(),
            )?;
            let (first, last) = self.years(edge);
            if let Some(first) = first {
                write!(out, r#"<attvalue for="first_year" value="{first}"/>"#)?;
            }
            if let Some(last) = last {
                write!(out, r#"<attvalue for="last_year" value="{last}"/>"#)?;
            }
            out.write_all(b"</attvalues></edge>\n")?;
            out.flush_if_full().await?;
        }
        out.write_all(b"    </edges>\n  </graph>\n</gexf>\n")?;
        Ok(())
    }

    /// The network as GraphML (graphml.graphdrawing.org), undirected, with typed `<key>`s for
    /// the attributes the module docs list.
    pub async fn write_graphml(&self, out: &mut Out) -> Result<(), ExportError> {
        out.write_all(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "\n",
                r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
                r#"xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#,
                "\n",
                r#"  <key id="label" for="node" attr.name="label" attr.type="string"/>"#,
                "\n",
                r#"  <key id="name_en" for="node" attr.name="name_en" attr.type="string"/>"#,
                "\n",
                r#"  <key id="kind" for="node" attr.name="kind" attr.type="string"/>"#,
                "\n",
                r#"  <key id="country" for="node" attr.name="country" attr.type="string"/>"#,
                "\n",
                r#"  <key id="degree" for="node" attr.name="degree" attr.type="int"/>"#,
                "\n",
                r#"  <key id="weighted_degree" for="node" attr.name="weighted_degree" attr.type="double"/>"#,
                "\n",
                r#"  <key id="betweenness" for="node" attr.name="betweenness" attr.type="double"/>"#,
                "\n",
                r#"  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#,
                "\n",
                r#"  <key id="shared_count" for="edge" attr.name="shared_count" attr.type="int"/>"#,
                "\n",
                r#"  <key id="first_year" for="edge" attr.name="first_year" attr.type="int"/>"#,
                "\n",
                r#"  <key id="last_year" for="edge" attr.name="last_year" attr.type="int"/>"#,
                "\n",
                r#"  <graph id="collaboration" edgedefault="undirected">"#,
                "\n",
            )
            .as_bytes(),
        )?;
        for node in &self.network.network.nodes {
            let facts = self.facts(node.organization);
            write!(
                out,
                r#"    <node id="{}"><data key="label">{}</data><data key="kind">{}</data>"#,
                xml(&facts.slug),
                xml(&facts.name),
                xml(&facts.kind),
            )?;
            if let Some(name_en) = &facts.name_en {
                write!(out, r#"<data key="name_en">{}</data>"#, xml(name_en))?;
            }
            if let Some(country) = &facts.country {
                write!(out, r#"<data key="country">{}</data>"#, xml(country))?;
            }
            writeln!(
                out,
                concat!(
                    r#"<data key="degree">{}</data><data key="weighted_degree">{}</data>"#,
                    r#"<data key="betweenness">{}</data></node>"#,
                ),
                node.degree, node.weighted_degree, node.betweenness,
            )?;
            out.flush_if_full().await?;
        }
        for (index, edge) in self.network.network.edges.iter().enumerate() {
            write!(
                out,
                concat!(
                    r#"    <edge id="e{}" source="{}" target="{}"><data key="weight">{}</data>"#,
                    r#"<data key="shared_count">{}</data>"#,
                ),
                index,
                xml(&self.slug(edge.source)),
                xml(&self.slug(edge.target)),
                edge.weight,
                edge.shared.len(),
            )?;
            let (first, last) = self.years(edge);
            if let Some(first) = first {
                write!(out, r#"<data key="first_year">{first}</data>"#)?;
            }
            if let Some(last) = last {
                write!(out, r#"<data key="last_year">{last}</data>"#)?;
            }
            out.write_all(b"</edge>\n")?;
            out.flush_if_full().await?;
        }
        out.write_all(b"  </graph>\n</graphml>\n")?;
        Ok(())
    }

    /// `nodes.csv`: `id` (the slug), `label`, `name_en`, `kind`, `country`, `degree`,
    /// `weighted_degree`, `betweenness` — Gephi's spreadsheet import reads `id` and `label`.
    pub async fn write_nodes_csv(&self, out: &mut Out) -> Result<(), ExportError> {
        let mut csv = super::tables::writer();
        csv.write_record([
            "id",
            "label",
            "name_en",
            "kind",
            "country",
            "degree",
            "weighted_degree",
            "betweenness",
        ])?;
        for node in &self.network.network.nodes {
            let facts = self.facts(node.organization);
            csv.write_record([
                facts.slug.as_str(),
                facts.name.as_str(),
                facts.name_en.as_deref().unwrap_or(""),
                facts.kind.as_str(),
                facts.country.as_deref().unwrap_or(""),
                &node.degree.to_string(),
                &node.weighted_degree.to_string(),
                &node.betweenness.to_string(),
            ])?;
            super::tables::hand_on_full(&mut csv, out).await?;
        }
        super::tables::hand_on_rest(csv, out).await
    }

    /// `edges.csv`: `source`, `target` (slugs), `type` (`Undirected`, for Gephi), `weight`,
    /// `shared_count`, `first_year`, `last_year`.
    pub async fn write_edges_csv(&self, out: &mut Out) -> Result<(), ExportError> {
        let mut csv = super::tables::writer();
        csv.write_record([
            "source",
            "target",
            "type",
            "weight",
            "shared_count",
            "first_year",
            "last_year",
        ])?;
        let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
        for edge in &self.network.network.edges {
            let (first, last) = self.years(edge);
            csv.write_record([
                self.slug(edge.source).as_ref(),
                self.slug(edge.target).as_ref(),
                "Undirected",
                &edge.weight.to_string(),
                &edge.shared.len().to_string(),
                &year(first),
                &year(last),
            ])?;
            super::tables::hand_on_full(&mut csv, out).await?;
        }
        super::tables::hand_on_rest(csv, out).await
    }

    /// What the file's `<meta>` says the network is.
    fn description(&self) -> String {
        let (nodes, edges) = self.counts();
        format!(
            "libgraph collaboration network: {nodes} organizations (of {} the filter matched), {edges} ties",
            self.network.total_nodes
        )
    }
}

/// `text` as XML 1.0 character data or attribute value: the characters XML cannot hold dropped,
/// `&`, `<`, `>`, `"` and `'` escaped.
fn xml(text: &str) -> Cow<'_, str> {
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '"' | '\'')
            && (!c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    };
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a & <b> \"c\""), "a &amp; &lt;b&gt; &quot;c&quot;");
        assert_eq!(xml("bell\u{7}ed"), "belled");
        assert_eq!(xml("Łódź"), "Łódź");
    }
}
