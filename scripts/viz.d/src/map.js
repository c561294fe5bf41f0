// The map of /explore: country outlines from world-atlas (Natural Earth 1:110m, bundled, so no
// tile server and no internet) drawn with d3-geo, and the organizations placed by their place's
// latitude and longitude. Those whose place has no coordinates are listed, not guessed.
import { geoMercator, geoPath, geoGraticule10 } from 'd3-geo';
import { feature } from 'topojson-client';
import countries110m from 'world-atlas/countries-110m.json';
import { kindColour, escapeHtml } from './network.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const COUNTRIES = feature(countries110m, countries110m.objects.countries);
/** Shown when no organization has coordinates: Europe, where the seeded libraries are. */
const EUROPE = { type: 'MultiPoint', coordinates: [[-10, 35], [45, 35], [45, 70], [-10, 70]] };
/** The closest the map zooms: a region of a few hundred kilometres, so that the outlines still say where it is. */
const MAX_SCALE = 6000;

function el(name, attrs) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

/**
 * Draws `nodes` (the network's nodes) on a map into `container`; `onSelect(node)` on a click.
 * Returns `{ placed, missing }`, the nodes drawn and those without coordinates.
 */
export function drawMap(container, nodes, { onSelect } = {}) {
  container.innerHTML = '';
  const width = container.clientWidth || 400;
  const height = Math.max(200, (container.clientHeight || 300) - 4);
  const placed = nodes.filter((n) => n.org.place && typeof n.org.place.latitude === 'number' && typeof n.org.place.longitude === 'number');
  const missing = nodes.filter((n) => !placed.includes(n));
  const target = placed.length
    ? { type: 'MultiPoint', coordinates: placed.map((n) => [n.org.place.longitude, n.org.place.latitude]) }
    : EUROPE;
  const projection = geoMercator().fitExtent([[30, 30], [width - 30, height - 30]], target);
  if (placed.length === 1 || !(projection.scale() <= MAX_SCALE)) {
    // Zoomed out to a region's scale, centred on the marks again: fitExtent's translation only
    // fits the scale it chose. Capping the scale alone left Poland's map blank once the
    // gazetteer placed its libraries (five Silesian towns fit at a far larger scale, and the
    // smaller one drew them off the edge); one point fits at an infinite scale.
    const lons = target.coordinates.map((c) => c[0]);
    const lats = target.coordinates.map((c) => c[1]);
    const middle = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2];
    projection.scale(MAX_SCALE).center(middle).translate([width / 2, height / 2]);
  }
  const path = geoPath(projection);
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'map of the organizations', 'data-testid': 'map-svg' });
  svg.appendChild(el('rect', { width, height, fill: '#eef4f8' }));
  svg.appendChild(el('path', { d: path(geoGraticule10()), fill: 'none', stroke: '#d5e1ea', 'stroke-width': 0.5 }));
  const land = el('g', { fill: '#fdfcf7', stroke: '#9aa5b1', 'stroke-width': 0.6 });
  for (const f of COUNTRIES.features) {
    const d = path(f);
    if (!d) continue;
    const p = el('path', { d });
    const title = el('title');
    title.textContent = f.properties.name;
    p.appendChild(title);
    land.appendChild(p);
  }
  svg.appendChild(land);
  const maxDegree = Math.max(1, ...placed.map((n) => n.degree || 0));
  const marks = el('g', {});
  for (const n of placed) {
    const [x, y] = projection([n.org.place.longitude, n.org.place.latitude]);
    const c = el('circle', {
      cx: x.toFixed(1), cy: y.toFixed(1), r: (3 + 6 * Math.sqrt((n.degree || 0) / maxDegree)).toFixed(1),
      fill: kindColour(n.org.kind), stroke: '#fff', 'stroke-width': 0.8, 'fill-opacity': 0.85,
      class: 'lg-map-mark', 'data-id': n.id, style: 'cursor:pointer' });
    const title = el('title');
    title.textContent = `${n.org.name} — ${n.org.place.name}`;
    c.appendChild(title);
    if (onSelect) c.addEventListener('click', () => onSelect(n));
    marks.appendChild(c);
  }
  svg.appendChild(marks);
  container.appendChild(svg);
  const note = document.createElement('div');
  note.className = 'lg-map-note';
  note.dataset.testid = 'map-note';
  note.dataset.placed = String(placed.length);
  note.dataset.missing = String(missing.length);
  note.innerHTML = `${placed.length} of ${nodes.length} organizations placed by their coordinates`
    + (missing.length
      ? `; <details><summary>${missing.length} with no coordinates</summary><ul>${missing.map((n) => `<li>${escapeHtml(n.org.name)}${n.org.place ? ` <span class="lg-muted">(${escapeHtml(n.org.place.name)}: no coordinates)</span>` : ' <span class="lg-muted">(no place)</span>'}</li>`).join('')}</ul></details>`
      : '');
  container.appendChild(note);
  return { placed, missing };
}
