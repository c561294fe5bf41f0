// The Network panel and /explore tested by their real consumer: Playwright driving Debian's
// chromium against the real binary (scripts/browser starts it). Each check clicks and reads what a
// person would; screenshots go to the folder given as the second argument.
//
//   node browser.js BASE_URL SCREENSHOT_DIR [--measure]
const { chromium } = require('playwright-core');
const assert = require('node:assert/strict');
const path = require('node:path');

const base = process.argv[2].replace(/\/$/, '');
const shots = process.argv[3];
const measure = process.argv.includes('--measure');
const TIMEOUT = 15000;

function log(msg) { process.stdout.write(`browser: ${msg}\n`); }

/** Clicks the cytoscape node whose data matches `pick` (a function source run in the page). */
async function clickNode(page, containerSelector, pick) {
  const point = await page.evaluate(([sel, pickSrc]) => {
    const container = document.querySelector(sel);
    const cy = container._cyreg.cy;
    const node = cy.nodes().filter(new Function('n', `return (${pickSrc})(n)`)).first();
    if (node.empty()) return null;
    const box = container.getBoundingClientRect();
    const p = node.renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y, id: node.id(), label: node.data('label') };
  }, [containerSelector, pick.toString()]);
  assert.ok(point, `no node matches ${pick}`);
  await page.mouse.click(point.x, point.y);
  return point;
}

async function playground(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // The first example tab is the network of a country; run it and open the Network panel.
  await page.goto(`${base}/playground`);
  await page.getByRole('button', { name: /Execute query/ }).click({ timeout: TIMEOUT });
  await page.waitForFunction(() => /"collaborationNetwork"/.test(document.querySelector('.result-window').textContent), null, { timeout: TIMEOUT });
  await page.getByRole('button', { name: 'Show Network' }).click();
  const graph = page.getByTestId('network-graph');
  await graph.waitFor({ state: 'visible', timeout: TIMEOUT });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="network-graph"]').dataset.nodes) > 0, null, { timeout: TIMEOUT });
  const drawn = Number(await graph.getAttribute('data-nodes'));
  const summary = await page.getByTestId('network-summary').textContent();
  assert.match(summary, new RegExp(`^${drawn} organizations`), summary);
  log(`playground: the Network panel draws the example's ${drawn} organizations`);

  // The address bar follows the editor.
  await page.waitForFunction(() => new URL(window.location.href).searchParams.get('query')?.includes('collaborationNetwork'), null, { timeout: TIMEOUT });
  log('playground: the address bar carries ?query=…');

  // A click on the best-connected node shows its card, with a quote from a source.
  const clicked = await clickNode(page, '[data-testid="network-graph"]', (n) => n.degree() === n.cy().nodes().max((m) => m.degree()).value);
  await page.locator('.lg-card .lg-quote').first().waitFor({ timeout: TIMEOUT });
  const cardTitle = await page.locator('.lg-card h3').textContent();
  assert.equal(cardTitle, clicked.label);
  log(`playground: a click on ${clicked.label} shows its card with a quote`);
  await page.screenshot({ path: path.join(shots, 'playground-network.png') });
  assert.deepEqual(errors, []);
  await context.close();

  // A link opens its query; a connection path is drawn hop by hop with what each hop shares.
  const linked = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page2 = await linked.newPage();
  const query = 'query LinkedPath {\n  connectionPath(from: "biblioteka-krakow", to: "zaglebiowska-mediateka") {\n    connected length\n    hops { fromId toId from { id slug name kind } to { id slug name kind } via { __typename ... on Project { name } ... on Event { name } ... on Programme { name } } }\n  }\n}\n';
  await page2.goto(`${base}/playground?panel=network&query=${encodeURIComponent(query)}`);
  await page2.getByRole('button', { name: /Execute query/ }).click({ timeout: TIMEOUT });
  await page2.getByTestId('path').locator('li').first().waitFor({ timeout: TIMEOUT });
  const hops = await page2.getByTestId('path').locator('li').count();
  const via = await page2.getByTestId('path').locator('li').first().textContent();
  assert.ok(hops >= 1);
  assert.match(via, /via \S/);
  const highlighted = await page2.evaluate(() => document.querySelector('[data-testid="network-graph"]')._cyreg.cy.edges('.path').length);
  assert.equal(highlighted, hops);
  log(`playground: a linked connectionPath query is drawn, ${hops} hops, each with what it shares`);
  await page2.screenshot({ path: path.join(shots, 'playground-path.png') });
  await linked.close();
}

