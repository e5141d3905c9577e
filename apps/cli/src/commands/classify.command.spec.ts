import { Readable } from 'node:stream';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../memory-io';
import { classifyCommand, createClassifyCommand } from './classify.command';
import { knownPeriods, loadRuleSet, POVERTY_RULES_DIR } from './rule-set.loader';

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

  it('applies a province’s own lines with --province', async () => {
    const { code, stdout } = await run(
      ['--period', '2022-2025', '--province', '24'],
      [line({ id: 'A', area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: [] })],
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      class: 'near_poor',
      explanation: { province: '24', incomeLine: 1_750_000 },
    });
  });

  it.each([
    [['--period', '2016-2020'], /^classify: unknown period "2016-2020"; known periods: 2022-2025, 2026-2030/],
    [['--period', '../../etc'], /^classify: unknown period "\.\.\/\.\.\/etc"; known periods: 2022-2025, 2026-2030/],
    [
      ['--period', '2026-2030', '--province', '99'],
      /^classify: no lines of province "99" for period 2026-2030; provinces with own lines: none/,
    ],
    [[], /^classify: missing --period\nusage: classify --period/],
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
      expect(knownPeriods(POVERTY_RULES_DIR)).toEqual(expect.arrayContaining(['2022-2025', '2026-2030']));
      expect(loadRuleSet(POVERTY_RULES_DIR, '2022-2025', '24').province?.code).toBe('24');
    });

    it('names the file and the path of an invalid rule set (exit 2)', async () => {
      writeFileSync(join(dir, '2022-2025.yaml'), 'period: 2022-2025\n');
      const file = join(dir, '2022-2025.yaml');
      const { code, stderr } = await run(['--period', '2022-2025'], [], createClassifyCommand(dir));
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}: source: `);
      expect(stderr).toContain(`${file}: areas: `);
    });

    it('names the file of a YAML syntax error and of a period that does not match the file name', () => {
      writeFileSync(join(dir, '2022-2025.yaml'), 'period: [unclosed\n');
      expect(() => loadRuleSet(dir, '2022-2025')).toThrow(
        expect.objectContaining({ issues: [expect.stringContaining(`${join(dir, '2022-2025.yaml')}: `)] }),
      );
      writeFileSync(join(dir, '2026-2030.yaml'), readShipped('2022-2025.yaml'));
      expect(() => loadRuleSet(dir, '2026-2030')).toThrow(
        expect.objectContaining({
          issues: [`${join(dir, '2026-2030.yaml')}: period: 2022-2025 but the file is named for 2026-2030`],
        }),
      );
    });

    it('names a province file whose code does not match its folder', () => {
      writeFileSync(join(dir, '2022-2025.yaml'), readShipped('2022-2025.yaml'));
      mkdirSync(join(dir, 'provinces', '27'), { recursive: true });
      writeFileSync(join(dir, 'provinces', '27', '2022-2025.yaml'), readShipped('provinces/24/2022-2025.yaml'));
      expect(() => loadRuleSet(dir, '2022-2025', '27')).toThrow(/province: "24" but the file is under provinces\/27\//);
    });
  });
});

function readShipped(file: string): string {
  return readFileSync(join(POVERTY_RULES_DIR, file), 'utf8');
}
