/** What a flush answers for one item: its value, or the error only its caller sees. */
export type BatchOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface MicroBatcherOptions<I, R> {
  /**
   * Handles a batch; answers one outcome per item, in the items' order. A flush that throws
   * (or answers the wrong number of outcomes) rejects every item of its batch.
   */
  flush: (items: readonly I[]) => Promise<readonly BatchOutcome<R>[]>;
  /** Items per flush at most (default 500). */
  maxBatchSize?: number;
  /** Flushes running at the same time at most (default 1). */
  maxInFlight?: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit one item each and get a promise; the items that arrive while a
 * flush runs are flushed together as soon as a flush slot frees up. No timer: when idle, an
 * item is flushed right after the current turn of the event loop (so the items submitted in
 * one turn share a flush), and under load batches grow by themselves to what arrived during
 * the previous flush, up to `maxBatchSize`.
 */
export class MicroBatcher<I, R> {
  private readonly flushBatch: MicroBatcherOptions<I, R>['flush'];
  private readonly maxBatchSize: number;
  private readonly maxInFlight: number;
  private waiting: Waiting<I, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(options: MicroBatcherOptions<I, R>) {
    this.flushBatch = options.flush;
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!(this.maxBatchSize >= 1) || !(this.maxInFlight >= 1))
      throw new RangeError('maxBatchSize and maxInFlight must be at least 1');
  }

  /** Items waiting for a flush (not those being flushed). */
  get pending(): number {
    return this.waiting.length;
  }

  /** Flushes running now. */
  get running(): number {
    return this.inFlight;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatchSize);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Waiting<I, R>[]): Promise<void> {
    let outcomes: readonly BatchOutcome<R>[];
    try {
      outcomes = await this.flushBatch(batch.map((w) => w.item));
      if (!Array.isArray(outcomes) || outcomes.length !== batch.length) {
        throw new Error(
          `micro-batcher: flush answered ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes} outcomes for ${batch.length} items`,
        );
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
