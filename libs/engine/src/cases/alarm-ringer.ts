import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import { activeStepIds, stepIndex } from '@rasoat/workflow-core';
import { TimersProducer } from '../deadlines';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitDirectory } from '../units';
import { CaseChanges } from './case-changes';
import { CaseEffectWriter } from './case-effect-writer';
import { DeadlineAlarmsRepository, type RungDeadlineUpdate } from './deadline-alarms.repository';
import { deadlineNotice, type NoticeDefinition } from './deadline-notice';
import { EVENT_BATCH, OnDueEventSender } from './on-due-event-sender';

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

/** Due deadlines locked per transaction. */
const BATCH = 5000;

/**
 * Rings deadline alarms. Reminders, overdue notices and escalations are rung in set-based
 * batches (one statement each for notifications, history and deadline rows per batch of
 * 5,000), so that a legal date shared by 80,000 villages is handled in seconds; the onDue
 * events due go to `OnDueEventSender` in batches of EVENT_BATCH. Each alarm advances the
 * deadline's `next_alarm` in the same transaction as its notification, and notifications carry
 * a dedupe key: an alarm never rings twice, whatever crashes.
 */
@Injectable()
export class AlarmRinger {
  private readonly logger = new Logger(AlarmRinger.name);

  constructor(
    private readonly alarms: DeadlineAlarmsRepository,
    private readonly registry: DefinitionRegistry,
    private readonly units: UnitDirectory,
    private readonly effects: CaseEffectWriter,
    private readonly onDue: OnDueEventSender,
    private readonly timers: TimersProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Rings every alarm due now, batch after batch until none is left, in two lanes at once (the
   * batches skip each other's locked rows): one builds its rows while the other's statements run.
   * Then sends the onDue events due (up to 5,000, in batches of EVENT_BATCH).
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
    const events = await this.alarms.dueEvents(now);
    for (let i = 0; i < events.length; i += EVENT_BATCH) {
      const outcomes = await this.onDue.fireEvents(events.slice(i, i + EVENT_BATCH));
      run.events += outcomes.filter((o) => o === 'fired').length;
    }
    if (run.rung + run.events + run.stale > 0)
      this.logger.log(
        `alarms: ${run.rung} rung, ${run.events} events, ${run.stale} stale, ${run.notifications} notifications`,
      );
    return run;
  }

  private async ringBatch(now: Date): Promise<{ rows: number; rung: number; stale: number; notifications: number }> {
    const next: Date[] = [];
    const rungKinds: string[] = [];
    const result = await this.alarms.transaction(async (tx) => {
      // Re-doable like applying events: a lost commit leaves the alarms due, and they ring again.
      await this.alarms.commitAsynchronously(tx);
      const rows = await this.alarms.lockDue(tx, now, BATCH);
      if (rows.length === 0) return { rows: 0, rung: 0, stale: 0, notifications: 0 };
      const chains = await this.units.chains([...new Set(rows.map((r) => r.unit_path))], tx);
      // Each definition once per batch, with its step index (a batch may hold 5,000 rows of one definition).
      const definitions = new Map<string, NoticeDefinition>();
      for (const key of new Set(rows.map((r) => r.definition_key))) {
        const compiled = await this.registry.get(key, tx);
        definitions.set(key, { compiled, steps: stepIndex(compiled.definition) });
      }

      const changes = new CaseChanges(now);
      const updates: RungDeadlineUpdate[] = [];
      let stale = 0;
      for (const row of rows) {
        const active =
          row.case_status === 'active' &&
          activeStepIds({ step: row.case_step, regions: row.regions ?? undefined }).includes(row.step);
        if (!active) {
          stale++;
          updates.push({
            id: row.id,
            status: row.status === 'overdue' ? 'closed' : 'cancelled',
            next_alarm: row.next_alarm,
            next_alarm_at: null,
            closed_at: now.toISOString(),
          });
          continue;
        }
        // Every alarm of the row due now, in one pass: a legal date is often due and escalated at the same instant.
        const definition = definitions.get(row.definition_key) as NoticeDefinition;
        let index = row.next_alarm;
        let status = row.status;
        for (
          let alarm = row.alarms[index];
          alarm && alarm.kind !== 'event' && Date.parse(alarm.at) <= now.getTime();
          alarm = row.alarms[++index]
        ) {
          rungKinds.push(alarm.kind);
          const notice = deadlineNotice(
            row,
            alarm,
            index,
            definition,
            chains.get(row.unit_path) ?? [],
            this.config.publicUrl,
          );
          if (notice) changes.notify(notice);
          changes.record(row.case_id, {
            kind: 'deadline',
            actor: SYSTEM_ACTOR,
            fromStep: row.step,
            toStep: row.step,
            details: {
              deadlineId: row.id,
              alarm: alarm.kind,
              level: alarm.level,
              dueDate: row.due_date,
              notified: notice ? { unit: notice.unitCode, role: notice.role } : null,
            },
          });
          if (alarm.kind === 'due') status = 'overdue';
        }
        const following = row.alarms[index];
        if (following) next.push(new Date(following.at));
        updates.push({ id: row.id, status, next_alarm: index, next_alarm_at: following?.at ?? null, closed_at: null });
      }

      await this.effects.write(tx, changes);
      await this.alarms.updateRung(tx, updates);
      return { rows: rows.length, rung: rungKinds.length, stale, notifications: changes.notifications.length };
    });
    for (const kind of rungKinds) this.metrics.alarmsRung.inc({ kind });
    const future = next.filter((d) => d.getTime() > now.getTime());
    if (future.length > 0) await this.timers.wakeAt(future, now);
    return result;
  }
}
