"""The exports read by the tools people use (scripts/export-consumers runs this).

GEXF and GraphML by networkx, with node and edge counts equal to what `collaborationNetwork`
answers for the same filter; every CSV by Python's `csv`; the JSON-LD expanded by PyLD, offline
(a document loader that refuses every URL: the document's context is inline, and nothing may be
fetched). Both the HTTP routes and the files `libgraph export` writes are read.

    python check.py URL EXPORT_DIR
"""

import csv
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import networkx as nx
from networkx.readwrite import gexf as nx_gexf
from pyld import jsonld

# networkx reads GEXF 1.1draft and 1.2draft and knows no 1.3 namespace; the elements and
# attributes the export uses are the same in 1.2 and 1.3 (1.3 changed the namespace, dropped the
# "draft", and added things we do not write), so the reader is told the 1.3 namespace and
# nothing else changes. A failure to read is still a failure.
nx_gexf.GEXF.versions["1.3"] = {
    "NS_GEXF": "http://gexf.net/1.3",
    "NS_VIZ": "http://gexf.net/1.3/viz",
    "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance",
    "SCHEMALOCATION": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
    "VERSION": "1.3",
}

SCHEMA = "https://schema.org/"
FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print(f"export-consumers: FAILED: {what}", file=sys.stderr)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return response.read()


def api_network(base, variables):
    query = (
        "query($f: NetworkFilter, $l: Int!) { collaborationNetwork(filter: $f, limit: $l) "
        "{ nodes { organization { slug } } edges { sourceId } } }"
    )
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        base + "/graphql", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    network = answer["data"]["collaborationNetwork"]
    return (
        {n["organization"]["slug"] for n in network["nodes"]},
        len(network["edges"]),
    )


def read_network(gexf_bytes, graphml_bytes, label, nodes, edges):
    """Reads a GEXF and a GraphML document with networkx and compares them with the API's."""
    g = nx.read_gexf(io.BytesIO(gexf_bytes), version="1.3")
    check(set(g.nodes) == nodes, f"{label}: GEXF nodes equal the API's ({len(g)} vs {len(nodes)})")
    check(g.number_of_edges() == edges, f"{label}: GEXF edges {g.number_of_edges()} == {edges}")
    check(not g.is_directed(), f"{label}: GEXF is undirected")
    for _, data in list(g.nodes(data=True))[:50]:
        check({"kind", "degree", "betweenness"} <= set(data), f"{label}: GEXF node attributes {sorted(data)}")
        check(isinstance(data["betweenness"], float), f"{label}: betweenness is a double")
    for _, _, data in list(g.edges(data=True))[:50]:
        check({"weight", "shared_count"} <= set(data), f"{label}: GEXF edge attributes {sorted(data)}")

    h = nx.read_graphml(io.BytesIO(graphml_bytes))
    check(set(h.nodes) == nodes, f"{label}: GraphML nodes equal the API's")
    check(h.number_of_edges() == edges, f"{label}: GraphML edges {h.number_of_edges()} == {edges}")
    for _, data in list(h.nodes(data=True))[:50]:
        check(isinstance(data.get("degree"), int), f"{label}: GraphML degree is an int")
    for _, _, data in list(h.edges(data=True))[:50]:
        check(isinstance(data.get("weight"), float), f"{label}: GraphML weight is a double")
    print(f"export-consumers: {label}: networkx read {len(g)} nodes, {g.number_of_edges()} edges")


