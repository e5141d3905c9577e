import fc from 'fast-check';
import {
  allowedEvents,
  applyEvent,
  CaseSnapshotSchema,
  eventPayloadSchema,
  startCase,
  type CaseSnapshot,
  type CompiledDefinition,
  type FieldSpec,
  type HouseholdFacts,
  type TransitionResult,
} from '@rasoat/workflow-core';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCatalog, readDefinitionFile, WORKFLOWS_DIR } from './definition-catalog';
import { readGoldenFile } from './golden-cases';

// Property-based fuzzing of event payloads against every shipped definition (overlays included):
// the pure transition never throws, and a payload its schema refuses is always INVALID_PAYLOAD
// with the offending fields named. A failure prints fast-check's seed; re-run it with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 20250901);
const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));

const catalog = [...loadCatalog().values()];
const T0 = new Date('2026-09-01T02:00:00.000Z');
const CODES = ['UNKNOWN_EVENT', 'INVALID_PAYLOAD', 'CASE_COMPLETED', 'EVENT_NOT_ALLOWED', 'GUARD_REJECTED'];

/** Payloads (and household facts) of the golden cases, by definition key and event type: known-good starting points. */
const goldenSamples = new Map<string, Map<string, { data: Record<string, unknown>; facts?: HouseholdFacts }[]>>();
const goldenFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? goldenFiles(join(dir, name))
      : /\.golden\.ya?ml$/.test(name)
        ? [join(dir, name)]
        : [],
  );
for (const file of goldenFiles(WORKFLOWS_DIR)) {
  const golden = readGoldenFile(file);
  const key = readDefinitionFile(resolve(golden.definitionFile)).entry?.key;
  if (!key) continue;
  const byType = goldenSamples.get(key) ?? new Map();
  goldenSamples.set(key, byType);
  for (const e of golden.cases.flatMap((c) => c.events))
    byType.set(e.type, [...(byType.get(e.type) ?? []), { data: e.data, facts: e.facts as HouseholdFacts | undefined }]);
}

