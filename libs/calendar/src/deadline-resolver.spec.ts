import { CalendarErrorCode } from './calendar-error';
import { parseCalendarData } from './calendar-data.schema';
import { resolveDeadline, type DeadlineContext } from './deadline-resolver';
import { DeadlineRuleSchema, type DeadlineRule } from './deadline-rule.schema';
import { WorkingDayCalendar } from './working-day-calendar';

const calendar = new WorkingDayCalendar();
const window = { start: '2026-09-01', end: '2026-12-14' };
// 10:00 in Hà Nội on Thursday 15 October 2026.
const entered = new Date('2026-10-15T10:00:00+07:00');
const ctx = (milestones: Record<string, Date> = { stepEntered: entered }): DeadlineContext => ({
  calendar,
  milestones,
  window,
});
const due = (rule: DeadlineRule, context = ctx()) => resolveDeadline(rule, context).dueDate;

describe('DeadlineRuleSchema', () => {
  it('parses every kind and defaults `from` to stepEntered', () => {
    expect(
      DeadlineRuleSchema.parse({
        kind: 'earliest',
        of: [
          { kind: 'workingDays', days: 3 },
          { kind: 'calendarDays', days: 15, from: 'campaignStart' },
          { kind: 'windowEnd' },
          { kind: 'date', date: '2026-12-14' },
        ],
      }),
    ).toEqual({
      kind: 'earliest',
      of: [
        { kind: 'workingDays', days: 3, from: 'stepEntered' },
        { kind: 'calendarDays', days: 15, from: 'campaignStart' },
        { kind: 'windowEnd' },
        { kind: 'date', date: '2026-12-14' },
      ],
    });
  });

  it.each([
    [{ kind: 'workingDays', days: -1 }],
    [{ kind: 'workingDays', days: 1.5 }],
    [{ kind: 'date', date: '2026-02-30' }],
    [{ kind: 'earliest', of: [{ kind: 'windowEnd' }] }],
    [{ kind: 'weeks', days: 1 }],
    [{ kind: 'windowEnd', days: 1 }],
  ])('rejects %j', (rule) => {
    expect(DeadlineRuleSchema.safeParse(rule).success).toBe(false);
  });
});

describe('resolveDeadline', () => {
  it('workingDays: counts from the day after the milestone and falls due at the end of the day, +07:00', () => {
    expect(resolveDeadline({ kind: 'workingDays', days: 3, from: 'stepEntered' }, ctx())).toEqual({
      dueDate: '2026-10-20',
      dueAt: new Date('2026-10-20T23:59:59.999+07:00'),
    });
  });

  it('workingDays: three days of posting across Tết 2026', () => {
    expect(
      due(
        { kind: 'workingDays', days: 3, from: 'stepEntered' },
        ctx({ stepEntered: new Date('2026-02-12T09:00:00+07:00') }),
      ),
    ).toBe('2026-02-24');
  });

  it('takes the milestone’s date in Vietnam, not in UTC', () => {
    // 18:00 UTC on Thursday is already 01:00 on Friday in Hà Nội: one working day later is Monday.
    const lateNightUtc = new Date('2026-10-15T18:00:00Z');
    expect(due({ kind: 'workingDays', days: 1, from: 'stepEntered' }, ctx({ stepEntered: lateNightUtc }))).toBe(
      '2026-10-19',
    );
  });

  it('counts from a named milestone', () => {
    const milestones = { stepEntered: entered, survey: new Date('2026-09-01T08:00:00+07:00') };
    expect(due({ kind: 'workingDays', days: 1, from: 'survey' }, ctx(milestones))).toBe('2026-09-04');
  });

  it('calendarDays: counts every day, then a last day that is a day off moves to the next working day', () => {
    expect(due({ kind: 'calendarDays', days: 15, from: 'stepEntered' })).toBe('2026-10-30');
    // 15 + 3 = Sunday 18 October -> Monday 19.
    expect(due({ kind: 'calendarDays', days: 3, from: 'stepEntered' })).toBe('2026-10-19');
    // 16 April + 10 = Sunday 26 April (Giỗ Tổ), Monday 27 is its compensatory day -> Tuesday 28.
    expect(
      due(
        { kind: 'calendarDays', days: 10, from: 'stepEntered' },
        ctx({ stepEntered: new Date('2026-04-16T09:00:00+07:00') }),
      ),
    ).toBe('2026-04-28');
  });

  it('date: an absolute civil date, kept even when it is a day off', () => {
    expect(resolveDeadline({ kind: 'date', date: '2026-12-12' }, ctx())).toEqual({
      dueDate: '2026-12-12',
      dueAt: new Date('2026-12-12T16:59:59.999Z'),
    });
  });

  it('windowEnd: the last day of the campaign window', () => {
    expect(due({ kind: 'windowEnd' })).toBe('2026-12-14');
    expect(() => resolveDeadline({ kind: 'windowEnd' }, { calendar, milestones: {} })).toThrow(
      expect.objectContaining({ code: CalendarErrorCode.InvalidDeadlineRule }),
    );
  });

  it('earliest: the earlier of its rules', () => {
    const rule: DeadlineRule = {
      kind: 'earliest',
      of: [{ kind: 'workingDays', days: 15, from: 'stepEntered' }, { kind: 'windowEnd' }],
    };
    expect(due(rule)).toBe('2026-11-05');
    expect(due(rule, ctx({ stepEntered: new Date('2026-12-01T09:00:00+07:00') }))).toBe('2026-12-14');
  });

  it('names an unknown milestone and the known ones', () => {
    expect(() => resolveDeadline({ kind: 'workingDays', days: 3, from: 'recheck' }, ctx())).toThrow(
      expect.objectContaining({
        code: CalendarErrorCode.UnknownMilestone,
        message: 'unknown milestone "recheck" (known: stepEntered)',
      }),
    );
    // Names inherited from Object.prototype are not milestones.
    expect(() => resolveDeadline({ kind: 'workingDays', days: 3, from: 'toString' }, ctx())).toThrow(
      /unknown milestone "toString"/,
    );
  });

  it('rejects a negative day count that bypassed the schema', () => {
    expect(() => resolveDeadline({ kind: 'workingDays', days: -2, from: 'stepEntered' }, ctx())).toThrow(
      expect.objectContaining({ code: CalendarErrorCode.InvalidDeadlineRule }),
    );
  });

  it('moves an armed deadline when a day off is added mid-season', () => {
    const rule: DeadlineRule = { kind: 'workingDays', days: 3, from: 'stepEntered' };
    const before = resolveDeadline(rule, ctx());
    const updated = calendar.withData(
      parseCalendarData(
        { year: 2026, source: 'Công điện (test)', daysOff: [{ date: '2026-10-19', name: 'Nghỉ do bão' }] },
        'test',
      ),
    );
    const after = resolveDeadline(rule, { ...ctx(), calendar: updated });
    expect(before.dueDate).toBe('2026-10-20');
    expect(after.dueDate).toBe('2026-10-21');
    expect(after.dueAt.getTime() - before.dueAt.getTime()).toBe(86_400_000);
  });

  it('gives reminder dates in working days before the due date', () => {
    const { dueDate } = resolveDeadline({ kind: 'windowEnd' }, ctx());
    expect(calendar.reminderDate(dueDate, { workingDaysBefore: 20 })).toBe('2026-11-16');
  });
});
