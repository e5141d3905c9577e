import { readFileSync } from 'fs';
import { join } from 'path';
import { applyCorrection, checkCorrection } from './case-correction';
import { applyEvent, startCase, type CaseSnapshot } from './case-transition';
import { compileDefinition } from './definition-compiler';
import { loadDefinitionYaml } from './definition-loader';

const FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
const loaded = loadDefinitionYaml(readFileSync(FILE, 'utf8'), FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const definition = loaded.value;
const compiled = compileDefinition(definition);
const now = new Date('2026-09-10T02:00:00Z');

function listed(): CaseSnapshot {
  const started = startCase(compiled, now).snapshot;
  const result = applyEvent(
    compiled,
    started,
    {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 40, fromPreviousLists: 35, newlyArising: 3, requests: 2 },
    },
    now,
  );
  if (result.outcome !== 'applied') throw new Error(result.message);
  return result.snapshot;
}

describe('corrections of applied values', () => {
  const fix = { event: 'REVIEW_LIST_SUBMITTED', field: 'householdCount', value: 42, reason: 'Nhập nhầm số hộ' };

  it('replaces the value in the snapshot and keeps the step, the counters and the milestones', () => {
    const before = listed();
    const result = applyCorrection(definition, before, fix);
    expect(result).toMatchObject({ outcome: 'applied', previous: 40, correction: fix });
    if (result.outcome !== 'applied') return;
    expect(result.snapshot.context.data.REVIEW_LIST_SUBMITTED).toEqual({
      householdCount: 42,
      fromPreviousLists: 35,
      newlyArising: 3,
      requests: 2,
    });
    expect({ ...result.snapshot, context: { ...result.snapshot.context, data: before.context.data } }).toEqual(before);
    expect(before.context.data.REVIEW_LIST_SUBMITTED.householdCount).toBe(40);
  });

  it("checks the value against the field's spec, naming the limit", () => {
    expect(checkCorrection(definition, { ...fix, value: 9007199254740991 })).toEqual({
      ok: false,
      errors: [{ field: 'value', message: 'phải ≤ 1000000 / must be at most 1000000' }],
    });
    expect(checkCorrection(definition, { ...fix, value: '42' })).toMatchObject({
      ok: false,
      errors: [{ field: 'value' }],
    });
    expect(checkCorrection(definition, { ...fix, value: 1_000_000 })).toEqual({
      ok: true,
      correction: { ...fix, value: 1_000_000 },
    });
  });

  it('names an unknown event or field, a missing reason, and a bad shape', () => {
    expect(checkCorrection(definition, { ...fix, event: 'NO_SUCH_EVENT' })).toMatchObject({
      ok: false,
      errors: [{ field: 'event' }],
    });
    expect(checkCorrection(definition, { ...fix, field: 'households' })).toMatchObject({
      ok: false,
      errors: [{ field: 'field' }],
    });
    expect(checkCorrection(definition, { ...fix, event: 'constructor' })).toMatchObject({
      ok: false,
      errors: [{ field: 'event' }],
    });
    expect(checkCorrection(definition, { ...fix, reason: ' ' })).toMatchObject({
      ok: false,
      errors: [{ field: 'reason' }],
    });
    expect(checkCorrection(definition, { ...fix, extra: 1 })).toMatchObject({
      ok: false,
      errors: [{ field: 'extra' }],
    });
  });

  it('refuses to correct an event the case has not applied, and a bad value, without throwing', () => {
    expect(
      applyCorrection(definition, listed(), { ...fix, event: 'LISTS_RECOGNISED', field: 'poorCount' }),
    ).toMatchObject({ outcome: 'rejected', code: 'NOTHING_TO_CORRECT' });
    expect(applyCorrection(definition, listed(), { ...fix, value: -1 })).toMatchObject({
      outcome: 'rejected',
      code: 'INVALID_CORRECTION',
      message: 'value: phải ≥ 0 / must be at least 0',
    });
    expect(applyCorrection(definition, listed(), null)).toMatchObject({
      outcome: 'rejected',
      code: 'INVALID_CORRECTION',
    });
  });

  it('corrects a legacy value that is out of range today (the reason corrections exist)', () => {
    const legacy = listed();
    legacy.context.data.REVIEW_LIST_SUBMITTED.householdCount = 9007199254740991;
    const result = applyCorrection(definition, legacy, fix);
    expect(result).toMatchObject({ outcome: 'applied', previous: 9007199254740991 });
  });
});
