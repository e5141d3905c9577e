import { readFileSync } from 'fs';
import { join } from 'path';
import { createActor, createMachine } from 'xstate';
import { applyEvent, restore, startCase, type CaseSnapshot } from './case-transition';
import { compileDefinition } from './definition-compiler';
import { loadDefinitionYaml } from './definition-loader';

// Pins LESSONS.md "Timers": XState v5 does not restore `after` delays from a persisted snapshot
// (statelyai/xstate #4860, #5331), so the core holds no timers at all and restoring a case must
// never start one. Deadlines leave the core as `deadline.arm` effects.

const FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
const loaded = loadDefinitionYaml(readFileSync(FILE, 'utf8'), FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const compiled = compileDefinition(loaded.value);
const T0 = new Date('2025-09-01T01:00:00.000Z');

const snapshotIn = (step: string): CaseSnapshot => ({
  step,
  status: compiled.definition.steps[step].type === 'final' ? 'done' : 'active',
  context: {
    data: { REVIEW_LIST_SUBMITTED: { householdCount: 3 } },
    counters: { openComplaints: 1 },
    milestones: { [step]: T0.toISOString() },
  },
});

describe('rehydration starts no timers', () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('compiles a machine with no delayed transitions and no invoked actors in any step', () => {
    for (const node of Object.values(compiled.machine.root.states)) {
      expect({ step: node.key, after: node.after, invoke: node.invoke }).toEqual({
        step: node.key,
        after: [],
        invoke: [],
      });
    }
    expect(jest.getTimerCount()).toBe(0);
  });

  it('restores every step of the definition without scheduling anything', () => {
    for (const step of Object.keys(compiled.definition.steps)) {
      const machineSnapshot = restore(compiled, snapshotIn(step));
      expect(machineSnapshot.value).toBe(step);
      expect(machineSnapshot.context.counters).toEqual({ openComplaints: 1 });
    }
    expect(jest.getTimerCount()).toBe(0);
  });

  it('starts a case and applies events without scheduling anything, even for steps with deadlines', () => {
    const started = startCase(compiled, new Date());
    expect(started.effects.map((e) => e.kind)).toEqual(['deadline.arm']);
    const result = applyEvent(compiled, snapshotIn('posting'), { type: 'POSTING_PERIOD_ENDED', data: {} }, new Date());
    expect(result).toMatchObject({ outcome: 'applied', to: 'recheck' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('runs a live actor restored from a case snapshot without any timer, and nothing fires later', () => {
    const actor = createActor(compiled.machine, { snapshot: restore(compiled, snapshotIn('posting')) }).start();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(365 * 86_400_000);
    expect(actor.getSnapshot().value).toBe('posting');

    actor.send({ type: 'POSTING_PERIOD_ENDED', data: {} });
    expect(actor.getSnapshot().value).toBe('recheck');
    expect(jest.getTimerCount()).toBe(0);
    actor.stop();
  });

  it('restores a live actor from its own persisted snapshot without any timer', () => {
    const first = createActor(compiled.machine).start();
    first.send({
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 1, fromPreviousLists: 1, newlyArising: 0, requests: 0 },
    });
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();

    const second = createActor(compiled.machine, { snapshot: persisted }).start();
    expect(second.getSnapshot().value).toBe('survey');
    expect(jest.getTimerCount()).toBe(0);
    second.stop();
  });

  it('why: an xstate `after` delay is not re-armed when its actor is restored', () => {
    const machine = createMachine({ initial: 'posting', states: { posting: { after: { 1000: 'ended' } }, ended: {} } });
    const fresh = createActor(machine).start();
    expect(jest.getTimerCount()).toBe(1);
    const persisted = fresh.getPersistedSnapshot();
    fresh.stop();

    const restored = createActor(machine, { snapshot: persisted }).start();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(restored.getSnapshot().value).toBe('posting'); // the deadline would silently never fire
    restored.stop();
  });
});

describe('definitions cannot declare timers', () => {
  const withStepKey = (key: string) =>
    readFileSync(FILE, 'utf8').replace('  posting:\n    label:', `  posting:\n    ${key}\n    label:`);

  it.each([
    ['after: { 3000: commune_report }', 'after'],
    ['invoke: { src: postingTimer }', 'invoke'],
  ])('rejects a step with %s as an unknown key', (line, key) => {
    const text = withStepKey(line);
    const result = loadDefinitionYaml(text, 'timer.yaml');
    const expectedLine = text.split('\n').findIndex((l) => l.trim().startsWith(`${key}:`)) + 1;
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'timer.yaml',
          line: expectedLine,
          col: 5,
          path: `$.steps.posting.${key}`,
          message: `unknown key "${key}"`,
        },
      ],
    });
  });
});
