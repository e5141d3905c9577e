import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MARKER = '--- local-services: starting ';
// Enough for any start-up failure; the file itself grows across runs.
const TAIL_BYTES = 64 * 1024;

/** A server's log file, shared by all its runs; each run begins with a marker line. */
export class ServerLog {
  constructor(readonly path: string) {}

  /** Appends this run's marker and returns a descriptor to hand to the child as stdout and stderr. */
  open(title: string): number {
    appendFileSync(this.path, `${MARKER}${title} at ${new Date().toISOString()} ---\n`);
    return openSync(this.path, 'a');
  }

  /** The last `lines` lines of the latest run, for error messages. */
  tail(lines = 25): string {
    let text: string;
    try {
      const fd = openSync(this.path, 'r');
      try {
        const size = fstatSync(fd).size;
        const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
        readSync(fd, buffer, 0, buffer.length, size - buffer.length);
        text = buffer.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return `(no log at ${this.path})`;
    }
    const run = text.slice(Math.max(0, text.lastIndexOf(MARKER)));
    return run.trimEnd().split('\n').slice(-lines).join('\n');
  }
}
