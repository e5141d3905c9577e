import { JOB_PAYLOADS, type JobName } from '@rasoat/contracts';

/**
 * Checks at boot that every job name of the contract has exactly one handler among the
 * processors, so that a job can never sit in a queue that nobody consumes.
 */
export function assertEveryJobHandled(handled: readonly JobName[][]): void {
  const all = handled.flat();
  const problems: string[] = [];
  for (const name of Object.keys(JOB_PAYLOADS) as JobName[]) {
    const count = all.filter((n) => n === name).length;
    if (count !== 1) problems.push(`job "${name}" has ${count} handlers (expected exactly 1)`);
  }
  if (problems.length > 0) throw new Error(`Worker cannot start:\n${problems.join('\n')}`);
}
