import 'reflect-metadata';
import type { CliCommand, CliIo } from './cli-command';
import { calendarCommand } from './commands/calendar.command';

import { classifyCommand } from './commands/classify.command';
import { dbCommand } from './commands/db.command';
import { definitionsCommand } from './commands/definitions.command';
import { simulateCommand } from './commands/simulate.command';
import { tokenCommand } from './commands/token.command';

/** `npm run -s rasoat -- <command> …`: the operators' and admins' command line. */
export const COMMANDS: CliCommand[] = [definitionsCommand, calendarCommand, classifyCommand, tokenCommand, dbCommand, simulateCommand];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const list = COMMANDS.map((c) => `  ${c.usage.padEnd(60)} ${c.summary}`).join('\n');
    (name && name !== 'help' && name !== '--help' ? io.stderr : io.stdout).write(`${name && name !== 'help' && name !== '--help' ? `unknown command "${name}"\n` : ''}usage: npm run -s rasoat -- <command>\n${list}\n`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return command.run(args, io);
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
