import { Readable, Writable } from 'node:stream';
import type { CliIo } from './cli-command';

/** In-memory standard streams for driving a command in tests. */
export function memoryIo(stdin = ''): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (chunks: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
  return {
    io: { stdin: Readable.from(stdin ? [stdin] : []), stdout: sink(out), stderr: sink(err) },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
