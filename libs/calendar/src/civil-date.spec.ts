import { CalendarErrorCode } from './calendar-error';
import { civilDateOf, dmy, endOfDayInstant, isCivilDate, isoWeekday, parseCivilDate, plusDays } from './civil-date';

describe('civil dates', () => {
  it('accepts only existing YYYY-MM-DD dates', () => {
    expect(isCivilDate('2028-02-29')).toBe(true);
    expect(isCivilDate('2027-02-29')).toBe(false);
    expect(isCivilDate('2026-02-30')).toBe(false);
    expect(isCivilDate('2026-2-3')).toBe(false);
    expect(isCivilDate('2026-02-03T00:00')).toBe(false);
  });

  it('writes a date day first, as Vietnamese do', () => {
    expect(dmy('2026-11-23')).toBe('23/11/2026');
    expect(dmy('2027-01-05')).toBe('05/01/2027');
  });

  it('rejects years outside the supported range', () => {
    expect(() => parseCivilDate('2200-01-01')).toThrow(expect.objectContaining({ code: CalendarErrorCode.OutOfRange }));
    expect(() => parseCivilDate('26-01-01')).toThrow(expect.objectContaining({ code: CalendarErrorCode.InvalidDate }));
  });

  it('computes weekdays and day arithmetic across month, year and leap day', () => {
    expect(isoWeekday('2026-04-26')).toBe(7);
    expect(isoWeekday('2028-04-30')).toBe(7);
    expect(isoWeekday('2026-09-02')).toBe(3);
    expect(plusDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(plusDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  describe('instants in Asia/Ho_Chi_Minh (UTC+7)', () => {
    it('gives the Vietnamese date of an instant near midnight, not the UTC one', () => {
      // 23:30 UTC on 30 September is already 06:30 on 1 October in Hà Nội.
      expect(civilDateOf(new Date('2026-09-30T23:30:00Z'))).toBe('2026-10-01');
      // Midnight in Vietnam is 17:00 UTC the day before.
      expect(civilDateOf(new Date('2026-09-30T16:59:59.999Z'))).toBe('2026-09-30');
      expect(civilDateOf(new Date('2026-09-30T17:00:00.000Z'))).toBe('2026-10-01');
      expect(civilDateOf(new Date('2026-10-01T00:00:00+07:00'))).toBe('2026-10-01');
    });

    it('ends a civil date at 23:59:59.999+07:00', () => {
      const end = endOfDayInstant('2026-12-14');
      expect(end.toISOString()).toBe('2026-12-14T16:59:59.999Z');
      expect(civilDateOf(end)).toBe('2026-12-14');
      expect(civilDateOf(new Date(end.getTime() + 1))).toBe('2026-12-15');
    });

    it('rejects an invalid Date', () => {
      expect(() => civilDateOf(new Date('nope'))).toThrow(
        expect.objectContaining({ code: CalendarErrorCode.InvalidInstant }),
      );
    });
  });
});
