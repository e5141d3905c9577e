import 'reflect-metadata';
import type { CliCommand, CliIo } from './cli-command';
import { calendarCommand } from './commands/calendar.command';
import { classifyCommand } from './commands/classify.command';
import { dbCommand } from './commands/db.command';
import { definitionsCommand } from './commands/definitions.command';
import { simulateCommand } from './commands/simulate.command';
import { tokenCommand } from './commands/token.command';
import { unitsCommand } from './commands/units.command';

/** `npm run -s rasoat -- <command> …`: the operators' and admins' command line. */
export const COMMANDS: CliCommand[] = [
  definitionsCommand,
  calendarCommand,
  classifyCommand,
  tokenCommand,
  dbCommand,
  unitsCommand,
  simulateCommand,
];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command.run(args, io);
  if (name === undefined || name === 'help' || name === '--help') {
    io.stdout.write(helpText());
    return 0;
  }
  io.stderr.write(`unknown command "${name}"\n${helpText()}`);
  return 2;
}

/**
 * Each command on its own line with its summary, then its usage lines indented below it: a
 * usage may hold one line per sub-command (`calendar`), and padding the whole string as one
 * line glued the summary to the last of them.
 */
function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const entries = COMMANDS.map((c) =>
    [`  ${c.name.padEnd(width)}  ${c.summary}`, ...c.usage.split('\n').map((line) => `    ${line}`)].join('\n'),
  );
  return `usage: npm run -s rasoat -- <command>\n${entries.join('\n')}\n`;
}

if (require.main === module || process.argv[1]?.endsWith('apps/cli/src/main.ts')) {
  runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
}
