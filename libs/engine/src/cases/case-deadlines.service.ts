import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import { activeStepIds, stepIndex, vi, type CaseSnapshot, type CompiledDefinition, type ResolvedDeadline } from '@rasoat/workflow-core';
import type { Alarm } from '../deadlines';
import { DeadlineRecomputeService, TimersProducer } from '../deadlines';
import { snapshotStageCounters } from '../campaigns';
import { civilDateOf } from '@rasoat/calendar';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock, sql } from '../infrastructure';
import { responsibleIndex, UnitDirectory, type UnitLink } from '../units';
import { CaseAcceptanceService } from './case-acceptance.service';
import { CaseChanges, type NotificationDraft } from './case-changes';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEventsProducer } from './case-events.producer';
import { lockCases } from './case-lock';

export type FireOutcome = 'fired' | 'not-due' | 'stale' | 'already-closed' | 'unknown';

/** What one pass over due alarms did. */
export interface AlarmRun {
  /** Reminders, overdue notices and escalations rung. */
  rung: number;
  /** onDue events sent to cases. */
  events: number;
  /** Alarms of steps already left (closed without ringing). */
  stale: number;
  notifications: number;
}

interface DueRow {
  id: string;
  case_id: string;
  step: string;
  due_date: string;
  status: string;
  alarms: Alarm[];
  next_alarm: number;
  case_status: string;
  case_step: string;
  regions: Record<string, string> | null;
  definition_key: string;
  unit_path: string;
  village_code: string;
  village_name: string | null;
}


const BATCH = 5000;
/** onDue deadlines per `fireEvents` transaction. */
export const EVENT_BATCH = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const dmy = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/**
 * Rings deadline alarms. Reminders, overdue notices and escalations are rung in set-based
 * batches (one statement each for notifications, history and deadline rows per batch of
 * 5,000), so that a legal date shared by 80,000 villages is handled in seconds. onDue events
 * go through the case inbox in batches of 500 (`fireEvents`), locking the cases first like the
 * engine does. Each
 * alarm advances the deadline's `next_alarm` in the same transaction as its notification, and
 * notifications carry a dedupe key: an alarm never rings twice, whatever crashes.
 */
