import { WorkingDayCalendar } from '@rasoat/calendar';
import { loadCatalog } from '@rasoat/definition-catalog';
import { CALENDAR_DATA_DIR, loadCalendarData } from '@rasoat/engine';
import {
  activeStepIds,
  applyEvent,
  startCase,
  stepIndex,
  type CaseSnapshot,
  type Definition,
} from '@rasoat/workflow-core';
import {
  assignPaces,
  deriveSeed,
  householdGatedStep,
  isPeriodicReview,
  mulberry32,
  seasonWindow,
  VillageAgent,
  type Pace,
} from '@rasoat/season-model';
import { simulatedProvince } from './province';

const catalog = loadCatalog();
const calendarData = loadCalendarData(CALENDAR_DATA_DIR);
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The shipped definitions the model plays. */
const PLAYED = [...catalog.values()]
  .filter((e) => isPeriodicReview(e.definition) && !householdGatedStep(e.definition))
  .map((e) => e.key);

/**
 * A season on the pure core, without the engine: the villages' events go straight through
 * applyEvent, and a step's onDue event is sent when its working-day period ends. Checks the
 * model against the definition: payload forms, roles, guards.
 */
function playPure(key: string, villages: number, seed: number) {
  const entry = catalog.get(key);
  if (!entry) throw new Error(`no ${key}`);
  const { compiled, definition } = entry;
  const provinceCode = definition.province ?? '24';
  const calendar = new WorkingDayCalendar({ data: calendarData, province: provinceCode });
  const window = seasonWindow(definition, null, 2026);
  const province = simulatedProvince(provinceCode, villages);
  const paces = assignPaces(province.villages.length, seed);
  const ctx = { definition, steps: stepIndex(definition), calendar, year: window.year };
  const agents = province.villages.map((v, i) => new VillageAgent(v, `case-${v.code}`, paces[i], seed, ctx));
  const snapshots = new Map<VillageAgent, CaseSnapshot>();
  const entered = new Map<VillageAgent, Map<string, string>>();
  const trace: string[] = [];
  const problems: string[] = [];
  const rejected: Record<string, number> = {};
  const until = plusDays(window.end, 10);
  const at = (day: string) => new Date(`${day}T09:00:00+07:00`);

  for (const agent of agents) {
    snapshots.set(agent, startCase(compiled, at(window.start)).snapshot);
    entered.set(agent, new Map([[definition.initial, window.start]]));
    agent.observe([definition.initial], window.start, new Set());
  }
  for (let day = window.start; day <= until; day = plusDays(day, 1)) {
    for (const agent of agents) {
      if (agent.done) continue;
      const sent = new Set<string>();
      const send = (type: string, data: Record<string, unknown>) => {
        const result = applyEvent(compiled, snapshots.get(agent) as CaseSnapshot, { type, data }, at(day));
        if (result.outcome === 'applied') snapshots.set(agent, result.snapshot);
        else rejected[`${type} ${result.code}`] = (rejected[`${type} ${result.code}`] ?? 0) + 1;
      };
      for (const e of agent.dueOn(day)) {
        if (!compiled.payloadSchemas[e.type].safeParse(e.data).success)
          problems.push(`${agent.unit.code} ${e.type}: invalid payload ${JSON.stringify(e.data)}`);
        if (!definition.events[e.type].roles.includes(e.actor.role))
          problems.push(`${agent.unit.code} ${e.type}: role ${e.actor.role} may not send it`);
        trace.push(`${day} ${agent.unit.code} ${e.type} ${JSON.stringify(e.data)}`);
        send(e.type, e.data);
        sent.add(e.step);
      }
      // The engine sends a step's onDue event when its working-day period ends.
      for (const step of activeStepIds(snapshots.get(agent) as CaseSnapshot)) {
        const onDue = ctx.steps.get(step)?.step.deadline?.onDue;
        const since = entered.get(agent)?.get(step);
        if (onDue && since && day === calendar.addWorkingDays(since, periodDays(definition, step))) send(onDue, {});
      }
      const snapshot = snapshots.get(agent) as CaseSnapshot;
      const active = snapshot.status === 'done' ? 'done' : activeStepIds(snapshot);
      const steps = entered.get(agent) as Map<string, string>;
      for (const s of [...steps.keys()]) if (active === 'done' || !active.includes(s)) steps.delete(s);
      if (active !== 'done') for (const s of active) if (!steps.has(s)) steps.set(s, day);
      agent.observe(active, day, sent);
    }
  }
  const completedBy = (pace: Pace) => agents.filter((a) => a.pace === pace && a.done).length;
  const count = (pace: Pace) => agents.filter((a) => a.pace === pace).length;
  return {
    trace,
    problems,
    rejected,
    completed: { early: completedBy('early'), typical: completedBy('typical'), late: completedBy('late') },
    villages: { early: count('early'), typical: count('typical'), late: count('late') },
  };
}

function periodDays(definition: Definition, step: string): number {
  const due = stepIndex(definition).get(step)?.step.deadline?.due as {
    kind: string;
    days?: number | { param: string };
  };
  if (due?.kind !== 'workingDays' || due.days === undefined) return 3;
  return typeof due.days === 'number' ? due.days : Number(definition.parameters[due.days.param].value);
}