def read_csv(text, label):
    """Parses CSV text with Python's csv; every row as long as the header. Returns the rows."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check(len(rows) >= 1, f"{label}: has a header row")
    header = rows[0]
    check(all(len(r) == len(header) for r in rows[1:]), f"{label}: every row has {len(header)} fields")
    return header, rows[1:]


def offline_loader(url, options=None):
    raise jsonld.JsonLdError(
        f"no network: the export must not need {url}", "loading document failed", code="loading document failed"
    )


def read_jsonld(data, label):
    document = json.loads(data)
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    types = {}
    for node in expanded:
        for t in node.get("@type", []):
            types[t] = types.get(t, 0) + 1
    kinds = ("Library", "Organization", "Project", "Event", "MonetaryGrant", "Place", "CreativeWork",
             "Observation", "Person", "DefinedTerm", "Audience")
    for kind in kinds:
        check(types.get(SCHEMA + kind, 0) > 0, f"{label}: expanded JSON-LD has schema:{kind} nodes")
    grants = [n for n in expanded if SCHEMA + "MonetaryGrant" in n.get("@type", [])]
    check(
        all(SCHEMA + "funder" in g and SCHEMA + "fundedItem" in g for g in grants),
        f"{label}: every MonetaryGrant has funder and fundedItem",
    )
    cited = [n for n in expanded if SCHEMA + "citation" in n]
    check(len(cited) > 0, f"{label}: facts carry citations")
    for node in cited[:200]:
        quotation = node[SCHEMA + "citation"][0]
        check(SCHEMA + "Quotation" in quotation.get("@type", []), f"{label}: a citation is a Quotation")
        check(SCHEMA + "isBasedOn" in quotation and SCHEMA + "text" in quotation, f"{label}: a quotation has its source and words")
    places = [n for n in expanded if SCHEMA + "Place" in n.get("@type", [])]
    for place in places:
        if SCHEMA + "geo" in place:
            geo = place[SCHEMA + "geo"][0]
            check(SCHEMA + "latitude" in geo and SCHEMA + "longitude" in geo, f"{label}: geo has latitude and longitude")
    # Flattening merges a node's citations (written after it, under the same @id) into it.
    flat = jsonld.flatten(document, None, {"documentLoader": offline_loader})
    merged = [n for n in flat if SCHEMA + "citation" in n and "@type" in n]
    check(len(merged) > 0, f"{label}: flattened, typed nodes hold their citations")
    untyped = [n["@id"] for n in flat if SCHEMA + "citation" in n and "@type" not in n]
    check(not untyped, f"{label}: every cited node has a type (untyped: {untyped[:5]})")
    roles = [n for n in flat if SCHEMA + "Role" in n.get("@type", [])]
    check(any(SCHEMA + "memberOf" in r for r in roles), f"{label}: an organization relation is a Role under memberOf")
    print(
        f"export-consumers: {label}: pyld expanded {len(expanded)} node objects, "
        f"{len(cited)} with citations, {sum(1 for p in places if SCHEMA + 'geo' in p)} places with geo"
    )


def main():
    base, export_dir = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    cases = [
        ("", {"f": None, "l": 200}),
        ("?country=PL", {"f": {"countries": ["PL"]}, "l": 200}),
        ("?kind=library,ngo&limit=10", {"f": {"kinds": ["LIBRARY", "NGO"]}, "l": 10}),
    ]
    for query, variables in cases:
        nodes, edges = api_network(base, variables)
        label = f"HTTP network{query or ' (whole graph)'}"
        read_network(get(base, "/export/network.gexf" + query), get(base, "/export/network.graphml" + query), label, nodes, edges)
        header, rows = read_csv(get(base, "/export/csv/nodes.csv" + query).decode(), "nodes.csv" + query)
        check({r[0] for r in rows} == nodes, f"nodes.csv{query}: the API's nodes")
        header, rows = read_csv(get(base, "/export/csv/edges.csv" + query).decode(), "edges.csv" + query)
        check(len(rows) == edges, f"edges.csv{query}: {len(rows)} == {edges} edges")

    # Every table, and the JSON-LD, over HTTP.
    tables = 0
    for table in TABLES:
        header, rows = read_csv(get(base, f"/export/csv/{table}.csv").decode(), f"{table}.csv")
        tables += 1
    print(f"export-consumers: csv read {tables} tables over HTTP")
    read_jsonld(get(base, "/export/graph.jsonld"), "HTTP graph.jsonld")

    # A bad parameter: 400, a JSON error naming it, a code of the README's table.
    try:
        get(base, "/export/network.gexf?country=POL")
        check(False, "a bad country is refused")
    except urllib.error.HTTPError as error:
        body = json.loads(error.read())
        check(error.code == 400, f"a bad parameter is 400, got {error.code}")
        check(body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "country"}, f"the error names it: {body}")

    # The files `libgraph export` wrote (the script ran it with --country PL for the network).
    nodes, edges = api_network(base, {"f": {"countries": ["PL"]}, "l": 200})
    read_network(
        (export_dir / "gexf" / "network.gexf").read_bytes(),
        (export_dir / "graphml" / "network.graphml").read_bytes(),
        "CLI network --country PL",
        nodes,
        edges,
    )
    for path in sorted((export_dir / "csv").glob("*.csv")):
        read_csv(path.read_text(encoding="utf-8"), f"CLI {path.name}")
    check(len(list((export_dir / "csv").glob("*.csv"))) == len(TABLES) + 2, "CLI csv wrote every table, nodes and edges")
    read_jsonld((export_dir / "jsonld" / "graph.jsonld").read_bytes(), "CLI graph.jsonld")

    if FAILURES:
        print(f"export-consumers: {len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("export-consumers: ok")


TABLES = [
    "organization", "library", "identifier", "alias", "place", "person", "position",
    "organization_relation", "programme", "project", "event", "participation", "funding",
    "outcome", "topic", "classification", "target_group", "audience", "source", "citation", "record",
]

if __name__ == "__main__":
    main()
