import { api, cached, currentActor, definition, rememberUnits, unitNames } from '../lib/api.js';
import { bar, h, s, section } from '../lib/dom.js';
import { formatDate, formatNumber, formatPercent, loc, t, unitKindLabel } from '../lib/i18n.js';
import { deadlineBadge, deadlineState, enc, pool, relativeDays, stepCatalog, stepColour } from './shared.js';

const unitHref = (code, campaignId) => `#/unit/${enc(code)}${campaignId ? `?campaign=${enc(campaignId)}` : ''}`;

/**
 * Progress of a unit: per step (cases in it), per stage (cases that finished it), per child
 * unit a row with its bars; a commune lists its villages' cases. Drill down by clicking.
 */
export async function progressView({ code, campaignId, signal, navigate }) {
  if (code === 'VN') return nationalView();
  const [{ unit, children }, campaigns] = await Promise.all([cached(`/api/units/${enc(code)}`), api('/api/campaigns')]);
  rememberUnits([unit, ...children]);
  const ofProvince = campaigns.filter((c) => c.provinceCode === unit.provinceCode);
  const campaign =
    ofProvince.find((c) => c.id === campaignId) ?? ofProvince.find((c) => c.status === 'running') ?? ofProvince[0];
  const crumbs = await breadcrumb(unit, campaign?.id);
  const titles = await definitionTitles(ofProvince);
  const head = h(
    'header',
    { class: 'page-head' },
    crumbs,
    h('h1', { tabindex: '-1' }, unit.name),
    h('p', { class: 'muted' }, `${unitKindLabel(unit)} · ${unit.code}`),
    campaignPicker(ofProvince, campaign, titles, (id) => navigate(unitHref(unit.code, id))),
  );
  if (!campaign) return h('div', { class: 'page' }, head, h('p', { class: 'alert info' }, t('progress.noCampaign')));
  if (unit.level === 'village') return h('div', { class: 'page' }, head, await villageCases(unit, campaign));

  const progress = await api(`/api/progress?unit=${enc(unit.code)}&campaign=${enc(campaign.id)}`);
  const def = await definition(progress.campaign.definitionKey).catch(() => null);
  const catalog = stepCatalog(def?.definition);
  const steps = progress.steps.map((st, i) => {
    const known = catalog.get(st.id);
    const final = known ? known.type === 'final' : st.stage === null;
    return {
      id: st.id,
      label: known ? loc(known.label) : st.label,
      stage: st.stage,
      final,
      colour: stepColour(i, final),
    };
  });
  const totals = progress.totals;
  const doneOf = (p) => steps.filter((st) => st.final).reduce((sum, st) => sum + (p.byStep?.[st.id] ?? 0), 0);
  const isCommune = unit.level === 'commune';

  // Overdue / due within 7 days: counted by the API (deadlines, as of its `asOf` date); at a
  // commune without them, computed from its villages' cases.
  const dueSoonOf = (p) => p.dueWithin7Days ?? p.dueSoon;
  const fromApi = totals.overdue !== undefined;
  const overdueTile = tile(t('progress.overdue'), totals.overdue, 'overdue');
  const dueSoonTile = tile(t('progress.dueSoon'), dueSoonOf(totals), 'dueSoon');
  for (const el of [overdueTile, dueSoonTile]) {
    if (fromApi && progress.asOf) el.setNote(t('progress.asOf', { date: formatDate(progress.asOf) }));
    else if (!fromApi && !isCommune) el.setNote(t('progress.notProvidedHint'));
  }
  const tiles = h(
    'div',
    { class: 'tiles' },
    tile(t('progress.cases'), totals.cases).el,
    tile(t('progress.done'), doneOf(totals), 'done', formatPercent(doneOf(totals), totals.cases)).el,
    overdueTile.el,
    dueSoonTile.el,
  );

  const byStep = section(
    t('progress.byStep'),
    h(
      'ul',
      { class: 'bars' },
      steps.map((st) => {
        const n = totals.byStep?.[st.id] ?? 0;
        return h(
          'li',
          { dataset: { step: st.id } },
          h(
            'div',
            { class: 'bar-head' },
            h('span', { class: 'swatch', style: { background: st.colour } }),
            h('span', { class: 'bar-label' }, st.label),
            h('span', { class: 'bar-value' }, `${formatNumber(n)} · ${formatPercent(n, totals.cases)}`),
          ),
          bar(n, totals.cases, `${st.label}: ${formatNumber(n)} / ${formatNumber(totals.cases)}`, '', st.colour),
        );
      }),
    ),
  );
  const stages = [...new Set(steps.map((st) => st.stage).filter((n) => n !== null && n !== undefined))].sort(
    (a, b) => a - b,
  );
  const byStage = section(
    t('progress.byStage'),
    h(
      'ul',
      { class: 'bars' },
      stages.map((n) => {
        const done = totals.finishedStage?.[n] ?? 0;
        const names = steps.filter((st) => st.stage === n).map((st) => st.label);
        return h(
          'li',
          { dataset: { stage: n } },
          h(
            'div',
            { class: 'bar-head' },
            h(
              'span',
              { class: 'bar-label' },
              h('strong', {}, t('progress.stage', { n })),
              ' ',
              h('span', { class: 'muted' }, names[0] ?? ''),
            ),
            h('span', { class: 'bar-value' }, `${formatNumber(done)} · ${formatPercent(done, totals.cases)}`),
          ),
          bar(
            done,
            totals.cases,
            `${t('progress.stage', { n })}: ${formatNumber(done)} / ${formatNumber(totals.cases)}`,
            'stage',
          ),
        );
      }),
    ),
  );

  // The units below come first: on a phone they are what one reads and clicks.
  const below = isCommune
    ? villagesSection(progress.children, steps, {
        overdueTile,
        dueSoonTile,
        signal,
        today: progress.asOf,
        countHere: !fromApi,
      })
    : childrenSection(progress.children, steps, doneOf, dueSoonOf, campaign.id);
  return h(
    'div',
    { class: 'page' },
    head,
    tiles,
    below,
    h('div', { class: 'two-col' }, byStep, byStage),
    seasonChart(progress.history, stages, steps, totals.cases),
  );
}

