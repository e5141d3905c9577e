import type { Plan, PlannedEvent } from './village';
import { ACCEPT_CHUNK, acceptChunks, sendVillageWork, type AcceptItem, type WorkingVillage } from './village-work';

type Outcome = { ok: true; receipt: object } | { ok: false; error: unknown };

const DAY = '2026-09-10';

interface FakeVillage extends WorkingVillage {
  name: string;
}

/** A village with events due today, `[step, type]` each (a type starting with `bad` is refused). */
function village(name: string, events: [string, string][], done = false): FakeVillage {
  const planned: PlannedEvent[] = events.map(([step, type], i) => ({
    step,
    type,
    data: {},
    actor: { sub: `board@${name}`, role: 'village_board', unit: name },
    idempotencyKey: `${name}:${type}:${i}`,
  }));
  return {
    name,
    caseId: `case-${name}`,
    done,
    refused: 0,
    plans: new Map<string, Plan>(),
    dueOn: (day) => (day === DAY ? planned : []),
  };
}

/** acceptMany standing for the engine: records each call's events as `case:type`, refuses `bad…` types. */
function engine() {
  const calls: string[][] = [];
  const acceptMany = jest.fn(async (requests: readonly AcceptItem[]): Promise<Outcome[]> => {
    calls.push(requests.map((r) => `${r.caseId}:${r.body.type}`));
    return requests.map((r) =>
      r.body.type.startsWith('bad')
        ? { ok: false, error: new Error(`${r.body.type} is not allowed here`) }
        : { ok: true, receipt: {} },
    );
  });
  return { calls, acceptMany };
}

describe('the villages’ work of a day', () => {
  it('sends the k-th event of every village in round k, so that each village’s events keep their order', async () => {
    const { calls, acceptMany } = engine();
    const a = village('A', [
      ['listing', 'listed'],
      ['survey', 'surveyStarted'],
    ]);
    const b = village('B', [['listing', 'listed']]);
    const c = village('C', [
      ['listing', 'listed'],
      ['survey', 'surveyStarted'],
      ['survey', 'surveyDone'],
    ]);
    const sent = await sendVillageWork([a, b, c], DAY, acceptMany, { lanes: 1, onRefused: () => undefined });
    expect(calls).toEqual([
      ['case-A:listed', 'case-B:listed', 'case-C:listed'],
      ['case-A:surveyStarted', 'case-C:surveyStarted'],
      ['case-C:surveyDone'],
    ]);
    expect(acceptMany.mock.calls[0][0][0]).toEqual({
      caseId: 'case-A',
      body: { type: 'listed', data: {}, idempotencyKey: 'A:listed:0' },
      actor: { sub: 'board@A', role: 'village_board', unit: 'A' },
    });
    expect([...sent].map(([v, steps]) => [v.name, [...steps]])).toEqual([
      ['A', ['listing', 'survey']],
      ['B', ['listing']],
      ['C', ['listing', 'survey']],
    ]);
  });

  it('stops a village whose event is refused for the day: nothing more sent, the refusal counted and its step’s plan cleared', async () => {
    const { calls, acceptMany } = engine();
    const a = village('A', [
      ['meeting', 'badMeeting'],
      ['meeting', 'meetingHeld'],
    ]);
    const b = village('B', [
      ['meeting', 'meetingCalled'],
      ['meeting', 'meetingHeld'],
    ]);
    a.plans.set('meeting', { day: DAY, events: [] });
    const refused: string[] = [];
    const sent = await sendVillageWork([a, b], DAY, acceptMany, {
      lanes: 4,
      onRefused: (v, e, error) => refused.push(`${v.name} ${e.type}: ${(error as Error).message}`),
    });
    expect(calls.flat()).not.toContain('case-A:meetingHeld');
    expect(calls.flat()).toContain('case-B:meetingHeld');
    expect(refused).toEqual(['A badMeeting: badMeeting is not allowed here']);
    expect(a.refused).toBe(1);
    expect(a.plans.get('meeting')).toEqual({ day: null, events: [] });
    expect(sent.has(a)).toBe(false);
  });

  it('sends nothing for villages that are done or have nothing due today', async () => {
    const { acceptMany } = engine();
    const sent = await sendVillageWork(
      [village('A', [['listing', 'listed']], true), village('B', [])],
      DAY,
      acceptMany,
      { lanes: 4, onRefused: () => undefined },
    );
    expect(acceptMany).not.toHaveBeenCalled();
    expect(sent.size).toBe(0);
  });

  it('sends a round in chunks, `lanes` of them in flight, and reports each chunk’s size', async () => {
    let inFlight = 0;
    let most = 0;
    const acceptMany = jest.fn(async (requests: readonly AcceptItem[]): Promise<Outcome[]> => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return requests.map(() => ({ ok: true, receipt: {} }));
    });
    const villages = Array.from({ length: 10 }, (_, i) => village(`V${i}`, [['listing', 'listed']]));
    const chunks: number[] = [];
    await sendVillageWork(villages, DAY, acceptMany, {
      lanes: 2,
      onChunk: (n) => chunks.push(n),
      onRefused: () => undefined,
    });
    expect(chunks).toEqual([5, 5]);
    expect(most).toBe(2);
  });

  it('cuts a round into one chunk per lane, none longer than ACCEPT_CHUNK', () => {
    const sizes = (n: number, lanes: number) =>
      acceptChunks(
        Array.from({ length: n }, (_, i) => i),
        lanes,
      ).map((c) => c.length);
    expect(sizes(10, 4)).toEqual([3, 3, 3, 1]);
    expect(sizes(3, 4)).toEqual([1, 1, 1]);
    expect(sizes(1_000, 1)).toEqual([ACCEPT_CHUNK, ACCEPT_CHUNK]);
    expect(sizes(5_001, 4)).toEqual([...Array(10).fill(ACCEPT_CHUNK), 1]);
    expect(acceptChunks(['a', 'b', 'c'], 2)).toEqual([['a', 'b'], ['c']]);
  });
});
