import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  UUID_PATTERN,
  type Actor,
  type SubmitCorrectionBody,
  type SubmitEventBody,
  type UserRole,
} from '@rasoat/contracts';
import { safeErrorMessage } from '@rasoat/observability';
import { checkCorrection, CORRECTION_EVENT } from '@rasoat/workflow-core';
import { assertInScope } from '../auth';
import { DefinitionRegistry } from '../definitions';
import { type BatchOutcome, MicroBatcher } from '../infrastructure';
import { CaseEventsProducer } from './case-events.producer';
import { CaseInboxService, type EventReceipt, type RecordRequest } from './case-inbox.service';
import { CaseNotFoundException, InvalidCorrectionException, RoleNotAllowedException } from './cases.exception';
import { admitEvent } from './event-admission';
import { type CaseLocationRow, ReviewCaseRepository } from './review-case.repository';

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

/** Items per batch of both batchers; one batch is one query (lookup) or one transaction (record). */
const MAX_BATCH = 500;
/** Who may correct a value an applied event wrote: the case's province admins, and national admins. */
export const CORRECTION_ROLES: readonly UserRole[] = ['province_admin', 'national_admin'];

/**
 * API side of durable execution: validates an event against the case's pinned definition
 * (`admitEvent`), records it in the case's inbox with a per-case sequence number and its
 * idempotency key (`CaseInboxService`), then wakes the worker. Bad input is refused before
 * anything is written, and so is the event of an actor whose refused-event budget on the case is
 * spent (`RefusedEventBudget`, 429).
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
    private readonly inbox: CaseInboxService,
    private readonly cases: ReviewCaseRepository,
  ) {}

  private readonly lookups = new MicroBatcher<string, CaseLocationRow | null>({
    flush: (ids) => this.lookupCases(ids),
    maxBatchSize: MAX_BATCH,
    maxInFlight: 2,
  });
  /** One record transaction at a time: batches commit in submission order, so a case's events keep the order they were submitted in. */
  private readonly records = new MicroBatcher<RecordRequest, EventReceipt>({
    flush: (items) => this.recordBatch(items),
    maxBatchSize: MAX_BATCH,
    maxInFlight: 1,
  });

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
  async acceptCorrection(
    caseId: string,
    body: SubmitCorrectionBody,
    actor: Actor,
    headerKey?: string,
  ): Promise<EventReceipt> {
    const row = await this.lookups.submit(caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    if (!(CORRECTION_ROLES as readonly string[]).includes(actor.role))
      throw new RoleNotAllowedException(CORRECTION_EVENT, actor.role, [...CORRECTION_ROLES]);
    const { idempotencyKey, ...correction } = body;
    const checked = checkCorrection((await this.registry.get(row.definition_key)).definition, correction);
    if (!checked.ok) throw new InvalidCorrectionException(checked.errors);
    return this.records.submit({
      caseId: row.id,
      type: CORRECTION_EVENT,
      data: checked.correction,
      actor,
      key: headerKey ?? idempotencyKey ?? randomUUID(),
    });
  }

  /** Everything `accept` refuses, refused before anything is written. */
  private async validate(
    caseId: string,
    body: SubmitEventBody,
    actor: Actor,
    headerKey?: string,
  ): Promise<RecordRequest> {
    const row = await this.lookups.submit(caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    const admitted = admitEvent(await this.registry.get(row.definition_key), body, actor);
    return { caseId: row.id, ...admitted, key: headerKey ?? body.idempotencyKey ?? randomUUID() };
  }

  /** One query for a batch of case lookups; an id that is not a UUID names no case. */
  private async lookupCases(ids: readonly string[]): Promise<BatchOutcome<CaseLocationRow | null>[]> {
    const wanted = [...new Set(ids.filter((id) => UUID_PATTERN.test(id)).map((id) => id.toLowerCase()))];
    const rows = wanted.length === 0 ? [] : await this.cases.locate(this.em.fork(), wanted);
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
      outcomes = await this.em
        .fork()
        .transactional((tx) => this.inbox.insertBatch(tx, items, { refusedEventBudget: true }));
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
        this.logger.warn(
          `accepted events could not be enqueued (${safeErrorMessage(e)}): they are answered 202 and the sweeper wakes their cases; logged once until Redis answers again`,
        );
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
        if (!receipt.replayed || receipt.status === 'pending')
          await this.wake([{ caseId: i.caseId, seq: receipt.seq }]);
        outcomes.push({ ok: true, value: receipt });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /** `CaseInboxService.record`: records one event of an API sender in its own transaction. */
  record(
    em: EntityManager,
    caseId: string,
    type: string,
    data: Record<string, unknown>,
    actor: Actor,
    key: string,
  ): Promise<EventReceipt> {
    return this.inbox.record(em, caseId, type, data, actor, key);
  }

  receipt(caseId: string, eventId: string): Promise<EventReceipt | null> {
    return this.inbox.receipt(this.em.fork(), caseId, eventId);
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
}