async function explore(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const nodesDrawn = () => page.evaluate(() => Number(document.getElementById('graph').dataset.nodes || -1));

  const started = Date.now();
  await page.goto(`${base}/explore`);
  await page.waitForFunction(() => Number(document.getElementById('graph').dataset.drawnAt) > 0, null, { timeout: TIMEOUT });
  const all = await nodesDrawn();
  const drawnAt = await page.evaluate(() => Number(document.getElementById("graph").dataset.drawnAt));
  const timing = await page.evaluate(() => {
    const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/explore.js'));
    return script ? Math.round(script.responseEnd) : -1;
  });
  log(`explore: draws the seed network (${all} organizations) ${drawnAt} ms after navigation; its script had arrived at ${timing} ms (${await page.locator('#status').textContent()})`);
  await page.screenshot({ path: path.join(shots, 'explore-seed.png') });

  // The map accounts for every organization: placed by coordinates, or listed as having none.
  const note = page.getByTestId('map-note');
  const placed = Number(await note.getAttribute('data-placed'));
  const missing = Number(await note.getAttribute('data-missing'));
  assert.equal(placed + missing, all);
  assert.equal(await page.locator('.lg-map-mark').count(), placed);
  assert.ok(await page.locator('[data-testid="map-svg"] path').count() > 100, 'country outlines drawn');
  log(`explore: the map places ${placed} of ${all} organizations; ${missing} say they have no coordinates`);

  // The map shows the seed libraries: every library of the drawn network whose place the API
  // locates (a document states it, or the gazetteer matched the town) has its mark, and the
  // curated graph's towns are located, so there are some.
  const libraries = await page.evaluate(async () => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ libraries(first: 100) { nodes { slug place { latitude geoMatch } } } }' }),
    });
    return (await response.json()).data.libraries.nodes;
  });
  const marked = await page.evaluate(() => {
    const cy = document.getElementById('graph')._cyreg.cy;
    return [...document.querySelectorAll('.lg-map-mark')].map((m) => cy.getElementById(m.dataset.id).data('slug'));
  });
  const drawnSlugs = await page.evaluate(() => document.getElementById('graph')._cyreg.cy.nodes().map((n) => n.data('slug')));
  const located = libraries.filter((l) => l.place && typeof l.place.latitude === 'number' && drawnSlugs.includes(l.slug));
  assert.ok(located.length > 0, `no seed library of the network is located: ${JSON.stringify(libraries)}`);
  for (const l of located) assert.ok(marked.includes(l.slug), `${l.slug} has coordinates but no mark`);
  const matched = located.filter((l) => l.place.geoMatch === 'MATCHED').length;
  log(`explore: the map shows the seed libraries: ${located.length} of the network's ${libraries.filter((l) => drawnSlugs.includes(l.slug)).length} located (${matched} by the gazetteer), each marked`);

  // A filter changes what is drawn.
  await page.locator('input[name="country"][value="PL"]').check();
  await page.waitForFunction((n) => Number(document.getElementById('graph').dataset.nodes) !== n, all, { timeout: TIMEOUT });
  const poland = await nodesDrawn();
  assert.ok(poland > 0 && poland < all, `PL: ${poland} of ${all}`);
  assert.match(page.url(), /filter=/);
  log(`explore: the country filter PL draws ${poland} organizations`);
  // Its map is zoomed to Poland's marks, and every one of them is inside the map, not off its
  // edge (a capped zoom once drew them all outside and left the map blank).
  const inside = await page.evaluate(() => {
    const svg = document.querySelector('[data-testid="map-svg"]');
    const [w, h] = [Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))];
    return [...document.querySelectorAll('.lg-map-mark')].map((m) => {
      const [x, y] = [Number(m.getAttribute('cx')), Number(m.getAttribute('cy'))];
      return x >= 0 && x <= w && y >= 0 && y <= h;
    });
  });
  assert.ok(inside.length > 0 && inside.every(Boolean), `PL's marks inside the map: ${inside}`);
  log(`explore: PL's map shows its ${inside.length} located organizations`);

  // A click on a node shows its card with a quote; two nodes picked give a highlighted path.
  const from = await clickNode(page, '#graph', (n) => n.data('slug') === 'biblioteka-krakow');
  await page.locator('#card .lg-quote').first().waitFor({ timeout: TIMEOUT });
  log(`explore: a click on ${from.label} shows its card with a quote`);
  await page.locator('#pick-from').click();
  await clickNode(page, '#graph', (n) => n.data('slug') === 'zaglebiowska-mediateka');
  await page.locator('#pick-to').click({ timeout: TIMEOUT });
  await page.getByTestId('path').locator('li').first().waitFor({ timeout: TIMEOUT });
  const hops = await page.getByTestId('path').locator('li').count();
  const highlighted = await page.evaluate(() => document.getElementById('graph')._cyreg.cy.edges('.path').length);
  assert.equal(highlighted, hops);
  log(`explore: the path between them is highlighted, ${hops} hops`);
  await page.screenshot({ path: path.join(shots, 'explore-path.png') });
  await page.locator('#map').screenshot({ path: path.join(shots, 'explore-map.png') });

  // The API's search box finds an organization and opens its card.
  await page.getByLabel('search').fill('Mediateka');
  await page.locator('#results button').first().click({ timeout: TIMEOUT });
  await page.locator('#card .lg-card h3').waitFor({ timeout: TIMEOUT });
  log(`explore: search finds ${await page.locator('#card .lg-card h3').textContent()}`);
  assert.deepEqual(errors, []);
  await context.close();
}

