import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, SubmitCorrectionBody, SubmitEventBody, UserRole } from '@rasoat/contracts';
import { safeErrorMessage } from '@rasoat/observability';
import { checkCorrection, CORRECTION_EVENT, payloadErrors, type EventSpec } from '@rasoat/workflow-core';
import { assertInScope } from '../auth';
import { DefinitionRegistry } from '../definitions';
import { type BatchOutcome, CLOCK, type Clock, MicroBatcher, sql } from '../infrastructure';
import { CaseEventsProducer } from './case-events.producer';
import { CaseNotFoundException, IdempotencyKeyReusedException, InvalidCorrectionException, InvalidPayloadException, RoleNotAllowedException, UnknownEventTypeException } from './cases.exception';
import { RefusedEventBudget } from './refused-event-budget';
import { stableJson } from '@rasoat/workflow-core';

/** The state of one accepted event as its sender sees it. */
export interface EventReceipt {
  eventId: string;
  caseId: string;
  seq: number;
  type: string;
  status: 'pending' | 'applied' | 'rejected';
  rejection: { code: string; reason: string } | null;
  /** True when this request repeated an idempotency key already accepted. */
  replayed: boolean;
}

interface EventRow {
  id: string;
  case_id: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  status: EventReceipt['status'];
  rejection_code: string | null;
  rejection_reason: string | null;
  idempotency_key?: string;
}

/** One event to accept in bulk (`acceptMany`): the arguments of `accept`. */
export interface AcceptRequest {
  caseId: string;
  body: SubmitEventBody;
  actor: Actor;
  /** The Idempotency-Key header; else `body.idempotencyKey`, else a fresh key. */
  headerKey?: string;
}

/** The answer for one request of `acceptMany`: its receipt, or the error `accept` would have thrown. */
export type AcceptOutcome = { ok: true; receipt: EventReceipt } | { ok: false; error: unknown };

/** What a case lookup answers: where the case sits and its pinned definition version. */
interface CaseLookupRow {
  id: string;
  unit_path: string;
  definition_key: string;
}

/** A validated event waiting to be recorded (`insertBatch`). */
export interface RecordRequest {
  caseId: string;
  type: string;
  data: Record<string, unknown>;
  actor: Actor;
  key: string;
}