@Injectable()
export class CaseDeadlinesService {
  private readonly logger = new Logger(CaseDeadlinesService.name);
  /** When this process last copied the stage counters for progress over time. */
  private snapshotAt = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly inbox: CaseAcceptanceService,
    private readonly producer: CaseEventsProducer,
    private readonly effects: CaseEffectWriter,
    private readonly units: UnitDirectory,
    private readonly timers: TimersProducer,
    private readonly recompute: DeadlineRecomputeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Rings every alarm due now, batch after batch until none is left, in two lanes at once (the
   * batches skip each other's locked rows): one builds its rows while the other's statements run.
   */
  async fireDue(): Promise<AlarmRun> {
    const run: AlarmRun = { rung: 0, events: 0, stale: 0, notifications: 0 };
    const now = this.clock.now();
    const lane = async () => {
      for (;;) {
        const result = await this.ringBatch(now);
        run.rung += result.rung;
        run.stale += result.stale;
        run.notifications += result.notifications;
        if (result.rows === 0) return;
      }
    };
    await Promise.all([lane(), lane()]);
    const events = await this.em.fork().execute<{ id: string }[]>(
      `select id from deadline where next_alarm_at <= ? and (alarms -> next_alarm ->> 'kind') = 'event' order by next_alarm_at limit 5000`,
      [now],
    );
    for (let i = 0; i < events.length; i += EVENT_BATCH) {
      const outcomes = await this.fireEvents(events.slice(i, i + EVENT_BATCH).map((e) => e.id));
      run.events += outcomes.filter((o) => o === 'fired').length;
    }
    if (run.rung + run.events + run.stale > 0) this.logger.log(`alarms: ${run.rung} rung, ${run.events} events, ${run.stale} stale, ${run.notifications} notifications`);
    return run;
  }

  private async ringBatch(now: Date): Promise<{ rows: number; rung: number; stale: number; notifications: number }> {
    const next: Date[] = [];
    const rungKinds: string[] = [];
    const result = await this.em.fork().transactional(async (tx) => {
      // Re-doable like applying events: a lost commit leaves the alarms due, and they ring again.
      await sql(tx, 'set local synchronous_commit = off');
      const rows = await sql<DueRow>(
        tx,
        `select d.id, d.case_id, d.step, d.due_date::text as due_date, d.status, d.alarms, d.next_alarm,
                c.status as case_status, c.step as case_step, c.snapshot -> 'regions' as regions, c.definition_key, c.unit_path, c.village_code, u.name as village_name
         from deadline d join review_case c on c.id = d.case_id left join admin_unit u on u.code = c.village_code
         where d.next_alarm_at <= ? and (d.alarms -> d.next_alarm ->> 'kind') <> 'event'
         order by d.next_alarm_at limit ? for update of d skip locked`,
        [now, BATCH],
      );
      if (rows.length === 0) return { rows: 0, rung: 0, stale: 0, notifications: 0 };
      const chains = await this.units.chains([...new Set(rows.map((r) => r.unit_path))], tx);
      // Each definition once per batch, with its step index (a batch may hold 5,000 rows of one definition).
      const definitions = new Map<string, { compiled: CompiledDefinition; steps: ReturnType<typeof stepIndex> }>();
      for (const key of new Set(rows.map((r) => r.definition_key))) {
        const compiled = await this.registry.get(key, tx);
        definitions.set(key, { compiled, steps: stepIndex(compiled.definition) });
      }

      const changes = new CaseChanges(now);
      const updates: { id: string; status: string; next_alarm: number; next_alarm_at: string | null; closed_at: string | null }[] = [];
      let stale = 0;
      for (const row of rows) {
        const active = row.case_status === 'active' && activeStepIds({ step: row.case_step, regions: row.regions ?? undefined }).includes(row.step);
        if (!active) {
          stale++;
          updates.push({ id: row.id, status: row.status === 'overdue' ? 'closed' : 'cancelled', next_alarm: row.next_alarm, next_alarm_at: null, closed_at: now.toISOString() });
          continue;
        }
        // Every alarm of the row due now, in one pass: a legal date is often due and escalated at the same instant.
        const definition = definitions.get(row.definition_key) as { compiled: CompiledDefinition; steps: ReturnType<typeof stepIndex> };
        let index = row.next_alarm;
        let status = row.status;
        for (let alarm = row.alarms[index]; alarm && alarm.kind !== 'event' && Date.parse(alarm.at) <= now.getTime(); alarm = row.alarms[++index]) {
          rungKinds.push(alarm.kind);
          const notice = this.notice(row, alarm, index, definition.compiled, definition.steps, chains.get(row.unit_path) ?? []);
          if (notice) changes.notify(notice);
          changes.record(row.case_id, {
            kind: 'deadline',
            actor: SYSTEM_ACTOR,
            fromStep: row.step,
            toStep: row.step,
            details: { deadlineId: row.id, alarm: alarm.kind, level: alarm.level, dueDate: row.due_date, notified: notice ? { unit: notice.unitCode, role: notice.role } : null },
          });
          if (alarm.kind === 'due') status = 'overdue';
        }
        const following = row.alarms[index];
        if (following) next.push(new Date(following.at));
        updates.push({ id: row.id, status, next_alarm: index, next_alarm_at: following?.at ?? null, closed_at: null });
      }

      await this.effects.write(tx, changes);
      await sql(
        tx,
        `update deadline d set status = x.status, next_alarm = x.next_alarm, next_alarm_at = x.next_alarm_at, closed_at = coalesce(x.closed_at, d.closed_at)
         from jsonb_to_recordset(?::jsonb) as x(id uuid, status text, next_alarm int, next_alarm_at timestamptz, closed_at timestamptz)
         where d.id = x.id`,
        [JSON.stringify(updates)],
      );
      return { rows: rows.length, rung: rungKinds.length, stale, notifications: changes.notifications.length };
    });
    for (const kind of rungKinds) this.metrics.alarmsRung.inc({ kind });
    const future = next.filter((d) => d.getTime() > now.getTime());
    if (future.length > 0) await this.timers.wakeAt(future, now);
    return result;
  }

  /** Whom an alarm tells, and what (Vietnamese first, English after). Null when there is nobody to tell. */
  private notice(row: DueRow, alarm: Alarm, index: number, compiled: CompiledDefinition, steps: ReturnType<typeof stepIndex>, chain: UnitLink[]): NotificationDraft | null {
    const spec = steps.get(row.step)?.step;
    const label = spec ? vi(spec.label) : row.step;
    const role = spec?.role ?? 'village_board';
    const ri = responsibleIndex(chain, compiled.definition.roles[role]?.level);
    const responsible = chain[ri];
    const village = `${row.village_name ?? row.village_code} (${row.village_code})`;
    const link = `${this.config.publicUrl.replace(/\/$/, '')}/cases/${row.case_id}`;
    const base = { dedupeKey: `deadline:${row.id}:alarm:${index}`, caseId: row.case_id };
    switch (alarm.kind) {
      case 'reminder':
        return {
          ...base,
          unitCode: responsible?.code ?? row.village_code,
          role,
          template: 'deadline-reminder',
          title: `Nhắc việc: ${label} — hạn ${dmy(row.due_date)}`,
          body: `${village}: bước "${label}" đến hạn ngày ${dmy(row.due_date)} (còn ${alarm.level} ngày làm việc). / Reminder: "${label}" is due on ${row.due_date}. ${link}`,
        };
      case 'due':
        return {
          ...base,
          unitCode: responsible?.code ?? row.village_code,
          role,
          template: 'step-overdue',
          title: `Quá hạn: ${label}`,
          body: `${village}: bước "${label}" đã quá hạn ngày ${dmy(row.due_date)}. / Overdue: "${label}" was due on ${row.due_date}. ${link}`,
        };
      case 'escalation': {
        const above = chain[ri - alarm.level];
        if (!above) return null; // above the province: nobody left to tell
        return {
          ...base,
          unitCode: above.code,
          role: `${above.level}_committee`,
          template: 'step-escalated',
          title: `Cảnh báo quá hạn (cấp ${alarm.level}): ${label}`,
          body: `${responsible?.name ?? ''} — ${village} chưa hoàn thành bước "${label}" (hạn ${dmy(row.due_date)}). / Escalation level ${alarm.level}: "${label}" overdue since ${row.due_date}. ${link}`,
        };
      }
      default:
        return null;
    }
  }

  /**
   * Sends a deadline's onDue event to its case (e.g. the end of a posting period): `fireEvents`
   * with one deadline.
   */
  async fireEvent(deadlineId: string): Promise<FireOutcome> {
    const [outcome] = await this.fireEvents([deadlineId]);
    return outcome;
  }

  /**
   * Sends the onDue events of a batch of deadlines (up to EVENT_BATCH) to their cases in one
   * transaction, one statement per step rather than per deadline: the case locks of all their
   * cases (id order), then the case rows, then the deadline rows (`for update`, id order) — the
   * engine's order, so it cannot deadlock with drains or acceptance; steps already left cancel
   * their deadline ('stale'); the others are marked fired, get their history row and their event
   * in the case inbox (`CaseAcceptanceService.insertBatch`, key `deadline:<id>`: a key already
   * used returns the existing event). One `wakeMany` after commit. Answers in the order asked.
   */
  async fireEvents(deadlineIds: readonly string[]): Promise<FireOutcome[]> {
    const ids = [...new Set(deadlineIds.map((id) => id.toLowerCase()).filter((id) => UUID.test(id)))];
    if (ids.length === 0) return deadlineIds.map(() => 'unknown');
    let batch: { outcomes: Map<string, FireOutcome>; wakeUps: Map<string, number> };
    try {
      batch = await this.em.fork().transactional((tx) => this.fireEventBatch(tx, ids));
    } catch (e) {
      if (ids.length === 1) throw e;
      // One deadline's failure (e.g. its key reused with another payload) stops only itself: the
      // others go one by one, then the first error is thrown.
      this.logger.warn(`onDue batch of ${ids.length} failed (${(e as Error).message}); firing one by one`);
      const outcomes = new Map<string, FireOutcome>();
      let failure: unknown;
      for (const id of ids) {
        try {
          outcomes.set(id, await this.fireEvent(id));
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) throw failure;
      return deadlineIds.map((id) => outcomes.get(id.toLowerCase()) ?? 'unknown');
    }
    const fired = [...batch.outcomes.values()].filter((o) => o === 'fired').length;
    if (fired > 0) this.metrics.alarmsRung.inc({ kind: 'event' }, fired);
    if (batch.wakeUps.size > 0) await this.producer.wakeMany([...batch.wakeUps].map(([caseId, seq]) => ({ caseId, seq })));
    return deadlineIds.map((id) => batch.outcomes.get(id.toLowerCase()) ?? 'unknown');
  }

  private async fireEventBatch(tx: EntityManager, ids: readonly string[]): Promise<{ outcomes: Map<string, FireOutcome>; wakeUps: Map<string, number> }> {
    const outcomes = new Map<string, FireOutcome>();
    const wakeUps = new Map<string, number>();
    const refs = await sql<{ id: string; case_id: string }>(tx, `select id, case_id from deadline where id = any(string_to_array(?, ',')::uuid[])`, [ids.join(',')]);
    if (refs.length === 0) return { outcomes, wakeUps };
    const caseIds = [...new Set(refs.map((r) => r.case_id))].sort();
    await lockCases(tx, caseIds);
    const cases = await sql<{ id: string; status: string; snapshot: CaseSnapshot }>(
      tx,
      `select id, status, snapshot from review_case where id = any(string_to_array(?, ',')::uuid[]) order by id for update`,
      [caseIds.join(',')],
    );
    const rows = await sql<{ id: string; case_id: string; step: string; due_date: string; spec: ResolvedDeadline; alarms: Alarm[]; next_alarm: number; next_alarm_at: Date | null }>(
      tx,
      `select id, case_id, step, due_date::text as due_date, spec, alarms, next_alarm, next_alarm_at from deadline
       where id = any(string_to_array(?, ',')::uuid[]) order by id for update`,
      [refs.map((r) => r.id).join(',')],
    );
    const caseById = new Map(cases.map((c) => [c.id, c]));
    const deadlineById = new Map(rows.map((d) => [d.id, d]));
    const now = this.clock.now();
    const stale: string[] = [];
    const fire: typeof rows = [];
    for (const id of ids) {
      const d = deadlineById.get(id);
      const c = d && caseById.get(d.case_id);
      if (!d || !c) continue; // gone: 'unknown'
      if (!d.next_alarm_at || d.alarms[d.next_alarm]?.kind !== 'event') outcomes.set(id, 'already-closed');
      else if (new Date(d.next_alarm_at).getTime() > now.getTime()) outcomes.set(id, 'not-due');
      else if (c.status === 'done' || !activeStepIds(c.snapshot).includes(d.step)) {
        outcomes.set(id, 'stale');
        stale.push(id);
      } else {
        outcomes.set(id, 'fired');
        fire.push(d);
      }
    }
    if (stale.length > 0) {
      await sql(tx, `update deadline set status = 'cancelled', closed_at = ?, next_alarm_at = null where id = any(string_to_array(?, ',')::uuid[])`, [now, stale.join(',')]);
    }
    if (fire.length === 0) return { outcomes, wakeUps };
    await sql(tx, `update deadline set status = 'fired', closed_at = ?, next_alarm = next_alarm + 1, next_alarm_at = null where id = any(string_to_array(?, ',')::uuid[])`, [
      now,
      fire.map((d) => d.id).join(','),
    ]);
    const changes = new CaseChanges(now);
    for (const d of fire) changes.record(d.case_id, { kind: 'deadline', actor: SYSTEM_ACTOR, fromStep: d.step, toStep: d.step, details: { deadlineId: d.id, alarm: 'event', dueDate: d.due_date, onDue: d.spec.onDue } });
    await this.effects.write(tx, changes);
    const receipts = await this.inbox.insertBatch(
      tx,
      fire.map((d) => ({ caseId: d.case_id, type: d.spec.onDue as string, data: {}, actor: SYSTEM_ACTOR, key: `deadline:${d.id}` })),
    );
    for (const r of receipts) {
      if (!r.ok) throw r.error;
      wakeUps.set(r.value.caseId, Math.max(wakeUps.get(r.value.caseId) ?? 0, r.value.seq));
    }
    return { outcomes, wakeUps };
  }

  /**
   * The safety net, run every few seconds by a job scheduler: rings every alarm that is due
   * (whatever happened to its wake-up job), re-arms the wake-ups of the next hour (Redis may
   * have lost them), and re-wakes cases whose accepted events have waited too long.
   */
  async sweep(staleEventSeconds: number, limit = 5000): Promise<AlarmRun & { fired: number; woken: number; rearmed: number }> {
    const em = this.em.fork();
    const now = this.clock.now();
    const stale = await em.execute<{ case_id: string; seq: number }[]>(
      `select case_id, max(seq) as seq from case_event where status = 'pending' and received_at < ? group by case_id limit ?`,
      [new Date(now.getTime() - staleEventSeconds * 1000), limit],
    );
    await this.producer.rewakeMany(stale.map((r) => ({ caseId: r.case_id, seq: Number(r.seq) })), now);
    await this.recompute.recomputeOutdated();
    const run = await this.fireDue();
    if (now.getTime() - this.snapshotAt >= 3_600_000 || civilDateOf(now) !== civilDateOf(new Date(this.snapshotAt))) {
      await snapshotStageCounters(em, now);
      this.snapshotAt = now.getTime();
    }
    const upcoming = await em.execute<{ second: string }[]>(
      `select distinct ceil(extract(epoch from next_alarm_at))::bigint as second from deadline where next_alarm_at > ? and next_alarm_at <= ? limit ?`,
      [now, new Date(now.getTime() + 3_600_000), limit],
    );
    await this.timers.wakeAt(upcoming.map((u) => new Date(Number(u.second) * 1000)), now);
    if (stale.length > 0) this.logger.log(`sweep: re-woke ${stale.length} cases`);
    return { ...run, fired: run.rung + run.events, woken: stale.length, rearmed: upcoming.length };
  }
}
