/**
 * Wall time per phase of the virtual days, in milliseconds, and how often each ran. `work` is
 * the villages' acceptance (the in-process workers already apply meanwhile), `settle.*` the
 * wait for the workers to apply what the phase before accepted, `alarms.events` the onDue
 * events sent in batches (CaseDeadlinesService.fireEvents), `alarms.due` CaseDeadlinesService.fireDue, `digests`
 * building and delivering the digests, `observe` reading every case back for the villages'
 * plans, `week` the weekly progress rows.
 */
export interface SeasonTiming {
  prepareMs: number;
  phases: Record<string, { ms: number; calls: number }>;
  /** onDue deadlines sent by the simulator (fireEvents), and calls of accept. */
  counts: { accepts: number; alarmEvents: number };
}

/** Where a season's wall time goes: what `SeasonTiming` reports. */
export class SeasonTimer {
  prepareMs = 0;
  readonly counts = { accepts: 0, alarmEvents: 0 };
  private readonly phases: Record<string, { ms: number; calls: number }> = {};

  /** Runs `run` and adds its wall time to the phase `name` (also when it fails). */
  async timed<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run();
    } finally {
      const phase = (this.phases[name] ??= { ms: 0, calls: 0 });
      phase.ms += Date.now() - started;
      phase.calls++;
    }
  }

  timing(): SeasonTiming {
    return { prepareMs: this.prepareMs, phases: this.phases, counts: this.counts };
  }
}
