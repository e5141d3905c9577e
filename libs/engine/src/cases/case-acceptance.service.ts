import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, SubmitEventBody } from '@rasoat/contracts';
import { payloadErrors } from '@rasoat/workflow-core';
import { assertInScope } from '../auth/actor-scope';
import { DefinitionRegistry } from '../definitions/definition-registry.service';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { CaseEventsProducer } from './case-events.producer';
import { CaseNotFoundException, IdempotencyKeyReusedException, InvalidPayloadException, RoleNotAllowedException, UnknownEventTypeException } from './cases.exception';
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
}

/**
 * API side of durable execution: validates an event against the case's pinned definition,
 * records it in the case's inbox with a per-case sequence number and its idempotency key,
 * then wakes the worker. Bad input is refused before anything is written.
 */
@Injectable()
export class CaseAcceptanceService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly producer: CaseEventsProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async accept(caseId: string, body: SubmitEventBody, actor: Actor, headerKey?: string): Promise<EventReceipt> {
    const em = this.em.fork();
    const [row] = await em.execute<{ unit_path: string; definition_key: string }[]>('select unit_path, definition_key from review_case where id = ?', [caseId]);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);

    const compiled = await this.registry.get(row.definition_key);
    const spec = compiled.definition.events[body.type];
    if (!spec) throw new UnknownEventTypeException(body.type, Object.keys(compiled.definition.events));
    if (!spec.roles.includes(actor.role)) throw new RoleNotAllowedException(body.type, actor.role, spec.roles);
    const payload = compiled.payloadSchemas[body.type].safeParse(body.data);
    if (!payload.success) throw new InvalidPayloadException(body.type, payloadErrors(payload.error));

    const key = headerKey ?? body.idempotencyKey ?? randomUUID();
    const receipt = await this.record(em, caseId, body.type, payload.data, actor, key);
    if (!receipt.replayed || receipt.status === 'pending') await this.producer.wake(caseId, receipt.seq);
    return receipt;
  }

  /**
   * Inserts an event into a case's inbox in its own transaction. Retried once when two
   * requests with the same key race: the loser then reads the winner's row.
   */
  async record(em: EntityManager, caseId: string, type: string, data: Record<string, unknown>, actor: Actor, key: string): Promise<EventReceipt> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await em.transactional((tx) => this.insert(tx, caseId, type, data, actor, key));
      } catch (e) {
        if (attempt === 0 && (e as { code?: string }).code === '23505') continue;
        throw e;
      }
    }
  }

  /**
   * Inserts an event inside the caller's transaction, after the case's last accepted one.
   * Used for system events too (deadlines), whose key is derived from their cause.
   */
  async insert(tx: EntityManager, caseId: string, type: string, data: Record<string, unknown>, actor: Actor, key: string): Promise<EventReceipt> {
    const existing = await this.findByKey(tx, caseId, key);
    if (existing) return this.replay(existing, type, data, key);
    const [{ seq }] = await tx.execute<{ seq: number }[]>('update review_case set accepted_seq = accepted_seq + 1 where id = ? returning accepted_seq as seq', [caseId]);
    const id = randomUUID();
    await tx.execute(
      `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
       values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, 'pending', ?)`,
      [id, caseId, seq, key, type, JSON.stringify(data), JSON.stringify(actor), this.clock.now()],
      'run',
    );
    return { eventId: id, caseId, seq, type, status: 'pending', rejection: null, replayed: false };
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

  private async findByKey(em: EntityManager, caseId: string, key: string): Promise<EventRow | undefined> {
    const [row] = await em.execute<EventRow[]>('select * from case_event where case_id = ? and idempotency_key = ?', [caseId, key]);
    return row;
  }

  private replay(existing: EventRow, type: string, data: Record<string, unknown>, key: string): EventReceipt {
    if (existing.type !== type || stableJson(existing.payload) !== stableJson(data)) throw new IdempotencyKeyReusedException(key);
    return toReceipt(existing, true);
  }
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
