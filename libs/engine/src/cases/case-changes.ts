import { randomUUID } from 'node:crypto';
import type { Actor } from '@rasoat/contracts';
import type { HistoryKind } from '@rasoat/persistence';
import type { ArmedDeadline } from '../deadlines';

export interface HistoryEntry {
  kind: HistoryKind;
  seq?: number | null;
  eventType?: string | null;
  actor: Actor;
  fromStep?: string | null;
  toStep?: string | null;
  details?: Record<string, unknown>;
}

export interface NotificationDraft {
  dedupeKey: string;
  unitCode: string;
  role: string;
  template: string;
  title: string;
  body: string;
  caseId: string | null;
}

/** A deadline row to insert: armed, or already cancelled when a later event of the same batch left its step. */
interface DeadlineDraft extends ArmedDeadline {
  id: string;
  caseId: string;
  step: string;
  spec: unknown;
  status: 'armed' | 'cancelled';
}

/**
 * Everything a batch of transitions writes, collected in memory in the order it happened and
 * written by CaseEffectWriter with one statement per table. Its rules keep the result equal to
 * writing each change as it happens: a deadline armed and then left within the same batch is
 * inserted as cancelled, and closing a step touches only the rows that existed before.
 */
export class CaseChanges {
  readonly events: { id: string; status: 'applied' | 'rejected'; code: string | null; reason: string | null }[] = [];
  readonly history: (HistoryEntry & { caseId: string })[] = [];
  readonly notifications: NotificationDraft[] = [];
  /** Steps left, whose open deadline rows written before this batch close. */
  readonly closedSteps: { caseId: string; step: string }[] = [];
  readonly deadlines: DeadlineDraft[] = [];
  /** Per-commune step counters: `campaign|commune|step` → delta. */
  readonly counters = new Map<string, number>();
  /** Per-commune stages newly reached: `campaign|commune|stage` → cases. */
  readonly stages = new Map<string, number>();

  constructor(readonly now: Date) {}

  get isEmpty(): boolean {
    return (
      this.events.length +
        this.history.length +
        this.notifications.length +
        this.closedSteps.length +
        this.deadlines.length +
        this.counters.size +
        this.stages.size ===
      0
    );
  }

  event(id: string, status: 'applied' | 'rejected', rejection?: { code: string; reason: string }): void {
    this.events.push({ id, status, code: rejection?.code ?? null, reason: rejection?.reason ?? null });
  }

  record(caseId: string, entry: HistoryEntry): void {
    this.history.push({ caseId, ...entry });
  }

  notify(n: NotificationDraft): void {
    this.notifications.push(n);
  }

  arm(caseId: string, step: string, spec: unknown, planned: ArmedDeadline): void {
    this.deadlines.push({ id: randomUUID(), caseId, step, spec, status: 'armed', ...planned });
  }

  /** The step was left: deadlines armed earlier in this batch are cancelled in memory, older ones in the database. */
  close(caseId: string, step: string): void {
    for (const d of this.deadlines)
      if (d.caseId === caseId && d.step === step && d.status === 'armed') d.status = 'cancelled';
    this.closedSteps.push({ caseId, step });
  }

  /** Moves one case between steps in the per-commune counters, and records newly reached stages. */
  move(
    campaignId: string,
    communeCode: string,
    fromStep: string,
    toStep: string,
    fromMaxStage: number,
    toMaxStage: number,
  ): void {
    if (fromStep !== toStep) {
      add(this.counters, `${campaignId}|${communeCode}|${fromStep}`, -1);
      add(this.counters, `${campaignId}|${communeCode}|${toStep}`, 1);
    }
    for (let stage = fromMaxStage + 1; stage <= toMaxStage; stage++)
      add(this.stages, `${campaignId}|${communeCode}|${stage}`, 1);
  }

  /** When the first alarm of each deadline still armed rings: the wake-ups to schedule after commit. */
  wakeUps(): Date[] {
    return this.deadlines.flatMap((d) => (d.status === 'armed' && d.firstAlarmAt ? [d.firstAlarmAt] : []));
  }
}

function add(map: Map<string, number>, key: string, delta: number): void {
  const value = (map.get(key) ?? 0) + delta;
  if (value === 0) map.delete(key);
  else map.set(key, value);
}
