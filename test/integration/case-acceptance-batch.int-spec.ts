import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { casesOf, QueueName, type Actor } from '@rasoat/contracts';
import {
  deleteQueueKeys,
  eventually,
  startTestCampaign,
  startTestEngine,
  uniqueUnitTag,
  type TestEngine,
} from '@rasoat/testing';
import {
  AuthException,
  CaseAcceptanceService,
  CaseNotFoundException,
  IdempotencyKeyReusedException,
  InvalidPayloadException,
  producerQueueToken,
  RoleNotAllowedException,
  UnitsService,
  UnknownEventTypeException,
  type AcceptOutcome,
  type UnitSeed,
} from '@rasoat/engine';

const board = (village: string): Actor => ({ sub: `board-${village}`, role: 'village_board', unit: village });
const list = (n: number) => ({
  type: 'REVIEW_LIST_SUBMITTED',
  data: { householdCount: n, fromPreviousLists: 0, newlyArising: 0, requests: 0 },
});
const errorOf = (o: AcceptOutcome) => (o.ok ? undefined : o.error);

/**
 * Group commit of the acceptance (micro-batched lookups and record transactions) on real PostgreSQL and Redis.
 * One engine for the file; each test opens a campaign of its own on a province of its own.
 */
describe('batched acceptance of events', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let accept: CaseAcceptanceService;
  let sql: <T = Record<string, any>>(q: string, p?: unknown[]) => Promise<T[]>;

  beforeAll(async () => {
    engine = await startTestEngine({ worker: false });
    const em = engine.get(EntityManager);
    sql = (q, p = []) => em.fork().execute(q, p as never[]);
    accept = engine.get(CaseAcceptanceService);
  });

  /**
   * A province without districts under a code no other test uses (X9, with X its own letters):
   * `communes` communes of `villages` villages, and the cases of its campaign, one per village, by village code.
   */
  async function villageCases(communes: number, villages: number): Promise<{ id: string; village_code: string }[]> {
    const province = `${uniqueUnitTag()}9`;
    const units: UnitSeed[] = [{ code: province, name: 'Tỉnh Chín', level: 'province', parentCode: null }];
    for (let c = 1; c <= communes; c++) {
      units.push({ code: `${province}C${c}`, name: `Xã ${c}`, level: 'commune', parentCode: province });
      for (let v = 1; v <= villages; v++)
        units.push({
          code: `${province}C${c}V${v}`,
          name: `Thôn ${v}`,
          level: 'village',
          parentCode: `${province}C${c}`,
        });
    }
    await engine.get(UnitsService).upsertTree(units);
    const { campaign } = await startTestCampaign(engine, province, { windowEnd: '2026-12-14' });
    const cases = await sql<{ id: string; village_code: string }>(
      'select id, village_code from review_case where campaign_id = ? order by village_code',
      [campaign.id],
    );
    expect(cases).toHaveLength(communes * villages);
    return cases;
  }

  afterAll(async () => {
    if (engine) await deleteQueueKeys(engine.config.redisUrl as string, engine.config.queuePrefix);
    await engine?.close();
    await engine?.dropDatabase();
  });

  afterEach(() => jest.restoreAllMocks());

  it('accepts 500 concurrent events across 100 cases in few batches: gap-free seqs per case, each event once, one wake-up per case', async () => {
    const cases = await villageCases(12, 10);
    // The queue the producers enqueue on (in a process that serves requests, the fail-fast twin).
    const queue = engine.app.get<Queue>(producerQueueToken(QueueName.CaseEvents));
    const addBulk = jest.spyOn(queue, 'addBulk');
    const hundred = cases.slice(0, 100).map((c) => c.id);
    const sent = Array.from({ length: 500 }, (_, i) => ({ c: cases[i % 100], key: `conc-${i}-abcdefgh` }));
    const receipts = await Promise.all(
      sent.map(({ c, key }, i) => accept.accept(c.id, list(i), board(c.village_code), key)),
    );

    expect(receipts.every((r) => r.status === 'pending' && !r.replayed)).toBe(true);
    // Grouped: far fewer wake-up round trips than events, each with one job per case.
    expect(addBulk.mock.calls.length).toBeGreaterThan(0);
    expect(addBulk.mock.calls.length).toBeLessThan(50);
    for (const [jobs] of addBulk.mock.calls) expect(new Set(jobs.map((j) => j.data.caseId)).size).toBe(jobs.length);
    const rows = await sql<{ case_id: string; seq: number; idempotency_key: string; id: string }>(
      `select e.case_id, e.seq, e.idempotency_key, e.id from case_event e join review_case c on c.id = e.case_id where c.id = any(string_to_array(?, ',')::uuid[]) order by e.case_id, e.seq`,
      [hundred.join(',')],
    );
    expect(rows).toHaveLength(500);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(500);
    const byCase = new Map<string, number[]>();
    for (const r of rows) (byCase.get(r.case_id) ?? (byCase.set(r.case_id, []).get(r.case_id) as number[])).push(r.seq);
    expect(byCase.size).toBe(100);
    for (const seqs of byCase.values()) expect(seqs).toEqual([1, 2, 3, 4, 5]);
    const accepted = await sql<{ id: string; accepted_seq: number }>(
      `select id, accepted_seq from review_case where id = any(string_to_array(?, ',')::uuid[])`,
      [hundred.join(',')],
    );
    expect(accepted).toHaveLength(100);
    expect(accepted.every((c) => c.accepted_seq === 5)).toBe(true);
    // Each receipt names its row.
    const rowById = new Map(rows.map((r) => [r.id, r]));
    receipts.forEach((r, i) =>
      expect(rowById.get(r.eventId)).toMatchObject({ case_id: sent[i].c.id, seq: r.seq, idempotency_key: sent[i].key }),
    );
    // Every case is named by a wake-up job (batches wake their cases with one job each).
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed']);
    const woken = new Set(jobs.flatMap((j) => casesOf(j.data)));
    expect(hundred.every((id) => woken.has(id))).toBe(true);
  });

  it('keeps the order of one case’s events in acceptMany, across batch boundaries', async () => {
    const [c] = await villageCases(1, 1);
    const [{ accepted_seq: before }] = await sql<{ accepted_seq: number }>(
      'select accepted_seq from review_case where id = ?',
      [c.id],
    );
    // Three members of the board take turns: one actor may have at most 500 events waiting on a case (RefusedEventBudget).
    const requests = Array.from({ length: 1200 }, (_, i) => ({
      caseId: c.id,
      body: list(i),
      actor: { ...board(c.village_code), sub: `board-${c.village_code}-${i % 3}` },
      headerKey: `order-${i}-abcdefgh`,
    }));
    const outcomes = await accept.acceptMany(requests);
    const seqs = outcomes.map((o) => (o.ok ? o.receipt.seq : -1));
    expect(seqs).toEqual(Array.from({ length: 1200 }, (_, i) => before + 1 + i));
    const stored = await sql<{ seq: number; n: number }>(
      `select seq, (payload->>'householdCount')::int as n from case_event where case_id = ? and seq > ? order by seq`,
      [c.id, before],
    );
    expect(stored.map((r) => r.n)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it('answers a key repeated inside one batch with the first event’s receipt, replayed', async () => {
    const [c] = await villageCases(1, 1);
    const body = list(7);
    const [a, b] = await Promise.all([
      accept.accept(c.id, body, board(c.village_code), 'twice-abcdefgh'),
      accept.accept(c.id, { ...body, data: { ...body.data } }, board(c.village_code), 'twice-abcdefgh'),
    ]);
    expect(a.replayed).toBe(false);
    expect(b).toEqual({ ...a, replayed: true });
    const [many1, many2] = await accept.acceptMany([
      { caseId: c.id, body, actor: board(c.village_code), headerKey: 'twice-many-abcdefgh' },
      { caseId: c.id, body, actor: board(c.village_code), headerKey: 'twice-many-abcdefgh' },
    ]);
    expect(many1.ok && many2.ok && many2.receipt).toEqual(many1.ok && { ...many1.receipt, replayed: true });
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from case_event where case_id = ? and idempotency_key in ('twice-abcdefgh', 'twice-many-abcdefgh')`,
      [c.id],
    );
    expect(n).toBe(2);
    // And again later, from the table.
    expect(await accept.accept(c.id, body, board(c.village_code), 'twice-abcdefgh')).toEqual({ ...a, replayed: true });
  });

  it('refuses a reused key with other content for that request only, inside a batch of valid ones', async () => {
    const [c1, c2, c3] = await villageCases(1, 3);
    await accept.accept(c3.id, list(1), board(c3.village_code), 'old-key-abcdefgh');
    const outcomes = await accept.acceptMany([
      { caseId: c1.id, body: list(1), actor: board(c1.village_code), headerKey: 'reuse-a-abcdefgh' },
      { caseId: c2.id, body: list(2), actor: board(c2.village_code), headerKey: 'reused-abcdefgh' },
      { caseId: c1.id, body: list(3), actor: board(c1.village_code), headerKey: 'reuse-b-abcdefgh' },
      { caseId: c2.id, body: list(99), actor: board(c2.village_code), headerKey: 'reused-abcdefgh' },
      { caseId: c3.id, body: list(2), actor: board(c3.village_code), headerKey: 'old-key-abcdefgh' },
      { caseId: c2.id, body: list(4), actor: board(c2.village_code), headerKey: 'reuse-c-abcdefgh' },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false, true]);
    expect(errorOf(outcomes[3])).toBeInstanceOf(IdempotencyKeyReusedException);
    expect(errorOf(outcomes[4])).toBeInstanceOf(IdempotencyKeyReusedException);
    const seqsOf = async (id: string) =>
      (await sql<{ seq: number }>('select seq from case_event where case_id = ? order by seq', [id])).map((r) => r.seq);
    expect(await seqsOf(c1.id)).toEqual([1, 2]);
    expect(await seqsOf(c2.id)).toEqual([1, 2]);
    expect(await seqsOf(c3.id)).toEqual([1]);
    await expect(accept.accept(c2.id, list(99), board(c2.village_code), 'reused-abcdefgh')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedException,
    );
  });

  it('refuses bad requests as before, each alone and before anything is written', async () => {
    const [c, other] = await villageCases(2, 1); // villages of two communes
    const requests = [
      { caseId: '00000000-0000-4000-8000-000000000000', body: list(1), actor: board(c.village_code) },
      { caseId: 'not-a-uuid', body: list(1), actor: board(c.village_code) },
      { caseId: other.id, body: list(1), actor: board(c.village_code) },
      { caseId: c.id, body: { type: 'NO_SUCH_EVENT', data: {} }, actor: board(c.village_code) },
      { caseId: c.id, body: { type: 'POSTING_PERIOD_ENDED', data: {} }, actor: board(c.village_code) },
      {
        caseId: c.id,
        body: { type: 'REVIEW_LIST_SUBMITTED', data: { householdCount: -3 } },
        actor: board(c.village_code),
      },
      { caseId: c.id.toUpperCase(), body: list(5), actor: board(c.village_code), headerKey: 'valid-abcdefgh' },
    ];
    const outcomes = await accept.acceptMany(requests);
    expect(errorOf(outcomes[0])).toBeInstanceOf(CaseNotFoundException);
    expect(errorOf(outcomes[1])).toBeInstanceOf(CaseNotFoundException);
    expect(errorOf(outcomes[2])).toBeInstanceOf(AuthException);
    expect(errorOf(outcomes[3])).toBeInstanceOf(UnknownEventTypeException);
    expect(errorOf(outcomes[4])).toBeInstanceOf(RoleNotAllowedException);
    expect(errorOf(outcomes[5])).toBeInstanceOf(InvalidPayloadException);
    expect(outcomes[6]).toMatchObject({ ok: true, receipt: { caseId: c.id, seq: 1 } });
    for (const [i, type] of [
      [0, CaseNotFoundException],
      [2, AuthException],
      [3, UnknownEventTypeException],
      [4, RoleNotAllowedException],
      [5, InvalidPayloadException],
    ] as const) {
      await expect(accept.accept(requests[i].caseId, requests[i].body, requests[i].actor)).rejects.toBeInstanceOf(type);
    }
    const written = await sql<{ id: string; accepted_seq: number }>(
      'select id, accepted_seq from review_case where id in (?, ?)',
      [c.id, other.id],
    );
    expect(Object.fromEntries(written.map((r) => [r.id, r.accepted_seq]))).toEqual({ [c.id]: 1, [other.id]: 0 });
  });

  it('reads the keys after the case rows are locked: a key another writer inserted meanwhile is a replay, not a unique violation', async () => {
    const [c1, c2] = await villageCases(1, 2);
    const body = list(3);
    const oneByOne = jest.spyOn(accept, 'record');
    // Another writer holds c1's row and an uncommitted insert of (c1, key), as acceptance does.
    const other = new Client({ connectionString: engine.config.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('update review_case set accepted_seq = accepted_seq + 1 where id = $1', [c1.id]);
      await other.query(
        `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
         values (gen_random_uuid(), $1, 1, 'race-abcdefgh', $2, $3::jsonb, $4::jsonb, 'pending', now())`,
        [c1.id, body.type, JSON.stringify(body.data), JSON.stringify(board(c1.village_code))],
      );
      const pending = accept.acceptMany([
        { caseId: c2.id, body: list(1), actor: board(c2.village_code), headerKey: 'race-other-abcdefgh' },
        { caseId: c1.id, body, actor: board(c1.village_code), headerKey: 'race-abcdefgh' },
      ]);
      await eventually(
        async () =>
          (
            await sql<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%for update%'`,
            )
          )[0].n > 0,
        10_000,
        'the batch to wait for the row',
      );
      await other.query('commit');
      const [o2, o1] = await pending;
      expect(o2).toMatchObject({ ok: true, receipt: { caseId: c2.id, seq: 1, replayed: false } });
      expect(o1).toMatchObject({ ok: true, receipt: { caseId: c1.id, seq: 1, replayed: true } });
      expect(oneByOne).not.toHaveBeenCalled();
    } finally {
      oneByOne.mockRestore();
      await other.end();
    }
    const seqs = await sql<{ id: string; accepted_seq: number }>(
      'select id, accepted_seq from review_case where id in (?, ?)',
      [c1.id, c2.id],
    );
    expect(seqs.every((r) => r.accepted_seq === 1)).toBe(true);
  });

  it('falls back to one by one when a writer that skipped the row lock inserts one of the batch’s keys meanwhile (23505)', async () => {
    const [c1, c2] = await villageCases(1, 2);
    const body = list(3);
    const oneByOne = jest.spyOn(accept, 'record');
    const other = new Client({ connectionString: engine.config.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
         values (gen_random_uuid(), $1, 1, 'rogue-abcdefgh', $2, $3::jsonb, $4::jsonb, 'pending', now())`,
        [c1.id, body.type, JSON.stringify(body.data), JSON.stringify(board(c1.village_code))],
      );
      const pending = accept.acceptMany([
        { caseId: c2.id, body: list(1), actor: board(c2.village_code), headerKey: 'rogue-other-abcdefgh' },
        { caseId: c1.id, body, actor: board(c1.village_code), headerKey: 'rogue-abcdefgh' },
      ]);
      await eventually(
        async () =>
          (
            await sql<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into case_event%'`,
            )
          )[0].n > 0,
        10_000,
        'the batch to wait on the key',
      );
      await other.query('commit');
      const [o2, o1] = await pending;
      expect(o2).toMatchObject({ ok: true, receipt: { caseId: c2.id, seq: 1, replayed: false } });
      expect(o1).toMatchObject({ ok: true, receipt: { caseId: c1.id, seq: 1, replayed: true } });
      expect(oneByOne).toHaveBeenCalledTimes(2);
    } finally {
      oneByOne.mockRestore();
      await other.end();
    }
    // The batch rolled back; c2's event was recorded alone, c1's was the other writer's.
    const seqs = await sql<{ id: string; accepted_seq: number }>(
      'select id, accepted_seq from review_case where id in (?, ?)',
      [c1.id, c2.id],
    );
    expect(Object.fromEntries(seqs.map((r) => [r.id, r.accepted_seq]))).toEqual({ [c1.id]: 0, [c2.id]: 1 });
  });
});
