import type { DrainOutcome } from '@rasoat/engine';
import { CaseDrainBatcher } from './case-drain-batcher';

const done = (applied: number): DrainOutcome => ({ status: 'done', applied, rejected: 0 });

/** A drainMany that records its batches and finishes each when told to. */
function recorder(fail: (ids: readonly string[]) => boolean = () => false) {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const drainMany = (ids: readonly string[]) =>
    new Promise<Map<string, DrainOutcome>>((resolve, reject) => {
      batches.push([...ids]);
      finish.push(() => (fail(ids) ? reject(new Error(`batch ${ids.join(',')} failed`)) : resolve(new Map(ids.map((id) => [id, done(1)])))));
    });
  return { batches, finish, drainMany };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('CaseDrainBatcher', () => {
  it('drains a lone case at once and groups the cases that arrive meanwhile, up to maxBatch', async () => {
    const r = recorder();
    const batcher = new CaseDrainBatcher(r.drainMany, 3, 1);
    const first = batcher.drain('a');
    const rest = ['b', 'c', 'd', 'e'].map((id) => batcher.drain(id));
    expect(r.batches).toEqual([['a']]);
    r.finish[0]();
    await first;
    await tick();
    expect(r.batches).toEqual([['a'], ['b', 'c', 'd']]);
    r.finish[1]();
    await tick();
    expect(r.batches[2]).toEqual(['e']);
    r.finish[2]();
    expect(await Promise.all(rest)).toEqual([done(1), done(1), done(1), done(1)]);
  });

  it('runs at most maxInFlight transactions at once', async () => {
    const r = recorder();
    const batcher = new CaseDrainBatcher(r.drainMany, 10, 2);
    const all = ['a', 'b', 'c', 'd'].map((id) => batcher.drain(id));
    expect(r.batches).toEqual([['a'], ['b']]);
    r.finish[0]();
    await all[0];
    await tick();
    expect(r.batches).toEqual([['a'], ['b'], ['c', 'd']]);
    r.finish[1]();
    r.finish[2]();
    await Promise.all(all);
  });

  it('counts the events of a case asked for twice in one batch once', async () => {
    const r = recorder();
    const batcher = new CaseDrainBatcher(r.drainMany, 10, 1);
    const first = batcher.drain('x');
    const twice = [batcher.drain('y'), batcher.drain('y')];
    r.finish[0]();
    await first;
    await tick();
    r.finish[1]();
    expect(await Promise.all(twice)).toEqual([done(1), { status: 'done', applied: 0, rejected: 0 }]);
  });

  it('retries a failed batch case by case: only the failing case rejects', async () => {
    const r = recorder((ids) => ids.includes('bad'));
    const batcher = new CaseDrainBatcher(r.drainMany, 10, 1);
    const first = batcher.drain('a');
    const good = batcher.drain('b');
    const bad = batcher.drain('bad');
    r.finish[0]();
    await first;
    await tick();
    r.finish[1](); // the batch [b, bad] fails
    await tick();
    r.finish[2](); // b alone
    await tick();
    r.finish[3](); // bad alone
    await expect(good).resolves.toEqual(done(1));
    await expect(bad).rejects.toThrow('batch bad failed');
    expect(r.batches).toEqual([['a'], ['b', 'bad'], ['b'], ['bad']]);
  });
});
