import { CalendarErrorCode } from './calendar-error';
import { parseCalendarData, type CalendarData } from './calendar-data.schema';
import { WorkingDayCalendar } from './working-day-calendar';

const national = new WorkingDayCalendar();
const list = (calendar: WorkingDayCalendar, year: number) => calendar.holidays(year).map((d) => `${d.date} ${d.name}`);
const data = (value: Partial<CalendarData> & { year: number }) =>
  parseCalendarData({ source: 'test', ...value }, 'test');

describe('WorkingDayCalendar', () => {
  describe('holidays (Labour Code 2019 defaults)', () => {
    it('lists 2026: Tết 16–20/2, Giỗ Tổ on a Sunday made up on Monday, 30/4–1/5, 2/9 + 3/9', () => {
      expect(list(national, 2026)).toEqual([
        '2026-01-01 Tết Dương lịch',
        '2026-02-16 Tết Nguyên Đán (29 tháng Chạp)',
        '2026-02-17 Tết Nguyên Đán (mùng 1 tháng Giêng)',
        '2026-02-18 Tết Nguyên Đán (mùng 2 tháng Giêng)',
        '2026-02-19 Tết Nguyên Đán (mùng 3 tháng Giêng)',
        '2026-02-20 Tết Nguyên Đán (mùng 4 tháng Giêng)',
        '2026-04-26 Giỗ Tổ Hùng Vương',
        '2026-04-27 Nghỉ bù Giỗ Tổ Hùng Vương',
        '2026-04-30 Ngày Chiến thắng',
        '2026-05-01 Ngày Quốc tế Lao động',
        '2026-09-02 Quốc khánh',
        '2026-09-03 Quốc khánh (ngày liền kề)',
      ]);
    });

    it('lists 2027: Tết days on the weekend and 1/5 on a Saturday get compensatory days', () => {
      expect(national.holidays(2027).map((d) => [d.date, d.kind])).toEqual([
        ['2027-01-01', 'statutory'],
        ['2027-02-05', 'statutory'],
        ['2027-02-06', 'statutory'],
        ['2027-02-07', 'statutory'],
        ['2027-02-08', 'statutory'],
        ['2027-02-09', 'statutory'],
        ['2027-02-10', 'compensatory'],
        ['2027-02-11', 'compensatory'],
        ['2027-04-16', 'statutory'],
        ['2027-04-30', 'statutory'],
        ['2027-05-01', 'statutory'],
        ['2027-05-03', 'compensatory'],
        ['2027-09-02', 'statutory'],
        ['2027-09-03', 'statutory'],
      ]);
    });

    it('lists 2028: 30/4 on a Sunday is made up after 1/5, on Tuesday 2/5', () => {
      expect(list(national, 2028)).toEqual([
        '2028-01-01 Tết Dương lịch',
        '2028-01-03 Nghỉ bù Tết Dương lịch',
        '2028-01-25 Tết Nguyên Đán (29 tháng Chạp)',
        '2028-01-26 Tết Nguyên Đán (mùng 1 tháng Giêng)',
        '2028-01-27 Tết Nguyên Đán (mùng 2 tháng Giêng)',
        '2028-01-28 Tết Nguyên Đán (mùng 3 tháng Giêng)',
        '2028-01-29 Tết Nguyên Đán (mùng 4 tháng Giêng)',
        '2028-01-31 Nghỉ bù Tết Nguyên Đán (mùng 4 tháng Giêng)',
        '2028-04-04 Giỗ Tổ Hùng Vương',
        '2028-04-30 Ngày Chiến thắng',
        '2028-05-01 Ngày Quốc tế Lao động',
        '2028-05-02 Nghỉ bù Ngày Chiến thắng',
        '2028-09-01 Quốc khánh (ngày liền kề)',
        '2028-09-02 Quốc khánh',
        '2028-09-04 Nghỉ bù Quốc khánh',
      ]);
      expect(national.isWorkingDay('2028-05-02')).toBe(false);
      expect(national.isWorkingDay('2028-05-03')).toBe(true);
    });

    it('carries English names beside the Vietnamese ones', () => {
      expect(national.holidays(2026).find((d) => d.date === '2026-04-27')).toEqual({
        date: '2026-04-27',
        name: 'Nghỉ bù Giỗ Tổ Hùng Vương',
        nameEn: "Compensatory day off: Hung Kings' Commemoration Day",
        kind: 'compensatory',
      });
    });
  });

  describe('yearly data', () => {
    it('takes the adjacent day of 2/9 from the data', () => {
      const calendar = new WorkingDayCalendar({ data: [data({ year: 2026, nationalDayAdjacent: '2026-09-01' })] });
      expect(calendar.isWorkingDay('2026-09-01')).toBe(false);
      expect(calendar.isWorkingDay('2026-09-03')).toBe(true);
    });

    it('replaces the Tết days and the computed compensatory days when the data fixes them', () => {
      const calendar = new WorkingDayCalendar({
        data: [
          data({
            year: 2027,
            tetDays: ['2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10'],
            compensatoryDays: [{ date: '2027-05-03', name: 'Nghỉ bù Ngày Quốc tế Lao động' }],
          }),
        ],
      });
      const tet = calendar.holidays(2027).filter((d) => d.date.startsWith('2027-02'));
      expect(tet.map((d) => d.date)).toEqual(['2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10']);
      expect(tet[0].name).toBe('Tết Nguyên Đán (28 tháng Chạp)');
      expect(calendar.isWorkingDay('2027-02-11')).toBe(true);
    });

    it('works a swapped Saturday and rests the swapped weekday', () => {
      const calendar = new WorkingDayCalendar({
        data: [
          data({
            year: 2026,
            daysOff: [{ date: '2026-01-02', name: 'Nghỉ hoán đổi Tết Dương lịch' }],
            workingDays: [{ date: '2026-01-10', name: 'Làm bù ngày 02/01' }],
          }),
        ],
      });
      expect(calendar.isWorkingDay('2026-01-02')).toBe(false);
      expect(calendar.isWorkingDay('2026-01-10')).toBe(true);
      expect(calendar.isWorkingDay('2026-01-11')).toBe(false);
      expect(calendar.addWorkingDays('2025-12-31', 1)).toBe('2026-01-05');
      expect(calendar.addWorkingDays('2026-01-09', 1)).toBe('2026-01-10');
      expect(calendar.addWorkingDays('2026-01-12', -2)).toBe('2026-01-09');
      expect(calendar.holidays(2026).slice(0, 2)).toEqual([
        { date: '2026-01-01', name: 'Tết Dương lịch', nameEn: "New Year's Day", kind: 'statutory' },
        { date: '2026-01-02', name: 'Nghỉ hoán đổi Tết Dương lịch', kind: 'adjustment' },
      ]);
      expect(calendar.workedWeekendDays(2026)).toEqual([{ date: '2026-01-10', name: 'Làm bù ngày 02/01' }]);
    });

    it('adds a province’s extra day off only for that province', () => {
      const year = data({
        year: 2026,
        provinces: { '24': { source: 'test', daysOff: [{ date: '2026-10-15', name: 'Ngày truyền thống của tỉnh' }] } },
      });
      const province = new WorkingDayCalendar({ data: [year], province: '24' });
      const country = new WorkingDayCalendar({ data: [year] });
      expect(province.isWorkingDay('2026-10-15')).toBe(false);
      expect(country.isWorkingDay('2026-10-15')).toBe(true);
      expect(province.addWorkingDays('2026-10-14', 1)).toBe('2026-10-16');
      expect(country.addWorkingDays('2026-10-14', 1)).toBe('2026-10-15');
      expect(province.holidays(2026).find((d) => d.date === '2026-10-15')?.kind).toBe('provincial');
      expect(new WorkingDayCalendar({ data: [year], province: '01' }).isWorkingDay('2026-10-15')).toBe(true);
    });

    it('refuses, when built, a day that is both worked and a holiday', () => {
      const clash = data({ year: 2026, workingDays: [{ date: '2026-04-26', name: 'Làm bù' }] });
      expect(() => new WorkingDayCalendar({ data: [clash] })).toThrow(
        expect.objectContaining({
          code: CalendarErrorCode.InvalidData,
          issues: [expect.stringContaining('2026-04-26')],
        }),
      );
    });

    it('refuses two data objects for one year', () => {
      expect(() => new WorkingDayCalendar({ data: [data({ year: 2026 }), data({ year: 2026 })] })).toThrow(
        /2026 is given twice/,
      );
    });

    it('withData returns a new calendar and leaves the old one unchanged', () => {
      const base = new WorkingDayCalendar({ data: [data({ year: 2026 })], province: '24' });
      const updated = base.withData(data({ year: 2026, daysOff: [{ date: '2026-11-20', name: 'Nghỉ đột xuất' }] }));
      expect(base.isWorkingDay('2026-11-20')).toBe(true);
      expect(updated.isWorkingDay('2026-11-20')).toBe(false);
      expect(updated.province).toBe('24');
    });
  });

  describe('addWorkingDays', () => {
    it.each([
      ['across Tết 2026', '2026-02-13', 1, '2026-02-23'],
      ['across Tết 2026, three days', '2026-02-12', 3, '2026-02-24'],
      ['from a Tết day', '2026-02-17', 1, '2026-02-23'],
      ['across 30/4 + 1/5 2026', '2026-04-29', 1, '2026-05-04'],
      ['across Giỗ Tổ (made up on Monday 27/4) and 30/4 + 1/5', '2026-04-24', 3, '2026-05-04'],
      ['across 2/9 + 3/9 2026', '2026-09-01', 1, '2026-09-04'],
      ['across 2/9 + 3/9 2026, three days', '2026-09-01', 3, '2026-09-08'],
      ['across the year boundary and 1/1/2027', '2026-12-30', 3, '2027-01-05'],
      ['across Tết 2027 and its compensatory days', '2027-02-04', 1, '2027-02-12'],
      ['a plain week: Friday + 3 is Wednesday', '2026-10-16', 3, '2026-10-21'],
      ['backwards across 30/4 + 1/5', '2026-05-04', -1, '2026-04-29'],
      ['backwards across Tết', '2026-02-23', -1, '2026-02-13'],
      ['backwards across the year boundary', '2027-01-04', -2, '2026-12-30'],
      ['n = 0 on a working day', '2026-10-15', 0, '2026-10-15'],
      ['n = 0 on a holiday moves to the next working day', '2026-02-17', 0, '2026-02-23'],
      ['n = 0 on a Saturday moves to Monday', '2026-10-17', 0, '2026-10-19'],
    ])('%s: %s + %i = %s', (_, date, n, expected) => {
      expect(national.addWorkingDays(date, n)).toBe(expected);
    });

    it('rejects a fractional count and a bad date', () => {
      expect(() => national.addWorkingDays('2026-10-15', 1.5)).toThrow(
        expect.objectContaining({ code: CalendarErrorCode.InvalidArgument }),
      );
      expect(() => national.addWorkingDays('2026-13-01', 1)).toThrow(
        expect.objectContaining({ code: CalendarErrorCode.InvalidDate }),
      );
    });
  });

  it('answers a repeated question as a fresh calendar does (its memory changes no answer)', () => {
    const used = new WorkingDayCalendar();
    const days = Array.from({ length: 500 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    const ask = (c: WorkingDayCalendar) =>
      days.flatMap((d) => [
        c.isWorkingDay(d),
        c.addWorkingDays(d, 10),
        c.addWorkingDays(d, -3),
        c.addWorkingDays(d, 0),
      ]);
    const first = ask(used);
    expect(ask(used)).toEqual(first);
    expect(ask(new WorkingDayCalendar())).toEqual(first);
    expect(() => used.isWorkingDay('2026-02-30')).toThrow();
  });

  it('nextWorkingDay is strictly after the date', () => {
    expect(national.nextWorkingDay('2026-10-15')).toBe('2026-10-16');
    expect(national.nextWorkingDay('2026-04-24')).toBe('2026-04-28');
  });

  it('addCalendarDays counts every day and stays inside the supported years', () => {
    expect(national.addCalendarDays('2026-12-20', 15)).toBe('2027-01-04');
    expect(national.addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => national.addCalendarDays('2199-12-31', 1)).toThrow(
      expect.objectContaining({ code: CalendarErrorCode.OutOfRange }),
    );
  });

  it('earliest returns the earlier of the dates', () => {
    expect(national.earliest('2026-12-14', '2026-11-30', '2027-01-02')).toBe('2026-11-30');
    expect(() => national.earliest()).toThrow(expect.objectContaining({ code: CalendarErrorCode.InvalidArgument }));
  });

  it('windowEnd is the inclusive last day of the window', () => {
    expect(national.windowEnd({ start: '2026-09-01', end: '2026-12-14' })).toBe('2026-12-14');
    expect(() => national.windowEnd({ start: '2026-12-14', end: '2026-09-01' })).toThrow(/before it starts/);
  });

  it('reminderDate counts working days back from the due date', () => {
    expect(national.reminderDate('2026-12-14', { workingDaysBefore: 3 })).toBe('2026-12-09');
    expect(national.reminderDate('2026-05-04', { workingDaysBefore: 2 })).toBe('2026-04-28');
  });

  it('converts between civil dates and instants in UTC+7', () => {
    expect(national.endOfDayInstant('2026-12-14').toISOString()).toBe('2026-12-14T16:59:59.999Z');
    expect(national.civilDateOf(new Date('2026-12-14T17:00:00Z'))).toBe('2026-12-15');
  });

  it('never counts a pending day: it is listed apart, and the day stays a working day', () => {
    const calendar = new WorkingDayCalendar({
      data: [data({ year: 2026, pending: [{ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam', source: 'chủ trương' }] })],
    });
    expect(calendar.pendingDays(2026).map((d) => d.date)).toEqual(['2026-11-24']);
    expect(calendar.isWorkingDay('2026-11-24')).toBe(true);
    expect(calendar.holidays(2026).some((d) => d.date === '2026-11-24')).toBe(false);
    expect(calendar.pendingDays(2027)).toEqual([]);
  });
});
