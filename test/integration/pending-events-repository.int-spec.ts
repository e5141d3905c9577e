import { PendingEventsRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const BEFORE = new Date('2026-11-20T03:00:00Z');
const caseId = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The query that finds cases whose accepted events wait too long, on a real PostgreSQL, each test
 * on a fresh database. Re-waking them through the queue is tested in durable-execution.int-spec.ts.
 */
describe('PendingEventsRepository', () => {
  let db: TestOrm;
  let pending: PendingEventsRepository;

  const event = (ofCase: number, seq: number, status: 'pending' | 'applied' | 'rejected', receivedAt: string) =>
    db.sql(
      `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
       values (gen_random_uuid(), ?, ?, ?, 'listingDone', '{}', '{"sub":"u","role":"village_board","unit":"V1"}', ?, ?)`,
      [caseId(ofCase), seq, `k${seq}`, status, receivedAt],
    );

  beforeEach(async () => {
    db = await createTestOrm();
    pending = new PendingEventsRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('finds each case with an event pending since before an instant, with its newest event', async () => {
    await event(1, 1, 'applied', '2026-11-20T01:00:00Z');
    await event(1, 2, 'pending', '2026-11-20T02:00:00Z');
    await event(1, 3, 'pending', '2026-11-20T02:59:59Z');
    await event(2, 1, 'pending', '2026-11-20T03:00:00Z'); // not before the instant
    await event(3, 1, 'rejected', '2026-11-20T01:00:00Z'); // refused: nothing to apply
    await event(4, 1, 'pending', '2026-11-19T01:00:00Z');

    const waiting = await pending.casesWaitingSince(BEFORE, 10);
    expect(waiting.sort((a, b) => a.case_id.localeCompare(b.case_id))).toEqual([
      { case_id: caseId(1), seq: 3 },
      { case_id: caseId(4), seq: 1 },
    ]);
    expect(await pending.casesWaitingSince(BEFORE, 1)).toHaveLength(1);
  });
});
