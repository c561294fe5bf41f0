// The playground's "Network" panel: a GraphiQL plugin (GraphiQL 3's plugin API: `{ title, icon,
// content }`, content rendered inside GraphiQL's provider) that draws the current result whenever
// it holds a network. It uses the page's React and GraphiQL (window.React, window.GraphiQL.React,
// the hooks GraphiQL's CDN bundle exposes for plugins), so it bundles neither.
import { extractNetwork, drawNetwork, fetchCard, cardHtml, quickCardHtml, pathHtml, legendHtml, CARD_CSS, escapeHtml } from './network.js';

const PANEL_CSS = `
.lg-panel { display: flex; flex-direction: column; height: 100%; font-size: 13px; }
.lg-panel-bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding-bottom: 6px; }
.lg-panel-graph { flex: 0 0 55%; min-height: 260px; border: 1px solid hsla(var(--color-neutral), 0.15); border-radius: 4px; position: relative; }
.lg-panel-side { flex: 1 1 auto; min-height: 0; overflow: auto; padding-top: 6px; }
.lg-panel-empty { color: hsla(var(--color-neutral), 0.6); padding: 12px 0; }
` + CARD_CSS;

function injectCss() {
  if (document.getElementById('lg-panel-css')) return;
  const style = document.createElement('style');
  style.id = 'lg-panel-css';
  style.textContent = PANEL_CSS;
  document.head.appendChild(style);
}

function readResult(editor) {
  if (!editor) return null;
  const text = editor.getValue();
  if (!text || text.trim()[0] !== '{') return null;
  try { return JSON.parse(text); } catch (e) { return null; }
}

export function networkPlugin() {
  const React = window.React;
  const h = React.createElement;
  const { useEditorContext } = window.GraphiQL.React;

  function Icon() {
    return h('svg', { viewBox: '0 0 24 24', width: '1em', height: '1em', fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, 'aria-hidden': true },
      h('circle', { cx: 5, cy: 6, r: 2.5 }), h('circle', { cx: 19, cy: 6, r: 2.5 }),
      h('circle', { cx: 12, cy: 18, r: 2.5 }),
      h('path', { d: 'M7.3 7.1l2.9 8.7M16.7 7.1l-2.9 8.7M7.5 6h9' }));
  }

  function Content() {
    const { responseEditor } = useEditorContext({ nonNull: true });
    const graphRef = React.useRef(null);
    const sideRef = React.useRef(null);
    const drawn = React.useRef(null);
    const [state, setState] = React.useState({ network: null, text: '' });
    const [sizeBy, setSizeBy] = React.useState('degree');
    const [hidden, setHidden] = React.useState(0);

    React.useEffect(injectCss, []);
    // Follow the response editor: every new result is read again.
    React.useEffect(() => {
      if (!responseEditor) return undefined;
      const update = () => {
        const text = responseEditor.getValue();
        setState((old) => (old.text === text ? old : { text, network: extractNetwork(readResult(responseEditor)) }));
      };
      update();
      responseEditor.on('change', update);
      return () => responseEditor.off('change', update);
    }, [responseEditor]);

    React.useEffect(() => {
      const network = state.network;
      const side = sideRef.current;
      if (drawn.current) { drawn.current.destroy(); drawn.current = null; }
      if (!network || !graphRef.current) return undefined;
      const byId = new Map(network.nodes.map((n) => [n.id, n.org]));
      const showPath = () => { side.innerHTML = pathHtml(network.path, (id) => byId.get(id)); };
      const handle = drawNetwork(graphRef.current, network, {
        sizeBy,
        onSelect: async (node) => {
          if (!node) { showPath(); return; }
          side.innerHTML = quickCardHtml(node);
          side.dataset.asked = node.id;
          try {
            const card = await fetchCard(node);
            // A later click wins over a slower answer to an earlier one.
            if (side.dataset.asked !== node.id) return;
            side.innerHTML = cardHtml(card) + pathHtml(network.path, (id) => byId.get(id));
          } catch (e) {
            side.innerHTML = `<div class="lg-muted">No card: ${escapeHtml(e.message)}</div>`;
          }
        },
      });
      drawn.current = handle;
      setHidden(handle.hiddenEdges);
      graphRef.current.dataset.nodes = String(handle.cy.nodes().length);
      graphRef.current.dataset.edges = String(handle.cy.edges().length);
      showPath();
      return () => { handle.destroy(); drawn.current = null; };
    }, [state.network, sizeBy]);

    const network = state.network;
    return h('div', { className: 'lg-panel' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Network'),
      network
        ? h('div', { className: 'lg-panel-bar' },
          h('span', { 'data-testid': 'network-summary' },
            `${network.nodes.length} organizations, ${network.edges.length} ties`
            + (network.truncated ? ` (of ${network.totalNodes}; raise limit for more)` : '')
            + (hidden ? `; ${hidden} weakest ties not drawn` : '')),
          h('label', null, 'size by ',
            h('select', { value: sizeBy, onChange: (e) => setSizeBy(e.target.value) },
              h('option', { value: 'degree' }, 'degree'),
              h('option', { value: 'betweenness' }, 'betweenness'))),
          h('span', { dangerouslySetInnerHTML: { __html: legendHtml(network) } }))
        : h('div', { className: 'lg-panel-empty' },
          'Run a query that returns a network (collaborationNetwork, collaborators or connectionPath) to draw it here. Click a node for its card.'),
      h('div', { className: 'lg-panel-graph', ref: graphRef, 'data-testid': 'network-graph', style: { display: network ? 'block' : 'none' } }),
      h('div', { className: 'lg-panel-side', ref: sideRef }));
  }

  return { title: 'Network', icon: Icon, content: Content };
}

window.LibgraphNetworkPanel = { networkPlugin };