/** A value for one declared field: usually well-formed (so guards and actions run), sometimes not. */
function fieldValue(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.type) {
    case 'string':
      return fc.string({ minLength: Math.max(1, spec.minLength ?? 1), maxLength: Math.min(spec.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({ min: spec.min ?? -1000, max: spec.max ?? 100_000 });
    case 'number':
      return fc.double({ min: spec.min ?? -1e6, max: spec.max ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'enum':
      return fc.constantFrom(...spec.values);
    case 'string-list':
      return fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: Math.min(spec.maxItems ?? 5, 5) });
    case 'list':
      return fc.array(payloadFor(spec.items), {
        minLength: spec.minItems ?? 0,
        maxLength: Math.min(spec.maxItems ?? 4, 4),
      });
  }
}

/** Anything a client could send in a JSON body, with odd numbers and keys. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      -0,
      1e308,
      -1e308,
      0.1,
      2 ** 53,
      '',
      ' ',
      '2025-02-30',
      '2025-13-01',
      '\u0000',
      '\uD800',
      '__proto__',
      [],
      {},
    ),
  },
);

function payloadFor(fields: Record<string, FieldSpec>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields);
  if (entries.length === 0) return fc.constant({});
  return fc.record(Object.fromEntries(entries.map(([name, spec]) => [name, fieldValue(spec)])), {
    requiredKeys: entries.filter(([, s]) => s.required).map(([n]) => n),
  });
}

/** A payload for an event: well-formed, well-formed with one field broken, missing or added, or plain junk. */
function eventData(
  compiled: CompiledDefinition,
  type: string,
  samples: { data: Record<string, unknown> }[] = [],
): fc.Arbitrary<unknown> {
  const fields = compiled.definition.events[type]?.fields ?? {};
  const good =
    samples.length > 0
      ? fc.oneof(fc.constantFrom(...samples.map((s) => s.data)), payloadFor(fields))
      : payloadFor(fields);
  const names = Object.keys(fields);
  return fc.oneof(
    { weight: 6, arbitrary: good },
    {
      weight: 3,
      arbitrary: fc
        .tuple(good, fc.constantFrom(...names, 'unexpectedField', '__proto__', 'constructor'), junk, fc.boolean())
        .map(([data, name, value, drop]) =>
          drop ? Object.fromEntries(Object.entries(data).filter(([k]) => k !== name)) : { ...data, [name]: value },
        ),
    },
    { weight: 2, arbitrary: junk },
    { weight: 1, arbitrary: fc.dictionary(fc.string(), junk, { maxKeys: 5 }) },
  );
}

const facts: fc.Arbitrary<HouseholdFacts | undefined> = fc.option(
  fc.record({
    total: fc.nat(200),
    surveyed: fc.nat(200),
    unsurveyed: fc.nat(200),
    poor: fc.nat(50),
    nearPoor: fc.nat(50),
    voted: fc.nat(200),
    minAgreement: fc.double({ min: 0, max: 1, noNaN: true }),
    belowHalfAgreement: fc.nat(20),
    complaints: fc.nat(10),
    openComplaints: fc.nat(10),
  }),
  { nil: undefined },
);

/** Checks one outcome; returns the next snapshot. */
function check(
  compiled: CompiledDefinition,
  snapshot: CaseSnapshot,
  type: string,
  data: unknown,
  result: TransitionResult,
): CaseSnapshot {
  const schema = Object.hasOwn(compiled.payloadSchemas, type)
    ? eventPayloadSchema(compiled.definition, type)
    : undefined;
  if (result.outcome === 'applied') {
    if (!schema?.safeParse(data ?? {}).success)
      throw new Error(`applied an event whose payload its schema refuses: ${type} ${JSON.stringify(data)}`);
    const persisted = CaseSnapshotSchema.safeParse(JSON.parse(JSON.stringify(result.snapshot)));
    if (!persisted.success) throw new Error(`the next snapshot does not read back: ${persisted.error.message}`);
    return result.snapshot;
  }
  expect(CODES).toContain(result.code);
  expect(result.message.trim()).not.toBe('');
  if (!schema) expect(result.code).toBe('UNKNOWN_EVENT');
  else if (!schema.safeParse(data ?? {}).success) {
    expect(result.code).toBe('INVALID_PAYLOAD');
    expect(result.payloadErrors?.length).toBeGreaterThan(0);
    for (const e of result.payloadErrors ?? []) {
      expect(typeof e.field).toBe('string');
      // A field is named by its path; only an unknown key that is itself blank ("") has a blank name, and its message quotes it.
      if (e.field.trim() === '') expect(e.message).toBe(`unknown field ${JSON.stringify(e.field)}`);
      expect(e.message.trim()).not.toBe('');
    }
  } else expect(result.code).not.toBe('INVALID_PAYLOAD');
  return snapshot;
}

describe.each(catalog.map((entry) => [entry.key, entry.compiled] as const))(
  'event payloads of %s under fuzzing',
  (key, compiled) => {
    const samples =
      goldenSamples.get(key) ?? new Map<string, { data: Record<string, unknown>; facts?: HouseholdFacts }[]>();
    const types = Object.keys(compiled.definition.events);
    const started = startCase(compiled, T0).snapshot;

    it('any JSON value as the data of each event type: never throws, refused payloads are INVALID_PAYLOAD naming fields', () => {
      fc.assert(
        fc.property(fc.constantFrom(...types), junk, (type, data) => {
          const result = applyEvent(compiled, started, { type, data: data as Record<string, unknown> }, T0);
          check(compiled, started, type, data, result);
        }),
        { seed: SEED, numRuns: runs(300) },
      );
    });

    it('random walks through the steps with mostly well-formed payloads: never throws, snapshots always read back', () => {
      const move = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 }), facts);
      const visited = new Set<string>();
      fc.assert(
        fc.property(fc.array(move, { maxLength: 25 }), fc.infiniteStream(fc.nat()), (moves, seeds) => {
          let snapshot = started;
          let now = T0;
          for (const [pick, dataSeed, mode, householdFacts] of moves) {
            const allowed = allowedEvents(compiled, snapshot);
            // Mostly events the step accepts; sometimes any declared type, an unknown one or a prototype key.
            const pool =
              mode === 0
                ? [...types, 'NO_SUCH_EVENT', 'constructor', '__proto__', 'toString', '']
                : allowed.length > 0
                  ? allowed
                  : types;
            const type = pool[pick % pool.length];
            const known = Object.hasOwn(compiled.definition.events, type) ? (samples.get(type) ?? []) : [];
            const data = fc.sample(eventData(compiled, type, known), {
              seed: dataSeed ^ (seeds.next().value as number),
              numRuns: 1,
            })[0];
            // Household facts: random ones, or those a golden case gave with this event type.
            const goldenFacts = known.find((k) => k.facts)?.facts;
            const eventFacts = mode === 1 && goldenFacts ? goldenFacts : householdFacts;
            now = new Date(now.getTime() + 86_400_000);
            const result = applyEvent(
              compiled,
              snapshot,
              { type, data: data as Record<string, unknown>, ...(eventFacts ? { facts: eventFacts } : {}) },
              now,
            );
            snapshot = check(compiled, snapshot, type, data, result);
            visited.add(snapshot.step);
          }
        }),
        { seed: SEED, numRuns: runs(60) },
      );
      // The walks go past the first step (guards and actions run), not only into rejections.
      expect(visited.size).toBeGreaterThan(2);
    });
  },
);