describe('the village model', () => {
  it('plays the periodic review and its province definitions, not other processes nor household-gated ones', () => {
    expect(PLAYED).toEqual(
      expect.arrayContaining([
        'periodic-review@1',
        'bac-giang-periodic-review-2021@1',
        'lang-son-periodic-review-2024@1',
        'quang-ngai-periodic-review-2023@1',
      ]),
    );
    expect(PLAYED).not.toContain('regular-review@1');
  });

  it.each(PLAYED)(
    '%s: every payload fits the form, every actor may send it, guards reject only the deliberately incomplete surveys',
    (key) => {
      const run = playPure(key, 150, 11);
      expect(run.problems).toEqual([]);
      expect(Object.keys(run.rejected).every((k) => k.startsWith('SURVEY_COMPLETED '))).toBe(true);
      // Early and typical villages finish; late ones mostly do not (their stuck step takes weeks).
      expect(run.completed.early).toBe(run.villages.early);
      expect(run.completed.typical).toBeGreaterThanOrEqual(Math.floor(run.villages.typical * 0.95));
      expect(run.villages.late).toBeGreaterThan(0);
    },
  );

  it('is reproducible: the same seed gives the same events, another seed other ones', () => {
    const a = playPure('periodic-review@1', 40, 5).trace;
    expect(playPure('periodic-review@1', 40, 5).trace).toEqual(a);
    expect(playPure('periodic-review@1', 40, 6).trace).not.toEqual(a);
  });

  it('assigns about 5 % late (at least one) and 20 % early villages', () => {
    const paces = assignPaces(2127, 1);
    expect(paces.filter((p) => p === 'late')).toHaveLength(106);
    expect(paces.filter((p) => p === 'early')).toHaveLength(425);
    expect(assignPaces(3, 1).filter((p) => p === 'late')).toHaveLength(1);
  });

  it('mulberry32 streams depend only on the seed and the name', () => {
    const draw = (seed: number, name: string) => Array.from({ length: 3 }, mulberry32(deriveSeed(seed, name)));
    expect(draw(7, '0700001')).toEqual(draw(7, '0700001'));
    expect(draw(7, '0700001')).not.toEqual(draw(7, '0700002'));
    expect(draw(7, '0700001')).not.toEqual(draw(8, '0700001'));
  });

  describe('on a definition gated on the household records', () => {
    const GATED = [...catalog.values()]
      .filter((e) => isPeriodicReview(e.definition) && householdGatedStep(e.definition) !== null)
      .map((e) => e.key);
    const profile = {
      indicators: ['employment', 'nutrition', 'health_insurance', 'housing_quality', 'latrine', 'digital_use'],
      areas: {
        rural: { povertyLine: 2_200_000, nearPoorLine: 2_200_000, deprivationThreshold: 3 },
        urban: { povertyLine: 2_800_000, nearPoorLine: 2_800_000, deprivationThreshold: 3 },
      },
    };

    it('covers the two-level definitions', () => {
      expect(GATED).toEqual(expect.arrayContaining(['periodic-review@2', 'periodic-review@3', 'periodic-review@4']));
    });

    it.each(GATED)(
      '%s: the list is imported before it is submitted, every household surveyed, and voted on at the meeting',
      (key) => {
        const { definition } = catalog.get(key)!;
        const calendar = new WorkingDayCalendar({ data: calendarData, province: '24' });
        const ctx = { definition, steps: stepIndex(definition), calendar, year: 2026, survey: profile };
        const [v] = simulatedProvince('24', 1).villages;
        for (let seed = 1; seed <= 30; seed++) {
          const agent = new VillageAgent(v, 'case-1', 'typical', seed, ctx);
          const total = agent.householdList.length;
          expect(total).toBeGreaterThan(0);

          const listing = agent.plan('listing', '2026-09-01', true);
          expect(listing.households?.map((h) => h.op)).toEqual(['import']);
          const imported = listing.households?.[0];
          expect(imported?.op === 'import' && imported.rows.length).toBe(total);
          expect(listing.events.map((e) => [e.type, e.data.householdCount])).toEqual([
            ['REVIEW_LIST_SUBMITTED', total],
          ]);
          expect(['village_board', 'commune_committee']).toContain(imported?.actor.role);

          const survey = agent.plan('survey', listing.day as string, true);
          const surveyed = survey.households?.[0];
          expect(surveyed?.op).toBe('survey');
          if (surveyed?.op === 'survey') expect(surveyed.surveys.length).toBeLessThanOrEqual(total);
          expect(survey.events[0].type).toBe('SURVEY_COMPLETED');

          const meeting = agent.plan('meeting', survey.day as string, true);
          const votes = meeting.households?.[0];
          expect(votes?.op).toBe('vote');
          if (votes?.op !== 'vote') continue;
          expect(votes.votes.map((x) => x.code).sort()).toEqual(agent.householdList.map((h) => h.code).sort());
          expect(votes.votes.every((x) => x.agree >= 0 && x.agree <= x.present)).toBe(true);
          const held = meeting.events[0];
          expect(held.type).toBe('MEETING_HELD');
          expect(Object.keys(held.data).every((f) => f in definition.events.MEETING_HELD.fields)).toBe(true);
        }
      },
    );
  });
});
