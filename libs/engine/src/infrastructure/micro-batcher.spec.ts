import { MicroBatcher, type BatchOutcome } from './micro-batcher';

/** A promise with its resolver, to hold a flush open until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('flushes the items submitted in one turn together, answering each caller in order', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, string>({
      flush: async (items) => {
        batches.push([...items]);
        return items.map((n) => ({ ok: true, value: `v${n}` }));
      },
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.submit(n)));
    expect(results).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('collects what arrives during a flush into the next one, keeping submission order', async () => {
    const batches: number[][] = [];
    const gates = [gate(), gate()];
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) => {
        batches.push([...items]);
        await gates[batches.length - 1]?.promise;
        return items.map((n) => ({ ok: true, value: n * 10 }));
      },
    });
    const first = batcher.submit(1);
    await tick();
    expect(batcher.running).toBe(1);
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await tick();
    expect(batches).toEqual([[1]]);
    expect(batcher.pending).toBe(3);
    gates[0].open();
    expect(await first).toBe(10);
    await tick();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1].open();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('sends an item error to its caller only', async () => {
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) =>
        items.map((n): BatchOutcome<number> =>
          n % 2 === 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n },
        ),
    });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.submit(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      1,
      'bad 2',
      3,
      'bad 4',
    ]);
  });

  it('rejects every item of a flush that throws, and keeps serving later ones', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>({
      flush: async (items) => {
        if (calls++ === 0) throw new Error('database down');
        return items.map((n) => ({ ok: true, value: n }));
      },
    });
    const settled = await Promise.allSettled([1, 2].map((n) => batcher.submit(n)));
    expect(settled).toEqual([
      { status: 'rejected', reason: new Error('database down') },
      { status: 'rejected', reason: new Error('database down') },
    ]);
    expect(await batcher.submit(3)).toBe(3);
  });

  it('rejects a batch whose flush answers the wrong number of outcomes', async () => {
    const batcher = new MicroBatcher<number, number>({ flush: async () => [{ ok: true, value: 1 }] });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('1 outcomes for 2 items');
  });

  it('never flushes more than maxBatchSize items at once', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 3,
      flush: async (items) => {
        sizes.push(items.length);
        return items.map((n) => ({ ok: true, value: n }));
      },
    });
    const all = Array.from({ length: 8 }, (_, i) => i);
    expect(await Promise.all(all.map((n) => batcher.submit(n)))).toEqual(all);
    expect(sizes).toEqual([3, 3, 2]);
  });

  it('runs at most maxInFlight flushes at the same time', async () => {
    let running = 0;
    let peak = 0;
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxInFlight: 2,
      flush: async (items) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items.map((n) => ({ ok: true, value: n }));
      },
    });
    const all = Array.from({ length: 20 }, (_, i) => i);
    expect(await Promise.all(all.map((n) => batcher.submit(n)))).toEqual(all);
    expect(peak).toBe(2);

    let serialPeak = 0;
    running = 0;
    const serial = new MicroBatcher<number, number>({
      flush: async (items) => {
        serialPeak = Math.max(serialPeak, ++running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return items.map((n) => ({ ok: true, value: n }));
      },
    });
    await Promise.all(all.map((n) => serial.submit(n)));
    expect(serialPeak).toBe(1);
  });

  it('refuses a zero batch size or in-flight limit', () => {
    expect(() => new MicroBatcher({ maxBatchSize: 0, flush: async () => [] })).toThrow(RangeError);
    expect(() => new MicroBatcher({ maxInFlight: 0, flush: async () => [] })).toThrow(RangeError);
  });
});
