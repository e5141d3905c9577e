import { Readable } from 'node:stream';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleSetCatalog, POVERTY_RULES_DIR } from '@rasoat/engine';
import { memoryIo } from '../memory-io';
import { classifyCommand, createClassifyCommand } from './classify.command';

async function run(args: string[], stdinLines: string[] = [], command = classifyCommand) {
  const { io, stdout, stderr } = memoryIo(stdinLines.join('\n'));
  const code = await command.run(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const line = (household: object) => JSON.stringify(household);

describe('classify command', () => {
  it('classifies the good lines, skips blank ones and reports each bad line by number and field (exit 1)', async () => {
    const { code, stdout, stderr } = await run(
      ['--period', '2022-2025'],
      [
        line({
          id: 'H1',
          area: 'rural',
          incomePerCapitaMonthly: 1_500_000,
          deprivations: ['employment', 'nutrition', 'latrine'],
        }),
        '{"id": "H2", "area": ',
        line({ id: 'H3', area: 'urban', incomePerCapitaMonthly: 1.5, deprivations: [] }),
        '',
        line({ id: 'H5', area: 'urban', incomePerCapitaMonthly: 2_000_001, deprivations: [] }),
      ],
    );
    expect(code).toBe(1);
    const results = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results).toEqual([
      {
        id: 'H1',
        class: 'poor',
        reasons: [
          'Thu nhập bình quân 1.500.000 đồng/người/tháng ≤ chuẩn nghèo nông thôn 1.500.000 đồng',
          'Thiếu hụt 3/12 chỉ số (≥ 3): Việc làm, Dinh dưỡng, Nhà tiêu hợp vệ sinh',
        ],
        explanation: expect.objectContaining({
          period: '2022-2025',
          area: 'rural',
          incomeLine: 1_500_000,
          deprivationCount: 3,
        }),
      },
      expect.objectContaining({ id: 'H5', class: 'average' }),
    ]);
    expect(Object.keys(results[0])).toEqual(['id', 'class', 'reasons', 'explanation']);
    expect(stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^line 2: invalid JSON: /),
      'line 3: incomePerCapitaMonthly: expected an integer',
    ]);
  });

  it('exits 0 when every line is good, reading CRLF line ends and a byte-order mark', async () => {
    const { io, stdout } = memoryIo();
    io.stdin = Readable.from([
      '\uFEFF',
      line({ id: 'A', area: 'urban', incomePerCapitaMonthly: 0, deprivations: [] }),
      '\r\n\r\n',
    ]);
    expect(await classifyCommand.run(['--period', '2026-2030'], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ id: 'A', class: 'near_poor' });
  });

  it('names an unknown deprivation code of the period', async () => {
    const { code, stderr } = await run(
      ['--period', '2026-2030'],
      [line({ id: 'A', area: 'rural', incomePerCapitaMonthly: 0, deprivations: ['information_access'] })],
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^line 1: deprivations\[0\]: unknown indicator "information_access" for period 2026-2030/);
  });

  it('classifies by a province’s own lines beside the national ones with --province', async () => {
    const { code, stdout } = await run(
      ['--period', '2022-2025', '--province', '24'],
      [line({ id: 'A', area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: [] })],
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      class: 'average',
      explanation: { province: null, incomeLine: 1_500_000 },
      provincial: { class: 'near_poor', explanation: { province: '24', incomeLine: 1_750_000 } },
    });
  });

  it('picks the rule set in force for the lists of a year: 2,000,000 đồng rural with 3 deprivations is not poor for 2026, poor for 2027', async () => {
    const golden = line({
      id: 'G',
      area: 'rural',
      incomePerCapitaMonthly: 2_000_000,
      deprivations: ['employment', 'nutrition', 'latrine'],
    });
    const for2026 = await run(['--lists-year', '2026'], [golden]);
    const for2027 = await run(['--lists-year', '2027'], [golden]);
    expect(JSON.parse(for2026.stdout)).toMatchObject({ class: 'average', explanation: { period: '2022-2025' } });
    expect(JSON.parse(for2027.stdout)).toMatchObject({ class: 'poor', explanation: { period: '2026-2030' } });
    // The province's lines only for their years (Bắc Ninh: the lists of 2025).
    const bacNinh = await run(['--lists-year', '2025', '--province', '24'], [golden]);
    expect(JSON.parse(bacNinh.stdout)).toMatchObject({ class: 'average', provincial: { class: 'average' } });
  });

  it.each([
    [['--period', '2016-2020'], /^classify: unknown period "2016-2020"; known periods: 2022-2025, 2026-2030/],
    [['--period', '../../etc'], /^classify: unknown period "\.\.\/\.\.\/etc"; known periods: 2022-2025, 2026-2030/],
    [
      ['--period', '2026-2030', '--province', '99'],
      /^classify: no lines of province "99" for period 2026-2030; provinces with own lines: none/,
    ],
    [
      ['--lists-year', '2026', '--province', '24'],
      /^classify: no lines of province "24" for the lists of 2026 \(period 2022-2025\); provinces with own lines that year: none/,
    ],
    [
      ['--lists-year', '2031'],
      /^classify: no poverty standard is in force for the lists of 2031; known periods: 2022-2025, 2026-2030/,
    ],
    [
      ['--lists-year', '2027', '--period', '2022-2025'],
      /^classify: the lists of 2027 use period 2026-2030, not 2022-2025/,
    ],
    [['--lists-year', '27'], /^classify: --lists-year "27" is not a year \(YYYY\)/],
    [[], /^classify: give --lists-year or --period\nusage: classify \(--lists-year YYYY \| --period YYYY-YYYY\)/],
    [['--period', '2022-2025', '--year', '2025'], /^classify: unknown option --year/],
  ])('refuses %j with exit 2 before reading stdin', async (args, message) => {
    const { code, stdout, stderr } = await run(args, [
      line({ id: 'A', area: 'rural', incomePerCapitaMonthly: 0, deprivations: [] }),
    ]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
  });

  describe('rule files', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rasoat-poverty-rules-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('loads the shipped periods', () => {
      const catalog = loadRuleSetCatalog(POVERTY_RULES_DIR);
      expect(catalog.periods()).toEqual(expect.arrayContaining(['2022-2025', '2026-2030']));
      expect(catalog.provincialRuleSet('2022-2025', '24', 2025)?.province?.code).toBe('24');
    });

    it('names the file and the path of an invalid rule set (exit 2)', async () => {
      writeFileSync(join(dir, '2022-2025.yaml'), 'period: 2022-2025\n');
      const file = join(dir, '2022-2025.yaml');
      const { code, stderr } = await run(['--period', '2022-2025'], [], createClassifyCommand(dir));
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}: source: `);
      expect(stderr).toContain(`${file}: areas: `);
    });

    it('names the file of a YAML syntax error, of a period that does not match the file name, and of an unknown file', () => {
      writeFileSync(join(dir, '2022-2025.yaml'), 'period: [unclosed\n');
      writeFileSync(join(dir, '2026-2030.yaml'), readShipped('2022-2025.yaml'));
      writeFileSync(join(dir, 'chuan-ngheo.yaml'), 'period: 2022-2025\n');
      expect(() => loadRuleSetCatalog(dir)).toThrow(
        expect.objectContaining({
          issues: [
            expect.stringContaining(`${join(dir, '2022-2025.yaml')}: `),
            `${join(dir, '2026-2030.yaml')}: period: 2022-2025 but the file is named for 2026-2030`,
            `${join(dir, 'chuan-ngheo.yaml')}: unknown file: rule sets are named <period>.yaml (e.g. 2026-2030.yaml), plus lists-year.yaml`,
          ],
        }),
      );
    });

    it('names a province file whose code does not match its folder', () => {
      writeFileSync(join(dir, '2022-2025.yaml'), readShipped('2022-2025.yaml'));
      mkdirSync(join(dir, 'provinces', '27'), { recursive: true });
      writeFileSync(join(dir, 'provinces', '27', '2022-2025.yaml'), readShipped('provinces/24/2022-2025.yaml'));
      expect(() => loadRuleSetCatalog(dir)).toThrow(/province: "24" but the file is under provinces\/27\//);
    });

    it('asks for --lists-year when a province has several sets of lines in the period', async () => {
      writeFileSync(join(dir, '2022-2025.yaml'), readShipped('2022-2025.yaml'));
      mkdirSync(join(dir, 'provinces', '24'), { recursive: true });
      writeFileSync(join(dir, 'provinces', '24', '2025.yaml'), readShipped('provinces/24/2022-2025.yaml'));
      writeFileSync(
        join(dir, 'provinces', '24', '2026.yaml'),
        readShipped('provinces/24/2022-2025.yaml')
          .replace('effectiveFrom: 2025-01-01', 'effectiveFrom: 2026-01-01')
          .replace('effectiveTo: 2025-12-31', 'effectiveTo: 2026-12-31'),
      );
      const command = createClassifyCommand(dir);
      const household = line({ id: 'A', area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: [] });
      const ambiguous = await run(['--period', '2022-2025', '--province', '24'], [household], command);
      expect(ambiguous.stderr).toMatch(
        /^classify: province "24" has 2 sets of lines in period 2022-2025: give --lists-year/,
      );
      const for2026 = await run(['--lists-year', '2026', '--province', '24'], [household], command);
      expect(JSON.parse(for2026.stdout)).toMatchObject({ provincial: { class: 'near_poor' } });
    });
  });
});

function readShipped(file: string): string {
  return readFileSync(join(POVERTY_RULES_DIR, file), 'utf8');
}