/** Villages that had finished each stage, day by day over the season (GET /api/progress → history). */
function seasonChart(history, stages, steps, cases) {
  if (!history?.length || !cases) return null;
  const W = 640;
  const H = 220;
  const left = 44;
  const right = 12;
  const topPad = 12;
  const bottom = 30;
  const x = (i) =>
    left + (history.length === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (history.length - 1));
  const y = (n) => topPad + (H - topPad - bottom) * (1 - n / cases);
  const colour = (n) => stepColour(n - 1, false);
  const last = history[history.length - 1];
  const summary = stages
    .map((n) => `${t('progress.stage', { n })}: ${formatPercent(last.finishedStage?.[n] ?? 0, cases)}`)
    .join('; ');
  const svg = s('svg', {
    class: 'season-svg',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `${t('progress.season')} — ${formatDate(last.day)}: ${summary}`,
  });
  for (const pct of [0, 0.25, 0.5, 0.75, 1]) {
    const yy = y(pct * cases);
    svg.append(
      s('line', { class: 'grid', x1: left, x2: W - right, y1: yy, y2: yy }),
      s('text', { class: 'axis y', x: left - 6, y: yy + 4 }, formatPercent(pct, 1)),
    );
  }
  const ticks = [...new Set([0, Math.floor((history.length - 1) / 2), history.length - 1])];
  for (const i of ticks) {
    const anchor = history.length === 1 ? 'middle' : i === 0 ? 'start' : i === history.length - 1 ? 'end' : 'middle';
    svg.append(
      s('text', { class: 'axis x', x: x(i), y: H - 8, 'text-anchor': anchor }, formatDate(history[i].day).slice(0, 5)),
    );
  }
  for (const n of stages) {
    const points = history.map((d, i) => [x(i), y(d.finishedStage?.[n] ?? 0)]);
    const g = s(
      'g',
      { class: 'series', dataset: { stage: n } },
      s('title', {}, `${t('progress.stage', { n })}: ${formatNumber(last.finishedStage?.[n] ?? 0)}`),
    );
    g.append(s('polyline', { points: points.map((p) => p.join(',')).join(' '), style: { stroke: colour(n) } }));
    for (const [px, py] of points) g.append(s('circle', { cx: px, cy: py, r: 3, style: { fill: colour(n) } }));
    svg.append(g);
  }
  const names = new Map(stages.map((n) => [n, steps.find((st) => st.stage === n)?.label ?? '']));
  return section(
    t('progress.season'),
    h('div', { class: 'season' }, svg),
    h(
      'ul',
      { class: 'legend' },
      stages.map((n) =>
        h(
          'li',
          { title: names.get(n) },
          h('span', { class: 'swatch', style: { background: colour(n) } }),
          `${t('progress.stage', { n })} · ${formatPercent(last.finishedStage?.[n] ?? 0, cases)}`,
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      t('progress.seasonHint', { from: formatDate(history[0].day), to: formatDate(last.day) }),
    ),
  );
}

function tile(label, value, cls = '', extra = '') {
  const valueEl = h(
    'span',
    { class: 'tile-value' },
    value === undefined ? t('progress.notProvided') : formatNumber(value),
  );
  const note = h('span', { class: 'tile-note muted' }, extra);
  const el = h(
    'div',
    { class: `tile ${cls}`, role: 'group', 'aria-label': label },
    h('span', { class: 'tile-label' }, label),
    valueEl,
    note,
  );
  return {
    el,
    set: (v) => valueEl.replaceChildren(formatNumber(v)),
    setNote: (text) => note.replaceChildren(text),
  };
}

/** Each campaign's procedure by its title in the user's language (its key only when the definition cannot be read). */
async function definitionTitles(campaigns) {
  const keys = [...new Set(campaigns.map((c) => c.definitionKey))];
  const titled = await Promise.all(
    keys.map((key) =>
      definition(key)
        .then((d) => [key, loc(d.definition.title)])
        .catch(() => [key, key]),
    ),
  );
  return new Map(titled);
}

function campaignPicker(campaigns, current, titles, onPick) {
  if (!current) return null;
  const describe = (c) =>
    `${t('progress.campaignYear', { year: c.year })} — ${titles.get(c.definitionKey) ?? c.definitionKey}${c.status === 'running' ? '' : ` (${c.status})`}`;
  if (campaigns.length < 2)
    return h(
      'p',
      { class: 'campaign' },
      h('span', { class: 'muted' }, `${t('progress.campaign')}: `),
      describe(current),
    );
  const select = h(
    'select',
    { id: 'campaign-picker', onChange: (ev) => onPick(ev.target.value) },
    campaigns.map((c) => h('option', { value: c.id, selected: c.id === current.id }, describe(c))),
  );
  return h('p', { class: 'campaign' }, h('label', { for: 'campaign-picker' }, `${t('progress.campaign')}: `), select);
}

async function unitName(code) {
  if (!unitNames.has(code)) {
    const { unit, children } = await cached(`/api/units/${enc(code)}`);
    rememberUnits([unit, ...children]);
  }
  return unitNames.get(code)?.name ?? code;
}

/** From the user's own unit down to this one (units above it are outside the token's scope). */
async function breadcrumb(unit, campaignId) {
  const actor = currentActor();
  const codes = unit.path.split('/').filter(Boolean);
  const from = actor?.unit === 'VN' ? 0 : Math.max(0, codes.indexOf(actor?.unit));
  const chain = codes.slice(from);
  if (chain.length < 2 && actor?.unit !== 'VN') return null;
  const names = await Promise.all(chain.map((c) => unitName(c).catch(() => c)));
  const items = chain.map((c, i) =>
    h(
      'li',
      {},
      i === chain.length - 1
        ? h('span', { 'aria-current': 'page' }, names[i])
        : h('a', { href: unitHref(c, campaignId) }, names[i]),
    ),
  );
  if (actor?.unit === 'VN') items.unshift(h('li', {}, h('a', { href: '#/unit/VN' }, t('nation'))));
  return h('nav', { class: 'crumbs', 'aria-label': t('progress.breadcrumb') }, h('ol', {}, items));
}

function stackedBar(byStep, cases, steps) {
  const parts = steps.filter((st) => (byStep?.[st.id] ?? 0) > 0);
  const text = parts.map((st) => `${st.label}: ${byStep[st.id]}`).join('; ');
  return h(
    'div',
    { class: 'stack', role: 'img', 'aria-label': `${t('progress.barLabel')}: ${text || '0'}` },
    parts.map((st) =>
      h('span', {
        class: 'seg',
        title: `${st.label}: ${byStep[st.id]}`,
        style: { width: `${(byStep[st.id] / Math.max(1, cases)) * 100}%`, background: st.colour },
      }),
    ),
  );
}

function legend(steps) {
  return h(
    'ul',
    { class: 'legend', 'aria-label': t('progress.legend') },
    steps.map((st) => h('li', {}, h('span', { class: 'swatch', style: { background: st.colour } }), st.label)),
  );
}

function childrenSection(children, steps, doneOf, dueSoonOf, campaignId) {
  if (!children.length) return section(t('progress.children'), h('p', { class: 'muted' }, t('progress.noChildren')));
  rememberUnits(children);
  return section(
    t('progress.children'),
    legend(steps),
    h(
      'ul',
      { class: 'units' },
      children.map((c) => {
        const done = doneOf(c);
        return h(
          'li',
          { class: 'unit-row', dataset: { unit: c.code } },
          h(
            'div',
            { class: 'unit-title' },
            h('a', { href: unitHref(c.code, campaignId), class: 'unit-name' }, c.name),
            h('span', { class: 'muted small' }, ` ${unitKindLabel(c)} · ${c.code}`),
          ),
          h('span', { class: 'unit-count' }, t('progress.casesCount', { n: formatNumber(c.cases) })),
          stackedBar(c.byStep, c.cases, steps),
          h('span', { class: 'unit-pct' }, t('progress.percentDone', { p: formatPercent(done, c.cases) })),
          c.overdue !== undefined
            ? h(
                'span',
                { class: 'unit-flags' },
                h(
                  'span',
                  { class: `badge ${c.overdue > 0 ? 'overdue' : 'none'}`, title: t('progress.overdue') },
                  `${t('progress.overdue')}: ${formatNumber(c.overdue)}`,
                ),
                dueSoonOf(c) !== undefined
                  ? h(
                      'span',
                      { class: `badge ${dueSoonOf(c) > 0 ? 'dueSoon' : 'none'}`, title: t('progress.dueSoon') },
                      `${t('progress.dueSoonShort')}: ${formatNumber(dueSoonOf(c))}`,
                    )
                  : null,
              )
            : null,
        );
      }),
    ),
  );
}

/** A commune's villages: each case with its step and, loaded case by case, its nearest deadline. */
function villagesSection(villages, steps, { overdueTile, dueSoonTile, signal, today, countHere }) {
  const stepLabel = new Map(steps.map((st) => [st.id, st]));
  const rows = villages.map((v) => {
    const deadlineCell = h('td', { 'data-label': t('progress.deadline') }, h('span', { class: 'muted' }, '…'));
    const stateCell = h('td', { 'data-label': t('progress.state') });
    const st = stepLabel.get(v.step);
    const row = h(
      'tr',
      { dataset: { village: v.code } },
      h(
        'th',
        { scope: 'row', 'data-label': t('progress.village') },
        h('a', { href: `#/case/${enc(v.caseId)}` }, v.name),
        h('span', { class: 'muted small' }, ` ${v.code}`),
      ),
      h(
        'td',
        { 'data-label': t('progress.step') },
        st ? h('span', { class: 'swatch', style: { background: st.colour } }) : null,
        st?.label ?? v.step,
      ),
      deadlineCell,
      stateCell,
    );
    return { v, row, deadlineCell, stateCell };
  });
  const table = h(
    'table',
    { class: 'villages responsive' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('progress.village'), t('progress.step'), t('progress.deadline'), t('progress.state')].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) => r.row),
    ),
  );
  let overdue = 0;
  let dueSoon = 0;
  let loaded = 0;
  if (countHere) {
    overdueTile.set(0);
    dueSoonTile.set(0);
  }
  // A handful of rows: read each case for its deadlines (the progress API has no deadline counts).
  void pool(
    rows,
    4,
    async (r) => {
      try {
        const c = await api(`/api/cases/${enc(r.v.caseId)}`);
        const d = deadlineState(c.status === 'active' ? c.deadlines : [], today ?? undefined);
        r.deadlineCell.replaceChildren(
          d.deadline
            ? h(
                'span',
                {},
                formatDate(d.deadline.dueDate),
                h('span', { class: 'muted small' }, ` (${relativeDays(d)})`),
              )
            : '—',
        );
        r.stateCell.replaceChildren(deadlineBadge(d.state));
        r.row.dataset.deadline = d.state;
        if (!countHere) return;
        loaded++;
        if (d.state === 'overdue') overdueTile.set(++overdue);
        if (d.state === 'dueSoon') dueSoonTile.set(++dueSoon);
        overdueTile.setNote(t('progress.computedHint', { n: loaded }));
        dueSoonTile.setNote(t('progress.computedHint', { n: loaded }));
      } catch (e) {
        r.deadlineCell.replaceChildren(h('span', { class: 'error-text' }, e instanceof Error ? e.message : String(e)));
      }
    },
    signal,
  );
  return section(t('progress.villages'), h('div', { class: 'table-wrap' }, table));
}

