import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { stableJson } from '@rasoat/workflow-core';
import { type BatchOutcome, CLOCK, type Clock } from '../infrastructure';
import { CaseEventRepository, type CaseEventRow, type NewCaseEventRow } from './case-event.repository';
import { CaseNotFoundException, IdempotencyKeyReusedException } from './cases.exception';
import { RefusedEventBudget } from './refused-event-budget';
import { ReviewCaseRepository } from './review-case.repository';

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

/** A validated event waiting to be recorded (`insertBatch`). */
export interface RecordRequest {
  caseId: string;
  type: string;
  data: Record<string, unknown>;
  actor: Actor;
  key: string;
}

/**
 * Records events in their cases' inboxes (`case_event`, pending) with a gap-free per-case sequence
 * number, in the order given, each under its idempotency key: a key used before answers the event
 * recorded then (a replay), or 409 when the event differs. For API senders (acceptance) and for the
 * engine's own events (deadlines' onDue events); only API senders are held to the refused-event
 * budget. Writes inside the caller's transaction; waking the worker is the caller's post-commit work.
 */
@Injectable()
export class CaseInboxService {
  constructor(
    private readonly cases: ReviewCaseRepository,
    private readonly events: CaseEventRepository,
    private readonly budget: RefusedEventBudget,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Records a batch of events, in statements per batch rather than per event: the case rows
   * locked, one read of the keys already used, one update giving each case its next sequence
   * numbers, one insert of the new events. Events of one case keep their order in the batch; a
   * key repeated inside the batch is a replay of its first use, like a key found in the table.
   * Inside the caller's transaction; used for system events too (deadlines' onDue events,
   * `OnDueEventSender.fireEvents`). With `refusedEventBudget` (the API's senders), one more
   * statement reads where each sender stands on its case, and the new events of a sender past
   * its budget are refused (`RefusedEventBudget`); a replay is answered whatever the budget.
   */
  async insertBatch(
    tx: EntityManager,
    items: readonly RecordRequest[],
    options: { refusedEventBudget?: boolean } = {},
  ): Promise<BatchOutcome<EventReceipt>[]> {
    // The case rows first, in id order (two batches never deadlock on them), and only then the
    // keys: every writer of a case's events holds its row, so a key is looked up after any other
    // insert of it committed, and this batch never inserts a key another transaction holds in
    // the unique index. (Looking first and locking after let an insert wait on a drain's update
    // of that event while the drain waited for this row: a deadlock.)
    await this.cases.lockForNumbering(tx, [...new Set(items.map((i) => i.caseId))]);
    const pairKey = (caseId: string, key: string) => `${caseId} ${key}`;
    const pairs = new Map(items.map((i) => [pairKey(i.caseId, i.key), { case_id: i.caseId, key: i.key }]));
    const found = await this.events.findByKeys(tx, [...pairs.values()]);
    const existing = new Map(found.map((r) => [pairKey(r.case_id, r.idempotency_key as string), r]));
    const fresh = items.filter((i) => !existing.has(pairKey(i.caseId, i.key)));
    const judge = options.refusedEventBudget
      ? await this.budget.judge(
          tx,
          fresh.map((i) => ({ caseId: i.caseId, sub: i.actor.sub })),
          this.clock.now(),
        )
      : () => null;

    type Slot =
      | { kind: 'done'; outcome: BatchOutcome<EventReceipt> }
      | { kind: 'new'; event: { id: string; item: RecordRequest; seq: number } }
      | { kind: 'repeat'; first: number };
    const slots: Slot[] = [];
    const firstNew = new Map<string, number>();
    const perCase = new Map<string, number>();
    items.forEach((item, index) => {
      const pair = pairKey(item.caseId, item.key);
      const row = existing.get(pair);
      if (row) {
        try {
          slots.push({ kind: 'done', outcome: { ok: true, value: replay(row, item.type, item.data, item.key) } });
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
      const bumped = await this.cases.advanceAcceptedSeq(
        tx,
        [...perCase].map(([id, n]) => ({ id, n })),
      );
      for (const b of bumped) lastSeq.set(b.id, b.seq);
    }
    // The first sequence number of each case's new events; its events follow in batch order.
    const nextSeq = new Map([...lastSeq].map(([id, seq]) => [id, seq - (perCase.get(id) as number) + 1]));
    const rows: NewCaseEventRow[] = [];
    for (const slot of slots) {
      if (slot.kind !== 'new') continue;
      const { item } = slot.event;
      const seq = nextSeq.get(item.caseId);
      if (seq === undefined) continue; // the case is gone (deleted since the lookup)
      nextSeq.set(item.caseId, seq + 1);
      slot.event.seq = seq;
      rows.push({
        id: slot.event.id,
        case_id: item.caseId,
        seq,
        key: item.key,
        type: item.type,
        payload: item.data,
        actor: item.actor,
      });
    }
    if (rows.length > 0) await this.events.insertPending(tx, rows, this.clock.now());

    const outcomes = slots.map((slot): BatchOutcome<EventReceipt> | undefined => {
      if (slot.kind === 'done') return slot.outcome;
      if (slot.kind === 'repeat') return undefined;
      const { id, item, seq } = slot.event;
      if (seq === 0) return { ok: false, error: new CaseNotFoundException(item.caseId) };
      return {
        ok: true,
        value: {
          eventId: id,
          caseId: item.caseId,
          seq,
          type: item.type,
          status: 'pending',
          rejection: null,
          replayed: false,
        },
      };
    });
    return slots.map((slot, index): BatchOutcome<EventReceipt> => {
      if (slot.kind !== 'repeat') return outcomes[index] as BatchOutcome<EventReceipt>;
      const original = outcomes[slot.first] as BatchOutcome<EventReceipt>;
      if (!original.ok) return original;
      const first = items[slot.first];
      const item = items[index];
      const same = first.type === item.type && stableJson(roundTrip(first.data)) === stableJson(roundTrip(item.data));
      return same
        ? { ok: true, value: { ...original.value, replayed: true } }
        : { ok: false, error: new IdempotencyKeyReusedException(item.key) };
    });
  }

  /**
   * Records one event of an API sender in its own transaction (`insertBatch` of one, within the
   * sender's refused-event budget). Retried once when two requests with the same key race: the
   * loser then reads the winner's row.
   */
  async record(
    em: EntityManager,
    caseId: string,
    type: string,
    data: Record<string, unknown>,
    actor: Actor,
    key: string,
  ): Promise<EventReceipt> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [outcome] = await em.transactional((tx) =>
          this.insertBatch(tx, [{ caseId, type, data, actor, key }], { refusedEventBudget: true }),
        );
        if (!outcome.ok) throw outcome.error;
        return outcome.value;
      } catch (e) {
        if (attempt === 0 && ['23505', '40P01'].includes((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }

  /** The event's receipt as it stands now, or null when the case has no such event. */
  async receipt(em: EntityManager, caseId: string, eventId: string): Promise<EventReceipt | null> {
    const row = await this.events.findOne(em, caseId, eventId);
    return row ? toReceipt(row, false) : null;
  }
}

function replay(existing: CaseEventRow, type: string, data: Record<string, unknown>, key: string): EventReceipt {
  if (existing.type !== type || stableJson(existing.payload) !== stableJson(data))
    throw new IdempotencyKeyReusedException(key);
  return toReceipt(existing, true);
}

/** A value as it comes back from a jsonb column. */
function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function toReceipt(row: CaseEventRow, replayed: boolean): EventReceipt {
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
