import { h } from '../lib/dom.js';
import { loc, t } from '../lib/i18n.js';

const DAY = 24 * 3600 * 1000;
export const DUE_SOON_DAYS = 7;

/** Steps of a definition (including the steps inside parallel regions), by id. */
export function stepCatalog(definition) {
  const out = new Map();
  const walk = (steps, parent) => {
    for (const [id, step] of Object.entries(steps ?? {})) {
      out.set(id, {
        id,
        label: step.label,
        type: step.type ?? 'task',
        stage: step.stage ?? null,
        role: step.role ?? null,
        parent,
      });
      for (const region of Object.values(step.regions ?? {})) walk(region.steps, id);
    }
  };
  walk(definition?.steps, null);
  return out;
}

/** Label helpers over a definition response (GET /api/definitions/:key), with fallbacks. */
export function labels(def) {
  const steps = stepCatalog(def?.definition);
  const events = def?.definition?.events ?? {};
  return {
    steps,
    step: (id, fallback) => (steps.has(id) ? loc(steps.get(id).label) : (fallback ?? id ?? '')),
    event: (type) => (events[type] ? loc(events[type].label) : type),
  };
}

/** Today's civil date in Vietnam, `YYYY-MM-DD`. */
export function todayInVietnam() {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

const dayNumber = (ymd) =>
  Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7)) - 1, Number(ymd.slice(8, 10))) / DAY;

/**
 * The deadline that matters for a case: the earliest open one (armed or overdue), and whether
 * it is overdue (due date before `today`, or marked so by the engine) or due within
 * DUE_SOON_DAYS — by civil dates, as GET /api/progress counts them (`today` = its `asOf`).
 */
export function deadlineState(deadlines, today = todayInVietnam()) {
  const open = (deadlines ?? [])
    .filter((d) => d.status === 'armed' || d.status === 'overdue')
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
  const d = open[0];
  if (!d) return { state: 'none', deadline: null, days: null };
  const days = dayNumber(d.dueDate) - dayNumber(today);
  if (d.status === 'overdue' || days < 0) return { state: 'overdue', deadline: d, days };
  if (days <= DUE_SOON_DAYS) return { state: 'dueSoon', deadline: d, days };
  return { state: 'ok', deadline: d, days };
}

export function deadlineBadge(state) {
  const key = { overdue: 'deadline.overdue', dueSoon: 'deadline.dueSoon', ok: 'deadline.ok', none: 'deadline.none' }[
    state
  ];
  return h('span', { class: `badge ${state}` }, t(key));
}

export function relativeDays({ state, days }) {
  if (days === null || days === undefined || state === 'none') return '';
  if (days < 0) return t('deadline.daysLate', { n: -days });
  if (state === 'overdue') return t('deadline.overdue');
  return days === 0 ? t('deadline.today') : t('deadline.days', { n: days });
}

/** Step colours for bars and legends (final steps are green). */
const PALETTE = [
  '#1d4ed8',
  '#0891b2',
  '#7c3aed',
  '#ea580c',
  '#a16207',
  '#db2777',
  '#65a30d',
  '#0f766e',
  '#475569',
  '#9f1239',
  '#4338ca',
  '#ca8a04',
];
export const stepColour = (index, final) => (final ? '#15803d' : PALETTE[index % PALETTE.length]);

export const enc = encodeURIComponent;

/** Runs `work` over `items` with at most `limit` at a time; stops starting new ones once `signal` aborts. */
export async function pool(items, limit, work, signal) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(runners);
}
