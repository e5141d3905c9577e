import { api, currentActor, definition, unitNames } from '../lib/api.js';
import { renderDiagram } from '../lib/diagram.js';
import { errorBox, h, section } from '../lib/dom.js';
import { formatDate, formatInstant, formatNumber, loc, roleLabel, t } from '../lib/i18n.js';
import { deadlineBadge, deadlineState, enc, labels, relativeDays } from './shared.js';

/** One village's case: step, what may happen next, deadlines, history (newest first, older on demand), refused events and the diagram. */
export async function caseView({ id }) {
  const c = await api(`/api/cases/${enc(id)}`);
  let def = null;
  let defError = null;
  try {
    def = await definition(c.definition.key);
  } catch (e) {
    defError = e;
  }
  const L = labels(def);
  const actor = currentActor();
  const communeName = unitNames.get(c.village.communeCode)?.name ?? `${t('case.commune')} ${c.village.communeCode}`;
  const status = h('span', { class: `badge status-${c.status}` }, t(`case.status.${c.status}`));
  const due = deadlineState(c.status === 'active' ? c.deadlines : []);

  const head = h(
    'header',
    { class: 'page-head' },
    h(
      'nav',
      { class: 'crumbs', 'aria-label': t('progress.breadcrumb') },
      h(
        'ol',
        {},
        h(
          'li',
          {},
          h('a', { href: `#/unit/${enc(c.village.communeCode)}?campaign=${enc(c.campaign.id)}` }, communeName),
        ),
        h('li', {}, h('span', { 'aria-current': 'page' }, c.village.name)),
      ),
    ),
    h('h1', { tabindex: '-1' }, `${c.village.name}`, h('span', { class: 'muted h1-sub' }, ` ${c.village.code}`)),
    h(
      'p',
      { class: 'muted' },
      `${t('case.title')} · ${loc(c.definition.title)} · ${c.definition.key} · ${c.campaign.year}`,
    ),
    h('p', {}, status, ' ', c.status === 'active' ? deadlineBadge(due.state) : null),
  );

  const stepCard = section(
    t('case.currentStep'),
    h('p', { class: 'step-label', 'data-step': c.step.id }, loc(c.step.label)),
    h(
      'dl',
      { class: 'facts' },
      c.step.stage !== null && c.step.stage !== undefined
        ? [h('dt', {}, t('case.stage')), h('dd', {}, String(c.step.stage))]
        : null,
      c.step.role ? [h('dt', {}, t('case.role')), h('dd', {}, roleLabel(c.step.role))] : null,
      c.step.produces ? [h('dt', {}, t('case.produces')), h('dd', {}, loc(c.step.produces))] : null,
      c.step.source ? [h('dt', {}, t('case.source')), h('dd', {}, c.step.source)] : null,
      due.deadline
        ? [
            h('dt', {}, t('case.dueDate')),
            h('dd', {}, formatDate(due.deadline.dueDate), ' ', h('span', { class: 'muted' }, `(${relativeDays(due)})`)),
          ]
        : null,
    ),
    c.regions?.length
      ? h(
          'div',
          {},
          h('h3', {}, t('case.regions')),
          h(
            'ul',
            { class: 'plain' },
            c.regions.map((r) =>
              h(
                'li',
                {},
                h('strong', {}, r.region),
                ': ',
                loc(r.label),
                r.role ? h('span', { class: 'muted' }, ` — ${roleLabel(r.role)}`) : null,
              ),
            ),
          ),
        )
      : null,
  );

  const events = section(
    t('case.allowedEvents'),
    c.allowedEvents.length === 0
      ? h('p', { class: 'muted' }, t('case.noEvents'))
      : h(
          'ul',
          { class: 'events' },
          c.allowedEvents.map((e) => {
            const proxies = e.proxies ?? [];
            const mine = actor && (e.roles.includes(actor.role) || proxies.some((p) => p.role === actor.role));
            return h(
              'li',
              { class: mine ? 'mine' : '', dataset: { event: e.type } },
              h(
                'div',
                {},
                h('strong', {}, loc(e.label)),
                ' ',
                h('code', {}, e.type),
                mine ? h('span', { class: 'badge ok' }, t('case.youCan')) : null,
              ),
              h(
                'p',
                { class: 'small' },
                h('span', { class: 'muted' }, `${t('case.whoCan')}: `),
                [
                  ...e.roles.map(roleLabel),
                  ...proxies.map((p) => `${roleLabel(p.role)} (${t('case.onBehalfOf')} ${roleLabel(p.onBehalfOf)})`),
                ].join(', '),
              ),
              Object.keys(e.fields ?? {}).length
                ? h(
                    'details',
                    {},
                    h('summary', {}, `${t('case.fields')} (${Object.keys(e.fields).length})`),
                    h(
                      'ul',
                      { class: 'fields' },
                      Object.entries(e.fields).map(([name, f]) =>
                        h(
                          'li',
                          {},
                          h('code', {}, name),
                          ` — ${loc(f.label ?? name)} `,
                          h(
                            'span',
                            { class: 'muted small' },
                            `(${f.type}${f.required === false ? `, ${t('case.optional')}` : ''})`,
                          ),
                        ),
                      ),
                    ),
                  )
                : null,
            );
          }),
        ),
  );

  const deadlines = section(
    t('case.deadlines'),
    c.deadlines.length === 0
      ? h('p', { class: 'muted' }, t('case.noDeadlines'))
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'responsive' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [t('case.step'), t('case.dueDate'), t('case.status')].map((x) => h('th', { scope: 'col' }, x)),
              ),
            ),
            h(
              'tbody',
              {},
              c.deadlines.map((d) => {
                const state = d.status === 'armed' || d.status === 'overdue' ? deadlineState([d]).state : 'closed';
                return h(
                  'tr',
                  { class: `deadline ${state}`, dataset: { step: d.step, status: d.status } },
                  h('th', { scope: 'row', 'data-label': t('case.step') }, L.step(d.step)),
                  h('td', { 'data-label': t('case.dueDate') }, formatDate(d.dueDate)),
                  h(
                    'td',
                    { 'data-label': t('case.status') },
                    h('span', { class: `badge ${state}` }, t(`dstatus.${d.status}`)),
                    h('span', { class: 'muted small block' }, `${t('case.armedAt')}: ${formatInstant(d.armedAt)}`),
                    d.closedAt
                      ? h('span', { class: 'muted small block' }, `${t('case.closedAt')}: ${formatInstant(d.closedAt)}`)
                      : null,
                  ),
                );
              }),
            ),
          ),
        ),
    c.pendingEvents?.length
      ? h(
          'p',
          { class: 'alert info' },
          `${t('case.pending')}: `,
          c.pendingEvents.map((p) => `#${p.seq} ${L.event(p.type)}`).join(', '),
        )
      : null,
  );

  const entry = (e) =>
    h(
      'li',
      { class: `tl-${e.kind}`, dataset: { id: e.id } },
      h('time', { datetime: e.at }, formatInstant(e.at)),
      h('span', { class: `badge kind-${e.kind}` }, t(`h.kind.${e.kind}`)),
      h('p', {}, historyText(e, L)),
      e.actor && e.actor.role !== 'system'
        ? h(
            'p',
            { class: 'muted small' },
            `${roleLabel(e.actor.role)} · ${e.actor.sub}${e.actor.onBehalfOf ? ` (${t('case.onBehalfOf')} ${roleLabel(e.actor.onBehalfOf)})` : ''}`,
          )
        : null,
    );
  const timeline = h('ol', { class: 'timeline' }, c.history.map(entry));
  const shown = h('p', { class: 'muted small history-shown', role: 'status' });
  const older = h('button', { type: 'button', class: 'secondary' }, t('case.olderHistory'));
  let nextBefore = c.historyNextBefore;
  const showing = () => {
    shown.textContent = t('case.historyShown', {
      n: formatNumber(timeline.children.length),
      total: formatNumber(c.historyTotal),
    });
    older.hidden = !nextBefore;
  };
  older.addEventListener('click', async () => {
    older.disabled = true;
    try {
      const page = await api(`/api/cases/${enc(c.id)}/history?before=${enc(nextBefore)}`);
      timeline.append(...page.items.map(entry));
      nextBefore = page.nextBefore;
      showing();
    } catch (e) {
      shown.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      older.disabled = false;
    }
  });
  showing();
  const refused = c.refusedEvents;
  const history = section(
    t('case.history'),
    refused.total > 0
      ? h(
          'details',
          { class: 'refused' },
          h('summary', {}, t('case.refused', { n: formatNumber(refused.total) })),
          h(
            'ul',
            { class: 'plain small' },
            refused.recent.map((r) =>
              h(
                'li',
                { dataset: { seq: r.seq } },
                h('time', { datetime: r.at }, formatInstant(r.at)),
                ' · ',
                t('h.rejected', { event: L.event(r.type), reason: r.reason ?? r.code ?? '' }),
                h('span', { class: 'muted' }, ` — ${roleLabel(r.actor.role)} · ${r.actor.sub}`),
              ),
            ),
          ),
        )
      : null,
    timeline,
    shown,
    older,
  );

  const diagramBody = def
    ? renderDiagram(def.diagram, {
        current: [c.step.id, ...(c.regions ?? []).map((r) => r.step)],
        labelOf: (sid) => (L.steps.has(sid) ? L.step(sid) : null),
        eventLabel: L.event,
      })
    : errorBox(t('diagram.unavailable', { message: defError?.message ?? '' }));
  const diagram = section(t('case.diagram'), diagramBody);

  const dataEntries = Object.entries(c.data ?? {});
  const data = section(
    t('case.data'),
    dataEntries.length === 0
      ? h('p', { class: 'muted' }, t('case.noData'))
      : dataEntries.map(([event, payload]) =>
          h(
            'details',
            {},
            h('summary', {}, L.event(event), ' ', h('code', {}, event)),
            h(
              'dl',
              { class: 'facts' },
              Object.entries(payload ?? {}).map(([k, v]) => [
                h('dt', {}, k),
                h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)),
              ]),
            ),
          ),
        ),
    Object.keys(c.counters ?? {}).length
      ? h(
          'p',
          { class: 'small' },
          h('span', { class: 'muted' }, `${t('case.counters')}: `),
          Object.entries(c.counters)
            .map(([k, v]) => `${k} = ${v}`)
            .join(', '),
        )
      : null,
  );

  return h(
    'div',
    { class: 'page' },
    head,
    h(
      'div',
      { class: 'case-grid' },
      h('div', { class: 'col' }, stepCard, events, deadlines, data),
      h('div', { class: 'col' }, diagram, history),
    ),
  );
}

function historyText(e, L) {
  const d = e.details ?? {};
  switch (e.kind) {
    case 'started':
      return t('h.started', { step: L.step(e.toStep) });
    case 'transition':
      return t('h.transition', { event: L.event(e.eventType), from: L.step(e.fromStep), to: L.step(e.toStep) });
    case 'event':
      return t('h.event', { event: L.event(e.eventType), step: L.step(e.toStep ?? e.fromStep) });
    case 'deadline':
      return t('h.deadline', { step: L.step(e.toStep ?? e.fromStep), date: formatDate(String(d.dueDate ?? '')) });
    case 'completed':
      return t('h.completed', { outcome: String(d.outcome ?? '') });
    case 'migrated':
      return t('h.migrated', { to: String(d.to ?? ''), from: e.fromStep ?? '', step: L.step(e.toStep) });
    default:
      return e.summary ?? e.kind;
  }
}
