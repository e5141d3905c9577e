import { dmy } from '@rasoat/calendar';
import { at, dayPlan, daysBetween, endsWeek, plusDays, seasonWindow } from './season-calendar';

const definition = (window?: { start: string; end: string }) => ({ id: 'periodic-review', version: 1, window });

describe('the season calendar', () => {
  it('places an hour of a civil day in Asia/Ho_Chi_Minh (UTC+7)', () => {
    expect(at('2026-09-01', '06:00:00').toISOString()).toBe('2026-08-31T23:00:00.000Z');
    expect(at('2026-12-14', '09:00:00').toISOString()).toBe('2026-12-14T02:00:00.000Z');
  });

  it('counts civil days across month and year ends, and writes them day first', () => {
    expect(plusDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(plusDays('2026-09-01', -1)).toBe('2026-08-31');
    expect(plusDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(daysBetween('2026-09-01', '2026-12-14')).toBe(104);
    expect(daysBetween('2026-12-14', '2026-09-01')).toBe(-104);
    expect(dmy('2026-11-23')).toBe('23/11/2026');
  });

  it('takes the campaign window from the definition: full dates, a recurring window placed in the year, else 1 September – 14 December', () => {
    expect(seasonWindow(definition(), null, 2026)).toEqual({ start: '2026-09-01', end: '2026-12-14', year: 2026 });
    expect(seasonWindow(definition(), 2027, 2026)).toEqual({ start: '2027-09-01', end: '2027-12-14', year: 2027 });
    expect(seasonWindow(definition({ start: '10-15', end: '12-20' }), null, 2026)).toEqual({
      start: '2026-10-15',
      end: '2026-12-20',
      year: 2026,
    });
    expect(seasonWindow(definition({ start: '11-01', end: '02-15' }), null, 2026)).toEqual({
      start: '2026-11-01',
      end: '2027-02-15',
      year: 2026,
    });
    expect(seasonWindow(definition({ start: '2025-09-15', end: '2025-12-10' }), null, 2026)).toEqual({
      start: '2025-09-15',
      end: '2025-12-10',
      year: 2025,
    });
    expect(seasonWindow(definition({ start: '2025-09-15', end: '2025-12-10' }), 2025, 2026).year).toBe(2025);
    expect(() => seasonWindow(definition({ start: '2025-09-15', end: '2025-12-10' }), 2026, 2026)).toThrow(
      'periodic-review@1 is for the 2025-09-15 – 2025-12-10 window: --year 2026 does not match',
    );
  });

  it('plays the digests at their hour, the alarms at 08:00 and the villages’ work at 09:00, in the order of the clock', () => {
    const plan = (hour: number) => dayPlan(hour).map((p) => `${p.time} ${p.name}`);
    expect(plan(7)).toEqual(['07:00:00 digests', '08:00:00 alarms', '09:00:00 work']);
    expect(plan(0)).toEqual(['00:00:00 digests', '08:00:00 alarms', '09:00:00 work']);
    expect(plan(12)).toEqual(['08:00:00 alarms', '09:00:00 work', '12:00:00 digests']);
    // At the same hour as another phase, the digests still come first.
    expect(plan(8)).toEqual(['08:00:00 digests', '08:00:00 alarms', '09:00:00 work']);
    expect(plan(9)).toEqual(['08:00:00 alarms', '09:00:00 digests', '09:00:00 work']);
  });

  it('cuts the days into weeks of seven from the window start, the last one ending on the last day simulated', () => {
    const until = '2026-12-24'; // 14 December and 10 days after
    const weeks: string[] = [];
    let from = '2026-09-01';
    for (let day = from; day <= until; day = plusDays(day, 1)) {
      if (endsWeek(from, day, until)) {
        weeks.push(`${from}…${day}`);
        from = plusDays(day, 1);
      }
    }
    expect(weeks).toHaveLength(17);
    expect(weeks[0]).toBe('2026-09-01…2026-09-07');
    expect(weeks[16]).toBe('2026-12-22…2026-12-24');
  });
});
