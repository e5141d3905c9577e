import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  applyEvent,
  startCase,
  type CaseSnapshot,
  type CompiledDefinition,
  type HouseholdFacts,
} from '@rasoat/workflow-core';

const Expectation = z.union([
  z.strictObject({
    step: z.string(),
    /** Inside a parallel step: each region's current step. */
    regions: z.record(z.string(), z.string()).optional(),
    status: z.enum(['active', 'done']).optional(),
    counters: z.record(z.string(), z.number()).optional(),
    effects: z.array(z.string()).optional(),
  }),
  z.strictObject({ rejected: z.string() }),
]);

export const GoldenFileSchema = z.strictObject({
  definition: z.string(),
  cases: z.array(
    z.strictObject({
      name: z.string(),
      events: z
        .array(
          z.strictObject({
            type: z.string(),
            data: z.record(z.string(), z.unknown()).default({}),
            /** Household facts at the time of the event, for definitions whose guards read them. */
            facts: z.record(z.string(), z.number()).optional(),
            expect: Expectation,
          }),
        )
        .min(1),
    }),
  ),
});
export type GoldenFile = z.infer<typeof GoldenFileSchema>;

export function readGoldenFile(file: string): GoldenFile & { definitionFile: string } {
  const parsed = GoldenFileSchema.parse(parse(readFileSync(file, 'utf8')));
  return { ...parsed, definitionFile: join(dirname(file), parsed.definition) };
}

/** One mismatch between a golden case and what the engine did. */
export interface GoldenFailure {
  caseName: string;
  index: number;
  message: string;
}

/** Plays each case through the pure core with a fixed clock and reports every mismatch. */
export function runGoldenCases(
  compiled: CompiledDefinition,
  golden: GoldenFile,
  start = new Date('2026-09-01T01:00:00Z'),
): GoldenFailure[] {
  const failures: GoldenFailure[] = [];
  for (const c of golden.cases) {
    let snapshot: CaseSnapshot = startCase(compiled, start).snapshot;
    c.events.forEach((event, index) => {
      const now = new Date(start.getTime() + (index + 1) * 86_400_000);
      const result = applyEvent(
        compiled,
        snapshot,
        { type: event.type, data: event.data, facts: event.facts as HouseholdFacts | undefined },
        now,
      );
      const fail = (message: string) =>
        failures.push({ caseName: c.name, index, message: `${event.type}: ${message}` });
      const expect = event.expect;
      if ('rejected' in expect) {
        if (result.outcome !== 'rejected')
          fail(`expected rejection ${expect.rejected}, but it moved to "${result.to}"`);
        else if (result.code !== expect.rejected)
          fail(`expected rejection ${expect.rejected}, got ${result.code}: ${result.message}`);
        return;
      }
      if (result.outcome === 'rejected') {
        fail(`expected step "${expect.step}", but it was rejected: ${result.code} ${result.message}`);
        return;
      }
      if (result.to !== expect.step) fail(`expected step "${expect.step}", got "${result.to}"`);
      if (expect.regions && JSON.stringify(result.snapshot.regions ?? {}) !== JSON.stringify(expect.regions)) {
        fail(
          `expected regions ${JSON.stringify(expect.regions)}, got ${JSON.stringify(result.snapshot.regions ?? {})}`,
        );
      }
      if (expect.status && result.snapshot.status !== expect.status)
        fail(`expected status ${expect.status}, got ${result.snapshot.status}`);
      for (const [name, value] of Object.entries(expect.counters ?? {})) {
        const actual = result.snapshot.context.counters[name] ?? 0;
        if (actual !== value) fail(`expected counter ${name} = ${value}, got ${actual}`);
      }
      if (expect.effects) {
        const kinds = result.effects.map((e) => `${e.kind}:${e.step}`);
        if (JSON.stringify(kinds) !== JSON.stringify(expect.effects))
          fail(`expected effects ${expect.effects.join(', ')}, got ${kinds.join(', ')}`);
      }
      snapshot = result.snapshot;
    });
  }
  return failures;
}
