import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { WORKFLOWS_DIR } from '@rasoat/definition-catalog';
import { memoryIo } from '../memory-io';
import { definitionsCommand } from './definitions.command';

async function run(args: string[]) {
  const { io, stdout, stderr } = memoryIo();
  const code = await definitionsCommand.run(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const NATIONAL = join(WORKFLOWS_DIR, 'national/2022-2025/periodic-review.yaml');

describe('definitions command', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rasoat-definitions-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('validate exits 0 for the shipped national definition', async () => {
    expect(await run(['validate', NATIONAL])).toEqual({ code: 0, stdout: '', stderr: '1 definition file(s) valid\n' });
  });

  it('validate resolves an overlay through workflows/ and prints FILE:LINE:COL JSONPATH message for each error, exit 1', async () => {
    const file = join(dir, 'overlay.yaml');
    writeFileSync(
      file,
      [
        'extends: periodic-review@1',
        'id: test-overlay',
        'version: 1',
        'province: "20"',
        'patch:',
        '  steps:',
        '    surveys:',
        '      label: Thu thập',
        '  parameters:',
        '    postingWorkingDays: { value: 5 }',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await run(['validate', file]);
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${relative(process.cwd(), file)}:7:5 $.patch.steps.surveys patch targets nothing: the base's $.steps has no "surveys" (it has: listing, survey, meeting, posting, recheck, commune_report, district_opinion, recognition, reporting, completed); to add a new one, put it under "add"\n`,
    );
  });

  it('validate reports a valid overlay as valid, and a file that is not there', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'extends: periodic-review@1\nid: test-overlay\nversion: 1\npatch:\n  parameters:\n    postingWorkingDays: { value: 5 }\n',
    );
    expect((await run(['validate', good])).code).toBe(0);
    const missing = await run(['validate', join(dir, 'none.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/none\.yaml:0:0 \$ cannot read: ENOENT/);
  });

  it('diagram prints a Mermaid state diagram of the merged definition', async () => {
    const { code, stdout } = await run(['diagram', NATIONAL]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('stateDiagram-v2');
    expect(stdout).toContain('  posting --> recheck: POSTING_PERIOD_ENDED');
  });

  it('guards lists the closed set of named guards with their parameters, and the expression language', async () => {
    const { code, stdout } = await run(['guards']);
    expect(code).toBe(0);
    expect(stdout).toContain('quorumReached(numerator, denominator, ratio)');
    expect(stdout).toContain('{ expr: "..." }');
  });

  it('the editor schemas under workflows/ are up to date with the zod schemas', async () => {
    expect((await run(['schema', dir])).code).toBe(0);
    for (const name of ['definition.schema.json', 'overlay.schema.json']) {
      expect(readFileSync(join(dir, name), 'utf8')).toBe(readFileSync(join(WORKFLOWS_DIR, name), 'utf8'));
    }
  });
});
