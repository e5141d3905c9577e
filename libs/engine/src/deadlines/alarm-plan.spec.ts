import { WorkingDayCalendar } from '@rasoat/calendar';
import { CALENDAR_DATA_DIR, loadCalendarData } from './calendar-data.loader';
import { planAlarms } from './alarm-plan';

const calendar = new WorkingDayCalendar({ data: loadCalendarData(CALENDAR_DATA_DIR) });
const due = { dueDate: '2026-09-08', dueAt: new Date('2026-09-08T16:59:59.999Z') };
const now = new Date('2026-08-20T00:00:00Z');

describe('planAlarms', () => {
  it('reminds N working days before at 08:00, then due, then escalates one level every N working days', () => {
    const alarms = planAlarms(
      {
        due: { kind: 'windowEnd' },
        reminders: [{ workingDaysBefore: 3 }, { workingDaysBefore: 1 }],
        escalation: { everyWorkingDays: 2, maxLevels: 3 },
      },
      due,
      calendar,
      now,
    );
    expect(alarms).toEqual([
      // 3 working days before Tue 8/9: 7/9, 4/9, 3/9 (in 2026 the National Day holidays are 1–2/9).
      { at: '2026-09-03T01:00:00.000Z', kind: 'reminder', level: 3 },
      { at: '2026-09-07T01:00:00.000Z', kind: 'reminder', level: 1 },
      { at: '2026-09-08T16:59:59.999Z', kind: 'due', level: 0 },
      { at: '2026-09-08T16:59:59.999Z', kind: 'escalation', level: 1 },
      { at: '2026-09-10T01:00:00.000Z', kind: 'escalation', level: 2 },
      { at: '2026-09-14T01:00:00.000Z', kind: 'escalation', level: 3 },
    ]);
  });

  it('drops reminders already past when armed, and replaces due/escalation by the event for onDue deadlines', () => {
    const alarms = planAlarms(
      {
        due: { kind: 'workingDays', days: 3, from: 'stepEntered' },
        reminders: [{ workingDaysBefore: 3 }],
        onDue: 'POSTING_PERIOD_ENDED',
        escalation: { everyWorkingDays: 1, maxLevels: 2 },
      },
      due,
      calendar,
      new Date('2026-09-05T00:00:00Z'),
    );
    expect(alarms).toEqual([{ at: '2026-09-08T16:59:59.999Z', kind: 'event', level: 0 }]);
  });
});
