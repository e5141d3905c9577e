import { dmy } from '@rasoat/calendar';
import { stepIndex, vi, type CompiledDefinition } from '@rasoat/workflow-core';
import type { Alarm } from '../deadlines';
import { responsibleIndex, type UnitLink } from '../units';
import type { NotificationDraft } from './case-changes';
import type { DueAlarmRow } from './deadline-alarms.repository';

/** A definition and its step index, looked up once per batch of alarms. */
export interface NoticeDefinition {
  compiled: CompiledDefinition;
  steps: ReturnType<typeof stepIndex>;
}

/** What an alarm's notice says of its deadline, its case and the village. */
export type NoticeSubject = Pick<DueAlarmRow, 'id' | 'case_id' | 'step' | 'due_date' | 'village_code' | 'village_name'>;

/**
 * Whom the alarm at `index` of a deadline tells, and what (Vietnamese first, English after): a
 * reminder and the overdue notice go to the step's role at its responsible unit, an escalation
 * of level L to the committee L levels above that unit. Null when there is nobody to tell (an
 * escalation above the province) or the alarm is not a notice. The dedupe key
 * `deadline:<id>:alarm:<index>` makes the notice once per alarm, whatever rings it again.
 */
export function deadlineNotice(
  subject: NoticeSubject,
  alarm: Alarm,
  index: number,
  definition: NoticeDefinition,
  chain: UnitLink[],
  publicUrl: string,
): NotificationDraft | null {
  const spec = definition.steps.get(subject.step)?.step;
  const label = spec ? vi(spec.label) : subject.step;
  const role = spec?.role ?? 'village_board';
  const ri = responsibleIndex(chain, definition.compiled.definition.roles[role]?.level);
  const responsible = chain[ri];
  const village = `${subject.village_name ?? subject.village_code} (${subject.village_code})`;
  const link = `${publicUrl.replace(/\/$/, '')}/cases/${subject.case_id}`;
  const base = { dedupeKey: `deadline:${subject.id}:alarm:${index}`, caseId: subject.case_id };
  switch (alarm.kind) {
    case 'reminder':
      return {
        ...base,
        unitCode: responsible?.code ?? subject.village_code,
        role,
        template: 'deadline-reminder',
        title: `Nhắc việc: ${label} — hạn ${dmy(subject.due_date)}`,
        body: `${village}: bước "${label}" đến hạn ngày ${dmy(subject.due_date)} (còn ${alarm.level} ngày làm việc). / Reminder: "${label}" is due on ${subject.due_date}. ${link}`,
      };
    case 'due':
      return {
        ...base,
        unitCode: responsible?.code ?? subject.village_code,
        role,
        template: 'step-overdue',
        title: `Quá hạn: ${label}`,
        body: `${village}: bước "${label}" đã quá hạn ngày ${dmy(subject.due_date)}. / Overdue: "${label}" was due on ${subject.due_date}. ${link}`,
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
        body: `${responsible?.name ?? ''} — ${village} chưa hoàn thành bước "${label}" (hạn ${dmy(subject.due_date)}). / Escalation level ${alarm.level}: "${label}" overdue since ${subject.due_date}. ${link}`,
      };
    }
    default:
      return null;
  }
}
