// /explore: the collaboration network with the filters of `collaborationNetwork`, the API's
// search, a connection path between two picked organizations, and a map. A client of the public
// GraphQL API (POST /graphql) and nothing else; every asset comes from the binary.
import { extractNetwork, drawNetwork, fetchCard, cardHtml, quickCardHtml, pathHtml, legendHtml, graphql, escapeHtml, kindLabel } from './network.js';
import { drawMap } from './map.js';

const ACTIVITY = '__typename ... on Project { name } ... on Event { name } ... on Programme { name }';
const ORG = 'id slug name nameEn kind place { name nameEn countryCode latitude longitude }';
const NETWORK_QUERY = `query ExploreNetwork($filter: NetworkFilter, $limit: Int!) {
  collaborationNetwork(filter: $filter, limit: $limit) {
    totalNodes truncated
    nodes { degree weightedDegree betweenness organization { ${ORG} } }
    edges { sourceId targetId weight sharedCount shared(first: 3) { ${ACTIVITY} } }
  }
}`;
const CHOICES_QUERY = `query ExploreChoices {
  programmes(first: 100) { nodes { slug name code } }
  topics(sdgOnly: true, first: 100) { nodes { slug code name } }
  statistics { organizationsByCountry { key count } }
}`;
const SEARCH_QUERY = `query ExploreSearch($text: String!) {
  search(text: $text, types: [ORGANIZATION], first: 10) {
    nodes { score record { ... on Library { ${ORG} } ... on PartnerOrganization { ${ORG} } } }
  }
}`;
const PATH_QUERY = `query ExplorePath($from: ID!, $to: ID!) {
  connectionPath(from: $from, to: $to, maxHops: 6) {
    connected length
    hops { fromId toId from { ${ORG} } to { ${ORG} } via(first: 5) { ${ACTIVITY} } }
  }
}`;
const KINDS = ['LIBRARY', 'NGO', 'PUBLIC_AUTHORITY', 'ASSOCIATION', 'NETWORK', 'INFORMAL_GROUP', 'COMMUNITY', 'BUSINESS', 'INTERNATIONAL_BODY'];

const $ = (id) => document.getElementById(id);
const state = { network: null, drawing: null, from: null, to: null, path: null, known: new Map() };

function checkboxes(container, name, values, labelOf) {
  container.innerHTML = values.map((v) => `<label class="lg-check"><input type="checkbox" name="${name}" value="${escapeHtml(v)}"> ${escapeHtml(labelOf(v))}</label>`).join('');
}

