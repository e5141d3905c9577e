import { JOBS, type JobName, type QueueName } from '@rasoat/contracts';

/** What the boot check reads of a processor class: its name, the queue it consumes and the jobs it has handlers for. */
export interface ProcessorJobs {
  readonly name: string;
  readonly queue: QueueName;
  readonly handles: readonly JobName[];
}

/**
 * Checks at boot that every job name of the contract has exactly one handler among the
 * processors, and that it is on the processor of the job's queue (`JOBS`), so that a job can
 * never sit in a queue that nobody consumes.
 */
export function assertEveryJobHandled(processors: readonly ProcessorJobs[]): void {
  const problems: string[] = [];
  const handled = processors.flatMap((p) => p.handles);
  for (const name of Object.keys(JOBS) as JobName[]) {
    const count = handled.filter((n) => n === name).length;
    if (count !== 1) problems.push(`job "${name}" has ${count} handlers (expected exactly 1)`);
  }
  for (const processor of processors) {
    for (const name of processor.handles) {
      if (!Object.hasOwn(JOBS, name))
        problems.push(`${processor.name} handles "${name}", which is not a job of the contract`);
      else if (JOBS[name].queue !== processor.queue)
        problems.push(
          `job "${name}" is handled by ${processor.name} on queue "${processor.queue}", but the contract puts it on "${JOBS[name].queue}"`,
        );
    }
  }
  if (problems.length > 0) throw new Error(`Worker cannot start:\n${problems.join('\n')}`);
}
