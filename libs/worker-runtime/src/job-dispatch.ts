import { UnrecoverableError, type Job } from 'bullmq';
import { parseJobPayload, type JobName, type JobPayload } from '@rasoat/contracts';
import { runWithLogContext } from '@rasoat/observability';

/**
 * What a processor does with each job of its queue: the handler gets the payload parsed against
 * the contract, and the job (its id, attempts and options). A failure it throws is retried by
 * BullMQ with the job's backoff.
 */
export type JobHandlers<N extends JobName> = {
  readonly [K in N]: (payload: JobPayload<K>, job: Job) => Promise<unknown>;
};

/**
 * Runs the handler of `job`. A job no handler knows, or whose payload the contract refuses, fails
 * at once with `UnrecoverableError` (retrying would not change it), naming the job and the field.
 * Log lines written while handling carry the job id.
 */
export async function dispatch<N extends JobName>(job: Job, handlers: JobHandlers<N>): Promise<unknown> {
  if (!Object.hasOwn(handlers, job.name))
    throw new UnrecoverableError(`no handler for job "${job.name}" on ${job.queueName}`);
  const name = job.name as N;
  const payload = parseJobPayload(name, job.data);
  if (!payload.success) throw new UnrecoverableError(payload.error);
  const handler = handlers[name] as (payload: JobPayload<N>, job: Job) => Promise<unknown>;
  return runWithLogContext({ jobId: job.id }, () => handler(payload.data, job));
}
