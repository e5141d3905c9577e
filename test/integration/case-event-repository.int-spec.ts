import { CaseEventRepository, type NewCaseEventRow } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-15T02:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [A, B] = [id(1), id(2)];
const board = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

/**
 * The inbox's statements on a real PostgreSQL, each test on a fresh database. The decisions made
 * with them (numbering, replay or 409, the budget's judge, what a drain applies) are unit-tested
 * with the services; acceptance and the drain together in case-acceptance-batch.int-spec.ts and
 * durable-execution.int-spec.ts.
 */
describe('CaseEventRepository', () => {
  let db: TestOrm;
  let events: CaseEventRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const tx = <T>(work: (em: TestOrm['em']) => Promise<T>) => db.em.fork().transactional(work);
  const addCase = (caseId: string, appliedSeq = 0) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (?, ?, ?, 'T1C1', ?, 'periodic-review@1', 'listing', 'active', 1, '{}', ?, ?, ?, ?)`,
      [caseId, id(99), `V${caseId.slice(-1)}`, `/T1/T1C1/V${caseId.slice(-1)}/`, appliedSeq, appliedSeq, NOW, NOW],
    );
  const row = (caseId: string, seq: number, fields: Partial<NewCaseEventRow> = {}): NewCaseEventRow => ({
    id: id(1000 + Number(caseId.slice(-1)) * 100 + seq),
    case_id: caseId,
    seq,
    key: `key-${seq}`,
    type: 'REVIEW_LIST_SUBMITTED',
    payload: { householdCount: seq },
    actor: board,
    ...fields,
  });
  /** Marks events refused at `at` (as the drain's outcome update does). */
  const refuse = (ids: string[], at: Date) =>
    sql(
      `update case_event set status = 'rejected', rejection_code = 'GUARD_REJECTED', processed_at = ? where id = any(?::uuid[])`,
      [at, `{${ids.join(',')}}`],
    );

  beforeEach(async () => {
    db = await createTestOrm();
    events = new CaseEventRepository();
    await addCase(A);
    await addCase(B);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('inserts a batch as pending, received at one instant, each event with its sequence number, key, payload and sender', async () => {
    await tx((em) =>
      events.insertPending(
        em,
        [row(A, 1), row(A, 2), row(B, 1, { payload: { note: 'Nguyễn Thị Hoa', nested: { list: [1, 2] } } })],
        NOW,
      ),
    );

    const rows = await sql<Record<string, unknown>>(
      `select case_id, seq, idempotency_key, type, payload, actor, status, rejection_code, received_at, processed_at from case_event order by case_id, seq`,
    );
    expect(rows.map((r) => ({ ...r, received_at: new Date(r.received_at as string) }))).toEqual([
      {
        case_id: A,
        seq: 1,
        idempotency_key: 'key-1',
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { householdCount: 1 },
        actor: board,
        status: 'pending',
        rejection_code: null,
        received_at: NOW,
        processed_at: null,
      },
      {
        case_id: A,
        seq: 2,
        idempotency_key: 'key-2',
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { householdCount: 2 },
        actor: board,
        status: 'pending',
        rejection_code: null,
        received_at: NOW,
        processed_at: null,
      },
      {
        case_id: B,
        seq: 1,
        idempotency_key: 'key-1',
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { note: 'Nguyễn Thị Hoa', nested: { list: [1, 2] } },
        actor: board,
        status: 'pending',
        rejection_code: null,
        received_at: NOW,
        processed_at: null,
      },
    ]);
  });

  it('refuses a sequence number or a key the case already has (unique), so a batch numbered twice cannot commit', async () => {
    await tx((em) => events.insertPending(em, [row(A, 1)], NOW));
    await expect(
      tx((em) => events.insertPending(em, [row(A, 2), row(A, 1, { id: id(7), key: 'other-key' })], NOW)),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(tx((em) => events.insertPending(em, [row(A, 2, { key: 'key-1' })], NOW))).rejects.toMatchObject({
      code: '23505',
    });
    expect(await sql(`select seq from case_event order by seq`)).toEqual([{ seq: 1 }]);
  });

  it('finds the events recorded under (case, key) pairs, whole rows, for a replay; the same key on another case is another event', async () => {
    await tx((em) => events.insertPending(em, [row(A, 1), row(A, 2), row(B, 1)], NOW));

    const found = await tx((em) =>
      events.findByKeys(em, [
        { case_id: A, key: 'key-2' },
        { case_id: B, key: 'key-2' },
        { case_id: A, key: 'unknown-key' },
      ]),
    );

    expect(found).toEqual([
      expect.objectContaining({
        id: row(A, 2).id,
        case_id: A,
        seq: 2,
        idempotency_key: 'key-2',
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { householdCount: 2 },
        status: 'pending',
        rejection_code: null,
        rejection_reason: null,
      }),
    ]);
    expect(await tx((em) => events.findByKeys(em, []))).toEqual([]);
  });

  it('finds one event of a case, and nothing under another case’s id', async () => {
    await tx((em) => events.insertPending(em, [row(A, 1)], NOW));
    expect(await events.findOne(db.em.fork(), A, row(A, 1).id)).toMatchObject({
      id: row(A, 1).id,
      seq: 1,
      status: 'pending',
    });
    expect(await events.findOne(db.em.fork(), B, row(A, 1).id)).toBeUndefined();
  });

  it('reads up to `limit` events of each case after its applied_seq, by case and sequence', async () => {
    await tx((em) => events.insertPending(em, [row(A, 1), row(A, 2), row(A, 3), row(A, 4), row(B, 1), row(B, 2)], NOW));
    await sql(`update review_case set applied_seq = 1 where id = ?`, [A]);
    await sql(`update review_case set applied_seq = 2 where id = ?`, [B]);

    const next = await tx((em) => events.nextToApply(em, [B, A], 2));

    expect(next).toEqual([
      {
        id: row(A, 2).id,
        case_id: A,
        seq: 2,
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { householdCount: 2 },
        actor: board,
      },
      {
        id: row(A, 3).id,
        case_id: A,
        seq: 3,
        type: 'REVIEW_LIST_SUBMITTED',
        payload: { householdCount: 3 },
        actor: board,
      },
    ]);
    expect((await tx((em) => events.nextToApply(em, [A, id(9)], 10))).map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('reads where each sender stands on a case: its refusals in the window (up to the budget, with the oldest) and its waiting events (up to the limit)', async () => {
    const other = { ...board, sub: 'board2@V1' };
    const inserted = [
      row(A, 1),
      row(A, 2),
      row(A, 3),
      row(A, 4),
      row(A, 5),
      row(A, 6, { actor: other }),
      row(A, 7),
      row(A, 8),
    ];
    await tx((em) => events.insertPending(em, inserted, NOW));
    await refuse([row(A, 1).id], minutesAgo(70)); // outside the hour
    await refuse([row(A, 2).id], minutesAgo(50));
    await refuse([row(A, 3).id], minutesAgo(40));
    await refuse([row(A, 4).id], minutesAgo(30));
    await refuse([row(A, 6).id], minutesAgo(20)); // the other sender's
    await sql(`update review_case set applied_seq = 6 where id = ?`, [A]); // 7 and 8 wait

    const standings = (limits: { refusedLimit: number; waitingLimit: number }) =>
      tx((em) =>
        events.senderStandings(
          em,
          [
            { case_id: A, sub: board.sub },
            { case_id: A, sub: other.sub },
            { case_id: B, sub: board.sub },
          ],
          { since: minutesAgo(60), ...limits },
        ),
      );

    const read = await standings({ refusedLimit: 3, waitingLimit: 500 });
    expect(read.map((s) => ({ ...s, oldest: s.oldest && new Date(s.oldest) }))).toEqual([
      { case_id: A, sub: board.sub, refused: 3, oldest: minutesAgo(50), waiting: 2 },
    ]);
    // Refusals are counted up to the budget, the latest first; waiting events up to the limit.
    const capped = await standings({ refusedLimit: 2, waitingLimit: 1 });
    expect(capped.map((s) => ({ ...s, oldest: s.oldest && new Date(s.oldest) }))).toEqual([
      { case_id: A, sub: board.sub, refused: 2, oldest: minutesAgo(40), waiting: 1 },
    ]);
    // A sender under the budget with nothing waiting does not come back.
    await sql(`update review_case set applied_seq = 8 where id = ?`, [A]);
    expect(await standings({ refusedLimit: 4, waitingLimit: 500 })).toEqual([]);
  });
});
