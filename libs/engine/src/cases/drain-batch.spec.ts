import { drainBatch, type DrainOutcome } from './drain-batch';

const done = (applied: number): DrainOutcome => ({ status: 'done', applied, rejected: 0 });

describe('drainBatch', () => {
  it('drains the batch in one call and answers each caller; a repeated case counts once', async () => {
    const calls: string[][] = [];
    const flush = drainBatch(async (ids) => {
      calls.push([...ids]);
      return new Map(ids.map((id) => [id, done(2)]));
    });
    expect(await flush(['a', 'b', 'a'])).toEqual([
      { ok: true, value: done(2) },
      { ok: true, value: done(2) },
      { ok: true, value: { status: 'done', applied: 0, rejected: 0 } },
    ]);
    expect(calls).toEqual([['a', 'b', 'a']]);
  });

  it('retries a failed batch case by case: only the failing case gets the error', async () => {
    const calls: string[][] = [];
    const flush = drainBatch(async (ids) => {
      calls.push([...ids]);
      if (ids.includes('bad')) throw new Error(`cannot drain ${ids.join(',')}`);
      return new Map(ids.map((id) => [id, done(1)]));
    });
    const outcomes = await flush(['a', 'bad', 'b', 'bad']);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: new Error('cannot drain bad') });
    expect(calls).toEqual([['a', 'bad', 'b', 'bad'], ['a'], ['bad'], ['b']]);
  });

  it('does not retry a batch of one case', async () => {
    let calls = 0;
    const flush = drainBatch(async () => {
      calls++;
      throw new Error('deadlock detected');
    });
    expect((await flush(['x', 'x'])).every((o) => !o.ok)).toBe(true);
    expect(calls).toBe(1);
  });
});
