import { CalendarError, CalendarErrorCode } from './calendar-error';
import { parseCalendarData } from './calendar-data.schema';

function issuesOf(value: unknown): readonly string[] {
  try {
    parseCalendarData(value, 'vn-2026.yaml');
  } catch (error) {
    if (error instanceof CalendarError && error.code === CalendarErrorCode.InvalidData) return error.issues;
    throw error;
  }
  throw new Error('expected the data to be invalid');
}

describe('parseCalendarData', () => {
  it('accepts a minimal year and fills the empty lists', () => {
    expect(parseCalendarData({ year: 2026, source: 'Bộ luật Lao động 2019' }, 'vn-2026.yaml')).toEqual({
      year: 2026,
      source: 'Bộ luật Lao động 2019',
      daysOff: [],
      workingDays: [],
      provinces: {},
      pending: [],
    });
  });

  it('reports every problem at once with the label and its JSON path', () => {
    const issues = issuesOf({
      year: 2026,
      source: 'x',
      daysOff: [
        { date: '2026-02-30', name: 'Nghỉ' },
        { date: '02/01/2026', name: 'Nghỉ' },
      ],
      workingDays: [{ date: '2026-01-10' }],
      holidays: [],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'vn-2026.yaml $.daysOff[0].date is not a date of the calendar',
        'vn-2026.yaml $.daysOff[1].date must be a civil date YYYY-MM-DD',
        expect.stringMatching(/^vn-2026\.yaml \$\.workingDays\[0\]\.name /),
        'vn-2026.yaml $.holidays unknown key "holidays"',
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('checks dates against the year and the weekend', () => {
    expect(
      issuesOf({
        year: 2026,
        source: 'x',
        nationalDayAdjacent: '2026-09-04',
        tetDays: ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-19'],
        daysOff: [
          { date: '2027-01-04', name: 'Nghỉ' },
          { date: '2026-10-10', name: 'Nghỉ' },
        ],
        workingDays: [
          { date: '2026-01-09', name: 'Làm bù' },
          { date: '2026-10-10', name: 'Làm bù' },
        ],
        provinces: { '24': { daysOff: [{ date: '2025-10-15', name: 'Ngày của tỉnh' }] } },
      }),
    ).toEqual([
      'vn-2026.yaml $.tetDays[4] 2026-02-19 is listed twice',
      'vn-2026.yaml $.nationalDayAdjacent must be 2026-09-01 or 2026-09-03 (the day before or after 2/9)',
      'vn-2026.yaml $.daysOff[0].date 2027-01-04 is not in 2026',
      'vn-2026.yaml $.workingDays[0].date 2026-01-09 is not a Saturday or Sunday: weekdays are working days already',
      'vn-2026.yaml $.workingDays[1].date 2026-10-10 is also listed in daysOff',
      'vn-2026.yaml $.provinces["24"].daysOff[0].date 2025-10-15 is not in 2026',
    ]);
  });

  it('keeps announced days apart: a pending day has its source, lies in the year and is not also a day off', () => {
    expect(
      issuesOf({
        year: 2026,
        source: 'x',
        daysOff: [{ date: '2026-11-24', name: 'Nghỉ' }],
        pending: [
          { date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam', source: 'chủ trương' },
          { date: '2027-11-24', name: 'Ngày Văn hóa Việt Nam', source: 'chủ trương' },
        ],
      }),
    ).toEqual([
      'vn-2026.yaml $.pending[1].date 2027-11-24 is not in 2026',
      'vn-2026.yaml $.pending[0].date 2026-11-24 is also listed in daysOff',
    ]);
    expect(issuesOf({ year: 2026, source: 'x', pending: [{ date: '2026-12-01', name: 'Không nguồn' }] })).toEqual([
      expect.stringMatching(/^vn-2026\.yaml \$\.pending\[0\]\.source /),
    ]);
  });

  it('requires exactly five Tết days and a known year', () => {
    expect(issuesOf({ year: 1800, source: 'x', tetDays: ['2026-02-17'] })).toEqual([
      expect.stringMatching(/^vn-2026\.yaml \$\.year /),
      expect.stringMatching(/^vn-2026\.yaml \$\.tetDays /),
    ]);
  });

  it('rejects a document that is not an object', () => {
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^vn-2026\.yaml \$ /)]);
  });
});