async function villageCases(unit, campaign) {
  const cases = await api(`/api/campaigns/${enc(campaign.id)}/cases?unit=${enc(unit.code)}`);
  return section(
    t('progress.villageCases'),
    h(
      'ul',
      { class: 'plain' },
      cases.map((c) =>
        h(
          'li',
          {},
          h('a', { href: `#/case/${enc(c.id)}` }, `${c.villageName} — ${t('progress.open')}`),
          h('span', { class: 'muted small' }, ` ${c.step} · ${c.status}`),
        ),
      ),
    ),
  );
}

/** A national admin: the provinces that have campaigns. */
async function nationalView() {
  const campaigns = await api('/api/campaigns');
  const provinces = [...new Set(campaigns.map((c) => c.provinceCode))];
  const names = await Promise.all(provinces.map((p) => unitName(p).catch(() => p)));
  return h(
    'div',
    { class: 'page' },
    h('h1', { tabindex: '-1' }, t('progress.national')),
    section(
      t('level.province'),
      h(
        'ul',
        { class: 'plain' },
        provinces.map((p, i) =>
          h(
            'li',
            {},
            h('a', { href: unitHref(p) }, names[i]),
            h(
              'span',
              { class: 'muted small' },
              ` ${p} · ${campaigns
                .filter((c) => c.provinceCode === p)
                .map((c) => `${c.year} ${c.definitionKey}`)
                .join(', ')}`,
            ),
          ),
        ),
      ),
    ),
  );
}