/** Items per batch of both batchers; one batch is one query (lookup) or one transaction (record). */
const MAX_BATCH = 500;
/** Who may correct a value an applied event wrote: the case's province admins, and national admins. */
export const CORRECTION_ROLES: readonly UserRole[] = ['province_admin', 'national_admin'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * API side of durable execution: validates an event against the case's pinned definition,
 * records it in the case's inbox with a per-case sequence number and its idempotency key,
 * then wakes the worker. Bad input is refused before anything is written, and so is the event
 * of an actor whose refused-event budget on the case is spent (`RefusedEventBudget`, 429).
 *
 * Concurrent calls share their work (group commit, `MicroBatcher`): the case lookups that
 * arrive together are one query, and the events validated together are recorded in one
 * transaction followed by one `addBulk` of wake-ups. Idle, a call costs what it did alone.
 *
 * The wake-up is not part of the acceptance: once the events are committed the receipt stands.
 * When Redis is down or hangs, enqueueing fails within `redisCommandTimeoutMs` (the producers'
 * fail-fast connection), the events are answered 202 all the same, and the sweeper wakes their
 * cases once they have waited `worker.staleEventSeconds`.
 */
@Injectable()
export class CaseAcceptanceService {
  private readonly logger = new Logger(CaseAcceptanceService.name);
  /** Set while wake-ups fail, so that an outage is logged once, not once per batch. */
  private wakeUpsFailing = false;

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly producer: CaseEventsProducer,
    private readonly budget: RefusedEventBudget,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private readonly lookups = new MicroBatcher<string, CaseLookupRow | null>({ flush: (ids) => this.lookupCases(ids), maxBatchSize: MAX_BATCH, maxInFlight: 2 });
  /** One record transaction at a time: batches commit in submission order, so a case's events keep the order they were submitted in. */
  private readonly records = new MicroBatcher<RecordRequest, EventReceipt>({ flush: (items) => this.recordBatch(items), maxBatchSize: MAX_BATCH, maxInFlight: 1 });

  async accept(caseId: string, body: SubmitEventBody, actor: Actor, headerKey?: string): Promise<EventReceipt> {
    return this.records.submit(await this.validate(caseId, body, actor, headerKey));
  }

  /**
   * `accept` for in-process bulk callers: each request is validated alone and answered alone
   * (a receipt, or the error `accept` would throw). The valid ones are recorded in request
   * order, so several events for one case get increasing sequence numbers in that order.
   */
  async acceptMany(requests: readonly AcceptRequest[]): Promise<AcceptOutcome[]> {
    const validated = await Promise.all(
      requests.map((r) =>
        this.validate(r.caseId, r.body, r.actor, r.headerKey).then(
          (item) => ({ ok: true as const, item }),
          (error: unknown): AcceptOutcome => ({ ok: false, error }),
        ),
      ),
    );
    return Promise.all(
      validated.map((v) =>
        'item' in v
          ? this.records.submit(v.item).then(
              (receipt): AcceptOutcome => ({ ok: true, receipt }),
              (error: unknown): AcceptOutcome => ({ ok: false, error }),
            )
          : v,
      ),
    );
  }

  /**
   * Accepts a correction of a value an applied event wrote (`CORRECTION_EVENT` in the case's
   * inbox): in the actor's scope (a province admin's province), from CORRECTION_ROLES, the event
   * and field declared by the case's definition and the value fitting the field. Recorded and
   * applied in the case's order like any event, under its idempotency key; whether that event
   * was applied to the case is checked when it is applied (a rejection otherwise).
   */
  async acceptCorrection(caseId: string, body: SubmitCorrectionBody, actor: Actor, headerKey?: string): Promise<EventReceipt> {
    const row = await this.lookups.submit(caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    if (!(CORRECTION_ROLES as readonly string[]).includes(actor.role)) throw new RoleNotAllowedException(CORRECTION_EVENT, actor.role, [...CORRECTION_ROLES]);
    const { idempotencyKey, ...correction } = body;
    const checked = checkCorrection((await this.registry.get(row.definition_key)).definition, correction);
    if (!checked.ok) throw new InvalidCorrectionException(checked.errors);
    return this.records.submit({ caseId: row.id, type: CORRECTION_EVENT, data: checked.correction, actor, key: headerKey ?? idempotencyKey ?? randomUUID() });
  }

  /** Everything `accept` refuses, refused before anything is written. */
  private async validate(caseId: string, body: SubmitEventBody, actor: Actor, headerKey?: string): Promise<RecordRequest> {
    const row = await this.lookups.submit(caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);

    const compiled = await this.registry.get(row.definition_key);
    const spec = compiled.definition.events[body.type];
    if (!spec) throw new UnknownEventTypeException(body.type, Object.keys(compiled.definition.events));
    const onBehalfOf = standsInFor(body.type, spec, actor);
    const payload = compiled.payloadSchemas[body.type].safeParse(body.data);
    if (!payload.success) throw new InvalidPayloadException(body.type, payloadErrors(payload.error));

    return { caseId: row.id, type: body.type, data: payload.data, actor: onBehalfOf ? { ...actor, onBehalfOf } : actor, key: headerKey ?? body.idempotencyKey ?? randomUUID() };
  }

  /** One query for a batch of case lookups; an id that is not a UUID names no case. */
  private async lookupCases(ids: readonly string[]): Promise<BatchOutcome<CaseLookupRow | null>[]> {
    const wanted = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    const rows =
      wanted.length === 0
        ? []
        : await this.em.fork().execute<CaseLookupRow[]>(`select id, unit_path, definition_key from review_case where id = any(string_to_array(?, ',')::uuid[])`, [wanted.join(',')]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => ({ ok: true, value: byId.get(id.toLowerCase()) ?? null }));
  }

  /**
   * Records a batch of validated events in one transaction, then wakes each case once. When the
   * database refuses the batch for one item's sake — a key another process inserted since we
   * looked (23505), a value it cannot store (class 22) — or chooses it as a deadlock's victim
   * (40P01, transient), the items go again one by one, so that an error reaches only its own caller.
   */
  private async recordBatch(items: readonly RecordRequest[]): Promise<BatchOutcome<EventReceipt>[]> {
    let outcomes: BatchOutcome<EventReceipt>[];
    try {
      outcomes = await this.em.fork().transactional((tx) => this.insertBatch(tx, items, { refusedEventBudget: true }));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !(code === '23505' || code === '40P01' || code.startsWith('22'))) throw e;
      return this.recordOneByOne(items);
    }
    const wakeUps = new Map<string, number>();
    for (const o of outcomes) {
      if (!o.ok || (o.value.replayed && o.value.status !== 'pending')) continue;
      wakeUps.set(o.value.caseId, Math.max(wakeUps.get(o.value.caseId) ?? 0, o.value.seq));
    }
    if (wakeUps.size > 0) await this.wake([...wakeUps].map(([caseId, seq]) => ({ caseId, seq })));
    return outcomes;
  }

  /** Enqueues the wake-ups of committed events; a failure is logged (once per outage), never thrown. */
  private async wake(items: readonly { caseId: string; seq: number }[]): Promise<void> {
    try {
      await this.producer.wakeMany(items);
    } catch (e) {
      if (!this.wakeUpsFailing) {
        this.logger.warn(`accepted events could not be enqueued (${safeErrorMessage(e)}): they are answered 202 and the sweeper wakes their cases; logged once until Redis answers again`);
      }
      this.wakeUpsFailing = true;
      return;
    }
    if (this.wakeUpsFailing) this.logger.log('accepted events are enqueued again');
    this.wakeUpsFailing = false;
  }

  private async recordOneByOne(items: readonly RecordRequest[]): Promise<BatchOutcome<EventReceipt>[]> {
    const outcomes: BatchOutcome<EventReceipt>[] = [];
    for (const i of items) {
      try {
        const receipt = await this.record(this.em.fork(), i.caseId, i.type, i.data, i.actor, i.key);
        if (!receipt.replayed || receipt.status === 'pending') await this.wake([{ caseId: i.caseId, seq: receipt.seq }]);
        outcomes.push({ ok: true, value: receipt });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /**
   * Records a batch of events, in statements per batch rather than per event: the case rows
   * locked, one read of the keys already used, one update giving each case its next sequence
   * numbers, one insert of the new events. Events of one case keep their order in the batch; a
   * key repeated inside the batch is a replay of its first use, like a key found in the table.
   * Inside the caller's transaction; used for system events too (deadlines' onDue events,
   * `CaseDeadlinesService.fireEvents`). With `refusedEventBudget` (the API's senders), one more
   * statement reads where each sender stands on its case, and the new events of a sender past
   * its budget are refused (`RefusedEventBudget`); a replay is answered whatever the budget.
   */
  async insertBatch(tx: EntityManager, items: readonly RecordRequest[], options: { refusedEventBudget?: boolean } = {}): Promise<BatchOutcome<EventReceipt>[]> {
    // The case rows first, in id order (two batches never deadlock on them), and only then the
    // keys: every writer of a case's events holds its row, so a key is looked up after any other
    // insert of it committed, and this batch never inserts a key another transaction holds in
    // the unique index. (Looking first and locking after let an insert wait on a drain's update
    // of that event while the drain waited for this row: a deadlock.)
    await sql(tx, `select 1 from review_case where id = any(string_to_array(?, ',')::uuid[]) order by id for update`, [[...new Set(items.map((i) => i.caseId))].join(',')]);
    const pairKey = (caseId: string, key: string) => `${caseId} ${key}`;
    const pairs = new Map(items.map((i) => [pairKey(i.caseId, i.key), { case_id: i.caseId, key: i.key }]));
    const found = await sql<EventRow>(
      tx,
      `select e.* from jsonb_to_recordset(?::jsonb) as k(case_id uuid, key text)
       join case_event e on e.case_id = k.case_id and e.idempotency_key = k.key`,
      [JSON.stringify([...pairs.values()])],
    );
    const existing = new Map(found.map((r) => [pairKey(r.case_id, r.idempotency_key as string), r]));
    const fresh = items.filter((i) => !existing.has(pairKey(i.caseId, i.key)));
    const judge = options.refusedEventBudget ? await this.budget.judge(tx, fresh.map((i) => ({ caseId: i.caseId, sub: i.actor.sub })), this.clock.now()) : () => null;

    type Slot = { kind: 'done'; outcome: BatchOutcome<EventReceipt> } | { kind: 'new'; event: { id: string; item: RecordRequest; seq: number } } | { kind: 'repeat'; first: number };
    const slots: Slot[] = [];
    const firstNew = new Map<string, number>();
    const perCase = new Map<string, number>();
    items.forEach((item, index) => {
      const pair = pairKey(item.caseId, item.key);
      const row = existing.get(pair);
      if (row) {
        try {
          slots.push({ kind: 'done', outcome: { ok: true, value: this.replay(row, item.type, item.data, item.key) } });
        } catch (error) {
          slots.push({ kind: 'done', outcome: { ok: false, error } });
        }
        return;
      }
      const first = firstNew.get(pair);
      if (first !== undefined) {
        slots.push({ kind: 'repeat', first });
        return;
      }
      const refused = judge({ caseId: item.caseId, sub: item.actor.sub });
      if (refused) {
        slots.push({ kind: 'done', outcome: { ok: false, error: refused } });
        return;
      }
      firstNew.set(pair, index);
      perCase.set(item.caseId, (perCase.get(item.caseId) ?? 0) + 1);
      slots.push({ kind: 'new', event: { id: randomUUID(), item, seq: 0 } });
    });

    const lastSeq = new Map<string, number>();
    if (perCase.size > 0) {
      const bumped = await sql<{ id: string; seq: number }>(
        tx,
        `update review_case c set accepted_seq = c.accepted_seq + n.n
         from jsonb_to_recordset(?::jsonb) as n(id uuid, n int)
         where c.id = n.id
         returning c.id, c.accepted_seq as seq`,
        [JSON.stringify([...perCase].map(([id, n]) => ({ id, n })))],
      );
      for (const b of bumped) lastSeq.set(b.id, b.seq);
    }
    // The first sequence number of each case's new events; its events follow in batch order.
    const nextSeq = new Map([...lastSeq].map(([id, seq]) => [id, seq - (perCase.get(id) as number) + 1]));
    const rows: Record<string, unknown>[] = [];
    for (const slot of slots) {
      if (slot.kind !== 'new') continue;
      const { item } = slot.event;
      const seq = nextSeq.get(item.caseId);
      if (seq === undefined) continue; // the case is gone (deleted since the lookup)
      nextSeq.set(item.caseId, seq + 1);
      slot.event.seq = seq;
      rows.push({ id: slot.event.id, case_id: item.caseId, seq, key: item.key, type: item.type, payload: item.data, actor: item.actor });
    }
    if (rows.length > 0) {
      await sql(
        tx,
        `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
         select x.id, x.case_id, x.seq, x.key, x.type, x.payload, x.actor, 'pending', ?
         from jsonb_to_recordset(?::jsonb) as x(id uuid, case_id uuid, seq int, key text, type text, payload jsonb, actor jsonb)`,
        [this.clock.now(), JSON.stringify(rows)],
      );
    }

    const outcomes = slots.map((slot): BatchOutcome<EventReceipt> | undefined => {
      if (slot.kind === 'done') return slot.outcome;
      if (slot.kind === 'repeat') return undefined;
      const { id, item, seq } = slot.event;
      if (seq === 0) return { ok: false, error: new CaseNotFoundException(item.caseId) };
      return { ok: true, value: { eventId: id, caseId: item.caseId, seq, type: item.type, status: 'pending', rejection: null, replayed: false } };
    });
    return slots.map((slot, index): BatchOutcome<EventReceipt> => {
      if (slot.kind !== 'repeat') return outcomes[index] as BatchOutcome<EventReceipt>;
      const original = outcomes[slot.first] as BatchOutcome<EventReceipt>;
      if (!original.ok) return original;
      const first = items[slot.first];
      const item = items[index];
      const same = first.type === item.type && stableJson(roundTrip(first.data)) === stableJson(roundTrip(item.data));
      return same ? { ok: true, value: { ...original.value, replayed: true } } : { ok: false, error: new IdempotencyKeyReusedException(item.key) };
    });
  }

  /**
   * Records one event of an API sender in its own transaction (`insertBatch` of one, within the
   * sender's refused-event budget). Retried once when two requests with the same key race: the
   * loser then reads the winner's row.
   */
  async record(em: EntityManager, caseId: string, type: string, data: Record<string, unknown>, actor: Actor, key: string): Promise<EventReceipt> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [outcome] = await em.transactional((tx) => this.insertBatch(tx, [{ caseId, type, data, actor, key }], { refusedEventBudget: true }));
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      } catch (e) {
        if (attempt === 0 && ['23505', '40P01'].includes((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }

  async receipt(caseId: string, eventId: string): Promise<EventReceipt | null> {
    const [row] = await this.em.fork().execute<EventRow[]>('select * from case_event where case_id = ? and id = ?', [caseId, eventId]);
    return row ? toReceipt(row, false) : null;
  }

  /** Polls until the worker has processed the event or `timeoutMs` passes. */
  async waitForOutcome(receipt: EventReceipt, timeoutMs: number): Promise<EventReceipt> {
    const until = Date.now() + timeoutMs;
    let current = receipt;
    while (current.status === 'pending' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
      current = { ...((await this.receipt(receipt.caseId, receipt.eventId)) ?? current), replayed: receipt.replayed };
    }
    return current;
  }

  private replay(existing: EventRow, type: string, data: Record<string, unknown>, key: string): EventReceipt {
    if (existing.type !== type || stableJson(existing.payload) !== stableJson(data)) throw new IdempotencyKeyReusedException(key);
    return toReceipt(existing, true);
  }
}

/**
 * The role `actor` enters an event for: none when the event lists its role, the owner when the
 * definition lets its role enter the event on that owner's behalf (`proxies`); refused otherwise.
 */
function standsInFor(type: string, spec: EventSpec, actor: Actor): string | undefined {
  if (spec.roles.includes(actor.role)) return undefined;
  const proxy = spec.proxies?.find((p) => p.role === actor.role);
  if (!proxy) throw new RoleNotAllowedException(type, actor.role, [...spec.roles, ...(spec.proxies ?? []).map((p) => `${p.role} (thay / for ${p.onBehalfOf})`)]);
  return proxy.onBehalfOf;
}

/** A value as it comes back from a jsonb column. */
function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function toReceipt(row: EventRow, replayed: boolean): EventReceipt {
  return {
    eventId: row.id,
    caseId: row.case_id,
    seq: row.seq,
    type: row.type,
    status: row.status,
    rejection: row.rejection_code ? { code: row.rejection_code, reason: row.rejection_reason ?? '' } : null,
    replayed,
  };
}
