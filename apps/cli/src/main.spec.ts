import { COMMANDS, runCli } from './main';
import { memoryIo } from './memory-io';

async function cli(argv: string[]) {
  const { io, stdout, stderr } = memoryIo();
  const code = await runCli(argv, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('rasoat CLI', () => {
  describe('help', () => {
    it('prints the list once, on stdout, with exit 0', async () => {
      for (const argv of [['help'], ['--help'], []]) {
        const { code, stdout, stderr } = await cli(argv);
        expect(code).toBe(0);
        expect(stderr).toBe('');
        expect(occurrences(stdout, 'usage: npm run -s rasoat -- <command>')).toBe(1);
        for (const command of COMMANDS) expect(occurrences(stdout, command.summary)).toBe(1);
      }
    });

    it('lists every line of a usage with several lines indented under its command, the summary printed once', async () => {
      const { stdout } = await cli(['help']);
      const lines = stdout.split('\n');
      // The calendar's usage has one line per sub-command: each is its own indented line.
      const addWorkingDays = lines.find((l) => l.includes('calendar add-working-days YYYY-MM-DD N'));
      const holidays = lines.find((l) => l.includes('calendar holidays YYYY'));
      expect(addWorkingDays).toMatch(/^ {4}calendar add-working-days/);
      expect(holidays).toMatch(/^ {4}calendar holidays YYYY/);
      // Each summary stands on its command's own line, never glued to a usage line.
      const calendar = COMMANDS.find((c) => c.name === 'calendar');
      expect(lines.filter((l) => calendar && l.includes(calendar.summary))).toEqual([
        expect.stringMatching(/^ {2}calendar +Vietnamese working-day calendar/),
      ]);
      // Every line below the header is indented: nothing starts at column 0 but the header.
      expect(lines.filter((l) => l !== '' && !l.startsWith('  '))).toEqual(['usage: npm run -s rasoat -- <command>']);
    });

    it('names an unknown command on stderr, with the list, and exits 2', async () => {
      const { code, stdout, stderr } = await cli(['frobnicate']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^unknown command "frobnicate"\nusage: npm run -s rasoat -- <command>\n/);
      expect(occurrences(stderr, 'usage: npm run -s rasoat -- <command>')).toBe(1);
    });
  });

  describe('units', () => {
    it('is registered: `units import` is listed in help', async () => {
      const { stdout } = await cli(['help']);
      expect(stdout).toContain('units import FILE.csv');
    });

    it('answers its own usage, not "unknown command", when the file is missing', async () => {
      for (const argv of [['units'], ['units', 'import'], ['units', 'export', 'x.csv']]) {
        const { code, stderr } = await cli(argv);
        expect(code).toBe(2);
        expect(stderr).not.toContain('unknown command');
        expect(stderr).toContain('usage: units import FILE.csv');
      }
    });
  });
});
