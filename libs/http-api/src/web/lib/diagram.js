// Draws the Mermaid `stateDiagram-v2` text that the API returns for a definition
// (GET /api/definitions/:key → diagram) as SVG, without Mermaid: the product emits a small
// subset (state labels, [*] start/end, "a --> b: EVENT [guard]", composite `state x { … -- … }`),
// which is parsed here and laid out as a column of boxes in declaration order. Transitions to
// the next box are straight arrows; longer ones run in lanes (forward on the right, backward on
// the left), each numbered and listed below the drawing with its event and guard.

import { h, s, uid } from './dom.js';
import { t } from './i18n.js';

/** Parses the subset of Mermaid state diagrams the product writes (libs/workflow-core/src/mermaid-diagram.ts). */
export function parseStateDiagram(text) {
  const states = new Map(); // id -> { id, label, parent, region, final, children: [[ids]] }
  const root = { id: null, regions: [{ initial: null, ids: [] }] };
  const stack = [root];
  const edges = [];
  const current = [];
  const region = () => stack[stack.length - 1].regions[stack[stack.length - 1].regions.length - 1];
  const ensure = (id) => {
    if (!states.has(id)) {
      const container = stack[stack.length - 1];
      states.set(id, { id, label: id, parent: container.id, final: false, regions: [] });
      region().ids.push(id);
    }
    return states.get(id);
  };
  for (const raw of String(text ?? '').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('stateDiagram') || line.startsWith('%%') || line.startsWith('classDef')) continue;
    let m;
    if ((m = /^state\s+(\S+)\s*\{$/.exec(line))) {
      const composite = ensure(m[1]);
      composite.regions = [{ initial: null, ids: [] }];
      stack.push({ id: m[1], regions: composite.regions });
    } else if (line === '}') {
      if (stack.length > 1) stack.pop();
    } else if (line === '--') {
      stack[stack.length - 1].regions.push({ initial: null, ids: [] });
    } else if ((m = /^class\s+(\S+)\s+current$/.exec(line))) {
      current.push(m[1]);
    } else if ((m = /^(\S+)\s*-->\s*(\S+?)(?:\s*:\s*(.*))?$/.exec(line))) {
      const [, from, to, label = ''] = m;
      if (from === '[*]') region().initial = ensure(to).id;
      else if (to === '[*]') ensure(from).final = true;
      else {
        ensure(from);
        ensure(to);
        const guard = /\[(.*)\]\s*$/.exec(label);
        edges.push({
          from,
          to,
          event: guard ? label.slice(0, guard.index).trim() : label.trim(),
          guard: guard ? guard[1].trim() : null,
          container: stack[stack.length - 1].id,
        });
      }
    } else if ((m = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line))) {
      // Mermaid labels cannot hold ":"; the product replaced "Bước 1: X" by "Bước 1  X".
      ensure(m[1]).label = m[2].replace(/(\S) {2}(\S)/g, '$1: $2');
    }
  }
  return { states, root, edges, current };
}

/**
 * The order to draw a region's states in: by distance from its initial state along the
 * transitions, then as declared; final states last. (Definitions published through the API
 * come back from PostgreSQL's jsonb with their steps in another order than written.)
 */
function flowOrder(region, parsed) {
  const ids = region.ids;
  const depth = new Map();
  if (region.initial) {
    depth.set(region.initial, 0);
    const queue = [region.initial];
    while (queue.length) {
      const from = queue.shift();
      for (const e of parsed.edges) {
        if (e.from === from && ids.includes(e.to) && !depth.has(e.to)) {
          depth.set(e.to, depth.get(from) + 1);
          queue.push(e.to);
        }
      }
    }
  }
  const key = (id) => [parsed.states.get(id)?.final ? 1 : 0, depth.get(id) ?? Number.MAX_SAFE_INTEGER, ids.indexOf(id)];
  return [...ids].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
}

function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

