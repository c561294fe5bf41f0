// The network drawing shared by the playground's Network panel and /explore: reading a network out
// of any GraphQL result, drawing it with cytoscape.js, highlighting a connection path, and the
// card of one organization (fetched from the public GraphQL API).
import cytoscape from 'cytoscape';
import { forceSimulation, forceLink, forceManyBody, forceX, forceY, forceCollide } from 'd3-force';

/** One colour per OrganizationKind (the schema's enum); unknown kinds are grey. */
export const KIND_COLOURS = {
  LIBRARY: '#1f77b4',
  NGO: '#ff7f0e',
  PUBLIC_AUTHORITY: '#2ca02c',
  ASSOCIATION: '#d62728',
  NETWORK: '#9467bd',
  INFORMAL_GROUP: '#8c564b',
  COMMUNITY: '#e377c2',
  BUSINESS: '#17becf',
  INTERNATIONAL_BODY: '#bcbd22',
};
const OTHER_COLOUR = '#999999';

export function kindColour(kind) {
  return KIND_COLOURS[kind] || OTHER_COLOUR;
}

export function kindLabel(kind) {
  return kind ? kind.charAt(0) + kind.slice(1).toLowerCase().replace(/_/g, ' ') : 'unknown kind';
}

export function escapeHtml(text) {
  return String(text == null ? '' : text).replace(/[&<>"']/g, (c) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** The key a node is known by: its global ID, else its slug, else its name. */
function orgKey(org) {
  if (!org || typeof org !== 'object') return null;
  return org.id || org.slug || org.name || null;
}

function activityNames(list) {
  return Array.isArray(list) ? list.map((a) => a && (a.name || a.nameEn || a.slug)).filter(Boolean) : [];
}

/**
 * Finds the network a GraphQL result holds: a `collaborationNetwork` (an object with `nodes` and
 * `edges`), the `collaborators` of an organization (drawn as a star around it), a
 * `connectionPath` (its `hops`); several are merged. Returns null when the result holds none.
 * Fields the query did not select are simply missing: ids fall back to slugs or names.
 */
export function extractNetwork(data) {
  const nodes = new Map();
  const edges = new Map();
  let path = null;
  let truncated = false;
  let totalNodes = null;

  const addNode = (org, extra) => {
    const id = orgKey(org);
    if (!id) return null;
    const known = nodes.get(id) || { id, org: {} };
    known.org = Object.assign({}, known.org, org);
    Object.assign(known, extra || {});
    nodes.set(id, known);
    return id;
  };
  const addEdge = (source, target, extra) => {
    if (!source || !target || source === target) return null;
    const id = source < target ? `${source}|${target}` : `${target}|${source}`;
    const known = edges.get(id) || { id, source, target };
    Object.assign(known, extra || {});
    edges.set(id, known);
    return id;
  };

  const visit = (value, parent) => {
    if (Array.isArray(value)) { value.forEach((v) => visit(v, parent)); return; }
    if (!value || typeof value !== 'object') return;
    // A Network: nodes with an organization, edges with their ends.
    if (Array.isArray(value.nodes) && Array.isArray(value.edges)
        && (value.nodes.some((n) => n && n.organization) || value.edges.some((e) => e && ('sourceId' in e || 'source' in e)))) {
      if (value.truncated) truncated = true;
      if (typeof value.totalNodes === 'number') totalNodes = (totalNodes || 0) + value.totalNodes;
      for (const n of value.nodes) {
        if (!n || !n.organization) continue;
        addNode(n.organization, { degree: n.degree, betweenness: n.betweenness, weightedDegree: n.weightedDegree });
      }
      for (const e of value.edges) {
        if (!e) continue;
        const s = e.sourceId || orgKey(e.source);
        const t = e.targetId || orgKey(e.target);
        if (!nodes.has(s) && e.source) addNode(e.source);
        if (!nodes.has(t) && e.target) addNode(e.target);
        if (!nodes.has(s)) addNode({ id: s, name: s });
        if (!nodes.has(t)) addNode({ id: t, name: t });
        addEdge(s, t, { weight: e.weight, sharedCount: e.sharedCount, shared: activityNames(e.shared) });
      }
      return;
    }
    // A ConnectionPath: hops in order.
    if (Array.isArray(value.hops) && ('connected' in value || value.hops.some((h) => h && ('fromId' in h || 'from' in h)))) {
      const ids = [];
      const hops = [];
      for (const h of value.hops) {
        if (!h) continue;
        const f = h.from ? addNode(h.from) : null;
        const t = h.to ? addNode(h.to) : null;
        const from = h.fromId || f;
        const to = h.toId || t;
        if (!nodes.has(from)) addNode({ id: from, name: from });
        if (!nodes.has(to)) addNode({ id: to, name: to });
        const via = activityNames(h.via);
        addEdge(from, to, { via });
        if (ids.length === 0) ids.push(from);
        ids.push(to);
        hops.push({ from, to, via });
      }
      path = { connected: value.connected !== false, ids, hops };
      return;
    }
    // Collaborators of an organization: a star around it.
    if (value.collaborators && typeof value.collaborators === 'object') {
      const centre = addNode(value, {});
      const conn = value.collaborators;
      const list = (Array.isArray(conn.edges) ? conn.edges.map((e) => e && e.node) : conn.nodes) || [];
      for (const c of list) {
        if (!c || !c.organization) continue;
        const other = addNode(c.organization);
        if (centre && other) addEdge(centre, other, { weight: c.weight, sharedCount: c.sharedCount, shared: activityNames(c.shared) });
        visit(c.organization, value);
      }
      // The centre node's own copy must not carry the collaborators list around.
      if (centre) delete nodes.get(centre).org.collaborators;
    }
    for (const key of Object.keys(value)) {
      if (key !== 'collaborators') visit(value[key], value);
    }
  };
  visit(data && data.data !== undefined ? data.data : data, null);
  if (nodes.size === 0) return null;

  // Degree from the edges where the result did not carry it.
  const degree = new Map();
  for (const e of edges.values()) {
    degree.set(e.source, (degree.get(e.source) || 0) + 1);
    degree.set(e.target, (degree.get(e.target) || 0) + 1);
  }
  for (const n of nodes.values()) {
    if (typeof n.degree !== 'number') n.degree = degree.get(n.id) || 0;
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], path, truncated, totalNodes };
}

function label(org) {
  return org.name || org.nameEn || org.slug || org.id;
}

const STYLE = [
  { selector: 'node', style: {
    'background-color': 'data(colour)', width: 'data(size)', height: 'data(size)',
    label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 2,
    color: '#222', 'text-outline-color': '#fff', 'text-outline-width': 1.5,
    'min-zoomed-font-size': 7, 'border-width': 0.5, 'border-color': '#fff' } },
  { selector: 'edge', style: {
    // Straight, not haystack: cytoscape does not recompute a haystack edge's geometry when a
    // class turns it into another style, and a highlighted path edge then vanished.
    width: 'data(width)', 'line-color': '#9aa5b1', opacity: 0.55, 'curve-style': 'straight' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#111' } },
  { selector: '.faded', style: { opacity: 0.15 } },
  { selector: 'node.path', style: { 'border-width': 3, 'border-color': '#e6194b', opacity: 1, 'font-weight': 'bold', 'z-index': 10 } },
  { selector: 'edge.path', style: {
    'line-color': '#e6194b', width: 4, opacity: 1, 'z-index': 10,
    label: 'data(viaLabel)', 'font-size': 8, 'text-rotation': 'autorotate', color: '#a0102f',
    'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
];

/**
 * Positions the nodes with d3-force, run to its end before anything is drawn. Measured
 * (PERFORMANCE.md): cytoscape's own `cose` took 6.3 s for the 200 organizations and 5,977 ties of
 * one country at size M in headless chromium; d3-force's Barnes–Hut simulation takes a few tens
 * of milliseconds for the same graph, and settles the seed network at once.
 */
function forceLayout(elements) {
  const nodes = elements.filter((e) => e.group === 'nodes').map((e) => ({ id: e.data.id }));
  const links = elements.filter((e) => e.group === 'edges').map((e) => ({ source: e.data.source, target: e.data.target }));
  const simulation = forceSimulation(nodes)
    .force('link', forceLink(links).id((d) => d.id).distance(50))
    .force('charge', forceManyBody().strength(-140).distanceMax(600))
    // Weak pulls to the centre keep unconnected organizations and small components in view.
    .force('x', forceX().strength(0.06))
    .force('y', forceY().strength(0.06))
    .force('collide', forceCollide(14))
    // Faster cooling than d3's default (0.0228, 300 ticks): about 170 ticks, half the time, and
    // no visible difference on the seed or size-M networks.
    .alphaDecay(0.04)
    .stop();
  const ticks = Math.ceil(Math.log(simulation.alphaMin()) / Math.log(1 - simulation.alphaDecay()));
  for (let i = 0; i < ticks; i++) simulation.tick();
  return new Map(nodes.map((n) => [n.id, { x: n.x, y: n.y }]));
}

/**
 * Draws `network` into `container`; `sizeBy` is 'degree' or 'betweenness'. `onSelect(node)` is
 * called with the clicked node (null when the background is clicked). Returns a handle with
 * `highlightPath(path)`, `select(id)`, `destroy()`, the cytoscape instance `cy` and the number of
 * ties not drawn (`hiddenEdges`: below `minWeight`, or past `maxEdges`, the strongest kept).
 */
export function drawNetwork(container, network, { sizeBy = 'degree', minWeight = 0, maxEdges, onSelect } = {}) {
  const values = network.nodes.map((n) => (sizeBy === 'betweenness' ? n.betweenness || 0 : n.degree || 0));
  const max = Math.max(1e-9, ...values);
  const weights = network.edges.map((e) => e.weight || 1);
  const maxWeight = Math.max(1e-9, ...weights);
  const elements = [];
  for (const n of network.nodes) {
    const v = sizeBy === 'betweenness' ? n.betweenness || 0 : n.degree || 0;
    elements.push({ group: 'nodes', data: {
      id: n.id, slug: n.org.slug, label: label(n.org), colour: kindColour(n.org.kind), size: 10 + 30 * Math.sqrt(v / max) } });
  }
  // Measured (PERFORMANCE.md): cytoscape spends most of a drawing creating edges, about half a
  // millisecond each in headless chromium, so the 5,977 ties among the 200 organizations of one
  // country at size M took 3.4 s on their own, and drew a grey mat besides. Only the strongest
  // `maxEdges` are drawn (four per organization); the rest are counted and said to be hidden.
  const kept = network.edges.filter((e) => (e.weight || 0) >= minWeight || e.via);
  const limit = maxEdges === undefined ? Math.max(400, 4 * network.nodes.length) : maxEdges;
  const drawnEdges = kept.length > limit
    ? kept.slice().sort((a, b) => (b.weight || 0) - (a.weight || 0)).slice(0, limit)
    : kept;
  const hiddenEdges = network.edges.length - drawnEdges.length;
  for (const e of drawnEdges) {
    elements.push({ group: 'edges', data: {
      id: e.id, source: e.source, target: e.target, weight: e.weight || 0,
      width: 0.5 + 5 * ((e.weight || 1) / maxWeight), viaLabel: (e.via || e.shared || []).join(' · ') } });
  }
  const big = network.nodes.length > 150;
  const t0 = performance.now();
  const positions = forceLayout(elements);
  container.dataset.forceMs = String(Math.round(performance.now() - t0));
  const cy = cytoscape({
    container, elements, style: STYLE, wheelSensitivity: 0.3,
    layout: { name: 'preset', positions: (node) => positions.get(node.id()), fit: true, padding: 24 },
    textureOnViewport: big, hideEdgesOnViewport: big,
  });
  container.dataset.layoutMs = String(Math.round(performance.now() - t0));
  const byId = new Map(network.nodes.map((n) => [n.id, n]));
  // The container changes size (a card opens below it, a pane is dragged): keep the drawing whole.
  let fitted = cy.width() * cy.height();
  const resize = new ResizeObserver(() => {
    cy.resize();
    const area = cy.width() * cy.height();
    if (area > 0 && Math.abs(area - fitted) / Math.max(area, fitted) > 0.05 && cy.elements('.path').empty()) cy.fit(undefined, 20);
    fitted = area;
  });
  resize.observe(container);
  if (!big && cy.zoom() > 2.2) { cy.zoom(2.2); cy.center(); }
  cy.on('tap', 'node', (evt) => { if (onSelect) onSelect(byId.get(evt.target.id())); });
  cy.on('tap', (evt) => { if (evt.target === cy && onSelect) onSelect(null); });

  const handle = {
    cy,
    hiddenEdges,
    select(id) {
      cy.$(':selected').unselect();
      const el = cy.getElementById(id);
      if (el.nonempty()) { el.select(); cy.animate({ center: { eles: el } }, { duration: 200 }); }
    },
    highlightPath(path) {
      cy.elements().removeClass('path faded');
      cy.remove('.extra');
      if (!path || !path.hops || path.hops.length === 0) return;
      cy.elements().addClass('faded');
      for (const hop of path.hops) {
        for (const end of [hop.from, hop.to]) {
          if (cy.getElementById(end).empty()) {
            const n = hop.nodes && hop.nodes[end];
            cy.add({ group: 'nodes', classes: 'extra', data: {
              id: end, label: n ? label(n) : end, colour: kindColour(n && n.kind), size: 16 } });
            if (n) byId.set(end, { id: end, org: n, degree: 0 });
          }
          cy.getElementById(end).removeClass('faded').addClass('path');
        }
        const id = hop.from < hop.to ? `${hop.from}|${hop.to}` : `${hop.to}|${hop.from}`;
        let edge = cy.getElementById(id);
        if (edge.empty()) {
          edge = cy.add({ group: 'edges', classes: 'extra', data: {
            id, source: hop.from, target: hop.to, width: 4, weight: 0 } });
        }
        edge.data('viaLabel', (hop.via || []).join(' · '));
        edge.removeClass('faded').addClass('path');
      }
      const placedExtra = cy.nodes('.extra');
      placedExtra.forEach((n) => {
        const placed = n.neighborhood('node').not('.extra');
        const p = placed.nonempty() ? placed.first().position() : { x: 0, y: 0 };
        n.position({ x: p.x + 40, y: p.y + 40 });
      });
      cy.fit(cy.elements('.path'), 60);
      // A path of one or two hops would otherwise fill the screen with two giant nodes.
      if (cy.zoom() > 1.6) { cy.zoom(1.6); cy.center(cy.elements('.path')); }
    },
    destroy() { resize.disconnect(); cy.destroy(); },
  };
  if (network.path) handle.highlightPath(network.path);
  return handle;
}

/** POSTs one GraphQL request to the public API; resolves to `data`, rejects on errors. */
export async function graphql(query, variables, url = '/graphql') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

const CARD_QUERY = `query OrganizationCard($id: ID!) {
  node(id: $id) {
    ... on Organization {
      id slug kind name nameLang nameEn description website
      place { name nameEn countryCode latitude longitude }
      collaborators(first: 8) { totalCount edges { node { weight sharedCount organization { id name nameEn kind } } } }
      fundingsReceived(first: 5) { edges { node { funder { name nameEn } } } }
      participations(first: 10) { edges { node { role activity {
        __typename
        ... on Project { name fundings(first: 3) { edges { node { funder { name nameEn } } } } }
        ... on Programme { name fundings(first: 3) { edges { node { funder { name nameEn } } } } }
        ... on Event { name }
      } } } }
      citations(first: 6) { edges { node { quote basis source { title url } } } }
    }
  }
}`;

const CARD_BY_SLUG = CARD_QUERY.replace('($id: ID!)', '($slug: String!)').replace('node(id: $id)', 'organization(slug: $slug)');

const CARD_BY_NAME = `query FindByName($text: String!) {
  search(text: $text, types: [ORGANIZATION], first: 10) { nodes { record { ... on Library { id name } ... on PartnerOrganization { id name } } } }
}`;

/** Fetches an organization's card by global ID or slug (whichever `node` carries). */
export async function fetchCard(node, url) {
  if (node.org.id) {
    const data = await graphql(CARD_QUERY, { id: node.org.id }, url);
    if (data.node) return data.node;
  }
  if (node.org.slug) {
    const data = await graphql(CARD_BY_SLUG, { slug: node.org.slug }, url);
    if (data.organization) return data.organization;
  }
  // A query that selected only names (the "Who collaborates with…" example does): the API's
  // search finds the organization whose name is exactly that.
  if (node.org.name) {
    const data = await graphql(CARD_BY_NAME, { text: node.org.name.slice(0, 200) }, url);
    const hit = data.search.nodes.map((h) => h.record).find((r) => r && r.name === node.org.name);
    if (hit) return fetchCard({ org: { id: hit.id } }, url);
  }
  throw new Error('the result names this organization by neither its id, its slug nor its exact name');
}

function names(org) {
  if (!org) return '';
  return org.nameEn && org.nameEn !== org.name ? `${org.name} (${org.nameEn})` : org.name;
}

/** The card's HTML: names in the original language and English, kind, place, partners, funders, quotes. */
export function cardHtml(org) {
  const funders = new Set();
  for (const e of (org.fundingsReceived && org.fundingsReceived.edges) || []) {
    if (e.node.funder) funders.add(names(e.node.funder));
  }
  const activities = [];
  for (const e of (org.participations && org.participations.edges) || []) {
    const a = e.node.activity;
    if (!a) continue;
    activities.push(`${escapeHtml(a.name)} <span class="lg-muted">(${escapeHtml(a.__typename.toLowerCase())}, ${escapeHtml(String(e.node.role).toLowerCase())})</span>`);
    for (const f of (a.fundings && a.fundings.edges) || []) if (f.node.funder) funders.add(names(f.node.funder));
  }
  const partners = ((org.collaborators && org.collaborators.edges) || []).map((e) =>
    `<li><span class="lg-dot" style="background:${kindColour(e.node.organization && e.node.organization.kind)}"></span>${escapeHtml(names(e.node.organization))} <span class="lg-muted">weight ${e.node.weight}, ${e.node.sharedCount} shared</span></li>`);
  const quotes = ((org.citations && org.citations.edges) || []).map((e) => {
    const s = e.node.source || {};
    const title = s.url ? `<a href="${escapeHtml(s.url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(s.title)}</a>` : escapeHtml(s.title);
    return `<li><blockquote class="lg-quote">“${escapeHtml(e.node.quote)}”</blockquote><div class="lg-muted">${title} · ${escapeHtml(String(e.node.basis).toLowerCase())}</div></li>`;
  });
  const place = org.place
    ? `${escapeHtml(names(org.place))}${org.place.countryCode ? `, ${escapeHtml(org.place.countryCode)}` : ''}`
    : '<span class="lg-muted">unknown</span>';
  return `<div class="lg-card" data-testid="card">
    <h3 lang="${escapeHtml(org.nameLang)}">${escapeHtml(org.name)}</h3>
    ${org.nameEn && org.nameEn !== org.name ? `<div class="lg-en" lang="en">${escapeHtml(org.nameEn)}</div>` : ''}
    <div><span class="lg-dot" style="background:${kindColour(org.kind)}"></span>${escapeHtml(kindLabel(org.kind))} · ${place}</div>
    ${org.description ? `<p>${escapeHtml(org.description)}</p>` : ''}
    <h4>Partners (${org.collaborators ? org.collaborators.totalCount : 0})</h4>
    <ul>${partners.join('') || '<li class="lg-muted">none recorded</li>'}</ul>
    <h4>Funders</h4>
    <ul>${[...funders].map((f) => `<li>${escapeHtml(f)}</li>`).join('') || '<li class="lg-muted">none recorded</li>'}</ul>
    ${activities.length ? `<h4>Takes part in</h4><ul>${activities.map((a) => `<li>${a}</li>`).join('')}</ul>` : ''}
    <h4>Sources</h4>
    <ul class="lg-sources">${quotes.join('') || '<li class="lg-muted">no citation</li>'}</ul>
  </div>`;
}

/**
 * What the result already says of a node, shown at once on a click while the full card is
 * fetched (the API can take longer than a click should on a large graph).
 */
export function quickCardHtml(node) {
  const org = node.org;
  const place = org.place ? `${escapeHtml(names(org.place))}${org.place.countryCode ? `, ${escapeHtml(org.place.countryCode)}` : ''}` : '';
  return `<div class="lg-card" data-testid="quick-card">
    <h3 lang="${escapeHtml(org.nameLang || '')}">${escapeHtml(org.name || org.slug || node.id)}</h3>
    ${org.nameEn && org.nameEn !== org.name ? `<div class="lg-en" lang="en">${escapeHtml(org.nameEn)}</div>` : ''}
    <div><span class="lg-dot" style="background:${kindColour(org.kind)}"></span>${escapeHtml(kindLabel(org.kind))}${place ? ` · ${place}` : ''}</div>
    <div class="lg-muted">degree ${node.degree || 0}${typeof node.betweenness === 'number' ? `, betweenness ${node.betweenness}` : ''} · loading partners, funders and sources…</div>
  </div>`;
}

/** The list of hops of a path, each with what the two organizations share. */
export function pathHtml(path, nodeById) {
  if (!path) return '';
  if (!path.connected) return '<div class="lg-path" data-testid="path">Not connected within the hop limit.</div>';
  const name = (id) => { const n = nodeById(id); return escapeHtml(n ? names(n) : id); };
  const hops = path.hops.map((h, i) => `<li><b>${i + 1}.</b> ${name(h.from)} → ${name(h.to)}<div class="lg-muted">via ${escapeHtml((h.via || []).join(', ') || '—')}</div></li>`);
  return `<div class="lg-path" data-testid="path"><h4>Path: ${path.hops.length} hop${path.hops.length === 1 ? '' : 's'}</h4><ol>${hops.join('')}</ol></div>`;
}

/** The legend of kind colours, for the kinds present. */
export function legendHtml(network) {
  const kinds = [...new Set(network.nodes.map((n) => n.org.kind).filter(Boolean))].sort();
  return kinds.map((k) => `<span class="lg-legend-item"><span class="lg-dot" style="background:${kindColour(k)}"></span>${escapeHtml(kindLabel(k))}</span>`).join('');
}

export const CARD_CSS = `
.lg-card h3 { margin: 0 0 2px; font-size: 16px; }
.lg-card h4 { margin: 10px 0 4px; font-size: 13px; }
.lg-card ul, .lg-path ol { margin: 0; padding-left: 18px; }
.lg-card li, .lg-path li { margin: 2px 0; font-size: 12px; }
.lg-en { font-style: italic; color: #555; margin-bottom: 4px; }
.lg-muted { color: #777; font-size: 11px; }
.lg-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 4px; vertical-align: baseline; }
.lg-quote { margin: 2px 0; padding: 2px 6px; border-left: 3px solid #bbb; font-style: italic; font-size: 12px; }
.lg-sources { list-style: none; padding-left: 0 !important; }
.lg-legend-item { margin-right: 10px; font-size: 11px; white-space: nowrap; }
.lg-path h4 { margin: 6px 0 4px; font-size: 13px; }
`;