function checked(name) {
  return [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function filterFromForm() {
  const filter = {};
  const countries = checked('country');
  if (countries.length) filter.countries = countries;
  const kinds = checked('kind');
  if (kinds.length) filter.kinds = kinds;
  if ($('programme').value) filter.programmes = [$('programme').value];
  if ($('topic').value) filter.topics = [$('topic').value];
  const from = parseInt($('year-from').value, 10);
  const to = parseInt($('year-to').value, 10);
  if (!Number.isNaN(from) || !Number.isNaN(to)) {
    filter.period = {};
    if (!Number.isNaN(from)) filter.period.from = from;
    if (!Number.isNaN(to)) filter.period.to = to;
  }
  return Object.keys(filter).length ? filter : null;
}

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'lg-error' : 'lg-muted';
}

function nodeOrg(id) {
  const n = state.network && state.network.nodes.find((x) => x.id === id);
  return n ? n.org : state.known.get(id);
}

async function showCard(node) {
  const side = $('card');
  if (!node) { side.innerHTML = ''; return; }
  state.known.set(node.id, node.org);
  if (state.drawing) state.drawing.select(node.id);
  side.innerHTML = quickCardHtml(node);
  const asked = node.id;
  state.asked = asked;
  try {
    const org = await fetchCard(node);
    // A later click wins over a slower answer to an earlier one.
    if (state.asked !== asked) return;
    side.innerHTML = `<div class="lg-card-actions"><button type="button" id="pick-from">Path from here</button> <button type="button" id="pick-to">Path to here</button></div>${cardHtml(org)}`;
    $('pick-from').onclick = () => pick('from', node);
    $('pick-to').onclick = () => pick('to', node);
  } catch (e) {
    side.innerHTML = `<div class="lg-error">No card: ${escapeHtml(e.message)}</div>`;
  }
}

function pick(end, node) {
  state[end] = node;
  state.known.set(node.id, node.org);
  $(`path-${end}`).textContent = node.org.name;
  $(`path-${end}`).classList.remove('lg-muted');
  if (state.from && state.to) findPath();
}

async function findPath() {
  $('path').innerHTML = '<div class="lg-muted">Looking for a path…</div>';
  try {
    const data = await graphql(PATH_QUERY, { from: state.from.org.id, to: state.to.org.id });
    const p = data.connectionPath;
    const nodes = {};
    for (const h of p.hops) {
      if (h.from) { nodes[h.fromId] = h.from; state.known.set(h.fromId, h.from); }
      if (h.to) { nodes[h.toId] = h.to; state.known.set(h.toId, h.to); }
    }
    state.path = {
      connected: p.connected,
      hops: p.hops.map((h) => ({ from: h.fromId, to: h.toId, via: h.via.map((a) => a.name), nodes })),
    };
    if (state.drawing) state.drawing.highlightPath(state.path);
    $('path').innerHTML = pathHtml(state.path, nodeOrg);
  } catch (e) {
    $('path').innerHTML = `<div class="lg-error">${escapeHtml(e.message)}</div>`;
  }
}

function redraw() {
  const network = state.network;
  if (state.drawing) { state.drawing.destroy(); state.drawing = null; }
  if (!network) return;
  const minWeight = parseFloat($('min-weight').value) || 0;
  $('min-weight-value').textContent = minWeight.toFixed(2);
  const started = performance.now();
  state.drawing = drawNetwork($('graph'), network, { sizeBy: $('size-by').value, minWeight, onSelect: showCard });
  const graph = $('graph');
  graph.dataset.nodes = String(state.drawing.cy.nodes().length);
  graph.dataset.edges = String(state.drawing.cy.edges().length);
  graph.dataset.drawMs = String(Math.round(performance.now() - started));
  if (state.path) state.drawing.highlightPath(state.path);
  $('legend').innerHTML = legendHtml(network);
  drawMap($('map'), network.nodes, { onSelect: showCard });
}

async function load(initial) {
  const filter = initial ? initial.filter : filterFromForm();
  const limit = Math.min(1000, Math.max(1, parseInt(initial ? initial.limit : $('limit').value, 10) || 200));
  setStatus('Loading the network…');
  const started = performance.now();
  try {
    const data = await graphql(NETWORK_QUERY, { filter, limit });
    state.network = extractNetwork(data) || { nodes: [], edges: [], path: null };
    const net = data.collaborationNetwork;
    const fetched = performance.now();
    redraw();
    // When the first drawing is on screen, in ms since navigation: what scripts/browser measures.
    // Cytoscape paints on the next animation frame; the timeout runs after that paint.
    if (initial) requestAnimationFrame(() => setTimeout(() => { $('graph').dataset.drawnAt = String(Math.round(performance.now())); }, 0));
    const shown = state.network.nodes.length;
    const hidden = state.drawing ? state.drawing.hiddenEdges : 0;
    setStatus(`${shown} organizations, ${state.network.edges.length} ties${hidden ? ` (${hidden} weakest not drawn)` : ''}${net.truncated ? ` (the ${shown} with the strongest ties of ${net.totalNodes}; raise the limit for more)` : ''}. Fetched in ${Math.round(fetched - started)} ms, drawn in ${$('graph').dataset.drawMs} ms.`);
    const params = new URLSearchParams();
    if (filter) params.set('filter', JSON.stringify(filter));
    if (limit !== 200) params.set('limit', String(limit));
    history.replaceState(null, '', params.toString() ? `?${params}` : window.location.pathname);
  } catch (e) {
    setStatus(e.message, true);
  }
}

let searchTimer = null;
function onSearch() {
  clearTimeout(searchTimer);
  const text = $('search').value.trim();
  if (!text) { $('results').innerHTML = ''; return; }
  searchTimer = setTimeout(async () => {
    try {
      const data = await graphql(SEARCH_QUERY, { text });
      const hits = data.search.nodes.map((h) => h.record).filter((r) => r && r.id);
      $('results').innerHTML = hits.length
        ? hits.map((r, i) => `<li><button type="button" class="lg-link" data-i="${i}">${escapeHtml(r.name)}</button> <span class="lg-muted">${escapeHtml(kindLabel(r.kind))}${r.place ? `, ${escapeHtml(r.place.name)}` : ''}</span></li>`).join('')
        : '<li class="lg-muted">nothing found</li>';
      $('results').querySelectorAll('button').forEach((b) => {
        b.onclick = () => showCard({ id: hits[b.dataset.i].id, org: hits[b.dataset.i] });
      });
    } catch (e) {
      $('results').innerHTML = `<li class="lg-error">${escapeHtml(e.message)}</li>`;
    }
  }, 200);
}

async function loadChoices() {
  try {
    const data = await graphql(CHOICES_QUERY, {});
    const counts = new Map(data.statistics.organizationsByCountry.filter((c) => /^[A-Z]{2}$/.test(c.key)).map((c) => [c.key, c.count]));
    checkboxes($('countries'), 'country', [...counts.keys()].sort(), (c) => `${c} (${counts.get(c)})`);
    $('programme').innerHTML = '<option value="">any programme</option>'
      + data.programmes.nodes.map((p) => `<option value="${escapeHtml(p.slug)}">${escapeHtml(p.code ? `${p.code} ${p.name}` : p.name)}</option>`).join('');
    $('topic').innerHTML = '<option value="">any SDG</option>'
      + data.topics.nodes.map((t) => `<option value="${escapeHtml(t.slug)}">${escapeHtml(t.code ? `${t.code} ${t.name}` : t.name)}</option>`).join('');
  } catch (e) {
    setStatus(`Could not load the filter choices: ${e.message}`, true);
  }
}

/** The filter and limit a link carries (`?filter=<NetworkFilter as JSON>&limit=…`). */
function linked() {
  const params = new URLSearchParams(window.location.search);
  let filter = null;
  try { filter = JSON.parse(params.get('filter') || 'null'); } catch (e) { filter = null; }
  return { filter: filter && typeof filter === 'object' ? filter : null, limit: params.get('limit') || '200' };
}

function restoreFromUrl({ filter, limit }) {
  $('limit').value = limit;
  if (!filter) return;
  for (const c of filter.countries || []) { const i = document.querySelector(`input[name="country"][value="${CSS.escape(c)}"]`); if (i) i.checked = true; }
  for (const k of filter.kinds || []) { const i = document.querySelector(`input[name="kind"][value="${CSS.escape(k)}"]`); if (i) i.checked = true; }
  if (filter.programmes) $('programme').value = filter.programmes[0];
  if (filter.topics) $('topic').value = filter.topics[0];
  if (filter.period) { $('year-from').value = filter.period.from || ''; $('year-to').value = filter.period.to || ''; }
}

async function main() {
  checkboxes($('kinds'), 'kind', KINDS, kindLabel);
  // The network is asked for at once, with the link's filter, while the filters' choices load:
  // the seed network is then drawn one round trip after the script runs, not two.
  const link = linked();
  const first = load(link);
  await loadChoices();
  restoreFromUrl(link);
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('filters').addEventListener('change', (e) => { if (e.target.id !== 'min-weight' && e.target.id !== 'size-by') load(); });
  $('min-weight').addEventListener('input', redraw);
  $('size-by').addEventListener('change', redraw);
  $('search').addEventListener('input', onSearch);
  $('clear-path').onclick = () => {
    state.from = null; state.to = null; state.path = null;
    $('path-from').textContent = 'pick a node'; $('path-to').textContent = 'pick a node';
    $('path').innerHTML = '';
    if (state.drawing) state.drawing.highlightPath(null);
  };
  await first;
}

main();
