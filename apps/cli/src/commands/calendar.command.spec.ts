import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCalendarData } from '@rasoat/calendar';
import { memoryIo } from '../memory-io';
import { calendarCommand, createCalendarCommand } from './calendar.command';
import { CALENDAR_DATA_DIR, loadCalendarData } from '@rasoat/engine';

async function run(args: string[], command = calendarCommand) {
  const { io, stdout, stderr } = memoryIo();
  const code = await command.run(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('calendar command', () => {
  it('loads and validates the shipped config/calendar/*.yaml', () => {
    expect(loadCalendarData(CALENDAR_DATA_DIR).map((d) => d.year)).toEqual(expect.arrayContaining([2026, 2027, 2028]));
  });

  it('reports every bad file: YAML syntax, schema, a year that does not match the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-calendar-'));
    try {
      writeFileSync(join(dir, 'vn-2026.yaml'), 'year: 2027\nsource: x\n');
      writeFileSync(join(dir, 'vn-2027.yaml'), 'year: 2027\nsource: [unclosed\n');
      writeFileSync(
        join(dir, 'vn-2028.yaml'),
        'year: 2028\nsource: x\nworkingDays: [{ date: 2028-01-04, name: Làm bù }]\n',
      );
      writeFileSync(join(dir, 'README.txt'), 'not data');
      expect(() => loadCalendarData(dir)).toThrow(
        expect.objectContaining({
          issues: [
            `${join(dir, 'vn-2026.yaml')} $.year is 2027 but the file is named for 2026`,
            expect.stringMatching(/vn-2027\.yaml YAML: /),
            `${join(dir, 'vn-2028.yaml')} $.workingDays[0].date 2028-01-04 is not a Saturday or Sunday: weekdays are working days already`,
          ],
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['2026-02-13', '1'], '2026-02-23'],
    [['2026-04-29', '1'], '2026-05-04'],
    [['2026-12-30', '3'], '2027-01-05'],
    [['2026-05-04', '-1'], '2026-04-29'],
    [['2026-02-17', '0'], '2026-02-23'],
    // 2026 as decided (Notice 9441/TB-BNV): Fri 2/1 off, Sat 10/1 worked …
    [['2026-01-01', '1'], '2026-01-05'],
    [['2026-01-09', '1'], '2026-01-10'],
    // … 29/8–2/9 off (Mon 31/8 swapped with Sat 22/8), 3/9 a working day …
    [['2026-08-21', '1'], '2026-08-22'],
    [['2026-08-28', '1'], '2026-09-03'],
    [['2026-09-01', '0'], '2026-09-03'],
    [['2026-09-01', '3'], '2026-09-07'],
    [['2026-09-03', '-1'], '2026-08-28'],
    // … and 24/11 is announced but not a day off.
    [['2026-11-23', '1'], '2026-11-24'],
  ])('add-working-days %j prints %s', async (args, expected) => {
    expect(await run(['add-working-days', ...args])).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it('prints the days off of 2026 as decided, one "YYYY-MM-DD name" line each, then the weekend days worked and the pending day', async () => {
    const { code, stdout } = await run(['holidays', '2026']);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      '2026-01-01 Tết Dương lịch',
      '2026-01-02 Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01)',
      '2026-02-16 Tết Nguyên Đán (29 tháng Chạp)',
      '2026-02-17 Tết Nguyên Đán (mùng 1 tháng Giêng)',
      '2026-02-18 Tết Nguyên Đán (mùng 2 tháng Giêng)',
      '2026-02-19 Tết Nguyên Đán (mùng 3 tháng Giêng)',
      '2026-02-20 Tết Nguyên Đán (mùng 4 tháng Giêng)',
      '2026-04-26 Giỗ Tổ Hùng Vương',
      '2026-04-27 Nghỉ bù Giỗ Tổ Hùng Vương',
      '2026-04-30 Ngày Chiến thắng',
      '2026-05-01 Ngày Quốc tế Lao động',
      '2026-08-31 Nghỉ hoán đổi dịp Quốc khánh (làm bù thứ Bảy 22/08)',
      '2026-09-01 Quốc khánh (ngày liền kề)',
      '2026-09-02 Quốc khánh',
      '',
      'Ngày cuối tuần làm bù:',
      '2026-01-10 Làm bù ngày 02/01',
      '2026-08-22 Làm bù ngày 31/08',
      '',
      'Đã công bố, chưa là ngày nghỉ (không tính):',
      '2026-11-24 Ngày Văn hóa Việt Nam — Chủ trương đã công bố, chưa là ngày nghỉ lễ trong Bộ luật Lao động — chờ văn bản có hiệu lực',
      '',
    ]);
  });

  it('applies a province’s extra days off with --province', async () => {
    const command = createCalendarCommand(() => [
      parseCalendarData(
        {
          year: 2026,
          source: 'test',
          provinces: { '24': { daysOff: [{ date: '2026-10-15', name: 'Ngày truyền thống của tỉnh' }] } },
        },
        'test',
      ),
    ]);
    expect((await run(['add-working-days', '2026-10-14', '1', '--province', '24'], command)).stdout).toBe(
      '2026-10-16\n',
    );
    expect((await run(['add-working-days', '2026-10-14', '1'], command)).stdout).toBe('2026-10-15\n');
    expect((await run(['holidays', '2026', '--province=24'], command)).stdout).toContain(
      '2026-10-15 Ngày truyền thống của tỉnh\n',
    );
  });

  it.each([
    [['add-working-days', '2026-02-30', '1'], 'bad date "2026-02-30"'],
    [['add-working-days', '2026-10-14', 'three'], 'bad N "three"'],
    [['add-working-days', '2026-10-14', '1.5'], 'bad N "1.5"'],
    [['add-working-days', '2199-12-30', '5'], 'bad N "5"'],
    [['add-working-days', '2026-10-14'], 'expected add-working-days YYYY-MM-DD N'],
    [['holidays', '26'], 'bad year "26"'],
    [['holidays', '2026', '--province'], 'bad --province ""'],
    [['holidays', '2026', '--verbose'], 'unknown option "--verbose"'],
    [['weekdays', '2026'], 'unknown sub-command "weekdays"'],
    [[], 'missing sub-command'],
  ])('%j exits 2 naming the bad argument', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('exits 1 with every problem when the data is invalid', async () => {
    const command = createCalendarCommand(() => [
      parseCalendarData({ year: 2026, source: 'x', daysOff: [{ date: '2026-01-02' }] }, 'vn-2026.yaml'),
    ]);
    const { code, stderr } = await run(['holidays', '2026'], command);
    expect(code).toBe(1);
    expect(stderr).toContain('vn-2026.yaml $.daysOff[0].name');
  });
});
