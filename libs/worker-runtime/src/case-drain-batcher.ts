import type { DrainOutcome } from '@rasoat/engine';

interface Waiter {
  caseId: string;
  resolve(outcome: DrainOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for case drains. Each job of the case-events queue asks for its case to be
 * drained; the requests that arrive while a drain transaction runs are drained together by the
 * next one (up to `maxBatch` cases), so one transaction and one statement per table serve many
 * jobs under load, and a lone job is drained at once when the worker is idle. A failed batch
 * (a deadlock, one case whose snapshot cannot be read) is retried case by case, so that the
 * failure reaches only the jobs of the case that caused it.
 */
export class CaseDrainBatcher {
  private readonly waiting: Waiter[] = [];
  private running = 0;

  constructor(
    private readonly drainMany: (caseIds: readonly string[]) => Promise<Map<string, DrainOutcome>>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
  ) {}

  drain(caseId: string): Promise<DrainOutcome> {
    return new Promise<DrainOutcome>((resolve, reject) => {
      this.waiting.push({ caseId, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiter[]): Promise<void> {
    try {
      settle(batch, await this.drainMany(batch.map((w) => w.caseId)));
    } catch (error) {
      if (new Set(batch.map((w) => w.caseId)).size === 1) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const caseId of new Set(batch.map((w) => w.caseId))) {
        const mine = batch.filter((w) => w.caseId === caseId);
        try {
          settle(mine, await this.drainMany([caseId]));
        } catch (e) {
          for (const w of mine) w.reject(e);
        }
      }
    }
  }
}

function settle(waiters: readonly Waiter[], outcomes: Map<string, DrainOutcome>): void {
  // A case asked for twice in one batch: its events count once, for the first job.
  const told = new Set<string>();
  for (const w of waiters) {
    const outcome = outcomes.get(w.caseId) as DrainOutcome;
    w.resolve(told.has(w.caseId) ? { ...outcome, applied: 0, rejected: 0 } : outcome);
    told.add(w.caseId);
  }
}
