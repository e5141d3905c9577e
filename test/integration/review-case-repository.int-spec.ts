import type { EntityManager } from '@mikro-orm/postgresql';
import { ReviewCaseRepository, type DrainedCaseRow } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-15T02:00:00Z');
const LATER = new Date('2026-09-16T02:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [A, B, C] = [id(1), id(2), id(3)];
const CAMPAIGN = id(99);

/**
 * The case rows' statements on a real PostgreSQL, each test on a fresh database: what acceptance
 * numbers events with and the drain reads and writes, and the locks that order them. Acceptance
 * and the drain together: case-acceptance-batch.int-spec.ts, durable-execution.int-spec.ts.
 */
describe('ReviewCaseRepository', () => {
  let db: TestOrm;
  let cases: ReviewCaseRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const tx = <T>(work: (em: EntityManager) => Promise<T>) => db.em.fork().transactional(work);
  const addCase = (caseId: string, fields: { acceptedSeq?: number; village?: string; lockedAt?: Date } = {}) =>
    sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at, households_locked_at)
       values (?, ?, ?, 'T1C1', ?, 'periodic-review@1', 'listing', 'active', 1, '{"step":"listing"}', ?, 0, ?, ?, ?)`,
      [
        caseId,
        CAMPAIGN,
        fields.village ?? `V${caseId.slice(-1)}`,
        `/T1/T1C1/V${caseId.slice(-1)}/`,
        fields.acceptedSeq ?? 0,
        NOW,
        NOW,
        fields.lockedAt ?? null,
      ],
    );
  /** Resolves with `true` if `promise` is still pending after `ms`. */
  const stillWaiting = (promise: Promise<unknown>, ms = 300) =>
    Promise.race([promise.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), ms))]);
  const acceptedSeqs = async () =>
    Object.fromEntries(
      (await sql<{ id: string; accepted_seq: number }>(`select id, accepted_seq from review_case order by id`)).map(
        (r) => [r.id, r.accepted_seq],
      ),
    );

  beforeEach(async () => {
    db = await createTestOrm();
    cases = new ReviewCaseRepository();
    await sql(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
       values (?, 'T1', 2026, 'periodic-review', 'periodic-review@1', '2026-09-01', '2026-11-30', 'active', 3, ?, 'test')`,
      [CAMPAIGN, NOW],
    );
    await addCase(A);
    await addCase(B, { acceptedSeq: 5 });
  });
  afterEach(async () => {
    await db?.close();
  });

  it('locates cases by id, one query for many: where each sits and its pinned definition version; an unknown id is missing', async () => {
    const found = await cases.locate(db.em.fork(), [B, A, C]);
    expect(found.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: A, unit_path: '/T1/T1C1/V1/', definition_key: 'periodic-review@1' },
      { id: B, unit_path: '/T1/T1C1/V2/', definition_key: 'periodic-review@1' },
    ]);
  });

  it('numbers without gaps: accepted_seq grows by each case’s count and answers the last number taken; a case gone is missing', async () => {
    const first = await tx((em) =>
      cases.advanceAcceptedSeq(em, [
        { id: A, n: 3 },
        { id: B, n: 1 },
        { id: C, n: 2 },
      ]),
    );
    expect(first.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: A, seq: 3 },
      { id: B, seq: 6 },
    ]);
    expect(await tx((em) => cases.advanceAcceptedSeq(em, [{ id: A, n: 2 }]))).toEqual([{ id: A, seq: 5 }]);
    expect(await acceptedSeqs()).toEqual({ [A]: 5, [B]: 6 });
  });

  it('serialises numbering: a transaction locking a case row waits for the one holding it, then numbers after it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const first = tx(async (em) => {
      await cases.lockForNumbering(em, [A, B]);
      locked();
      await held;
      return cases.advanceAcceptedSeq(em, [{ id: A, n: 2 }]);
    });
    await lockTaken;
    const second = tx(async (em) => {
      await cases.lockForNumbering(em, [A]);
      return cases.advanceAcceptedSeq(em, [{ id: A, n: 1 }]);
    });

    expect(await stillWaiting(second)).toBe(true);
    release();
    expect(await first).toEqual([{ id: A, seq: 2 }]);
    expect(await second).toEqual([{ id: A, seq: 3 }]);
  });

  it('makes numbering wait while a drain holds the row for its update (for no key update)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const drain = tx(async (em) => {
      await cases.lockForUpdate(em, [A]);
      locked();
      await held;
    });
    await lockTaken;
    const numbering = tx((em) => cases.lockForNumbering(em, [A]));
    expect(await stillWaiting(numbering)).toBe(true);
    release();
    await drain;
    await numbering;
  });

  it('holds case locks (advisory, not the row) until the transaction ends: a second holder waits, numbering does not', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const first = tx(async (em) => {
      await cases.lockCases(em, [B, A]);
      locked();
      await held;
    });
    await lockTaken;
    const numbering = tx(async (em) => {
      await cases.lockForNumbering(em, [A]);
      return cases.advanceAcceptedSeq(em, [{ id: A, n: 1 }]);
    });
    expect(await numbering).toEqual([{ id: A, seq: 1 }]);
    const second = tx((em) => cases.lockCases(em, [A]));
    expect(await stillWaiting(second)).toBe(true);
    release();
    await first;
    await second;
  });

  it('commits a drain’s transaction without waiting for the WAL flush, for that transaction only', async () => {
    const inside = await tx(async (em) => {
      await cases.commitAsynchronously(em);
      return em.execute<{ synchronous_commit: string }[]>('show synchronous_commit');
    });
    expect(inside).toEqual([{ synchronous_commit: 'off' }]);
    expect(await tx((em) => em.execute<{ synchronous_commit: string }[]>('show synchronous_commit'))).toEqual([
      { synchronous_commit: 'on' },
    ]);
  });

  it('reads the cases to drain in id order, with their campaign’s window (as dates) and province', async () => {
    const rows = await tx((em) => cases.findToDrain(em, [B, C, A]));
    expect(rows.map((r) => r.id)).toEqual([A, B]);
    expect(rows[0]).toEqual({
      id: A,
      campaign_id: CAMPAIGN,
      village_code: 'V1',
      commune_code: 'T1C1',
      unit_path: '/T1/T1C1/V1/',
      definition_key: 'periodic-review@1',
      step: 'listing',
      max_stage: 1,
      snapshot: { step: 'listing' },
      applied_seq: 0,
      window_start: '2026-09-01',
      window_end: '2026-11-30',
      province_code: 'T1',
    });
  });

  it('saves the drained cases in one statement; the household lists’ lock time is set once, on the first drain that locks them', async () => {
    await addCase(C, { lockedAt: NOW });
    const drained = (caseId: string, fields: Partial<DrainedCaseRow> = {}): DrainedCaseRow => ({
      id: caseId,
      snapshot: { step: 'meeting', status: 'active', context: { data: { note: 'Nguyễn Thị Hoa' } } },
      step: 'meeting',
      status: 'active',
      applied_seq: 4,
      max_stage: 3,
      locked: false,
      ...fields,
    });

    await tx((em) =>
      cases.saveDrained(
        em,
        [drained(A), drained(B, { locked: true, status: 'done', step: 'completed' }), drained(C, { locked: true })],
        LATER,
      ),
    );

    const rows = await sql<Record<string, unknown>>(
      `select id, snapshot, step, status, applied_seq, max_stage, updated_at, households_locked_at from review_case order by id`,
    );
    const instant = (v: unknown) => (v === null ? null : new Date(v as string));
    expect(
      rows.map((r) => ({
        ...r,
        updated_at: instant(r.updated_at),
        households_locked_at: instant(r.households_locked_at),
      })),
    ).toEqual([
      {
        id: A,
        snapshot: drained(A).snapshot,
        step: 'meeting',
        status: 'active',
        applied_seq: 4,
        max_stage: 3,
        updated_at: LATER,
        households_locked_at: null,
      },
      {
        id: B,
        snapshot: drained(A).snapshot,
        step: 'completed',
        status: 'done',
        applied_seq: 4,
        max_stage: 3,
        updated_at: LATER,
        households_locked_at: LATER,
      },
      {
        id: C,
        snapshot: drained(A).snapshot,
        step: 'meeting',
        status: 'active',
        applied_seq: 4,
        max_stage: 3,
        updated_at: LATER,
        households_locked_at: NOW,
      },
    ]);
  });
});