/** The performance figure: the network of one country at size M (run with --measure). */
async function measureM(browser, country) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const filter = encodeURIComponent(JSON.stringify({ countries: [country] }));
  const started = Date.now();
  await page.goto(`${base}/explore?filter=${filter}`);
  await page.waitForFunction(() => Number(document.getElementById('graph').dataset.drawnAt) > 0, null, { timeout: 60000 });
  const drawnAt = await page.evaluate(() => Number(document.getElementById('graph').dataset.drawnAt));
  const status = await page.locator('#status').textContent();
  const dataset = await page.evaluate(() => Object.assign({}, document.getElementById('graph').dataset));
  const clickStart = Date.now();
  await clickNode(page, '#graph', (n) => n.degree() === n.cy().nodes().max((m) => m.degree()).value);
  await page.getByTestId('quick-card').waitFor({ timeout: 60000 });
  const quickMs = Date.now() - clickStart;
  await page.locator('#card .lg-quote').first().waitFor({ timeout: 60000 });
  const cardMs = Date.now() - clickStart;
  log(`measure: ${country} at size M: drawn ${drawnAt} ms after navigation (${status} Layout ${dataset.forceMs} ms, cytoscape ${dataset.layoutMs - dataset.forceMs} ms); a click shows the node at once in ${quickMs} ms and its full card with quotes in ${cardMs} ms`);
  await page.screenshot({ path: path.join(shots, `explore-size-M-${country}.png`) });
  await context.close();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // CI runs as root, where chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    if (measure) {
      await measureM(browser, process.env.MEASURE_COUNTRY || 'PL');
    } else {
      await playground(browser);
      await explore(browser);
    }
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