const BOX_W = 300;
const LINE = 16;
const GAP = 46;
const LANE = 18;
const MARGIN = 24;

function textBlock(lines, x, y, cls, lineHeight = LINE) {
  return s(
    'text',
    { class: cls, x, y },
    lines.map((l, i) => s('tspan', { x, dy: i === 0 ? 0 : lineHeight }, l)),
  );
}

/**
 * Renders the diagram. `labelOf(id)` gives a step's display label (default: the Mermaid
 * label), `eventLabel(type)` an event's, `current` the step ids to highlight.
 * Returns a <figure> with the SVG and the numbered list of transitions.
 */
export function renderDiagram(text, { current, labelOf, eventLabel = (e) => e } = {}) {
  const parsed = parseStateDiagram(text);
  const highlighted = new Set(current ?? parsed.current);
  const label = (id) => labelOf?.(id) || parsed.states.get(id)?.label || id;
  const top = flowOrder(parsed.root.regions[0], parsed);
  const index = new Map(top.map((id, i) => [id, i]));

  // Boxes: height from the wrapped label; composites hold their regions as columns.
  const boxes = top.map((id) => {
    const st = parsed.states.get(id);
    const lines = wrap(label(id), 34);
    let height = Math.max(40, lines.length * LINE + 18);
    let columns = [];
    if (st.regions.length) {
      const colW = (BOX_W - 16 - (st.regions.length - 1) * 8) / st.regions.length;
      columns = st.regions.map((r) =>
        flowOrder(r, parsed).map((inner) => {
          const innerLines = wrap(label(inner), Math.max(8, Math.floor((colW - 10) / 6.2)));
          return { id: inner, lines: innerLines, height: innerLines.length * 13 + 12 };
        }),
      );
      const inner = Math.max(...columns.map((c) => c.reduce((sum, b) => sum + b.height + 6, 0)));
      height += inner + 6;
      return { id, st, lines, height, columns, colW };
    }
    return { id, st, lines, height, columns, colW: 0 };
  });

  // Number the transitions in drawing order (by their source step; a step's own order kept).
  const rank = new Map();
  for (const b of boxes) {
    rank.set(b.id, rank.size);
    for (const column of b.columns) for (const inner of column) rank.set(inner.id, rank.size);
  }
  parsed.edges.sort((a, b) => (rank.get(a.from) ?? rank.size) - (rank.get(b.from) ?? rank.size));

  // Edges between top-level boxes: straight (to the next box), loops, or lanes.
  const drawn = parsed.edges
    .map((e, i) => ({ ...e, n: i + 1 }))
    .filter((e) => e.container === null && index.has(e.from) && index.has(e.to));
  const laneEdges = { left: [], right: [] };
  for (const e of drawn) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === b) e.kind = 'loop';
    else if (b === a + 1 && !drawn.some((o) => o !== e && o.kind === 'straight' && o.from === e.from && o.to === e.to))
      e.kind = 'straight';
    else {
      e.kind = 'lane';
      e.side = b > a ? 'right' : 'left';
      e.span = [Math.min(a, b), Math.max(a, b)];
      laneEdges[e.side].push(e);
    }
  }
  const lanesUsed = { left: 0, right: 0 };
  for (const side of ['left', 'right']) {
    const lanes = [];
    for (const e of laneEdges[side].sort((x, y) => x.span[1] - x.span[0] - (y.span[1] - y.span[0]))) {
      let lane = lanes.findIndex((taken) => taken.every(([lo, hi]) => e.span[1] < lo || e.span[0] > hi));
      if (lane < 0) lane = lanes.push([]) - 1;
      lanes[lane].push(e.span);
      e.lane = lane;
    }
    lanesUsed[side] = lanes.length;
  }
  const hasLoops = drawn.some((e) => e.kind === 'loop');
  const boxX = MARGIN + lanesUsed.left * LANE + (lanesUsed.left ? 16 : 0);
  const boxR = boxX + BOX_W;
  const rightLaneX = (lane) => boxR + (hasLoops ? 44 : 16) + lane * LANE;
  const leftLaneX = (lane) => boxX - 16 - lane * LANE;
  const width = (lanesUsed.right ? rightLaneX(lanesUsed.right - 1) : boxR + (hasLoops ? 44 : 0)) + MARGIN + 40;
  let y = 40;
  for (const b of boxes) {
    b.y = y;
    y += b.height + GAP;
  }
  const height = y - GAP + 24;
  const cx = boxX + BOX_W / 2;

  // Where lane edges meet each box side: spread so that they do not share a point.
  const attach = new Map();
  const slot = (id, side, e, end) => {
    const key = `${id}:${side}`;
    if (!attach.has(key)) attach.set(key, []);
    attach.get(key).push({ e, end });
  };
  for (const e of drawn.filter((x) => x.kind === 'lane')) {
    slot(e.from, e.side, e, 'from');
    slot(e.to, e.side, e, 'to');
  }
  const pointY = new Map();
  for (const [key, list] of attach) {
    const box = boxes[index.get(key.split(':')[0])];
    list.sort((p, q) => q.e.lane - p.e.lane);
    list.forEach((p, i) =>
      pointY.set(`${p.e.n}:${p.end}`, box.y + 8 + ((box.height - 16) * (i + 1)) / (list.length + 1)),
    );
  }

  const titleId = uid('dgt');
  const currentLabels = [...highlighted].map(label).join(', ');
  const svg = s('svg', {
    class: 'diagram-svg',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': titleId,
    style: { maxWidth: `${width}px` },
  });
  svg.append(
    s(
      'title',
      { id: titleId },
      `${t('diagram.title')}${currentLabels ? ` — ${t('diagram.current', { steps: currentLabels })}` : ''}`,
    ),
  );
  const markerId = uid('arrow');
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: markerId,
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
      ),
    ),
  );
  const arrow = `url(#${markerId})`;
  const edgeLayer = s('g', { class: 'edges' });
  const badgeLayer = s('g', { class: 'badges' });
  const badge = (x, yy, n) =>
    badgeLayer.append(
      s('g', { class: 'badge' }, s('circle', { cx: x, cy: yy, r: 9 }), s('text', { x, y: yy + 4 }, String(n))),
    );

  // Start marker above the initial step.
  const initial = parsed.root.regions[0].initial;
  if (initial && index.has(initial)) {
    const b = boxes[index.get(initial)];
    const startY = b.y - 30;
    svg.append(
      s(
        'g',
        { class: 'start' },
        s('title', {}, t('diagram.start')),
        s('circle', { cx, cy: startY, r: 7 }),
        s('line', { x1: cx, y1: startY + 7, x2: cx, y2: b.y - 2, 'marker-end': arrow, class: 'edge' }),
      ),
    );
  }

  for (const e of drawn) {
    const a = boxes[index.get(e.from)];
    const b = boxes[index.get(e.to)];
    const name = eventLabel(e.event);
    const title = s('title', {}, `${e.n}. ${name}${e.guard ? ` [${e.guard}]` : ''}: ${label(e.from)} → ${label(e.to)}`);
    if (e.kind === 'straight') {
      edgeLayer.append(
        s(
          'g',
          {},
          title,
          s('line', { class: 'edge', x1: cx, y1: a.y + a.height, x2: cx, y2: b.y - 2, 'marker-end': arrow }),
        ),
      );
      const mid = (a.y + a.height + b.y) / 2;
      badge(cx, mid, e.n);
      edgeLayer.append(s('text', { class: 'edge-label', x: cx + 14, y: mid + 4 }, e.event));
    } else if (e.kind === 'loop') {
      const y1 = a.y + 10;
      const y2 = a.y + Math.min(a.height - 6, 34);
      edgeLayer.append(
        s(
          'g',
          {},
          title,
          s('path', {
            class: 'edge',
            d: `M${boxR},${y1} C${boxR + 40},${y1 - 10} ${boxR + 40},${y2 + 10} ${boxR + 2},${y2}`,
            'marker-end': arrow,
          }),
        ),
      );
      badge(boxR + 31, (y1 + y2) / 2, e.n);
    } else {
      const x = e.side === 'right' ? rightLaneX(e.lane) : leftLaneX(e.lane);
      const edgeX = e.side === 'right' ? boxR : boxX;
      const y1 = pointY.get(`${e.n}:from`);
      const y2 = pointY.get(`${e.n}:to`);
      const end = e.side === 'right' ? edgeX + 2 : edgeX - 2;
      edgeLayer.append(
        s(
          'g',
          {},
          title,
          s('path', { class: `edge lane ${e.side}`, d: `M${edgeX},${y1} H${x} V${y2} H${end}`, 'marker-end': arrow }),
        ),
      );
      badge(x, y1 + (y2 - y1) / 2, e.n);
    }
  }
  svg.append(edgeLayer);

  const nodes = s('g', { class: 'nodes' });
  for (const b of boxes) {
    const isCurrent = highlighted.has(b.id);
    const g = s('g', { class: `node${isCurrent ? ' current' : ''}${b.st.final ? ' final' : ''}`, 'data-step': b.id });
    g.append(
      s(
        'title',
        {},
        `${label(b.id)}${isCurrent ? ` (${t('diagram.legendCurrent')})` : ''}${b.st.final ? ` (${t('diagram.final')})` : ''}`,
      ),
    );
    g.append(s('rect', { x: boxX, y: b.y, width: BOX_W, height: b.height, rx: 8 }));
    if (b.st.final)
      g.append(s('rect', { class: 'inner', x: boxX + 4, y: b.y + 4, width: BOX_W - 8, height: b.height - 8, rx: 6 }));
    g.append(textBlock(b.lines, cx, b.y + 22, 'node-label'));
    nodes.append(g);
    let colX = boxX + 8;
    for (const column of b.columns) {
      let iy = b.y + b.lines.length * LINE + 18;
      for (const inner of column) {
        const innerCurrent = highlighted.has(inner.id);
        const ig = s('g', {
          class: `node inner-node${innerCurrent ? ' current' : ''}${parsed.states.get(inner.id)?.final ? ' final' : ''}`,
          'data-step': inner.id,
        });
        ig.append(s('title', {}, label(inner.id)));
        ig.append(s('rect', { x: colX, y: iy, width: b.colW, height: inner.height, rx: 5 }));
        ig.append(textBlock(inner.lines, colX + b.colW / 2, iy + 15, 'node-label small', 13));
        nodes.append(ig);
        iy += inner.height + 6;
      }
      colX += b.colW + 8;
    }
  }
  svg.append(nodes, badgeLayer);

  const list = h(
    'ol',
    { class: 'transitions' },
    parsed.edges.map((e) =>
      h(
        'li',
        {},
        h('span', { class: 'event' }, eventLabel(e.event)),
        eventLabel(e.event) !== e.event ? h('code', {}, e.event) : null,
        ': ',
        label(e.from),
        ' → ',
        label(e.to),
        e.guard ? h('span', { class: 'guard' }, ' [', h('code', {}, e.guard), ']') : null,
        e.container ? h('span', { class: 'muted' }, ` (${t('diagram.inside', { step: label(e.container) })})`) : null,
      ),
    ),
  );
  return h(
    'figure',
    { class: 'diagram' },
    h('div', { class: 'diagram-scroll' }, svg),
    h(
      'figcaption',
      {},
      h('span', { class: 'swatch current' }),
      t('diagram.legendCurrent'),
      h('span', { class: 'swatch final' }),
      t('diagram.legendFinal'),
    ),
    h(
      'details',
      { class: 'transitions-box' },
      h('summary', {}, t('diagram.transitions'), ` (${parsed.edges.length})`),
      list,
    ),
  );
}
