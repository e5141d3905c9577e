import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import { AuthException } from '../auth';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import { CaseAcceptanceService } from './case-acceptance.service';
import type { CaseEventRepository, CaseEventRow, NewCaseEventRow, SenderStandingRow } from './case-event.repository';
import type { CaseEventsProducer } from './case-events.producer';
import { CaseInboxService } from './case-inbox.service';
import {
  CaseNotFoundException,
  IdempotencyKeyReusedException,
  InvalidPayloadException,
  RefusedEventBudgetExceededException,
  RoleNotAllowedException,
  UnknownEventTypeException,
  WaitingEventsLimitExceededException,
} from './cases.exception';
import { RefusedEventBudget } from './refused-event-budget';
import { FIXTURE_KEY, fixtureReview } from './review-definition.fixture';
import type { ReviewCaseRepository } from './review-case.repository';

const NOW = new Date('2026-09-15T02:00:00Z');
const CASE = '00000000-0000-4000-8000-000000000001';
const OTHER_CASE = '00000000-0000-4000-8000-000000000002';
const board: Actor = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const list = (householdCount: number) => ({ type: 'LIST_SUBMITTED', data: { householdCount } });
const TX = { transaction: 'acceptance' } as unknown as EntityManager;

/**
 * The service over mocked repositories: `cases` knows two villages' cases (accepted_seq counted in
 * `acceptedSeq`), `events` keeps the inbox rows it is given in `inbox`; `calls` records the order
 * of the statements and of the wake-ups.
 */
function setup(options: { refusedEventsPerHour?: number } = {}) {
  const calls: string[] = [];
  const acceptedSeq = new Map([
    [CASE, 0],
    [OTHER_CASE, 0],
  ]);
  const paths = new Map([
    [CASE, '/T1/T1C1/T1C1V1/'],
    [OTHER_CASE, '/T1/T1C2/T1C2V1/'],
  ]);
  const inbox: CaseEventRow[] = [];
  const cases: jest.Mocked<Pick<ReviewCaseRepository, 'locate' | 'lockForNumbering' | 'advanceAcceptedSeq'>> = {
    locate: jest.fn(async (_em: EntityManager, ids: readonly string[]) =>
      ids
        .filter((id) => paths.has(id))
        .map((id) => ({ id, unit_path: paths.get(id) as string, definition_key: FIXTURE_KEY })),
    ),
    lockForNumbering: jest.fn(async (_tx: EntityManager, _ids: readonly string[]) => void calls.push('lock case rows')),
    advanceAcceptedSeq: jest.fn(async (_tx: EntityManager, counts: readonly { id: string; n: number }[]) => {
      calls.push('advance accepted_seq');
      return counts.map(({ id, n }) => {
        acceptedSeq.set(id, (acceptedSeq.get(id) as number) + n);
        return { id, seq: acceptedSeq.get(id) as number };
      });
    }),
  };
  const events: jest.Mocked<Pick<CaseEventRepository, 'findByKeys' | 'insertPending' | 'findOne' | 'senderStandings'>> =
    {
      findByKeys: jest.fn(async (_tx: EntityManager, keys: readonly { case_id: string; key: string }[]) => {
        calls.push('find keys');
        return inbox.filter((e) => keys.some((k) => k.case_id === e.case_id && k.key === e.idempotency_key));
      }),
      insertPending: jest.fn(async (_tx: EntityManager, rows: readonly NewCaseEventRow[], _receivedAt: Date) => {
        calls.push('insert events');
        for (const r of rows)
          inbox.push({
            id: r.id,
            case_id: r.case_id,
            seq: r.seq,
            type: r.type,
            payload: r.payload,
            status: 'pending',
            rejection_code: null,
            rejection_reason: null,
            idempotency_key: r.key,
          });
      }),
      findOne: jest.fn(async (_em: EntityManager, caseId: string, eventId: string) =>
        inbox.find((e) => e.case_id === caseId && e.id === eventId),
      ),
      senderStandings: jest.fn(async (..._args: Parameters<CaseEventRepository['senderStandings']>) => {
        calls.push('sender standings');
        return [] as SenderStandingRow[];
      }),
    };
  const em = {
    fork: () => em,
    transactional: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => work(TX)),
  };
  const registry = { get: jest.fn().mockResolvedValue(fixtureReview) };
  const producer = {
    wakeMany: jest.fn(
      async (items: readonly { caseId: string; seq: number }[]) =>
        void calls.push(`wake ${items.map((i) => `${i.caseId.slice(-1)}@${i.seq}`).join(' ')}`),
    ),
  };
  const config = { cases: { refusedEventsPerHour: options.refusedEventsPerHour ?? 100 } } as AppConfig;
  const budget = new RefusedEventBudget(config, events as unknown as CaseEventRepository);
  const clock = new ManualClock(NOW);
  const service = new CaseAcceptanceService(
    em as unknown as EntityManager,
    registry as unknown as DefinitionRegistry,
    producer as unknown as CaseEventsProducer,
    new CaseInboxService(
      cases as unknown as ReviewCaseRepository,
      events as unknown as CaseEventRepository,
      budget,
      clock,
    ),
    cases as unknown as ReviewCaseRepository,
  );
  return { service, cases, events, producer, em, inbox, calls };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('accepted');
    },
    (error: unknown) => error,
  );

