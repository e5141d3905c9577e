import { CalendarErrorCode } from './calendar-error';
import { plusDays } from './civil-date';
import { lunarToSolar, solarToLunar } from './lunar-calendar';

const firstDay = (year: number, month: number, utcOffsetHours?: number) =>
  lunarToSolar({ year, month, day: 1, leap: false }, utcOffsetHours);

describe('Vietnamese lunar calendar', () => {
  it.each([
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
  ])('Tết %i is %s', (year, date) => {
    expect(firstDay(year, 1)).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 1, day: 1, leap: false });
  });

  it.each([
    [2024, '2024-04-18'],
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
    [2027, '2027-04-16'],
    [2028, '2028-04-04'],
  ])('Giỗ Tổ Hùng Vương (10/3 lunar) %i is %s', (year, date) => {
    expect(lunarToSolar({ year, month: 3, day: 10, leap: false })).toBe(date);
  });

  it.each([
    // New moons just before local midnight: UTC+7 and China's UTC+8 see different days.
    [1968, '1968-01-29', '1968-01-30'],
    [1985, '1985-01-21', '1985-02-20'],
    [2007, '2007-02-17', '2007-02-18'],
    [2030, '2030-02-02', '2030-02-03'],
  ])('computes Tết %i with UTC+7 (%s), not UTC+8 (%s)', (year, vietnam, china) => {
    expect(firstDay(year, 1)).toBe(vietnam);
    expect(firstDay(year, 1, 8)).toBe(china);
  });

  it('knows the last day of the lunar year: 29 tháng Chạp before Tết 2026', () => {
    expect(solarToLunar('2026-02-16')).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    expect(solarToLunar('2025-01-28')).toEqual({ year: 2024, month: 12, day: 29, leap: false });
    expect(solarToLunar('2024-02-09')).toEqual({ year: 2023, month: 12, day: 30, leap: false });
  });

  it('handles leap months (tháng nhuận)', () => {
    expect(solarToLunar('2023-03-22')).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(solarToLunar('2025-07-25')).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(lunarToSolar({ year: 2025, month: 6, day: 1, leap: true })).toBe('2025-07-25');
    expect(lunarToSolar({ year: 2025, month: 6, day: 1, leap: false })).toBe('2025-06-25');
  });

  it('rejects lunar dates that do not exist', () => {
    const invalid = expect.objectContaining({ code: CalendarErrorCode.InvalidLunarDate });
    expect(() => lunarToSolar({ year: 2026, month: 6, day: 1, leap: true })).toThrow(invalid);
    expect(() => lunarToSolar({ year: 2025, month: 5, day: 1, leap: true })).toThrow(invalid);
    expect(() => lunarToSolar({ year: 2025, month: 12, day: 30, leap: false })).toThrow(invalid);
    expect(() => lunarToSolar({ year: 2026, month: 13, day: 1, leap: false })).toThrow(invalid);
  });

  it('round-trips every day of 2026–2028', () => {
    for (let date = '2026-01-01'; date <= '2028-12-31'; date = plusDays(date, 1)) {
      expect(lunarToSolar(solarToLunar(date))).toBe(date);
    }
  });
});
