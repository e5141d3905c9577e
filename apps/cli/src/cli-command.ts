/** Standard streams of one CLI run; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * One top-level command of `npm run -s rasoat -- <name> ...`.
 * `run` receives the arguments after the command name and returns the process exit code.
 */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}