describe('CaseAcceptanceService', () => {
  it('records a valid event: the case row locked, the keys read, the budget read, the next sequence number, the insert; then one wake-up', async () => {
    const { service, events, calls } = setup();

    const receipt = await service.accept(CASE, list(3), board, 'key-0000001');

    expect(receipt).toEqual({
      eventId: expect.any(String),
      caseId: CASE,
      seq: 1,
      type: 'LIST_SUBMITTED',
      status: 'pending',
      rejection: null,
      replayed: false,
    });
    expect(calls).toEqual([
      'lock case rows',
      'find keys',
      'sender standings',
      'advance accepted_seq',
      'insert events',
      `wake 1@1`,
    ]);
    expect(events.insertPending).toHaveBeenCalledWith(
      TX,
      [
        {
          id: receipt.eventId,
          case_id: CASE,
          seq: 1,
          key: 'key-0000001',
          type: 'LIST_SUBMITTED',
          payload: { householdCount: 3 },
          actor: board,
        },
      ],
      NOW,
    );
  });

  it('takes the key from the header, else from the body, else a fresh one', async () => {
    const { service, events } = setup();
    await service.accept(CASE, { ...list(1), idempotencyKey: 'body-key-1' }, board, 'header-key-1');
    await service.accept(CASE, { ...list(2), idempotencyKey: 'body-key-2' }, board);
    await service.accept(CASE, list(3), board);
    const keys = events.insertPending.mock.calls.map(([, rows]) => rows[0].key);
    expect(keys.slice(0, 2)).toEqual(['header-key-1', 'body-key-2']);
    expect(keys[2]).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('refuses before anything is written', () => {
    it.each([
      ['an unknown case: 404', OTHER_CASE.replace('2', '9'), list(3), board, CaseNotFoundException],
      ['an id that is not a UUID: 404, without a query', 'not-a-case', list(3), board, CaseNotFoundException],
      ['a case outside the actor’s unit: 403', OTHER_CASE, list(3), board, AuthException],
      [
        'an event type the case’s definition does not declare: 400',
        CASE,
        { type: 'NOT_AN_EVENT', data: {} },
        board,
        UnknownEventTypeException,
      ],
      [
        'a role that may not send the event: 403',
        CASE,
        { type: 'MEETING_HELD', data: { attendees: 12 } },
        { ...board, role: 'commune_committee' as const, unit: 'T1C1' },
        RoleNotAllowedException,
      ],
      ['a payload that does not fit: 400', CASE, list(-1), board, InvalidPayloadException],
    ])('%s', async (_name, caseId, body, actor, refused) => {
      const { service, cases, events } = setup();
      expect(await refusal(service.accept(caseId, body, actor))).toBeInstanceOf(refused);
      expect(cases.lockForNumbering).not.toHaveBeenCalled();
      expect(events.insertPending).not.toHaveBeenCalled();
    });

    it('names the field of a payload that does not fit (`data.<field>`)', async () => {
      const { service } = setup();
      const error = (await refusal(service.accept(CASE, list(-1), board))) as InvalidPayloadException;
      expect(error.details.fields).toEqual([expect.objectContaining({ field: 'data.householdCount' })]);
    });

    it('looks up only ids that are UUIDs, lower-cased, once per batch', async () => {
      const { service, cases } = setup();
      await Promise.all([
        service.accept(CASE.toUpperCase(), list(1), board),
        service.accept(CASE, list(2), board),
        refusal(service.accept('nope', list(3), board)),
      ]);
      expect(cases.locate).toHaveBeenCalledTimes(1);
      expect(cases.locate).toHaveBeenCalledWith(expect.anything(), [CASE]);
    });
  });

  describe('idempotency', () => {
    it('answers the same key with the same payload with the event recorded first (replayed), inserting nothing and waking nobody once it is applied', async () => {
      const { service, events, producer, inbox } = setup();
      const first = await service.accept(CASE, list(3), board, 'key-0000001');
      inbox[0].status = 'applied';
      producer.wakeMany.mockClear();

      const again = await service.accept(CASE, list(3), board, 'key-0000001');

      expect(again).toEqual({ ...first, status: 'applied', replayed: true });
      expect(events.insertPending).toHaveBeenCalledTimes(1);
      expect(producer.wakeMany).not.toHaveBeenCalled();
    });

    it('wakes the case again for a replay of an event still pending', async () => {
      const { service, producer } = setup();
      await service.accept(CASE, list(3), board, 'key-0000001');
      await service.accept(CASE, list(3), board, 'key-0000001');
      expect(producer.wakeMany).toHaveBeenLastCalledWith([{ caseId: CASE, seq: 1 }]);
    });

    it('refuses the same key with another payload: 409, for that request only', async () => {
      const { service } = setup();
      await service.accept(CASE, list(3), board, 'key-0000001');

      const [reused, other] = await service.acceptMany([
        { caseId: CASE, body: list(4), actor: board, headerKey: 'key-0000001' },
        { caseId: CASE, body: list(5), actor: board, headerKey: 'key-0000002' },
      ]);

      expect(reused).toEqual({ ok: false, error: expect.any(IdempotencyKeyReusedException) });
      expect(other).toEqual({ ok: true, receipt: expect.objectContaining({ seq: 2, replayed: false }) });
    });

    it('answers a key repeated inside one batch with the first event’s receipt, or 409 when its payload differs', async () => {
      const { service } = setup();
      const [first, same, differs] = await service.acceptMany([
        { caseId: CASE, body: list(3), actor: board, headerKey: 'key-0000001' },
        { caseId: CASE, body: list(3), actor: board, headerKey: 'key-0000001' },
        { caseId: CASE, body: list(4), actor: board, headerKey: 'key-0000001' },
      ]);
      expect(first).toEqual({ ok: true, receipt: expect.objectContaining({ seq: 1, replayed: false }) });
      expect(same).toEqual({ ok: true, receipt: { ...(first as { receipt: object }).receipt, replayed: true } });
      expect(differs).toEqual({ ok: false, error: expect.any(IdempotencyKeyReusedException) });
    });
  });

  describe('the refused-event budget', () => {
    it('refuses the new event of a sender with N refusals on the case within the hour: 429, Retry-After when the oldest is an hour old; nothing recorded', async () => {
      const { service, events } = setup({ refusedEventsPerHour: 3 });
      events.senderStandings.mockResolvedValueOnce([
        { case_id: CASE, sub: board.sub, refused: 3, oldest: new Date(NOW.getTime() - 40 * 60_000), waiting: 0 },
      ]);

      const error = await refusal(service.accept(CASE, list(3), board, 'key-0000001'));

      expect(error).toBeInstanceOf(RefusedEventBudgetExceededException);
      expect(error).toMatchObject({
        kind: 'rate_limited',
        details: { caseId: CASE, limit: 3, retryAfterSeconds: 20 * 60 },
      });
      expect(events.senderStandings).toHaveBeenCalledWith(TX, [{ case_id: CASE, sub: board.sub }], {
        since: new Date(NOW.getTime() - 3_600_000),
        refusedLimit: 3,
        waitingLimit: 500,
      });
      expect(events.insertPending).not.toHaveBeenCalled();
    });

    it('refuses the new events of a sender with 500 events waiting on the case: 429', async () => {
      const { service, events } = setup();
      events.senderStandings.mockResolvedValueOnce([
        { case_id: CASE, sub: board.sub, refused: 0, oldest: null, waiting: 499 },
      ]);

      const [last, over] = await service.acceptMany([
        { caseId: CASE, body: list(1), actor: board, headerKey: 'key-0000001' },
        { caseId: CASE, body: list(2), actor: board, headerKey: 'key-0000002' },
      ]);

      expect(last).toEqual({ ok: true, receipt: expect.objectContaining({ seq: 1 }) });
      expect(over).toEqual({ ok: false, error: expect.any(WaitingEventsLimitExceededException) });
    });

    it('answers a replay whatever the budget, and reads nothing when the budget is off', async () => {
      const { service, events } = setup({ refusedEventsPerHour: 0 });
      await service.accept(CASE, list(3), board, 'key-0000001');
      expect(events.senderStandings).not.toHaveBeenCalled();

      const replay = setup({ refusedEventsPerHour: 3 });
      await replay.service.accept(CASE, list(3), board, 'key-0000001');
      replay.events.senderStandings.mockResolvedValue([
        { case_id: CASE, sub: board.sub, refused: 3, oldest: NOW, waiting: 0 },
      ]);
      expect(await replay.service.accept(CASE, list(3), board, 'key-0000001')).toMatchObject({
        seq: 1,
        replayed: true,
      });
    });
  });

  it('records the valid items of acceptMany in request order in one transaction, one wake-up per case with its last sequence number', async () => {
    const { service, em, calls } = setup();
    const outcomes = await service.acceptMany([
      { caseId: CASE, body: list(1), actor: board },
      { caseId: CASE, body: list(-1), actor: board },
      { caseId: CASE, body: list(2), actor: board },
      { caseId: CASE, body: list(3), actor: board },
    ]);
    expect(outcomes.map((o) => (o.ok ? o.receipt.seq : 'refused'))).toEqual([1, 'refused', 2, 3]);
    expect(em.transactional).toHaveBeenCalledTimes(1);
    expect(calls.filter((c) => c.startsWith('wake'))).toEqual(['wake 1@3']);
  });

  it('goes one by one when the database refuses the batch for one item’s sake (23505), so the error reaches only its caller', async () => {
    const { service, events } = setup();
    events.insertPending.mockRejectedValueOnce(Object.assign(new Error('duplicate key'), { code: '23505' }));
    const record = jest.spyOn(service, 'record');

    const outcomes = await service.acceptMany([
      { caseId: CASE, body: list(1), actor: board },
      { caseId: CASE, body: list(2), actor: board },
    ]);

    expect(record).toHaveBeenCalledTimes(2);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('answers 202 when the wake-up cannot be enqueued (the event is committed and the sweeper wakes its case), logging the outage once', async () => {
    const { service, producer } = setup();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    producer.wakeMany.mockRejectedValue(new Error('Redis is down'));
    try {
      expect(await service.accept(CASE, list(3), board)).toMatchObject({ status: 'pending', seq: 1 });
      expect(await service.accept(CASE, list(4), board)).toMatchObject({ status: 'pending', seq: 2 });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('reads a receipt as it stands now', async () => {
    const { service, inbox } = setup();
    const receipt = await service.accept(CASE, list(3), board);
    Object.assign(inbox[0], { status: 'rejected', rejection_code: 'GUARD_REJECTED', rejection_reason: 'no' });
    expect(await service.receipt(CASE, receipt.eventId)).toEqual({
      ...receipt,
      status: 'rejected',
      rejection: { code: 'GUARD_REJECTED', reason: 'no' },
    });
    expect(await service.receipt(CASE, OTHER_CASE)).toBeNull();
  });
});
